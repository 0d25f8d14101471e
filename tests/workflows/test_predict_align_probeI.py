"""predict's alignment to a model's scale (probeI): log2(x + 1) values given to a model of
log2(x + 1) of linear values were quantile-aligned, unsaid, and 8% of the types changed
against the same samples' linear values; ``--normalisation none`` scores them as those."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_align import OWN_SCALE_SHIFT, own_scale_hint


@pytest.fixture(scope="module")
def linear_run(tmp_path_factory):
    """A logreg of log2(TPM + 1) (normalisation log2p1) and its TPM and log2(TPM + 1) files."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
    from genemoe.workflows.train import train_run

    d = tmp_path_factory.mktemp("log2p1_run")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=150, n_genes=60, n_types=3,
                                                        seed=5), d / "in")
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0)
    tpm = counts / counts.sum() * 1e6
    tpm.to_csv(d / "tpm.tsv", sep="\t")
    np.log2(tpm + 1).to_csv(d / "log.tsv", sep="\t")
    bundle = prepare_dataset([d / "tpm.tsv"], out_path=d / "bundle", label_paths=[files["labels"]],
                             annotation_path=files["annotation"],
                             config=PrepareConfig(synthetic=True))
    train_run(bundle.path, out_dir=d / "run", task="classify", model_name="logreg",
              progress=False)
    return d


def _warnings(path) -> str:
    return json.dumps(json.loads(path.read_text())["warnings"])


def test_log2_values_for_a_log2p1_model_are_hinted_as_its_own_scale(linear_run, tmp_path):
    d = linear_run
    assert load_model_file(d / "run")["normalisation"] == "log2p1"
    predict_file(d / "run", d / "tpm.tsv", out_path=tmp_path / "lin.csv")
    predict_file(d / "run", d / "log.tsv", out_path=tmp_path / "log.csv")
    said = _warnings(tmp_path / "log.record.json")
    assert "log values aligned to the model's training distribution (quantile)" in said
    assert "--normalisation none scores them as their linear values would be" in said
    assert "log values aligned" not in _warnings(tmp_path / "lin.record.json")
    predict_file(d / "run", d / "log.tsv", out_path=tmp_path / "none.csv", normalisation="none")
    lin, none = pd.read_csv(tmp_path / "lin.csv"), pd.read_csv(tmp_path / "none.csv")
    assert (lin["predicted_type"] == none["predicted_type"]).all()  # what the hint promises


def test_the_hint_is_given_only_near_a_log2p1_models_own_scale():
    near = np.full(5, OWN_SCALE_SHIFT / 2)
    assert own_scale_hint("log2p1", "log", near) is not None
    assert own_scale_hint("log2p1", "log", near + OWN_SCALE_SHIFT) is None  # another scale
    assert own_scale_hint("fpkm_uq", "log", near) is None  # a count model: not its own
    assert own_scale_hint("log2p1", "linear", near) is None


def test_the_missing_genes_fix_names_none_of_the_models_ids_as_not_the_models(
        labelled_logreg_run, tmp_path):
    """A Firehose file (SYMBOL|ENTREZ) with a few Ensembl rows: those rows are unmapped, yet
    they are the model's genes; the fix listed them as "none of the model's" beside the
    same ids among the missing (probeI: ENSG00000083622 in both)."""
    from genemoe.errors import InputError

    d, f, _ = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    names = pd.read_csv(f["annotation"], sep="\t").set_index("gene_id")["gene_name"]
    ids = [f"{names[g]}|{i + 1}" for i, g in enumerate(counts.index)]
    ensembl = list(counts.index[-9:])  # 15% of the rows keep their Ensembl ids
    counts.index = ids[:-9] + ensembl
    path = tmp_path / "firehose.tsv"
    counts.to_csv(path, sep="\t")
    with pytest.raises(InputError) as err:
        predict_file(d / "run", path, out_path=tmp_path / "p.csv",
                     annotation_path=f["annotation"], max_missing=0.05)
    text = str(err.value)
    fix = text[text.index("fix:"):]
    assert not any(g in fix.split("none of the model's")[-1].split(":")[0] for g in ensembl)
    assert "the id mapping dropped 9 of the file's ids, among them the model's own" in fix
    assert any(g in fix for g in ensembl)  # named as the model's own, dropped by the mapping
