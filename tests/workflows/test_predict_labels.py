"""predict --labels: a cohort of known types scored (external validation), as prepare matches."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score, recall_score
from sklearn.metrics import confusion_matrix as sk_confusion

from genemoe.errors import InputError
from genemoe.workflows import predict as predict_mod
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_score import score_predictions, scores_table


def _renamed(f: dict, out_dir, rename) -> dict:
    """The synthetic counts and labels with sample ids ``rename``d (new patients: not the
    model's own samples)."""
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    counts.columns = [rename(c) for c in counts.columns]
    counts.to_csv(out_dir / "cohort.tsv.gz", sep="\t")
    labels = pd.read_csv(f["labels"], sep="\t")
    labels["Sample_name"] = labels["Sample_name"].map(rename)
    labels.to_csv(out_dir / "cohort_types.tsv", sep="\t", index=False)
    return {"counts": out_dir / "cohort.tsv.gz", "labels": out_dir / "cohort_types.tsv",
            "table": labels}


def _new_patient(sample_id: str) -> str:
    """``SYNT-A4-001Y-...`` → ``SYNT-N4-001Y-...``: another tissue source site, a new patient."""
    return sample_id[:5] + "N" + sample_id[6:]


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=120, n_genes=60, seed=5)


@pytest.fixture(scope="module")
def cohort(trained, tmp_path_factory):
    """The same profiles as 120 samples of new patients: an external cohort."""
    d, f, _ = trained
    return _renamed(f, tmp_path_factory.mktemp("cohort"), _new_patient)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _write(df: pd.DataFrame, path):
    df.to_csv(path, sep="\t", index=False)
    return path


def test_labels_matched_by_each_rule(trained, tmp_path):
    """Exact aliquot ids, 15-character sample ids and 12-character patient barcodes, as
    prepare --labels matches them; an unlisted sample is counted, unscored."""
    d, f, labels = trained
    ids = labels["Sample_name"].tolist()
    rows = ([(s, t) for s, t in zip(ids[:40], labels["Target"][:40], strict=True)]
            + [(s[:15], t) for s, t in zip(ids[40:80], labels["Target"][40:80], strict=True)]
            + [(s[:12], t) for s, t in zip(ids[80:115], labels["Target"][80:115], strict=True)])
    table = _write(pd.DataFrame(rows, columns=["sample", "cancer_type"]), tmp_path / "lab.tsv")
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=table)
    record = json.loads((tmp_path / "p.record.json").read_text())
    by = record["labels"]["matched_by"]
    # a patient with two samples would match twice by patient: the synthetic ones have one
    assert by == {"sample id": 40, "15-character sample id": 40, "patient barcode": 35}
    assert record["scores"]["n_labelled"] == 115 and record["scores"]["n_unlabelled"] == 5
    p = pd.read_csv(tmp_path / "p.csv").set_index("sample_id")
    want = labels.set_index("Sample_name")["Target"].str.replace(" (TCGA)", "", regex=False)
    assert p.loc[ids[:115], "labels"].tolist() == want[ids[:115]].tolist()
    assert p.loc[ids[115:], "labels"].isna().all()
    assert list(p.columns[:2]) == ["predicted_type", "labels"]  # side by side, row by row
    assert "5 without a label, unscored" in _flat(text)
    assert record["labels"]["respelt"] == {f"{t} -> {t.split(' ')[0]}": n for t, n in
                                           labels["Target"][:115].value_counts().items()}
    codes = {w["code"] for w in record["warnings"]}
    assert "label_match" in codes  # a caveat (unlabelled samples): recorded with its data


def test_unknown_type_counted_and_excluded_from_macro_f1(trained, cohort, tmp_path):
    d, _, _ = trained
    lab = cohort["table"].copy()
    lab.loc[:9, "Target"] = "LAML"  # a type the model never saw: never right
    lab.loc[10:14, "Target"] = "brca"  # respelt by the TCGA normalisation, as at prepare
    table = _write(lab, tmp_path / "lab.tsv")
    text = predict_file(d / "run", cohort["counts"], out_path=tmp_path / "p.csv",
                        labels_path=table)
    s = json.loads((tmp_path / "p.record.json").read_text())["scores"]
    p = pd.read_csv(tmp_path / "p.csv")
    assert s["n_unknown_type"] == 10 and s["unknown_types"]["LAML"]["n"] == 10
    laml = p[p["labels"] == "LAML"]["predicted_type"].value_counts().to_dict()
    assert s["unknown_types"]["LAML"]["predicted_as"] == laml
    known = p[p["labels"] != "LAML"]
    assert s["n_scored"] == len(known) == 110
    assert s["accuracy"] == pytest.approx(accuracy_score(known["labels"], known["predicted_type"]))
    assert s["macro_f1"] == pytest.approx(f1_score(known["labels"], known["predicted_type"],
                                                   labels=sorted(set(known["labels"])),
                                                   average="macro", zero_division=0))
    assert "LAML" not in s["macro_f1_types"]
    assert s["accuracy_all_labelled"] == pytest.approx(
        (known["labels"] == known["predicted_type"]).sum() / 120)
    flat = _flat(text)
    assert "10 samples of types the model was not trained on (LAML 10)" in flat
    assert "left out of accuracy and macro-F1" in flat
    assert f"accuracy {s['accuracy']:.3f}" in flat and "of the 110 samples not the" in flat
    assert (p["labels"].iloc[10:15] == "BRCA").all()
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["labels"]["respelt"]["brca -> BRCA"] == 5
    by_code = {w["code"]: w for w in record["warnings"]}
    assert by_code["label_unknown_types"]["types"] == {"LAML": 10}
    table = pd.read_csv(tmp_path / "p.scores.tsv", sep="\t")
    row = table.set_index("cancer_type").loc["LAML"]
    assert not row["trained_on"] and np.isnan(row["recall"]) and row["n"] == 10


def test_table_naming_no_sample_is_refused(trained, tmp_path):
    d, f, labels = trained
    other = _write(pd.DataFrame({"sample": ["GSM1", "GSM2"], "cancer_type": ["BRCA", "ACC"]}),
                   tmp_path / "other.tsv")
    with pytest.raises(InputError) as err:
        predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=other)
    msg = str(err.value)
    assert "other.tsv" in msg and "'GSM1'" in msg and labels["Sample_name"][0][:12] in msg
    assert "none of its 2 sample ids names a sample" in msg and "fix: " in msg
    assert not (tmp_path / "p.csv").exists() and not (tmp_path / "p.record.json").exists()


def test_scores_equal_sklearn():
    """Accuracy, macro-F1, per-type recall and confusion counts as scikit-learn computes
    them; macro-F1 over the types among the labels (a model type predicted but never given
    is a false call, listed, not a type of the mean)."""
    rng = np.random.default_rng(0)
    names = ["ACC", "BLCA", "BRCA", "UVM"]
    given = pd.Series(rng.choice(["ACC", "BLCA", "BRCA", "LAML", None], size=300), dtype=object)
    predicted = pd.Series(rng.choice(names, size=300), dtype=object)
    s = score_predictions(predicted, given, names)
    k = given.isin(names)
    yt, yp = given[k].tolist(), predicted[k].tolist()
    assert s["accuracy"] == pytest.approx(accuracy_score(yt, yp))
    assert s["macro_f1"] == pytest.approx(f1_score(yt, yp, labels=["ACC", "BLCA", "BRCA"],
                                                   average="macro", zero_division=0))
    assert "UVM" not in s["macro_f1_types"]  # predicted, never given: false calls
    assert s["false_calls"] == {"UVM": int((predicted[k] == "UVM").sum())}
    rec = recall_score(yt, yp, labels=["ACC", "BLCA", "BRCA"], average=None, zero_division=0)
    assert [s["per_type"][t]["recall"] for t in ("ACC", "BLCA", "BRCA")] == pytest.approx(rec)
    cm = sk_confusion(yt, yp, labels=names)
    assert s["confusion"]["counts"][:4] == cm.tolist()
    assert s["confusion"]["types"] == [*names, "LAML"]
    assert s["n_unlabelled"] == int(given.isna().sum())
    lo, hi = s["accuracy_ci95"]
    assert lo < s["accuracy"] < hi
    table = scores_table(s)
    assert table["n"].tolist() == [*cm.sum(1).tolist(), int((given == "LAML").sum())]
    assert table.filter(like="predicted_").to_numpy()[:4].tolist() == cm.tolist()


def test_record_and_scores_file_written(trained, tmp_path):
    d, f, _ = trained
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.parquet",
                        labels_path=f["labels"])
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["labels"]["file"] == str(f["labels"]) and record["labels"]["n_rows"] == 120
    assert record["labels"]["rows_naming_no_sample"] == 0
    s = record["scores"]
    p = pd.read_parquet(tmp_path / "p.parquet")
    n_test = int((p["model_split"] == "test").sum())
    assert s["n_scored"] == n_test and s["n_unknown_type"] == 0 and s["n_unlabelled"] == 0
    assert s["table"] == str(tmp_path / "p.scores.tsv")
    table = pd.read_csv(tmp_path / "p.scores.tsv", sep="\t")
    assert list(table.columns[:7]) == ["cancer_type", "trained_on", "n", "correct", "recall",
                                       "precision", "f1"]
    assert table["n"].sum() == n_test and table["trained_on"].all()
    assert (p["labels"] == p["sample_id"].map(
        dict(zip(*pd.read_csv(f["labels"], sep="\t").T.values, strict=True))).str[:-7]).all()
    assert "scores: p.scores.tsv" in text
    # the model's own samples scored apart, pooled only in accuracy_incl_model_own
    own = s["n_model_own"]
    assert own == 120 - n_test and s["by_split"]["model_own"]["n"] == own
    assert f"of the {n_test} samples not the model's own (its test split {n_test}, new 0)" \
        in _flat(text)
    assert f"the model's own training or validation samples " \
        f"{s['by_split']['model_own']['accuracy']:.3f} (n = {own}), not in the headline" \
        in _flat(text)


def test_survival_run_refuses_labels(trained, tmp_path, monkeypatch):
    d, f, _ = trained
    real = predict_mod.load_model_file
    monkeypatch.setattr(predict_mod, "load_model_file",
                        lambda run: {**real(run), "task": "survival", "model_name": "coxnet"})
    with pytest.raises(InputError, match=r"(?s)--labels: coxnet is a survival model.*fix: omit "
                                         r"--labels.*clinical table.*C-index"):
        predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=f["labels"])
    assert not (tmp_path / "p.csv").exists()


def test_no_known_type_is_said_not_scored():
    """A cohort of types the model never saw: nothing to score, said as a warning; their
    predictions still counted by type."""
    from genemoe.workflows.predict_label_text import label_notes

    given = pd.Series(["LAML", "LAML", "UVM", None], dtype=object)
    s = score_predictions(pd.Series(["BRCA", "ACC", "BRCA", "ACC"]), given, ["ACC", "BRCA"])
    assert s["accuracy"] is None and s["macro_f1"] is None and s["n_unknown_type"] == 3
    assert s["unknown_types"]["LAML"]["predicted_as"] == {"BRCA": 1, "ACC": 1}
    labels = {"file": "x/lab.tsv", "matched_by": {"sample id": 3}, "respelt": {}}
    assert s["accuracy_all_labelled"] == 0.0  # labelled, every one of an unseen type: wrong
    notes = {n["code"]: n for n in label_notes(s, labels, ["ACC", "BRCA"])}
    assert notes["label_scores"]["level"] == "warning"
    assert "none of the 3 labelled samples not the model's own is of one of the model's 2 " \
        "types" in notes["label_scores"]["text"]
    assert notes["label_unknown_types"]["types"] == {"LAML": 2, "UVM": 1}
    assert scores_table(s)["cancer_type"].tolist() == ["LAML", "UVM"]


def test_a_later_run_without_labels_removes_the_earlier_scores(trained, tmp_path):
    """A helper's own note: predict without --labels left an earlier run's p.scores.tsv
    beside the new predictions, read as theirs."""
    d, f, _ = trained
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=f["labels"])
    assert (tmp_path / "p.scores.tsv").exists()
    predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv")
    assert not (tmp_path / "p.scores.tsv").exists()
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert "labels" not in record and any("removed p.scores.tsv" in w["text"]
                                          for w in record["warnings"])


def test_the_cli_passes_labels_and_their_columns(trained, cohort, tmp_path):
    """`genemoe predict --labels FILE --sample-column C --label-column L` scores the run."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    d, _, _ = trained
    table = cohort["table"].set_axis(["aliquot", "tumour"], axis=1).assign(note="x")
    path = _write(table, tmp_path / "types.tsv")
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(app, ["predict", "--model", str(d / "run"), "--expression",
                                   str(cohort["counts"]), "--out", str(out), "--labels", str(path),
                                   "--sample-column", "aliquot", "--label-column", "tumour"])
    assert res.exit_code == 0, res.output
    assert "accuracy" in res.output and (tmp_path / "p.scores.tsv").exists()
    assert json.loads((tmp_path / "p.record.json").read_text())["scores"]["n_scored"] == 120


def test_labels_in_r_spelt_barcodes_match_dashed_samples():
    """A helper's note: labels written by R (`TCGA.OR.A5L9.01A...`, make.names' dots) named
    no sample of a dashed expression, and were refused."""
    from genemoe.workflows.predict_score import match_labels

    ids = ["TCGA-OR-A5L9-01A-11R-A29S-07", "TCGA-OR-A5LA-01A-11R-A29S-07"]
    table = pd.DataFrame({"sample_id": ["TCGA.OR.A5L9.01A.11R.A29S.07", "TCGA.OR.A5LA"],
                          "cancer_type": ["ACC", "ACC"]})
    given, counts = match_labels(ids, table, "lab.tsv")
    assert given.tolist() == ["ACC", "ACC"] and counts["rows_naming_no_sample"] == 0
    assert sum(counts["matched_by"].values()) == 2


def test_macro_f1_gets_a_bootstrap_interval(trained, tmp_path):
    """A helper's note: predict --labels gave accuracy an interval (Wilson) and macro-F1
    none; the evaluate layer had no classification bootstrap."""
    d, f, _ = trained
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv",
                        labels_path=f["labels"])
    s = json.loads((tmp_path / "p.record.json").read_text())["scores"]
    lo, hi = s["macro_f1_ci95"]
    assert lo <= s["macro_f1"] <= hi and s["macro_f1_ci_method"].startswith("percentile")
    assert f"macro-F1 {s['macro_f1']:.3f} ({lo:.3f}–{hi:.3f})" in _flat(text)
