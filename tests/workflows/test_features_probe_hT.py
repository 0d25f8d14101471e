"""`genemoe features` after outside probe hT: a train run whose predictions.tsv is gone
(its training samples were analysed as held out, unsaid), and the ``--max-samples``
refusal that named the flag twice ("max_samples: --max-samples 2: ...")."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.workflows.features import analyse_features


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A one-epoch Gene-MOE train run on a small synthetic bundle: ``(bundle, run folder)``."""
    from synthetic_inputs import tiny_genemoe_train_run

    return tiny_genemoe_train_run(tmp_path_factory.mktemp("features_hT"), seed=21)


def test_training_samples_are_refused_without_predictions_tsv(trained, tmp_path):
    """Old: with predictions.tsv gone, ``--split train`` analysed the very samples the model
    was fitted on as held-out evidence; the model file's own split_ids name them."""
    import shutil

    bundle, run_dir = trained
    copy = tmp_path / "run_copy"
    shutil.copytree(run_dir, copy)
    (copy / "predictions.tsv").unlink()
    with pytest.raises(InputError, match="the run saw") as err:
        analyse_features(copy, data=bundle.path, out_dir=tmp_path / "f", split="train",
                         n_features=3, device="cpu")
    assert "--split unseen" in str(err.value)
    res = analyse_features(copy, data=bundle.path, out_dir=tmp_path / "g", split="test",
                           n_features=3, device="cpu")  # the held-out split still analysed
    assert res.summary["n_samples"] == len(bundle.indices("test"))


def test_a_run_recording_no_samples_at_all_is_refused_naming_the_file(trained, tmp_path):
    """A model file without split_ids (older) and no predictions.tsv: refused, the fix named."""
    from genemoe.workflows.feature_run import load_run_model, used_sample_patients

    _, run_dir = trained
    run = load_run_model(run_dir)
    run.split_ids = None
    run.path = tmp_path  # no predictions.tsv here
    with pytest.raises(InputError, match="predictions.tsv") as err:
        used_sample_patients(run)
    assert str(tmp_path) in str(err.value) and "re-run `genemoe train`" in str(err.value)


def test_max_samples_below_three_names_the_flag_once(trained, tmp_path):
    """Old: "max_samples: --max-samples 2: the analysis needs >= 3 samples"."""
    bundle, run_dir = trained
    with pytest.raises(InputError) as err:
        analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", max_samples=2)
    text = str(err.value)
    assert text.count("max-samples") + text.count("max_samples") == 2  # problem, and the fix
    assert "--max-samples 2 is too few" in text and not (tmp_path / "f").exists()


def test_a_bundle_without_symbols_is_said_to_show_gene_ids(trained, tmp_path):
    """Old: pancan33 (Entrez ids, no annotation) gave symbol-less tables and a heat map of
    bare numbers, unsaid; a bundle with symbols says nothing."""
    import shutil

    import pandas as pd

    bundle, run_dir = trained
    said = "the bundle names no gene symbols"
    res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "with", n_features=3,
                           device="cpu")
    assert not any(n.startswith(said) for n in res.notes)
    copy = tmp_path / "copy"
    shutil.copytree(bundle.path, copy)
    var = pd.read_parquet(copy / "var.parquet")
    var["symbol"] = None
    var.to_parquet(copy / "var.parquet")
    res = analyse_features(run_dir, data=copy, out_dir=tmp_path / "without", n_features=3,
                           device="cpu")
    assert any(n.startswith(said) for n in res.summary["notes"])
    assert "--annotation" in res.describe()


def test_the_constant_genes_note_gives_their_symbols(trained, tmp_path):
    """Old: "e.g. ENSG00000054796, ENSG00000072080" beside tables naming genes by symbol."""
    import numpy as np

    from genemoe.data.bundle import load_bundle, write_bundle

    bundle, run_dir = trained
    copy = load_bundle(bundle.path)
    col = int(np.flatnonzero(copy.gene_mask())[0])
    X = np.array(copy.X, copy=True)
    X[copy.indices("test"), col] = 1.5
    copy.X = X
    write_bundle(copy, tmp_path / "b")
    gene, symbol = (str(copy.var[c].iloc[col]) for c in ("gene_id", "symbol"))
    assert symbol and symbol != gene
    res = analyse_features(run_dir, data=tmp_path / "b", out_dir=tmp_path / "f", n_features=3,
                           device="cpu")
    note = next(n for n in res.notes if "constant across these samples" in n)
    assert f"{gene} ({symbol})" in note
