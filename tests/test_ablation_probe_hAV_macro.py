"""Leftover of a probe (helper hAV): a macro average says over how many classes it ran (a
33-type test fold often holds 31): ``n_classes_in_macro`` in the metrics, the count in the
ablation's summary and tables.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.evaluate.metrics import classification_metrics
from genemoe.workflows.ablation import AblationResult
from genemoe.workflows.ablation_tables import ablation_tables


def test_macro_averages_record_how_many_classes_they_ran_over():
    names = [f"T{i}" for i in range(5)]
    y_true = np.array([0, 0, 1, 1, 2, 2])  # T3, T4 absent; T3 predicted once (a mistake)
    y_pred = np.array([0, 1, 1, 1, 2, 3])
    m = classification_metrics(y_true, y_pred, class_names=names)
    assert m["n_classes_in_macro"] == 4 and m["n_classes"] == 5
    f1 = [m["per_class"][n]["f1"] for n in names[:4]]
    assert np.isclose(m["macro_f1"], np.mean(f1))  # the number itself is unchanged


def _results(f1_b: list) -> pd.DataFrame:
    return pd.DataFrame({"model": ["fcn", "fcn"], "label": ["fcn", "fcn"], "repeat": [0, 0],
                         "fold": [0, 1], "accuracy": [0.6, 0.7], "macro_precision": [0.5, 0.6],
                         "macro_recall": [0.5, 0.6], "macro_f1": [0.5, 0.6],
                         "f1_A": [0.5, 0.6], "f1_B": f1_b, "f1_C": [0.4, 0.5]})


def test_ablation_says_how_many_types_its_macro_averages_ran_over(tmp_path):
    """Old behaviour: "F1 (macro), mean ± sd over test folds" and "macro-averaged over cancer
    types", beside folds whose test part held 2 of the 3 types."""
    results = _results([0.7, None])  # fold 1 neither holds nor predicts B
    text = AblationResult(tmp_path, "classify", results, "", None, 1.0).describe()
    assert text.splitlines()[1] == "  F1 (macro over 2–3 of 3 types), mean ± sd over test folds:"
    md = ablation_tables(results, "classify", n_folds=2, n_repeats=1, seed=0, preset="small",
                         pretrained=None, synthetic=True)
    assert "macro-averaged over the cancer types each test fold holds or predicts (2–3 of 3 " \
           "types)" in md
    every = AblationResult(tmp_path, "classify", _results([0.7, 0.8]), "", None, 1.0).describe()
    assert "  F1 (macro), mean ± sd over test folds:" in every  # every type in every fold
    assert "every fold" in ablation_tables(_results([0.7, 0.8]), "classify", n_folds=2,
                                           n_repeats=1, seed=0, preset="small",
                                           pretrained=None, synthetic=True)
    assert max(map(len, text.splitlines() + every.splitlines())) <= 100


def test_the_benchmarks_macro_f1_box_says_over_how_many_types_each_fold_ran():
    from genemoe.report.plots import _macro_words

    results = _results([0.7, None])
    assert _macro_words(results, "macro_f1") == "; each fold's macro-F1 over 2–3 of 3 types"
    assert _macro_words(results, "accuracy") == ""
