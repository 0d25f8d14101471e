"""predict --labels says a '#N/A' type cell is a spreadsheet's missing-value mark.

Old behaviour: label rows whose type read ``#N/A`` (a spreadsheet lookup that found
nothing) were said as "label rows whose cancer type is empty", the mark unsaid (prepare
says it since helper hAS's change).
"""

from __future__ import annotations

import json

import pytest

from genemoe.workflows.predict import predict_file


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=120, n_genes=60, seed=5)


def test_na_marks_in_the_type_column_are_said(trained, tmp_path):
    d, f, labels = trained
    path = tmp_path / "lab.tsv"
    labels.assign(Target="#N/A").to_csv(path, sep="\t", index=False)
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv", labels_path=path)
    flat = " ".join(text.split())
    assert "'#N/A' in 120 rows: a spreadsheet's missing-value mark" in flat, flat
    record = json.loads((tmp_path / "p.record.json").read_text())
    said = [w for w in record["warnings"] if w["code"] == "label_empty_types"]
    assert said and said[0]["na_marks"] == {"#N/A": 120}
