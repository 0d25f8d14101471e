"""predict --labels: a scored sample matched, by its 15-character id or its patient, to label
rows of different types (two aliquots of one sample typed ACC and UVM) took the first row's
type, unsaid. Now refused when it decides a scored sample's label; rows that label no scored
sample decide nothing and pass."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_score import match_labels, read_cohort_labels

SAMPLE = "TCGA-OR-A5J1-01A-31R-A29S-07"  # a third aliquot: matched by its 15 characters
ROWS = pd.DataFrame({"sample_id": ["TCGA-OR-A5J1-01A-11R-A29S-07", "TCGA-OR-A5J1-01A-21R-A29S-07",
                                   "TCGA-OR-A5JA-01A-11R-A29S-07"],
                     "cancer_type": ["ACC", "UVM", "ACC"]})


def test_two_aliquots_of_different_types_deciding_a_sample_are_refused():
    ids = [SAMPLE, "TCGA-OR-A5JA-01A-11R-A29S-07"]
    with pytest.raises(InputError) as e:
        match_labels(ids, ROWS, "lab.tsv")
    msg = str(e.value)
    assert msg.startswith(f"lab.tsv: sample {SAMPLE}: its label is ambiguous: by its "
                          "15-character sample id (TCGA-OR-A5J1-01) it matches 2 rows of "
                          "different cancer types")
    assert "TCGA-OR-A5J1-01A-11R-A29S-07 ACC, TCGA-OR-A5J1-01A-21R-A29S-07 UVM" in msg
    assert f"fix: list the exact sample ids: add a row {SAMPLE} with its cancer type" in msg


def test_the_exact_id_decides_and_unmatched_conflicts_pass():
    given, _ = match_labels(["TCGA-OR-A5J1-01A-11R-A29S-07"], ROWS, "lab.tsv")
    assert given.tolist() == ["ACC"]  # its own row: the aliquots' disagreement decides nothing
    given, counts = match_labels(["TCGA-OR-A5JA-01A-21R-A29S-07"], ROWS, "lab.tsv")
    assert given.tolist() == ["ACC"] and counts["rows_naming_no_sample"] == 2


def test_one_type_in_two_spellings_or_an_empty_row_is_no_conflict():
    rows = ROWS.assign(cancer_type=["ACC", "ACC (TCGA)", "ACC"])
    assert match_labels([SAMPLE], rows, "lab.tsv")[0].tolist() == ["ACC"]
    rows = ROWS.assign(cancer_type=["ACC", None, "ACC"])
    assert match_labels([SAMPLE], rows, "lab.tsv")[0].tolist() == ["ACC"]


def test_a_patient_row_in_two_cases_of_different_types_is_refused():
    rows = pd.DataFrame({"sample_id": ["TCGA-OR-A5J1", "tcga-or-a5j1"],
                         "cancer_type": ["UVM", "ACC"]})
    with pytest.raises(InputError, match=r"by its patient barcode \(TCGA-OR-A5J1\) it matches "
                                         r"2 rows of different cancer types"):
        match_labels([SAMPLE], rows, "lab.tsv")


def test_several_samples_alike_are_counted_and_the_rows_files_named(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    ROWS.iloc[[0, 2]].rename(columns={"sample_id": "sample"}).to_csv(a, sep="\t", index=False)
    ROWS.iloc[[1]].rename(columns={"sample_id": "sample"}).to_csv(b, sep="\t", index=False)
    ids = [SAMPLE, "TCGA-OR-A5J1-01A-41R-A29S-07"]
    with pytest.raises(InputError) as e:
        match_labels(ids, read_cohort_labels([a, b]), f"{a}, {b}")
    msg = str(e.value)
    assert msg.startswith(f"a.tsv, b.tsv: sample {SAMPLE}:")
    assert "-11R-A29S-07 ACC (a.tsv), TCGA-OR-A5J1-01A-21R-A29S-07 UVM (b.tsv)" in msg
    assert "; 1 more scored sample alike" in msg


def test_predict_refuses_before_writing(labelled_logreg_run, tmp_path):
    d, f, labels = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    first = "TCGA-OR-A5J1-01A-31R-A29S-07"
    counts.columns = [first, *counts.columns[1:]]
    counts.to_csv(tmp_path / "cohort.tsv.gz", sep="\t")
    table = pd.concat([labels.iloc[1:], pd.DataFrame({
        "Sample_name": ["TCGA-OR-A5J1-01A-11R-A29S-07", "TCGA-OR-A5J1-01A-21R-A29S-07"],
        "Target": ["ACC", "UVM"]})], ignore_index=True)[["Sample_name", "Target"]]
    table.to_csv(tmp_path / "lab.tsv", sep="\t", index=False)
    with pytest.raises(InputError, match=f"sample {first}: its label is ambiguous"):
        predict_file(d / "run", tmp_path / "cohort.tsv.gz", out_path=tmp_path / "p.csv",
                     labels_path=tmp_path / "lab.tsv")
    assert not (tmp_path / "p.csv").exists()
    table.iloc[:-1].to_csv(tmp_path / "lab.tsv", sep="\t", index=False)  # one row: it decides
    predict_file(d / "run", tmp_path / "cohort.tsv.gz", out_path=tmp_path / "p.csv",
                 labels_path=tmp_path / "lab.tsv")
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["labels"]["matched_by"]["15-character sample id"] == 1
