"""An unfinished benchmark with a model that finished no fold: that model is named apart,
and the others, on equal folds among themselves, get a provisional verdict.

A probe read "folds finished per model: logreg 2, fcn 0, svm_linear 2; the models are
compared on unequal folds": the models shown had equal folds; fcn simply had none.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel, benchmark_progress

PROTOCOL = {"task": "classify", "models": ["logreg", "fcn", "genemoe"], "n_folds": 2,
            "n_repeats": 1}


def _results(folds: dict[str, int]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame([{"model": m, "repeat": 0, "fold": i, "accuracy": 0.8,
                          "macro_f1": 0.7 + rng.random() * 0.1, "n_train": 60, "n_val": 10,
                          "n_test": 30} for m, n in folds.items() for i in range(n)])


def _text(results: pd.DataFrame) -> str:
    html = benchmark_panel(protocol=PROTOCOL, results=results, summary={}, record={},
                           figures=[], comparison=paired_comparisons(results, "classify"))
    text = re.sub(r"</?(td|th|tr|table|p|section|div|h2)[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def test_a_model_with_no_finished_fold_is_named_apart_not_as_unequal():
    results = _results({"logreg": 2, "genemoe": 2})
    assert not benchmark_progress(PROTOCOL, results).unequal
    text = _text(results)
    assert "folds finished per model: logreg 2, genemoe 2" in text
    assert "fcn: no fold finished yet (not in the table)" in text
    assert "fcn 0" not in text and "unequal folds" not in text
    assert "No verdict yet" not in text
    assert "Provisional (the benchmark is unfinished: 4 of 6 cells)" in text


def test_unequal_folds_among_the_finished_models_still_withhold_the_verdict():
    results = _results({"logreg": 2, "genemoe": 1})
    assert benchmark_progress(PROTOCOL, results).unequal
    text = _text(results)
    assert "logreg 2, genemoe 1; fcn: no fold finished yet" in text
    assert "the models are compared on unequal folds" in text and "No verdict yet" in text
