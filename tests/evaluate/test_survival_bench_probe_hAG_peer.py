"""The best peer of a survival benchmark is the model with the highest mean C-index that
summary.md shows.

Old behaviour: summary.md leaves a fold's C of exactly 0 or 1 (too few pairs) out of a
mean, but the best peer was chosen on the mean with it: ``coxnet 0.600 (2/3 folds; 1
degenerate)`` was named best peer above ``fcn 0.650``.
"""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons, summary_table


def test_best_peer_is_the_best_shown_mean() -> None:
    results = pd.DataFrame({"model": ["coxnet"] * 3 + ["fcn"] * 3, "repeat": 0,
                            "fold": [0, 1, 2] * 2, "n_train": 100, "n_val": 20, "n_test": 60,
                            "c_index": [1.0, 0.6, 0.6, 0.65, 0.64, 0.66]})
    shown = summary_table(results, "survival").set_index("model")["c_index"]
    assert shown["coxnet"] == "0.600 ± 0.000 (2/3 folds; 1 degenerate)"
    assert shown["fcn"] == "0.650 ± 0.010"
    best, comp = paired_comparisons(results, "survival")
    assert best == "fcn" and comp["model"].tolist() == ["coxnet"]
    # a classification benchmark's 1.0 macro-F1 is a real score: kept
    cls = results.rename(columns={"c_index": "macro_f1"})
    assert paired_comparisons(cls, "classify")[0] == "coxnet"
