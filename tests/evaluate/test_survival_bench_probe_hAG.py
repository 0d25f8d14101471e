"""An outside probe of a survival benchmark on real data (ACC, UVM, KICH; coxnet, fcn).

Old behaviour: each time-dependent AUC's test deaths (``auc_1y_deaths``) were in a cell's
metrics.json only: results.csv and summary.md gave ``auc_1y 0.757 ± 0.134`` where the
three folds held 1, 4 and 6 deaths by one year, shown like the 5-year AUC on 17 to 21.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import auc_table, results_table, summary_markdown


def _cell(model: str, fold: int, aucs: dict) -> dict:
    """A survival cell as ``genemoe benchmark`` stores it, with its AUC metrics."""
    return {"model": model, "repeat": 0, "fold": fold, "seed": 0, "task": "survival",
            "n": {"train": 125, "val": 23, "test": 75}, "n_genes": 100, "seconds": 1.0,
            "info": {}, "metrics": {"c_index": 0.8, "c_index_ci": [0.7, 0.9], "logrank_p": 0.01,
                                    "n_events": 20, "c_index_by_type": {}, **aucs}}


def _aucs(one: float, deaths_1y: int, five: float | None) -> dict:
    out = {"auc_1y": one, "auc_1y_deaths": deaths_1y, "auc_3y": 0.8, "auc_3y_deaths": 14,
           "auc_5y": five}
    return out | ({"auc_5y_deaths": 20} if five is not None else {})


def _results() -> pd.DataFrame:
    cells = [_cell(m, f, _aucs(0.6 + 0.1 * f, d, None if f == 2 else 0.9))
             for m in ("coxnet", "fcn") for f, d in enumerate((6, 1, 12))]
    return results_table(cells)


def test_results_csv_carries_each_aucs_test_deaths() -> None:
    results = _results()
    assert results["auc_1y_deaths"].tolist() == [6, 1, 12, 6, 1, 12]
    assert results["auc_3y_deaths"].tolist() == [14] * 6
    five = results["auc_5y_deaths"]  # no 5-year AUC in fold 2: no count either
    assert five.isna().tolist() == [False, False, True] * 2
    lines = results.to_csv(index=False).splitlines()  # whole beside a blank (not "6.0")
    # each AUC, its deaths and its controls (blank: these cells counted none)
    assert ",0.6,6,,0.8,14,,0.9,20,," in lines[1] and ",0.8,12,,0.8,14,,,,," in lines[3]
    cols = list(results.columns)
    assert cols.index("auc_1y_deaths") == cols.index("auc_1y") + 1


def test_summary_flags_a_mean_auc_resting_on_few_deaths_and_gives_the_deaths() -> None:
    results = _results()
    md = summary_markdown(results, {"task": "survival", "n_folds": 3, "n_repeats": 1,
                                    "seed": 0, "val_fraction": 0.15, "tune": 0,
                                    "preset": "small", "bundle_path": "b"})
    section = md.split("## Time-dependent AUC")[1]
    assert "fewer than 10 test deaths by its horizon" in section  # the rule, in the caption
    row = next(ln for ln in section.splitlines() if ln.startswith("| coxnet |"))
    assert "| 0.700 ± 0.100 (2/3 folds under 10 deaths) |" in row
    assert "| 0.800 ± 0.000 |" in row  # 14 deaths each: no flag
    assert "| 0.900 ± 0.000 (2/3 folds) |" in row
    deaths = next(ln for ln in section.splitlines() if ln.startswith("| test deaths by"))
    assert "| 1–12 (6.3) | 14 (14.0) | 20 (20.0) |" in deaths


def test_a_partial_mean_counts_both_its_folds_and_its_few_death_folds() -> None:
    results = pd.DataFrame({"model": ["a"] * 3, "repeat": 0, "fold": [0, 1, 2],
                            "auc_1y": [0.7, 0.8, np.nan], "auc_1y_deaths": [3, 11, np.nan]})
    table = auc_table(results)
    assert table.loc[0, "auc_1y"] == "0.750 ± 0.071 (2/3 folds; 1 under 10 deaths)"
    assert table.loc[1, "auc_1y"] == "3–11 (7.0)"
    older = auc_table(results.drop(columns=["auc_1y_deaths"]))  # older results.csv: no count
    assert older["auc_1y"].tolist() == ["0.750 ± 0.071 (2/3 folds)"]
