"""The pooled and within-type C-index in benchmark tables: a fold's C of exactly 0 or 1 is
left out of the mean and counted, a fold of tied risks counted, and results.csv flags both.

Old behaviour: results.csv had no flag columns, and ``summary_table`` averaged a degenerate
fold's 1.000 (every one of a handful of pairs in order) into the model's mean as if real.
"""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import null_brier_text, results_table, summary_table


def _cell(fold: int, c: float, within: float, **flags: bool) -> dict:
    metrics = {"c_index": c, "c_index_ci": [c - 0.1, c + 0.1], "logrank_p": 0.2,
               "n_events": 9, "c_index_by_type": {}, "within_type_c_index": within, **flags}
    return {"model": "coxnet", "repeat": 0, "fold": fold, "seed": fold, "task": "survival",
            "n": {"train": 50, "val": 10, "test": 12}, "n_genes": 20, "seconds": 1.0,
            "metrics": metrics}


def test_results_csv_flags_and_summary_leaves_zero_one_out() -> None:
    cells = [_cell(0, 0.6, 0.55), _cell(1, 0.7, 1.0), _cell(2, 1.0, 0.65)]
    df = results_table(cells)
    assert df["pooled_c_index_degenerate"].tolist() == [False, False, True]
    assert df["within_type_c_index_degenerate"].tolist() == [False, True, False]
    assert not any(c.startswith(("c_index_", "degenerate_")) and c not in
                   ("c_index_lo", "c_index_hi") for c in df.columns)  # no type "degenerate"
    row = summary_table(df, "survival").iloc[0]
    assert row["c_index"] == "0.650 ± 0.071 (2/3 folds; 1 degenerate)"
    assert row["within_type_c_index"] == "0.600 ± 0.071 (2/3 folds; 1 degenerate)"


def test_tied_risks_are_kept_and_counted() -> None:
    cells = [_cell(0, 0.6, 0.6), _cell(1, 0.5, 0.5, c_index_degenerate=True,
                                           within_type_c_index_degenerate=True)]
    row = summary_table(results_table(cells), "survival").iloc[0]
    assert row["c_index"] == "0.550 ± 0.071 (2/2 folds; 1 of tied risks)"


def test_csv_read_back_and_plain_folds_unchanged() -> None:
    df = results_table([_cell(0, 0.6, 0.55), _cell(1, 0.7, 0.65)])
    back = pd.read_csv(pd.io.common.StringIO(df.to_csv(index=False)))
    row = summary_table(back, "survival").iloc[0]
    assert row["c_index"] == "0.650 ± 0.071" and row["within_type_c_index"] == "0.600 ± 0.071"
    assert "left out of a mean" in null_brier_text(df)


def test_per_type_cell_counts_folds_without_a_c() -> None:
    """Old behaviour: a type's mean over 2 of 3 folds (one with fewer than 2 deaths) read
    ``0.700 ± 0.141`` as if over every fold; the ablation's Table II says it."""
    import numpy as np

    from genemoe.evaluate.benchmark_tables import per_type_c_table

    results = pd.DataFrame({"model": "cox", "repeat": 0, "fold": [0, 1, 2],
                            "c_index_UCS": [0.6, np.nan, 0.8], "events_UCS": [3, 1, 4]})
    assert per_type_c_table(results)["UCS"].iloc[0] == "0.700 ± 0.141 (1 fold without a C)"
    results["c_index_UCS"] = [0.6, np.nan, 1.0]
    assert per_type_c_table(results)["UCS"].iloc[0] == (
        "0.600 (1/2 folds; 1 degenerate; 1 fold without a C)")
