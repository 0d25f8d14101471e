"""predict's alignment to a model's scale (probeI): log2(x + 1) values given to a model of
log2(x + 1) of linear values were quantile-aligned under auto, and 8% of the types changed
against the same samples' linear values (2.7% synthetic), with only a hint naming
``--normalisation none``. They are now taken as given where they sit on the model's training
distribution (as its stored reference profile measures it), and said so; log values far
from it (another unit) are still aligned, and said why."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.data.crossscale import OWN_SCALE_SHIFT
from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_align import other_unit_hint


@pytest.fixture(scope="module")
def linear_run(tmp_path_factory):
    """A logreg of log2(TPM + 1) (normalisation log2p1), its TPM and log2(TPM + 1) files, and
    log2(40 TPM + 1) (another unit: ~5.3 log2 units above)."""
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
    np.log2(40 * tpm + 1).to_csv(d / "other.tsv", sep="\t")
    bundle = prepare_dataset([d / "tpm.tsv"], out_path=d / "bundle", label_paths=[files["labels"]],
                             annotation_path=files["annotation"],
                             config=PrepareConfig(synthetic=True))
    train_run(bundle.path, out_dir=d / "run", task="classify", model_name="logreg",
              progress=False)
    return d


def _warnings(path) -> str:
    return json.dumps(json.loads(path.read_text())["warnings"])


def test_log2_values_for_a_log2p1_model_score_as_their_linear_values(linear_run, tmp_path):
    """The old code aligned them by quantiles (scale_rule quantile) and hinted at
    ``--normalisation none``: that pinned an expectation that was wrong, since the model
    takes the same samples' linear values by log2(x + 1) alone, so aligning their log2(x + 1)
    scored the same samples differently."""
    d = linear_run
    assert load_model_file(d / "run")["normalisation"] == "log2p1"
    predict_file(d / "run", d / "tpm.tsv", out_path=tmp_path / "lin.csv")
    predict_file(d / "run", d / "log.tsv", out_path=tmp_path / "log.csv")
    lin, log = pd.read_csv(tmp_path / "lin.csv"), pd.read_csv(tmp_path / "log.csv")
    assert (lin["predicted_type"] == log["predicted_type"]).all()
    np.testing.assert_allclose(log["confidence"], lin["confidence"], atol=1e-3)
    assert (log["scale_rule"] == "given").all()
    said = _warnings(tmp_path / "log.record.json")
    assert "aligned" not in said.replace("(not aligned)", "")
    assert "values read as log2(x + 1), taken as given" in said
    record = json.loads((tmp_path / "log.record.json").read_text())
    step = next(s for s in record["steps"] if s["step"] == "cross_pipeline")
    assert step["rule"] == "none: values read as log2(x + 1), taken as given"
    assert "taken as given" not in _warnings(tmp_path / "lin.record.json")


def test_log_values_of_another_unit_are_still_aligned_and_said_why(linear_run, tmp_path):
    d = linear_run
    predict_file(d / "run", d / "other.tsv", out_path=tmp_path / "other.csv")
    assert (pd.read_csv(tmp_path / "other.csv")["scale_rule"] == "quantile").all()
    said = _warnings(tmp_path / "other.record.json")
    assert "log values aligned to the model's training distribution (quantile), not taken" in said
    assert "look like another unit" in said and "taken as given (not aligned)" not in said


def test_quantile_asked_still_aligns_own_scale_log_values(linear_run, tmp_path):
    d = linear_run
    predict_file(d / "run", d / "log.tsv", out_path=tmp_path / "q.csv", normalisation="quantile")
    assert (pd.read_csv(tmp_path / "q.csv")["scale_rule"] == "quantile").all()


def test_the_other_unit_hint_is_given_only_far_from_a_log2p1_models_own_scale():
    near = np.full(5, OWN_SCALE_SHIFT / 2)
    assert other_unit_hint("log2p1", "log", near) is None  # its own scale: taken as given
    assert other_unit_hint("log2p1", "log", near + OWN_SCALE_SHIFT) is not None
    # a count model's log2(unit + 1) is taken as given too now (it pinned "None": such a
    # model's aligned log values were aligned without a word)
    assert "not taken as log2(FPKM-UQ + 1)" in other_unit_hint("fpkm_uq", "log", near + OWN_SCALE_SHIFT)
    assert other_unit_hint("none", "log", near + OWN_SCALE_SHIFT) is None
    assert other_unit_hint("log2p1", "linear", near + OWN_SCALE_SHIFT) is None


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
