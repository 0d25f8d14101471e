"""The benchmark's terminal table leaves a degenerate C out of the mean, as summary.md does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.report.terminal import benchmark_table


def test_a_degenerate_fold_is_left_out_of_the_terminal_mean_and_said():
    """Old behaviour (a probe's rerun): coxph 0.823 ± 0.154 on the terminal, averaging a fold's
    C of 1.000, beside summary.md's 0.734 ± 0.007 (2/3 folds; 1 degenerate) and a paired
    comparison of 2 folds under "folds 3"."""
    rows = [{"model": m, "repeat": 0, "fold": f, "c_index": c, "uno_c_index": c - 0.01,
             "pooled_c_index_degenerate": c == 1.0}
            for m, cs in (("coxnet", [0.70, 0.72, 0.71]), ("coxph", [0.73, 0.74, 1.0]))
            for f, c in enumerate(cs)]
    text = benchmark_table(pd.DataFrame(rows), task="survival", title="t", out_dir=Path("o"))
    assert "0.735 ± 0.007 (2/3; 1 degenerate)" in text and "0.823" not in text, text
    assert "left out\n    of the mean and of the paired comparison" in text
    assert all(len(line) <= 100 for line in text.splitlines())
    plain = [dict(r, c_index=0.7) for r in rows]
    assert "degenerate" not in benchmark_table(pd.DataFrame(plain), task="survival", title="t",
                                               out_dir=Path("o"))
