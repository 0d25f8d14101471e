"""A run page of a classifier that gives nearly every test sample one class (a 2-epoch
hybrid_cnn on the demo bundle: BRCA for 170 of 174, accuracy 0.121 over 33 types) read as
well above chance (1/33); it now says the one answer and what always giving it scores
(BRCA's share of the split). The run folder is written by hand: no model is trained."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd

from genemoe.report.first_screen_panels import one_answer_text
from genemoe.report.html import write_report

TYPES = ["ACC", "BRCA", "UVM"]


def _per(predicted: list[int], support: list[int]) -> dict:
    return {t: {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": s, "predicted": p}
            for t, p, s in zip(TYPES, predicted, support, strict=True)}


def test_one_answer_is_said_with_what_it_scores():
    part = {"n": 174, "per_class": _per([2, 170, 2], [77, 20, 77])}
    assert one_answer_text(part) == ("BRCA for 170 of the 174 test samples; BRCA is 20 of "
                                     "them, so always answering BRCA scores accuracy 0.115")
    assert one_answer_text({"n": 174, "per_class": _per([60, 60, 54], [58, 58, 58])}) is None
    assert one_answer_text({"n": 10}) is None  # per_class not recorded


def test_the_run_page_says_it(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    n = 30
    true = np.array(TYPES * (n // 3))
    pred = np.array(["BRCA"] * n)
    probs = np.random.default_rng(0).dirichlet(np.ones(3), n)
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(n)], "split": ["test"] * n,
                  "cancer_type": true, "predicted_type": pred,
                  **{f"prob_{t}": probs[:, i] for i, t in enumerate(TYPES)}}).to_csv(
        d / "predictions.tsv", sep="\t", index=False)
    part = {"accuracy": 0.333, "macro_precision": 0.111, "macro_recall": 0.333,
            "macro_f1": 0.167, "weighted_f1": 0.167, "n": n,
            "per_class": _per([0, 30, 0], [10, 10, 10])}
    (d / "metrics.json").write_text(json.dumps({"val": dict(part), "test": part,
                                                "protocol": {"n": {"test": n}}}))
    page = write_report(d).read_text()
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert ("one answer BRCA for 30 of the 30 test samples; BRCA is 10 of them, so always "
            "answering BRCA scores accuracy 0.333") in text
