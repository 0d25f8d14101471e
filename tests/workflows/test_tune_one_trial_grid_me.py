"""One trial of a classical model is its own grid search, not "nothing searched".

Old behaviour: `genemoe tune --trials 1` of logreg said "only trial 0 ran, the starting
values: nothing was searched" under "trial 0 of logreg: its own grid search (5 settings)";
`benchmark --tune 1` said "nothing was searched" above "svm 16 settings", in one line of
over 100 characters, and summary.md's options said "(the preset's values: nothing searched)".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.evaluate.benchmark_protocol import options_lines
from genemoe.report.terminal import budget_line
from genemoe.workflows.tune import tune_run


def test_tune_one_logreg_trial_says_its_grid(synthetic_bundle, tmp_path: Path) -> None:
    bundle = synthetic_bundle()
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1,
                   progress=False)
    assert run.result.grid_points > 1
    text = run.describe()
    assert "nothing was searched" not in text
    assert "only trial 0 ran, its own grid's choice: no Optuna trial was drawn" in text


def test_benchmark_tune_one_budget_line_says_grid_and_is_wrapped() -> None:
    results = pd.DataFrame({"model": ["svm", "fcn"], "tune_seconds": [3.0, 4.0],
                            "tune_grid_points": [16, None], "tune_trials": [1, 1]})
    text = budget_line({"tune": 1}, results)
    assert "nothing was searched" not in text and max(map(len, text.splitlines())) <= 100
    assert "a classical model's own grid's choice: no Optuna trial drawn" in " ".join(text.split())
    plain = budget_line({"tune": 1}, results.drop(columns="tune_grid_points"))
    assert "nothing was searched" in " ".join(plain.split())  # no grid: still true


def test_summary_options_say_the_grid_of_a_one_trial_search() -> None:
    results = pd.DataFrame({"model": ["svm", "svm"], "options": ["C=1", "C=1"],
                            "chosen": ["model.C=10", "model.C=1"], "tune_trials": [1, 1],
                            "tune_grid_points": [16, 16]})
    (line,) = options_lines(results)
    assert line.endswith("; trial 0 ran alone (its own grid's choice of 16 settings on "
                         "validation; no Optuna trial drawn), under Chosen per fold")
