"""log2(unit + 1) values for a log2tpm model are taken as given only where their per-sample
totals of 2^x − 1 are TPM's (probeY).

f08fa9b/6cc65a2 took log values as given for a model of log2(unit + 1) when their median
distance to its training distribution was under OWN_SCALE_SHIFT. A median shift cannot tell
FPKM from TPM (a per-sample factor, ~2 log2 units on TCGA, barely moves the median gene):
log2(FPKM + 1) sat 0.49 from a log2(TPM + 1) reference on real CHOL+UVM counts and was
scored as TPM, said "values read as log2(TPM + 1)". Now TPM's total (1e6 over all genes)
must hold too; a file of too few genes to tell falls back to alignment, said why."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def tpm_run(tmp_path_factory):
    """A log2tpm logreg of synthetic counts; the same samples' log2(TPM + 1), log2(FPKM + 1)
    (~0.6 log2 units from it: the old rule's "given") and log2(TPM + 1) of 60% of the genes."""
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    d = tmp_path_factory.mktemp("log_unit_totals")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=150, n_genes=60, n_types=3,
                                                        seed=5), d / "in")
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0)
    counts.to_csv(d / "counts.tsv", sep="\t")
    lengths = pd.read_csv(files["annotation"], sep="\t").set_index("gene_id")["length"]
    rate = counts.div(lengths.reindex(counts.index), axis=0) * 1e3  # reads per kilobase
    np.log2(rate / rate.sum() * 1e6 + 1).to_csv(d / "log_tpm.tsv", sep="\t")
    np.log2(rate / counts.sum() * 1e6 + 1).to_csv(d / "log_fpkm.tsv", sep="\t")
    keep = counts.index[: int(0.6 * len(counts))]
    np.log2(rate / rate.sum() * 1e6 + 1).loc[keep].to_csv(d / "log_tpm_part.tsv", sep="\t")
    bundle = prepare_dataset([d / "counts.tsv"], out_path=d / "b", label_paths=[files["labels"]],
                             annotation_path=files["annotation"],
                             config=PrepareConfig(synthetic=True, normalisation="log2tpm"))
    train_run(bundle.path, out_dir=d / "run", task="classify", model_name="logreg", progress=False)
    return d


def _predict(d, name: str, out, **kw) -> tuple[pd.DataFrame, str]:
    predict_file(d / "run", d / f"{name}.tsv", out_path=out / f"{name}.csv", **kw)
    record = json.loads((out / f"{name}.record.json").read_text())
    return pd.read_csv(out / f"{name}.csv"), json.dumps(record["warnings"], ensure_ascii=False)


def test_log2_fpkm_for_a_log2tpm_model_is_aligned_and_said_why(tpm_run, tmp_path):
    """The old code took them as given (rule given, "values read as log2(TPM + 1)")."""
    got, said = _predict(tpm_run, "log_fpkm", tmp_path)
    assert got["input_shift"].median() <= 1.5  # the distance alone would take them as TPM
    assert (got["scale_rule"] == "quantile").all()
    assert "values read as log2(TPM + 1)" not in said
    assert "per-sample totals of 2^x − 1 are ~" in said and "not 1e6 as TPM's" in said
    assert "another unit (FPKM?), aligned" in said


def test_log2_tpm_for_a_log2tpm_model_is_still_given_its_totals_said(tpm_run, tmp_path):
    """TPM's totals are CPM's too: said, so the reader knows what the check cannot tell."""
    c, _ = _predict(tpm_run, "counts", tmp_path)
    got, said = _predict(tpm_run, "log_tpm", tmp_path)
    assert (got["scale_rule"] == "given").all()
    np.testing.assert_allclose(got["confidence"], c["confidence"], atol=1e-4)
    assert "values read as log2(TPM + 1), taken as given (not aligned)" in said
    assert "the totals cannot tell TPM from CPM" in said


def test_a_file_of_part_of_the_genes_falls_back_to_alignment_said_why(tpm_run, tmp_path):
    """36 of the 60 genes: their TPM sums under 1e6, as FPKM's would; no telling: aligned
    (the old code took them as given by their distance)."""
    got, said = _predict(tpm_run, "log_tpm_part", tmp_path, max_missing=0.5)
    assert (got["scale_rule"] == "quantile").all()
    assert "the file holds 36 genes, training's TPM was summed over 60" in said
    assert "too few genes to tell" in said


def test_totals_rule():
    """Agrees within 10%; above is another unit at any gene count; below is another unit
    for a full file, no telling for a part; units without a total are not checked."""
    from genemoe.data.crossscale import check_unit_totals, scale_rule

    tot = np.array([1.02e6, 0.97e6, 1.0e6])
    assert check_unit_totals(tot, "log2tpm", n_file_genes=100, n_trained_genes=100).verdict == "agrees"
    assert check_unit_totals(tot * 0.4, "log2tpm", n_file_genes=95, n_trained_genes=100).verdict == "other_unit"
    assert check_unit_totals(tot * 0.4, "log2tpm", n_file_genes=50, n_trained_genes=100).verdict == "too_few_genes"
    assert check_unit_totals(tot * 3, "log2cpm", n_file_genes=50, n_trained_genes=100).verdict == "other_unit"
    assert check_unit_totals(tot, "fpkm_uq", n_file_genes=100, n_trained_genes=100) is None
    assert check_unit_totals(tot, "log2p1", n_file_genes=100, n_trained_genes=100) is None
    assert scale_rule("log", "log2tpm", own_log_shift=0.5, own_log_totals="other_unit") == "quantile"
    assert scale_rule("log", "log2tpm", own_log_shift=0.5, own_log_totals="agrees") == "given"
