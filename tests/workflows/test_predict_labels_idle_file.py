"""predict --labels refuses one of several label files that names no sample, as prepare
--labels does. An outside probe: ACC counts with ``--labels TCGA_ACC_Target.txt.gz
TCGA_CHOL_Target.txt.gz`` were accepted ("43 table rows name no sample here") while prepare
refused CHOL's table ("none of its 43 sample ids names a sample ... fix: leave
TCGA_CHOL_Target.txt.gz out"), and the README says predict's labels are matched as
prepare's are."""

from __future__ import annotations

import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_score import match_labels, read_cohort_labels

IDS = [f"TCGA-OR-A5{i:02d}-01A-11R-A29S-07" for i in range(4)]


def _tables(tmp_path, other: list[str]) -> list:
    acc, chol = tmp_path / "TCGA_ACC_Target.tsv", tmp_path / "TCGA_CHOL_Target.tsv"
    pd.DataFrame({"Sample_name": IDS, "Target": "ACC (TCGA)"}).to_csv(acc, sep="\t",
                                                                      index=False)
    pd.DataFrame({"Sample_name": other, "Target": "CHOL (TCGA)"}).to_csv(chol, sep="\t",
                                                                         index=False)
    return [acc, chol]


def test_a_second_file_naming_no_sample_is_refused_as_prepare_refuses_it(tmp_path):
    paths = _tables(tmp_path, [f"TCGA-W5-AA{i:02d}-01A" for i in range(3)])
    with pytest.raises(InputError) as err:
        match_labels(IDS, read_cohort_labels(paths), ", ".join(map(str, paths)))
    text = str(err.value)
    assert "none of its 3 sample ids names a sample of the expression" in text
    assert "while the other --labels table names the expression's samples (4 of its ids)" in text
    assert "leave TCGA_CHOL_Target.tsv out of --labels" in text
    assert text.startswith(f"{paths[1]}: ")  # the file at fault, not both


def test_a_second_file_naming_one_sample_is_taken(tmp_path):
    """One row naming a sample (by its patient, in lower case as predict matches it) is
    enough: the others are counted as rows naming no sample."""
    paths = _tables(tmp_path, ["tcga-or-a500", "TCGA-W5-AA00-01A"])
    pd.DataFrame({"Sample_name": IDS[1:], "Target": "ACC (TCGA)"}).to_csv(paths[0], sep="\t",
                                                                          index=False)
    given, counts = match_labels(IDS, read_cohort_labels(paths), "a, b")
    assert given.tolist() == ["CHOL", "ACC", "ACC", "ACC"]
    assert counts["rows_naming_no_sample"] == 1


def test_predict_writes_nothing_for_such_files(labelled_logreg_run, tmp_path):
    d, f, _ = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    other = tmp_path / "TCGA_CHOL_Target.tsv"
    pd.DataFrame({"Sample_name": [f"TCGA-W5-AA{i:02d}-01A" for i in range(43)],
                  "Target": "CHOL"}).to_csv(other, sep="\t", index=False)
    with pytest.raises(InputError, match="none of its 43 sample ids names a sample"):
        predict_file(d / "run", f["counts"], out_path=tmp_path / "p.csv",
                     labels_path=[f["labels"], other])
    assert not (tmp_path / "p.csv").exists()
