"""summary.md's comparison caption says a degenerate fold leaves its pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import summary_markdown

OPTS = {"n_folds": 3, "n_repeats": 1, "seed": 0, "val_fraction": 0.15, "tune": 0,
        "preset": "small", "bundle_path": "b"}


def test_the_survival_caption_says_degenerate_folds_leave_their_pair():
    """Old behaviour: the pairs left such a fold out (n_left_out) with no word in the caption
    of what that column is."""
    c = np.array([0.70, 0.72, 0.71, 0.73, 0.74, 1.0])
    results = pd.DataFrame({"model": ["coxnet"] * 3 + ["coxph"] * 3, "repeat": 0,
                            "fold": [0, 1, 2] * 2, "c_index": c, "n_test": 50, "n_train": 50})
    md = summary_markdown(results, {"task": "survival", **OPTS})
    assert "A fold where either model's C is exactly 0 or 1 is left out of that pair" in md
    classify = results.rename(columns={"c_index": "macro_f1"}).assign(accuracy=0.8)
    assert "left out of that pair" not in summary_markdown(classify, {"task": "classify", **OPTS})
