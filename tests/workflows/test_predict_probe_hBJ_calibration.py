"""predict --labels: the probabilities' calibration measured on the labelled samples.

Found scoring a gdc6 logreg (log2 FPKM-UQ) on the same cohorts' counts as log2(TPM + 1),
quantile-aligned: the summary gave the model's test-split ECE (0.031) and said it was "not
checked on aligned inputs such as these", though the labels given could check it; measured,
the 27 external samples had mean confidence 0.996 against accuracy 0.963 (ECE 0.034).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_score import score_predictions


def test_ece_over_the_headline_samples_only() -> None:
    """Four external samples at confidence 0.9, three right: ECE |0.75 - 0.9| = 0.15 (one
    bin; Guo et al. 2017, eq. 3). The model's own sample and one of an unknown type, both
    confidently wrong, are left out."""
    names = ["ACC", "KICH"]
    given = pd.Series(["ACC", "ACC", "KICH", "KICH", "ACC", "UVM"], dtype=object)
    predicted = pd.Series(["ACC", "ACC", "KICH", "ACC", "KICH", "ACC"], dtype=object)
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.1], [0.01, 0.99],
                      [0.99, 0.01]])
    groups = pd.Series(["new", "new", "test", "new", "model_own", "new"], dtype=object)
    s = score_predictions(predicted, given, names, groups, probs=probs)
    assert s["accuracy"] == pytest.approx(0.75)
    assert s["ece"] == pytest.approx(0.15)
    assert s["mean_confidence"] == pytest.approx(0.9)
    assert score_predictions(predicted, given, names, groups)["ece"] is None  # no probs


@pytest.fixture(scope="module")
def trained(labelled_logreg_run):
    return labelled_logreg_run(n_samples=120, n_genes=60, seed=5)


def test_predict_says_and_records_the_ece_on_the_labels(trained, tmp_path) -> None:
    d, f, _ = trained
    text = predict_file(d / "run", f["counts"], out_path=tmp_path / "p.tsv",
                        labels_path=f["labels"])
    s = json.loads((tmp_path / "p.record.json").read_text())["scores"]
    p = pd.read_csv(tmp_path / "p.tsv", sep="\t")
    head = p[p["model_split"].isin(["test", "new"])]
    conf = head.filter(like="prob_").max(axis=1)
    assert s["mean_confidence"] == pytest.approx(conf.mean(), abs=1e-5)
    assert 0.0 <= s["ece"] <= 1.0
    flat = " ".join(text.split())
    assert f"expected calibration error on them {s['ece']:.3f}" in flat
    assert "beside the accuracy below" in flat
