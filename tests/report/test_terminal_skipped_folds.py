"""The benchmark table says how many folds a mean is over where it skips unscored ones.

An outside probe: "coxnet  5  0.545 ± 0.239" was the mean of 4 folds (one test part's
C-index was NaN); only summary.md said "(4/5 folds)".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.report.terminal import benchmark_table


def test_a_mean_over_fewer_folds_than_the_model_ran_says_so():
    rows = [{"model": "coxnet", "repeat": 0, "fold": f, "c_index": c, "uno_c_index": u}
            for f, (c, u) in enumerate([(0.6, 0.58), (0.7, None), (float("nan"), None),
                                        (0.5, 0.52), (0.4, 0.41)])]
    out = benchmark_table(pd.DataFrame(rows), task="survival", title="bench", out_dir=Path("b"))
    line = next(x for x in out.splitlines() if x.strip().startswith("coxnet"))
    assert line.split()[1] == "5"  # folds run
    assert "0.550 ± 0.129 (4/5)" in line and "0.503 ± 0.086 (3/5)" in line
    assert "(k/n): the mean of the k folds with a value, of n run" in out


def test_a_mean_over_every_fold_carries_no_count():
    rows = [{"model": "coxph", "repeat": 0, "fold": f, "c_index": c, "uno_c_index": c}
            for f, c in enumerate([0.6, 0.7, 0.65])]
    out = benchmark_table(pd.DataFrame(rows), task="survival", title="bench", out_dir=Path("b"))
    assert "/3)" not in out and "(k/n)" not in out and "0.650 ± 0.050" in out
