"""Outside probe hS: the ablation's terminal summary and tables.md count a fold's degenerate
pooled C-index (exactly 0 or 1, or of risks all the same) as the benchmark does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.workflows.ablation import AblationResult
from genemoe.workflows.ablation_tables import ablation_tables


def _results(c_fcn: list[float], tied: list[bool]) -> pd.DataFrame:
    """Two folds of fcn (pooled C as given) and moe (0.6, 0.7): results.csv's columns."""
    rows = []
    for model, cs, flags in (("fcn", c_fcn, tied), ("moe", [0.6, 0.7], [False, False])):
        for fold, (c, t) in enumerate(zip(cs, flags, strict=True)):
            rows.append({"model": model, "label": model, "repeat": 0, "fold": fold, "seed": 0,
                         "c_index": c, "pooled_c_index_degenerate": t})
    return pd.DataFrame(rows)


def test_terminal_row_leaves_out_a_degenerate_pooled_c(tmp_path: Path) -> None:
    """A fold's pooled C of 1.000 was averaged in: "0.800 ± 0.283  (2 folds)" beside
    tables.md's "0.600 (1/2 folds; 1 degenerate)"."""
    results = _results([0.6, 1.0], [False, True])
    text = AblationResult(tmp_path, "survival", results, "", None, 1.0).describe()
    row = next(line for line in text.splitlines() if line.strip().startswith("fcn"))
    assert row.split()[1:] == ["0.600", "(1/2", "folds;", "1", "degenerate)"]
    moe = next(line for line in text.splitlines() if line.strip().startswith("moe"))
    assert moe.split()[1:] == ["0.650", "±", "0.071", "(2", "folds)"]


def test_terminal_row_counts_tied_risks() -> None:
    from genemoe.workflows.ablation_tables import summary_folds

    values, notes = summary_folds(_results([0.5, 0.7], [True, False]).head(2), "c_index")
    assert values.tolist() == [0.5, 0.7] and notes == ["1 of tied risks"]


def test_tables_pooled_row_counts_tied_risks() -> None:
    """The pooled row lost results.csv's ``pooled_c_index_degenerate``: a fold of risks all
    the same (C 0.5 of a constant model) went uncounted, where the benchmark says it."""
    text = ablation_tables(_results([0.5, 0.7], [True, False]), "survival", n_folds=2,
                           n_repeats=1, seed=0, preset="small", pretrained=None,
                           synthetic=True)
    pooled = next(line for line in text.splitlines() if line.startswith("| all types"))
    assert "0.600 ± 0.141 (2/2 folds; 1 of tied risks)" in pooled
    assert "| 0.650 ± 0.071 |" in pooled  # moe: nothing to say
