"""``genemoe benchmark --tune N``: a classical model's trial 0 is its own grid search, which
scores many settings on the validation part where each drawn trial scores one (46eed68
counted them for ``genemoe tune``). The benchmark said "the same budget for every model"
and recorded nothing of it: results.csv, summary.md's tuning cost and the terminal's budget
line now say the settings that grid scored, for the classical models only."""

from __future__ import annotations

import pandas as pd
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.evaluate.benchmark_tables import tuning_cost_table
from genemoe.report.terminal import budget_line


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def test_a_tuned_benchmark_says_the_classical_model_s_own_grid(bundle, tmp_path):
    result = bm.run_benchmark(bundle.path, task="classify", models=["logreg", "fcn"],
                              n_folds=2, epochs=1, out_dir=tmp_path, tune=2)
    results = pd.read_csv(tmp_path / "results.csv")
    assert {"tune_grid_points", "tune_grid_seconds"} <= set(results.columns)
    logreg, fcn = (results[results["model"] == m] for m in ("logreg", "fcn"))
    assert (logreg["tune_grid_points"] > 1).all()  # its grid scored several settings
    assert (logreg["tune_grid_seconds"] >= 0).all()
    assert fcn["tune_grid_points"].isna().all() and fcn["tune_grid_seconds"].isna().all()
    n = int(logreg["tune_grid_points"].iloc[0])
    from genemoe.evaluate.benchmark_tables import grid_points_by_model

    assert grid_points_by_model(results) == {"logreg": str(n)}
    cost = tuning_cost_table(results).set_index("model")
    assert cost.loc["logreg", "trial_0"] == f"its own grid ({n} settings on validation)"
    assert cost.loc["fcn", "trial_0"] == "one setting"
    summary = (tmp_path / "summary.md").read_text()
    assert f"logreg: trial 0 = its own grid ({n} settings on validation)" in summary
    assert "| trial_0 |" in summary
    said = f"a classical model's trial 0 is its own grid search, not one setting: logreg {n} "
    line = budget_line({"tune": 2}, results)
    assert said + "settings on validation" in " ".join(line.split())
    assert all(len(x) <= 100 for x in line.split("\n")[1:])
    assert said in " ".join(result.describe().split())


def test_without_a_grid_nothing_is_said(tmp_path):
    """An older results.csv (no tune_grid_points) or a benchmark of neural models only."""
    from genemoe.evaluate.benchmark_tables import grid_points_by_model

    results = pd.DataFrame({"model": ["fcn", "fcn"], "tune_trials": [2, 2],
                            "tune_pruned": [0, 0], "tune_too_big": [0, 0],
                            "tune_seconds_per_trial": [1.0, 1.0], "tune_seconds": [2.0, 2.0],
                            "tune_seconds_saved": [0.0, 0.0]})
    assert grid_points_by_model(results) == {}
    assert "trial_0" not in tuning_cost_table(results)
    assert "own grid" not in budget_line({"tune": 2}, results)
    varied = results.assign(model="svm", tune_grid_points=[16, 18])
    assert grid_points_by_model(varied) == {"svm": "16–18"}
