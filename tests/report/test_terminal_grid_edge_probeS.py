"""The benchmark terminal (probeS): it said the epoch cap but not a classical model's grid
edge (logreg's C = 10, its grid's largest, chosen in 3/3 folds), which only summary.md and
the report said."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.report.terminal import benchmark_table


def _results(edges: list[str]) -> pd.DataFrame:
    rows = [{"model": "logreg", "repeat": 0, "fold": i, "accuracy": 0.7, "macro_f1": 0.5,
             "grid_edge": e, "at_epoch_cap": False} for i, e in enumerate(edges)]
    rows += [{"model": "mlp", "repeat": 0, "fold": i, "accuracy": 0.3, "macro_f1": 0.2,
              "grid_edge": "", "at_epoch_cap": True} for i in range(len(edges))]
    return pd.DataFrame(rows)


def _caption(results: pd.DataFrame) -> list[str]:
    return benchmark_table(results, task="classify", title="t", out_dir=Path("o"),
                           protocol={}).splitlines()


def test_the_terminal_says_a_grid_edge_beside_the_epoch_cap():
    lines = _caption(_results(["C 10 (largest)"] * 3))
    cap = next(i for i, s in enumerate(lines) if "kept the last epoch allowed" in s)
    edge = next(i for i, s in enumerate(lines) if "edge of" in s)
    assert edge > cap and all(s.startswith("    ") for s in lines[cap + 1:edge])  # its wrap
    assert lines[edge] == ("  chose the edge of its grid: logreg C 10 (largest) in 3/3 "
                           "folds: a wider grid may do better")


def test_edges_that_differ_by_fold_are_counted_as_summary_md_counts_them():
    lines = _caption(_results(["C 10 (largest)", "", "C 0.01 (smallest)"]))
    assert max(map(len, lines)) <= 100  # wrapped (it ran past 100 on one line)
    assert ("  chose the edge of its grid: logreg C 10 (largest) ×1, C 0.01 (smallest) ×1 in "
            "2/3 folds: a wider grid may do better") in " ".join(lines).replace("     ", " ")
    assert not any("edge of" in s for s in _caption(_results(["", "", ""])))
