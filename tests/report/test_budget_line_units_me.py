"""The benchmark's tuning budget line keeps each model's seconds on one line."""

from __future__ import annotations

import pandas as pd
import pytest

from genemoe.report.terminal import budget_line

MODELS = ["svm", "svm_linear", "logreg", "rf", "mlp", "fcn", "moe", "genemoe"]


@pytest.mark.parametrize("shift", range(0, 40, 3))
def test_no_model_is_cut_from_its_seconds(shift):
    """Old behaviour (a probe's pancan33 run): the wrap cut between "svm 11" and "s"."""
    rows = [{"model": m + "x" * (shift % 7), "tune_seconds": 11.0 + shift + i * 61,
             "tune_grid_points": 16 if m == "svm" else None} for i, m in enumerate(MODELS)]
    text = budget_line({"tune": 10}, pd.DataFrame(rows))
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert not any(line.rstrip().endswith(tuple("0123456789")) for line in lines), text
    assert "\u00a0" not in text
