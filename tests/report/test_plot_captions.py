"""The benchmark report's per-model figures say their number of test folds in the singular
for one fold (a probe: "1 test folds pooled" in three of the four captions and titles)."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.report.plots import _model_figures


def _cell(fold: int, task: str) -> dict:
    rng = np.random.default_rng(fold)
    types = ["ACC", "UVM"] * 10
    if task == "classify":
        bins = [{"lo": 0.5, "hi": 1.0, "confidence": 0.7, "accuracy": 0.6, "count": 20}]
        return {"task": task, "repeat": 0, "fold": fold, "metrics": {"reliability": bins},
                "test": {"cancer_type": types, "predicted": types[::-1]}}
    return {"task": task, "repeat": 0, "fold": fold, "metrics": {},
            "test": {"time": rng.uniform(1, 100, 20).tolist(), "event": [1, 0] * 10,
                     "risk": rng.normal(size=20).tolist(), "cancer_type": types}}


@pytest.mark.parametrize("task", ["classify", "survival"])
@pytest.mark.parametrize("n", [1, 2])
def test_captions_count_the_folds_in_the_right_number(task, n, tmp_path):
    figs = _model_figures("fcn", [_cell(f, task) for f in range(n)], ["ACC", "UVM"], tmp_path)
    captions = [f.caption for f in figs if "test fold" in f.caption]
    assert captions and all(f"{n} test fold{'s' * (n != 1)} " in c for c in captions), captions
    assert n != 1 or not any("1 test folds" in c for c in captions)
