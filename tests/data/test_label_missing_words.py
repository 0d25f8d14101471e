"""Label tables after an outside probe: TCGA/GDC's words for a missing value (``[Not
Available]``, ``Unknown``, ``not reported``) were cancer types (predict: "types the model
was not trained on (Unknown 5)"; prepare: a class of them, or tiny classes dropped), in
``prepare --labels`` and ``predict --labels`` alike. They are read as empty, and said.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from genemoe.data.bundle import load_bundle
from genemoe.data.tables import normalise_label, read_labels
from genemoe.errors import InputError
from label_cli import flat as _flat
from label_cli import predict_labels as _predict
from label_cli import prepare_labels as _prepare

MISSING = ["Unknown", "[Not Available]", "[Unknown]", "[Not Applicable]", "[Discrepancy]",
           "not reported", "Not Reported", "UNKNOWN"]


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=60, n_genes=50, seed=2)



def test_missing_value_words_are_no_cancer_type(tmp_path, caplog):
    assert all(pd.isna(normalise_label(w)) for w in MISSING)  # the clinical table's too
    path = tmp_path / "lab.tsv"
    ids = [f"TCGA-AA-{1000 + i}-01" for i in range(len(MISSING) + 2)]
    pd.DataFrame({"sample_id": ids, "cancer_type": [*MISSING, "LUAD", "BRCA"]}).to_csv(
        path, sep="\t", index=False)
    with caplog.at_level(logging.WARNING, logger="genemoe.data.tables"):
        got = read_labels(path)
    assert got["cancer_type"].isna().sum() == len(MISSING)
    assert got["cancer_type"].dropna().tolist() == ["LUAD", "BRCA"]
    assert sum(got.attrs["missing_words"].values()) == len(MISSING)
    said = _flat(caplog.text)
    assert "lab.tsv: 8 cancer types written as missing, read as empty (Unknown 1, " in said


def test_the_words_are_told_from_cancer_types():
    from genemoe.data.tables import is_missing_label

    assert all(is_missing_label(w) for w in MISSING)
    assert not any(is_missing_label(w) for w in ("LUAD", "BRCA (TCGA)", "Glioma", "", None))


def test_missing_value_words_through_prepare_and_predict(trained, tmp_path):
    _, _, labels = trained
    path = tmp_path / "missing.tsv"
    words = MISSING[:7]
    labels.assign(Target=[*words, *labels["Target"][len(words):]]).to_csv(
        path, sep="\t", index=False)
    res = _predict(trained, path, tmp_path / "p.csv")
    assert res.exit_code == 0, res.output
    out = _flat(res.output)
    assert f"53 of {len(labels)} samples labelled" in out and "7 without a label" in out
    assert "not trained on" not in out
    res = _prepare(trained, path, tmp_path / "b")  # no class of them: unlabelled, refused
    assert isinstance(res.exception, InputError), res.output
    assert "7 samples with no cancer-type label" in _flat(str(res.exception))
    res = _prepare(trained, path, tmp_path / "b2", "--drop-unlabelled")
    assert res.exit_code == 0, res.output
    assert set(load_bundle(tmp_path / "b2").obs["cancer_type"]) == {"ACC", "BLCA", "BRCA"}


def test_the_missing_words_are_recorded_by_prepare_and_predict(trained, tmp_path):
    """The reader warned of them, but neither prepare's record (its labels step) nor
    predict's record.json kept the words and their counts."""
    import json

    _, _, labels = trained
    path = tmp_path / "missing.tsv"
    labels.assign(Target=["[Not Available]", "Unknown", *labels["Target"][2:]]).to_csv(
        path, sep="\t", index=False)
    res = _predict(trained, path, tmp_path / "p.csv")
    assert res.exit_code == 0, res.output
    rec = json.loads((tmp_path / "p.record.json").read_text())["labels"]
    assert rec["missing_words"] == {"missing.tsv": {"[Not Available]": 1, "Unknown": 1}}
    res = _prepare(trained, path, tmp_path / "b", "--drop-unlabelled")
    assert res.exit_code == 0, res.output
    steps = load_bundle(tmp_path / "b").record["steps"]
    step = next(s for s in steps if s.get("step") == "labels")
    assert step["missing_words"] == {"missing.tsv": {"[Not Available]": 1, "Unknown": 1}}
    said = " ".join(map(str, load_bundle(tmp_path / "b").record["warnings"]))
    assert "rows have an empty cancer type (2 written as missing, said above)" in said
