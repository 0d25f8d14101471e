"""predict --labels' labels line names the character barcodes had for their dashes: an
outside probe's TCGA_D8_A27E_01 was reported as "barcodes with '.' for '-' read as
dashed"."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import match_labels, read_cohort_labels, score_predictions

NAMES = ["ACC", "BRCA"]


def test_underscored_barcodes_are_said_with_their_underscore():
    ids = ["TCGA_D8_A27E_01", "TCGA-D8-A27F-01"]
    table = pd.DataFrame({"sample_id": ["TCGA_D8_A27E_01", "TCGA.D8.A27F.01"],
                          "cancer_type": ["BRCA", "BRCA"]})
    given, counts = match_labels(ids, table.assign(), "l.tsv")
    assert counts["barcode_separators"] == ["_"]  # a plain table: the expression's only
    s = score_predictions(pd.Series(["BRCA", "BRCA"]), given, NAMES)
    text = label_notes(s, counts, NAMES)[0]["text"]
    assert "; 1 sample barcode with '_' for '-' read as dashed" in text
    table.attrs["barcode_separators"] = [".", "_"]  # read_cohort_labels records the labels'
    table.attrs["barcodes_respelt"] = 2
    _, counts = match_labels(ids, table, "l.tsv")
    text = label_notes(s, counts, NAMES)[0]["text"]
    assert "2 label and 1 sample barcodes with '.' or '_' for '-' read as dashed" in text


def test_a_label_files_underscores_are_recorded(tmp_path):
    path = tmp_path / "l.tsv"
    pd.DataFrame({"Sample_name": ["TCGA_D8_A27E_01", "TCGA_D8_A27F_01"],
                  "Target": "BRCA"}).to_csv(path, sep="\t", index=False)
    given, counts = match_labels(["TCGA-D8-A27E-01", "TCGA-D8-A27F-01"],
                                 read_cohort_labels(path), path)
    s = score_predictions(pd.Series(["BRCA", "BRCA"]), given, NAMES)
    assert "; 2 label barcodes with '_' for '-' read as dashed" in \
        label_notes(s, counts, NAMES)[0]["text"]
