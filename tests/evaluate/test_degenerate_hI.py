"""Degenerate C-indices (exactly 0 or 1, or of risks all the same) are not averaged as if
real (probe hI): a benchmark's per-type table left them in its mean ± sd."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import per_type_c_table


def _results(values: list[float], flags: list[object] | None = None) -> pd.DataFrame:
    n = len(values)
    df = pd.DataFrame({"model": ["cox"] * n, "repeat": [0] * n, "fold": list(range(n)),
                       "c_index_UCS": values, "events_UCS": [3] * n})
    if flags is not None:
        df["degenerate_UCS"] = flags
    return df


def test_a_degenerate_fold_is_left_out_of_the_per_type_mean_and_counted():
    """Old: 1.000 from 6 pairs was averaged in: '0.800 ± 0.173'."""
    cell = per_type_c_table(_results([0.7, 1.0, 0.7]))["UCS"].iloc[0]
    assert cell == "0.700 ± 0.000 (2/3 folds; 1 degenerate)"


def test_every_fold_degenerate_gives_no_mean():
    cell = per_type_c_table(_results([0.0, 1.0]))["UCS"].iloc[0]
    assert cell == "– (0/2 folds; 2 degenerate)"


def test_a_constant_risk_flagged_in_the_results_is_left_out():
    """Risks all the same give C 0.5: only the cell's flag tells it from a real 0.5."""
    out = per_type_c_table(_results([0.5, 0.6, 0.8], [True, np.nan, np.nan]))
    assert out["UCS"].iloc[0] == "0.700 ± 0.141 (2/3 folds; 1 degenerate)"
    # as read back from results.csv (strings)
    out = per_type_c_table(_results([0.5, 0.6, 0.8], ["True", "", ""]))
    assert out["UCS"].iloc[0].endswith("(2/3 folds; 1 degenerate)")


def test_plain_folds_are_unchanged():
    out = per_type_c_table(_results([0.6, np.nan, 0.8]))
    assert out["UCS"].iloc[0] == "0.700 ± 0.141 (1 fold without a C)"  # was unsaid
    assert list(out["model"]) == ["cox", "test deaths per fold (mean)"]
    assert "degenerate_UCS" not in out


def _cell(fold: int, by_type: dict) -> dict:
    metrics = {"c_index": 0.7, "c_index_ci": [0.6, 0.8], "logrank_p": 0.01, "n_events": 20,
               "c_index_by_type": by_type}
    return {"model": "coxnet", "repeat": 0, "fold": fold, "seed": 0, "task": "survival",
            "n": {"train": 200, "val": 40, "test": 120}, "n_genes": 100, "seconds": 1.0,
            "metrics": metrics}


def test_the_results_table_carries_the_cells_flag_to_the_summary():
    """A constant risk's C 0.5 (the cell's ``degenerate``) reached results.csv as a plain
    0.5 and was averaged in."""
    from genemoe.evaluate.benchmark_tables import results_table

    flat = {"c_index": 0.5, "n_events": 3, "degenerate": True}
    cells = [_cell(0, {"UCS": flat, "LAML": {"c_index": 0.6, "n_events": 4}}),
             _cell(1, {"UCS": {"c_index": 0.8, "n_events": 3},
                       "LAML": {"c_index": 0.7, "n_events": 4}})]
    results = results_table(cells)
    assert "degenerate_LAML" not in results  # only types flagged somewhere
    table = per_type_c_table(results)
    assert table["UCS"].iloc[0] == "0.800 (1/2 folds; 1 degenerate)"
    assert table["LAML"].iloc[0] == "0.650 ± 0.071"
