"""log2(unit + 1) values for a model of genemoe's own log2(unit + 1) normalisations
(log2tpm, log2cpm, fpkm_uq), and Xena star_tpm bundles recorded as log2tpm (probeU).

Under ``--normalisation auto`` log values for a log2tpm model were quantile-aligned to its
training distribution although they were log2(TPM + 1) of the same samples its own
normalisation makes from counts (a probe's ACC survival model: risks moved by up to 0.43,
risk percentiles by 29 points, against the counts). And a bundle prepared from Xena's
``TCGA-<P>.star_tpm.tsv`` recorded normalisation ``none``, so its model scored counts by
log2(x + 1) and quantile alignment instead of log2 TPM."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run


def _log2_tpm(counts: pd.DataFrame, annotation_path) -> pd.DataFrame:
    """log2(TPM + 1) as genemoe's log2tpm computes it (annotation lengths, its genes)."""
    lengths = pd.read_csv(annotation_path, sep="\t").set_index("gene_id")["length"]
    rate = counts.div(lengths.reindex(counts.index), axis=0)
    return np.log2(rate / rate.sum() * 1e6 + 1)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Synthetic counts, their log2(TPM + 1), log2(40 TPM + 1) (another unit) and labels."""
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    d = tmp_path_factory.mktemp("own_log_units")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=150, n_genes=60, n_types=3,
                                                        seed=5), d / "in")
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0)
    counts.to_csv(d / "counts.tsv", sep="\t")
    log_tpm = _log2_tpm(counts, files["annotation"])
    log_tpm.to_csv(d / "log_tpm.tsv", sep="\t")
    log_tpm.to_csv(d / "TCGA-ACC.star_tpm.tsv", sep="\t")  # a Xena GDC-hub name
    np.log2(40 * (np.exp2(log_tpm) - 1) + 1).to_csv(d / "other.tsv", sep="\t")
    return d, files


def _train(d, files, expression, name: str, **config):
    bundle = prepare_dataset([expression], out_path=d / f"b_{name}", label_paths=[files["labels"]],
                             annotation_path=files["annotation"],
                             config=PrepareConfig(synthetic=True, **config))
    train_run(bundle.path, out_dir=d / name, task="classify", model_name="logreg", progress=False)
    return bundle, d / name


def _said(record_path) -> str:
    return json.dumps(json.loads(record_path.read_text())["warnings"])


def test_log2_tpm_for_a_log2tpm_model_scores_as_the_same_samples_counts(cohort, tmp_path):
    """The old code aligned them (scale_rule quantile), scoring the same samples otherwise
    than their counts; now taken as given (as the log2p1 case since f08fa9b), said."""
    d, files = cohort
    _, run = _train(d, files, d / "counts.tsv", "tpm_run", normalisation="log2tpm")
    assert load_model_file(run)["normalisation"] == "log2tpm"
    predict_file(run, d / "counts.tsv", out_path=tmp_path / "c.csv")
    predict_file(run, d / "log_tpm.tsv", out_path=tmp_path / "l.csv")
    c, lg = pd.read_csv(tmp_path / "c.csv"), pd.read_csv(tmp_path / "l.csv")
    assert (c["predicted_type"] == lg["predicted_type"]).all()
    np.testing.assert_allclose(lg["confidence"], c["confidence"], atol=1e-4)
    assert (c["scale_rule"] == "same").all() and (lg["scale_rule"] == "given").all()
    said = _said(tmp_path / "l.record.json")
    assert "values read as log2(TPM + 1), taken as given (not aligned)" in said
    steps = json.loads((tmp_path / "l.record.json").read_text())["steps"]
    assert any(st.get("rule") == "none: values read as log2(TPM + 1), taken as given" for st in steps)


def test_another_unit_for_a_log2tpm_model_is_still_aligned_and_said_why(cohort, tmp_path):
    """log2(40 TPM + 1) (~5 log2 units off, like an FPKM-UQ) is another unit: aligned, as
    before, and now said why (for a log2tpm model nothing was said)."""
    d, files = cohort
    run = d / "tpm_run"
    if not run.exists():
        _train(d, files, d / "counts.tsv", "tpm_run", normalisation="log2tpm")
    predict_file(run, d / "other.tsv", out_path=tmp_path / "o.csv")
    got = pd.read_csv(tmp_path / "o.csv")
    assert (got["scale_rule"] == "quantile").all() and got["input_shift"].median() > 1.5
    said = _said(tmp_path / "o.record.json")
    assert "not taken as log2(TPM + 1) of the values it was trained on" in said
    assert "look like another unit" in said


def test_a_xena_star_tpm_bundle_is_log2tpm_and_its_model_scores_counts_by_it(cohort, tmp_path):
    """A bundle of Xena's TCGA-<P>.star_tpm.tsv (log2(TPM + 1), told by the name) recorded
    normalisation none: its model then scored counts by log2(x + 1) and quantile alignment.
    Now log2tpm, said in the record, and counts get the model's own log2 TPM."""
    from genemoe.data.prep_text import step_line

    d, files = cohort
    bundle, run = _train(d, files, d / "TCGA-ACC.star_tpm.tsv", "xena_run")
    assert bundle.record["normalisation"] == "log2tpm"
    step = next(st for st in bundle.record["steps"] if st["step"] == "normalise")
    assert step["values_on"] == "log2tpm" and step["method"] == "none"
    assert "Xena star_tpm" in step["values_on_by"] and "log2(TPM + 1)" in step["values_on_by"]
    assert "log2tpm: given as log2(TPM + 1) by the file (Xena star_tpm)" in step_line("normalise", step)
    predict_file(run, d / "counts.tsv", out_path=tmp_path / "c.csv")
    predict_file(run, d / "TCGA-ACC.star_tpm.tsv", out_path=tmp_path / "x.csv")
    c, x = pd.read_csv(tmp_path / "c.csv"), pd.read_csv(tmp_path / "x.csv")
    assert (c["scale_rule"] == "same").all() and (x["scale_rule"] == "given").all()
    assert (c["predicted_type"] == x["predicted_type"]).all()
    np.testing.assert_allclose(x["confidence"], c["confidence"], atol=1e-4)


def test_other_log_files_keep_normalisation_none(cohort):
    """Only a GDC-hub name says the unit: the same values under another name stay none."""
    d, files = cohort
    bundle = prepare_dataset([d / "log_tpm.tsv"], out_path=d / "b_plain",
                             label_paths=[files["labels"]], annotation_path=files["annotation"],
                             config=PrepareConfig(synthetic=True))
    assert bundle.record["normalisation"] == "none"
