"""predict --labels: label-table rows naming no scored sample were recorded
(``rows_naming_no_sample``) but not said (9,954 of pancan33's table): the labels line says
the count, as prepare's labels line does."""

from __future__ import annotations

import json

import pandas as pd

from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import match_labels, score_predictions


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_labels_line_says_the_rows_naming_no_sample(labelled_logreg_run, tmp_path):
    d, f, labels = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    other = pd.DataFrame({"Sample_name": [f"TCGA-ZZ-A{i:03d}-01A" for i in range(1234)],
                          "Target": "ACC"})
    pd.concat([labels, other], ignore_index=True).to_csv(tmp_path / "lab.tsv", sep="\t",
                                                         index=False)
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv",
                        labels_path=tmp_path / "lab.tsv")
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["labels"]["rows_naming_no_sample"] == 1234
    assert ("--labels lab.tsv: 120 of 120 samples labelled (by sample id 120); 1,234 table "
            "rows name no sample here" in _flat(text))


def test_one_row_is_said_in_the_singular_and_none_not_at_all():
    ids = ["TCGA-OR-A5J1-01A", "TCGA-OR-A5JA-01A"]
    table = pd.DataFrame({"sample_id": [*ids, "TCGA-OR-B000-01A"], "cancer_type": "ACC"})
    given, counts = match_labels(ids, table, "lab.tsv")
    s = score_predictions(pd.Series(["ACC", "ACC"]), given, ["ACC", "UVM"])
    note = label_notes(s, counts, ["ACC", "UVM"])[0]
    assert "; 1 table row names no sample here" in note["text"]
    assert note["rows_naming_no_sample"] == 1
    given, counts = match_labels(ids, table.iloc[:2], "lab.tsv")
    s = score_predictions(pd.Series(["ACC", "ACC"]), given, ["ACC", "UVM"])
    assert "no sample here" not in label_notes(s, counts, ["ACC", "UVM"])[0]["text"]
