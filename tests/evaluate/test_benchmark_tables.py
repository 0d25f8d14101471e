"""summary.md's mean ± std table (evaluate/benchmark_tables.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import summary_table


def test_log_rank_p_values_are_summarised_by_median_and_share_below_005():
    """Old behaviour: the p-values' mean ± std, "0.000 ± 0.000" for small ones."""
    results = pd.DataFrame({
        "model": ["a"] * 3 + ["b"] * 3,
        "c_index": [0.70, 0.72, 0.74, 0.60, 0.62, 0.64],
        "logrank_p": [1e-5, 2e-4, 3e-4, 0.02, 0.30, np.nan],
    })
    table = summary_table(results, "survival").set_index("model")
    assert table.loc["a", "logrank_p"] == "<0.001 median, 3/3 < 0.05"
    assert table.loc["b", "logrank_p"] == "0.160 median, 1/2 < 0.05 (2/3 folds)"
    assert table.loc["a", "c_index"] == "0.720 ± 0.020"
