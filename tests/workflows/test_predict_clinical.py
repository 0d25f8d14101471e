"""predict --clinical: a survival run's risk scored against the patients' survival (read and
joined as prepare --clinical), as --labels scores a classification run's types."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.evaluate.survival import concordance_index
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_survival import score_clinical
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic

HEADLINE = ("new", "test", "test patient")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A coxph and a logreg run of one small synthetic cohort, and its files."""
    d = tmp_path_factory.mktemp("clinical_runs")
    b, f, _ = prepare_synthetic(d, n_samples=80, n_genes=50, n_types=2, seed=3)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxph", progress=False)
    train_run(b.path, out_dir=d / "logreg", task="classify", model_name="logreg", progress=False)
    return d, f


def _flat(text: str) -> str:
    return " ".join(text.split())


def _clinical(f) -> pd.DataFrame:
    return pd.read_csv(f["clinical"], sep="\t")


def test_cli_scores_the_risk_and_writes_the_scores(runs, tmp_path):
    d, f = runs
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "cox"), "--expression",
                                   str(f["counts"]), "--clinical", str(f["clinical"]),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    said = _flat(res.output)
    assert "--clinical synthetic_clinical.tsv.gz: OS survival for 80 of 80 samples" in said
    assert "Harrell's C-index of the risk (OS)" in said
    assert "the model's own training or validation samples" in said  # scored apart
    table = pd.read_csv(tmp_path / "p.scores.tsv", sep="\t")
    assert table["part"].iloc[0] == "headline"
    record = json.loads(out.with_suffix(".record.json").read_text())
    head = record["survival_scores"]["headline"]
    assert table["c_index"].iloc[0] == pytest.approx(head["c_index"], abs=1e-4)
    pred = pd.read_csv(out)
    assert {"time", "event"} <= set(pred.columns)
    assert head["n"] == int((pred["model_split"].isin(HEADLINE) & pred["time"].notna()).sum())


def test_c_index_is_the_evaluate_function_s(runs, tmp_path):
    """The headline C equals evaluate.survival.concordance_index on the same risks (the
    parquet output keeps every digit), over the samples not the model's own."""
    d, f = runs
    out = tmp_path / "p.parquet"
    predict_file(d / "cox", f["counts"], out_path=out, clinical_path=f["clinical"])
    pred = pd.read_parquet(out)
    head = pred[pred["model_split"].isin(HEADLINE) & pred["time"].notna()]
    record = json.loads(out.with_suffix(".record.json").read_text())
    want = concordance_index(head["time"], head["event"].astype(bool), head["risk"])
    assert record["survival_scores"]["headline"]["c_index"] == pytest.approx(want, abs=1e-12)
    own = pred[pred["model_split"].isin(["train", "val"])]
    assert record["survival_scores"]["by_split"]["model_own"]["c_index"] == pytest.approx(
        concordance_index(own["time"], own["event"].astype(bool), own["risk"]), abs=1e-12)


def test_a_patient_missing_from_the_table_is_counted(runs, tmp_path):
    d, f = runs
    clin = _clinical(f)
    gone = clin["bcr_patient_barcode"].iloc[:2].tolist()
    clin = clin.iloc[2:].copy()
    clin.loc[clin.index[0], "OS.time"] = np.nan  # a row without a time
    path = tmp_path / "clin.tsv"
    clin.to_csv(path, sep="\t", index=False)
    said = _flat(predict_file(d / "cox", f["counts"], out_path=tmp_path / "p.csv",
                              clinical_path=path))
    record = json.loads((tmp_path / "p.record.json").read_text())
    join = record["clinical"]
    assert (join["n_no_patient_row"], join["n_missing_time_or_event"]) == (2, 1)
    assert join["n_with_survival"] == 77
    assert "OS survival for 77 of 80 samples" in said
    assert "3 without, unscored: 2 with no patient row" in said
    assert "1 whose row lacks a OS time or event" in said
    pred = pd.read_csv(tmp_path / "p.csv")
    assert pred.loc[pred["sample_id"].str[:12].isin(gone), "time"].isna().all()


def test_too_few_events_gives_no_number(runs, tmp_path):
    d, f = runs
    clin = _clinical(f)
    clin["OS"] = 0
    clin.loc[clin.index[0], "OS"] = 1
    path = tmp_path / "clin.tsv"
    clin.to_csv(path, sep="\t", index=False)
    said = _flat(predict_file(d / "cox", f["counts"], out_path=tmp_path / "p.csv",
                              clinical_path=path))
    head = json.loads((tmp_path / "p.record.json").read_text())["survival_scores"]["headline"]
    assert head["c_index"] is None and head["c_index_reason"].startswith("fewer than 2 events")
    assert "Harrell's C-index of the risk (OS) cannot be scored: fewer than 2 events" in said
    assert "uno_reason" not in head and "no Uno's C" not in said  # no C at all: no Uno's either


def test_refused_for_a_classification_run(runs, tmp_path):
    d, f = runs
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "logreg"), "--expression",
                                   str(f["counts"]), "--clinical", str(f["clinical"]),
                                   "--out", str(tmp_path / "p.csv")])
    assert res.exit_code != 0
    said = _flat(str(res.exception))  # the CLI's handler prints it without a traceback
    assert "classification model" in said and "--labels FILE" in said and "--clinical" in said
    assert not (tmp_path / "p.csv").exists()


def test_time_column_without_clinical_is_refused(runs, tmp_path):
    d, f = runs
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "cox"), "--expression",
                                   str(f["counts"]), "--time-column", "OS.time",
                                   "--out", str(tmp_path / "p.csv")])
    assert res.exit_code != 0 and "pass --clinical FILE" in _flat(str(res.exception))


def test_real_survival_table_joins_real_barcodes(shared_data):
    """TCGA-CDR's table joined to UVM samples of gdc_counts_6types by patient barcode; the
    C-index the evaluate function's on the same risks."""
    from genemoe.data.clinical import read_clinical

    with gzip.open(shared_data / "gdc_counts_6types/TCGA_UVM_Counts.exp.gz", "rt") as fh:
        ids = fh.readline().rstrip("\n").split("\t")[1:41]
    ids.append("TCGA-ZZ-ZZZZ-01A-11R-A405-07")  # a patient the table lacks
    clinical, report = read_clinical(shared_data / "tcga_survival/clinical_survival.tsv.gz",
                                     said_on_join=True)
    risk = np.random.default_rng(0).normal(size=len(ids))
    df = pd.DataFrame({"sample_id": ids, "risk": risk})
    payload = {"task": "survival", "config": {"endpoint": "OS"}}
    join, scores = score_clinical(df, payload, clinical, report,
                                  pd.Series(["new"] * len(ids)), ["01"])
    assert join["n_no_patient_row"] == 1 and join["n_with_survival"] == len(ids) - 1
    ok = df["time"].notna()
    want = concordance_index(df.loc[ok, "time"], df.loc[ok, "event"].astype(bool), risk[ok])
    assert scores["headline"]["c_index"] == pytest.approx(want, abs=1e-12)


def test_a_genemoe_export_carrying_survival_is_scored_without_clinical(runs, tmp_path):
    """An .h5ad written by `genemoe export` keeps each sample's survival in obs: predict of a
    survival run scores it with no --clinical, said as coming from the export's obs, and
    the C-index is the one --clinical gives on the same samples."""
    d, f = runs
    h5ad = tmp_path / "cohort.h5ad"
    res = CliRunner().invoke(app, ["export", "--data", str(d / "bundle"), "--out", str(h5ad)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "cox"), "--expression",
                                   str(h5ad), "--out", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert "survival from the export's obs" in _flat(res.output)
    got = json.loads((tmp_path / "p.record.json").read_text())["survival_scores"]["headline"]
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "cox"), "--expression",
                                   str(h5ad), "--clinical", str(f["clinical"]),
                                   "--out", str(tmp_path / "q.csv")])
    assert res.exit_code == 0, res.output
    want = json.loads((tmp_path / "q.record.json").read_text())["survival_scores"]["headline"]
    assert got["n"] == want["n"] and got["c_index"] == pytest.approx(want["c_index"], abs=1e-9)


def test_a_patients_second_sample_is_counted_once(runs, tmp_path):
    """Two aliquots of one patient are one patient in the C-index: the other sample is
    counted (n_repeat_samples) and left out, by prepare's rule (the lower portion kept)."""
    d, f = runs
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    first = counts.columns[0]
    parts = first.split("-")
    again = "-".join(parts[:4] + ["21R"] + parts[5:])  # the same sample, portion 21
    counts[again] = counts[first] * 1.1
    path = tmp_path / "counts.tsv"
    counts.to_csv(path, sep="\t")
    said = _flat(predict_file(d / "cox", path, out_path=tmp_path / "p.csv",
                              clinical_path=f["clinical"]))
    scores = json.loads((tmp_path / "p.record.json").read_text())["survival_scores"]
    assert scores["n_repeat_samples"] == 1
    assert "1 sample" in said and "the others left out of the C-index" in said


def test_a_later_run_without_clinical_removes_its_scores_naming_it(runs, tmp_path, caplog):
    """The scores file of an earlier --clinical run is removed by a run scoring nothing, and
    the warning names --clinical (it said "an earlier --labels run's scores")."""
    import logging

    d, f = runs
    out = tmp_path / "p.csv"
    predict_file(d / "cox", f["counts"], out_path=out, clinical_path=f["clinical"])
    assert (tmp_path / "p.scores.tsv").exists()
    with caplog.at_level(logging.WARNING):
        predict_file(d / "cox", f["counts"], out_path=out)
    assert not (tmp_path / "p.scores.tsv").exists()
    assert "an earlier --labels or --clinical run's scores" in caplog.text
