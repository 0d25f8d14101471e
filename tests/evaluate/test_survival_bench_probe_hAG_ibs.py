"""An outside probe of a survival benchmark's integrated Brier score on real data.

Old behaviour: each fold's 95% bootstrap intervals of the score and of its difference from
no information's were in cells/*.json only; summary.md gave coxnet 0.118 ± 0.030 against
no information's 0.192, read as clearly better, where 2 of its 3 folds' intervals of the
difference held 0 ([-0.093, 0.015], [-0.129, 0.002]).
"""

from __future__ import annotations

import io

import pandas as pd

from genemoe.evaluate.benchmark_tables import null_brier_text, results_table


def _cell(model: str, fold: int, diff_ci: list[float] | None) -> dict:
    metrics = {"c_index": 0.8, "c_index_ci": [0.7, 0.9], "logrank_p": 0.01, "n_events": 20,
               "c_index_by_type": {}, "integrated_brier_score": 0.12,
               "ibs_null_reference": 0.19, "ibs_times": [84.0, 2864.2]}
    if diff_ci is not None:
        metrics |= {"ibs_ci": [0.07, 0.19], "ibs_minus_null_ci": diff_ci}
    return {"model": model, "repeat": 0, "fold": fold, "seed": 0, "task": "survival",
            "n": {"train": 125, "val": 23, "test": 75}, "n_genes": 100, "seconds": 1.0,
            "info": {}, "metrics": metrics}


def test_results_csv_and_summary_carry_each_folds_brier_intervals() -> None:
    cis = {"coxnet": ([-0.093, 0.015], [-0.151, -0.072], [-0.129, 0.002]),
           "fcn": ([-0.106, -0.025], [-0.142, -0.075], [0.01, 0.05])}
    results = results_table([_cell(m, f, ci) for m, three in cis.items()
                             for f, ci in enumerate(three)])
    assert results["ibs_lo"].tolist() == [0.07] * 6 and results["ibs_hi"].tolist() == [0.19] * 6
    assert results["ibs_minus_null_lo"].tolist()[:3] == [-0.093, -0.151, -0.129]
    assert results["ibs_minus_null_hi"].tolist()[3:] == [-0.025, -0.075, 0.05]
    text = null_brier_text(results)
    assert "lies wholly below 0, the model told better than no information, in: " in text
    assert "coxnet 1/3, fcn 2/3 (wholly above 0 in 1) folds" in text
    # read back from results.csv: the same words
    back = pd.read_csv(io.StringIO(results.to_csv(index=False)))
    assert null_brier_text(back) == text


def test_older_cells_without_intervals_say_nothing_of_them() -> None:
    results = results_table([_cell("coxnet", f, None) for f in range(2)])
    assert results["ibs_minus_null_lo"].isna().all()
    text = null_brier_text(results)
    assert "no information) on the same folds: 0.190" in text and "bootstrap" not in text
