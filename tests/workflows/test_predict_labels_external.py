"""predict --labels as external validation: the headline covers the samples that are not
the model's own (an outside probe found the model's training samples pooled into it), several
label files, macro-F1 over the labels' types, one sample in two spellings, empty or wrong
label columns, and dotted barcodes counted."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score

from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import match_labels, read_cohort_labels, score_predictions


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=120, n_genes=60, seed=5)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cohort(f: dict, out_dir, rename) -> tuple:
    """The synthetic counts and labels with sample ids renamed by ``rename(i, id)``."""
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    counts.columns = [rename(i, c) for i, c in enumerate(counts.columns)]
    counts.to_csv(out_dir / "cohort.tsv.gz", sep="\t")
    labels = pd.read_csv(f["labels"], sep="\t").set_index("Sample_name")
    labels = labels.loc[pd.read_csv(f["counts"], sep="\t", index_col=0, nrows=1).columns]
    labels.index = counts.columns
    labels = labels.rename_axis("Sample_name").reset_index()
    labels.to_csv(out_dir / "cohort_types.tsv", sep="\t", index=False)
    return out_dir / "cohort.tsv.gz", out_dir / "cohort_types.tsv", labels


def _mixed(i: int, sid: str) -> str:
    """40 new patients' tumours, 10 new patients' normals (-11A), the rest the model's own."""
    if i < 40:
        return sid[:5] + "N" + sid[6:]
    if i < 50:
        return sid[:5] + "N" + sid[6:13] + "11A" + sid[16:]
    return sid


def test_headline_covers_only_samples_not_the_models_own(trained, tmp_path):
    """An outside probe: accuracy 0.917 pooled 793 of the model's own training or validation
    samples and 111 normals and metastases with the external ones (those scored 0.667, its
    test split 0.848). The headline now covers new and test samples of the model's sample
    types; the model's own are scored apart and pooled only in accuracy_incl_model_own."""
    d, f, _ = trained
    counts, labels, _ = _cohort(f, tmp_path, _mixed)
    text = predict_file(d / "run", counts, out_path=tmp_path / "p.csv", labels_path=labels)
    s = json.loads((tmp_path / "p.record.json").read_text())["scores"]
    p = pd.read_csv(tmp_path / "p.csv")
    normal = p["sample_id"].str[13:15] == "11"
    head = ~normal & p["model_split"].isin(["new", "test"])
    own = ~normal & p["model_split"].isin(["train", "val"])
    n_test = int((head & (p["model_split"] == "test")).sum())
    assert s["groups"] == {"new": 40, "test": n_test, "model_own": int(own.sum()),
                           "other_sample_type": 10}
    assert s["n_scored"] == 40 + n_test and s["n_other_sample_type"] == 10
    h = p[head]
    assert s["accuracy"] == pytest.approx(accuracy_score(h["labels"], h["predicted_type"]))
    assert s["macro_f1"] == pytest.approx(f1_score(h["labels"], h["predicted_type"],
                                                   labels=sorted(set(h["labels"])),
                                                   average="macro", zero_division=0))
    pooled = p[head | own]
    assert s["accuracy_incl_model_own"] == pytest.approx(
        accuracy_score(pooled["labels"], pooled["predicted_type"]))
    new = p[~normal & (p["model_split"] == "new")]
    assert s["by_split"]["new"]["accuracy"] == pytest.approx(
        (new["labels"] == new["predicted_type"]).mean())
    assert s["by_split"]["model_own"]["n"] == int(own.sum())
    assert s["by_split"]["other_sample_type"]["n"] == 10
    table = pd.read_csv(tmp_path / "p.scores.tsv", sep="\t")
    assert table["n"].sum() == 40 + n_test  # the headline's samples only
    flat = _flat(text)
    assert f"of the {40 + n_test} samples not the model's own (its test split {n_test}, new 40)" \
        in flat
    assert "by split: new " in flat and "not in the headline (all pooled: accuracy" in flat
    assert "10 labelled samples of sample types the model was not trained on" in flat


def test_none_external_says_so_and_writes_no_scores(trained, tmp_path):
    """The model's own bundle scored back: no headline, the pooled figure said as not a
    validation, and no empty scores.tsv."""
    d, f, labels = trained
    p = pd.read_csv(f["counts"], sep="\t", index_col=0, nrows=1).columns
    split = pd.Series(["train"] * len(p))
    s = score_predictions(labels["Target"].str[:-7], labels["Target"].str[:-7],
                          ["ACC", "BLCA", "BRCA"], split.map(lambda _: "model_own"))
    assert s["accuracy"] is None and s["accuracy_incl_model_own"] == 1.0
    notes = {n["code"]: n for n in label_notes(s, {"file": "l.tsv", "matched_by": {},
                                                   "respelt": {}}, ["ACC", "BLCA", "BRCA"])}
    assert "none of the labelled samples is external: 120 are the model's own" in \
        notes["label_scores"]["text"] and "not a validation" in notes["label_scores"]["text"]


def test_two_files_typing_one_sample_differently_are_refused(trained, tmp_path):
    d, f, labels = trained
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    labels.to_csv(a, sep="\t", index=False)
    labels.assign(Target="UVM (TCGA)")[:3].to_csv(b, sep="\t", index=False)
    with pytest.raises(InputError, match="3 sample.s. labelled differently by the --labels"):
        predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=[a, b])
    assert not (tmp_path / "p.csv").exists()


def test_one_stray_call_does_not_halve_a_one_type_cohorts_macro_f1():
    """An outside probe: 19 of 20 KICH right, one called ACC (no ACC labelled) gave macro-F1
    0.487 (0.459–1.000); scikit-learn gives 0.974 with labels=['KICH']."""
    given = pd.Series(["KICH"] * 20, dtype=object)
    predicted = pd.Series(["ACC"] + ["KICH"] * 19, dtype=object)
    s = score_predictions(predicted, given, ["ACC", "KICH", "UVM"])
    assert s["macro_f1"] == pytest.approx(f1_score(given, predicted, labels=["KICH"],
                                                   average="macro"))
    assert s["macro_f1_types"] == ["KICH"] and s["false_calls"] == {"ACC": 1}
    assert s["macro_f1_ci95"][0] > 0.9
    notes = {n["code"]: n for n in label_notes(s, {"file": "l.tsv", "matched_by": {},
                                                   "respelt": {}}, ["ACC", "KICH", "UVM"])}
    assert "ACC 1 (false calls" in notes["label_false_calls"]["text"]
    assert "macro-F1 0.974" in notes["label_scores"]["text"]


def test_one_sample_typed_differently_in_its_two_spellings_is_refused(tmp_path):
    """An outside probe: TCGA-OR-A5J1-01A ACC and TCGA.OR.A5J1.01A UVM in one table was
    resolved silently (dashed won); in one spelling it is refused."""
    ids = ["TCGA-OR-A5J1-01A-11R-A29S-07", "TCGA-OR-A5JA-01A-11R-A29S-07"]
    table = pd.DataFrame({"sample_id": [ids[0], "TCGA.OR.A5J1.01A.11R.A29S.07", ids[1]],
                          "cancer_type": ["ACC", "UVM", "ACC"]})
    with pytest.raises(InputError, match=r"1 sample\(s\) listed with different cancer types "
                                         r"once '\.' in barcodes is read as '-'.*A5J1"):
        match_labels(ids, table, "lab.tsv")
    path = tmp_path / "lab.tsv"
    table.rename(columns={"sample_id": "sample", "cancer_type": "cancer_type"}).to_csv(
        path, sep="\t", index=False)
    with pytest.raises(InputError, match="lab.tsv.*listed with different cancer types"):
        read_cohort_labels(path)
    same = table.assign(cancer_type="ACC")  # the same type in both spellings: one label
    given, counts = match_labels(ids, same, "lab.tsv")
    assert given.tolist() == ["ACC", "ACC"] and counts["barcodes_respelt"] == 0


def test_empty_type_column_is_warned_and_writes_no_scores(trained, tmp_path):
    """An outside probe: a type column all empty said '0 of 112 samples labelled (by none)'
    then 'none of the labelled samples is of one of the model's 3 types', and wrote an
    empty scores.tsv."""
    d, f, labels = trained
    path = tmp_path / "lab.tsv"
    labels.assign(Target="").to_csv(path, sep="\t", index=False)
    (tmp_path / "p.scores.tsv").write_text("an earlier run's\n")
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=path)
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["labels"]["samples_with_empty_type"] == 120
    assert record["scores"]["table"] is None and not (tmp_path / "p.scores.tsv").exists()
    flat = _flat(text)
    assert "120 samples matched label rows whose cancer type is empty (column 'Target' of " \
           "lab.tsv)" in flat and "scores: p.scores.tsv" not in flat
    assert any(w["code"] == "label_empty_types" for w in record["warnings"])
    assert "no sample has a label: nothing scored" in flat and "is external" not in flat


def test_a_label_column_of_barcodes_or_columns_without_labels_are_refused(trained, tmp_path):
    """An outside probe: --label-column Sample_name (the barcodes) gave 108 'types' like
    TCGA-3X-AAV9-...; --label-column / --sample-column without --labels were ignored."""
    d, f, labels = trained
    with pytest.raises(InputError, match=r"(?s)--label-column: the cancer-type column "
                                         r"'Sample_name' holds sample ids.*fix: name the column"):
        predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv",
                     labels_path=f["labels"], label_column="Sample_name")
    copy = labels.assign(barcode=labels["Sample_name"])
    path = tmp_path / "lab.tsv"
    copy.to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError, match="120 of its 120 values are TCGA barcodes"):
        predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=path,
                     sample_column="Sample_name", label_column="barcode")
    for kw in ({"label_column": "Target"}, {"sample_column": "Sample_name"}):
        with pytest.raises(InputError, match="column: it names a column of a --labels table, "
                                             "and no --labels was given"):
            predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", **kw)
    assert not (tmp_path / "p.csv").exists()


def test_accuracy_all_labelled_is_zero_when_every_label_is_an_unseen_type():
    s = score_predictions(pd.Series(["ACC", "BRCA"]), pd.Series(["LAML", "CHOL"]),
                          ["ACC", "BRCA"])
    assert s["accuracy"] is None and s["accuracy_all_labelled"] == 0.0


def test_dotted_label_barcodes_are_counted(tmp_path):
    """An outside probe: dotted label ids matched silently (prepare counts them,
    barcodes_respelt); '284 respelt' counted every table row while 108 matched."""
    ids = [f"TCGA-OR-A5{i:02d}-01A-11R-A29S-07" for i in range(4)]
    path = tmp_path / "lab.tsv"
    pd.DataFrame({"sample": [i.replace("-", ".") for i in ids] + ["TCGA.OR.B000.01A"],
                  "cancer_type": ["ACC (TCGA)"] * 5}).to_csv(path, sep="\t", index=False)
    given, counts = match_labels(ids, read_cohort_labels(path), path)
    assert given.tolist() == ["ACC"] * 4
    assert counts["barcodes_respelt"] == 5 and counts["rows_naming_no_sample"] == 1
    s = score_predictions(pd.Series(["ACC"] * 4), given, ["ACC", "UVM"])
    text = label_notes(s, counts, ["ACC", "UVM"])[0]["text"]
    assert "5 label barcodes with '.' for '-' read as dashed" in text
    assert "respelt as TCGA codes: 5 labels, table rows included (e.g. ACC (TCGA) → ACC)" in text
    assert np.isfinite(s["accuracy"])
