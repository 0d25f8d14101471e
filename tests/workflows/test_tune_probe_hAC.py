"""search.png says what best.yaml and the terminal say (an outside probe, hAC).

Old behaviour: the plot's "best so far" line climbed to a trial finished beyond the
budget (``--trials 2`` on a study of 3: best.yaml and the title said 0.778, the line
reached 0.791, a trial that was no candidate), and a ``--cv 2`` search's axis read
"validation macro_f1" for a mean of 2 inner folds.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import genemoe.report.tuning_plots as tuning_plots
import genemoe.workflows.tune as tune_mod
from genemoe.workflows.tune import tune_run


def test_the_best_so_far_is_the_budgets(tmp_path, search_axes):
    axes = search_axes
    trials = pd.DataFrame({"number": [0, 1, 2], "state": ["COMPLETE"] * 3,
                           "value": [0.778, 0.580, 0.791], "in_budget": [True, True, False]})
    tuning_plots.plot_search(trials, tmp_path / "s.png")
    (ax,) = axes
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "best so far"]
    assert max(line.get_ydata()) == pytest.approx(0.778)  # old: 0.791, beyond the budget
    labels = ax.get_legend_handles_labels()[1]
    assert any(label.startswith("beyond the budget") for label in labels)
    assert ax.get_title().endswith("best 0.778")


def test_a_table_without_in_budget_plots_as_before(tmp_path, search_axes):
    axes = search_axes
    trials = pd.DataFrame({"number": [0, 1], "state": ["COMPLETE"] * 2, "value": [0.5, 0.7]})
    tuning_plots.plot_search(trials, tmp_path / "s.png")
    (line,) = [ln for ln in axes[0].get_lines() if ln.get_label() == "best so far"]
    assert list(line.get_ydata()) == [0.5, 0.7]


def test_a_cv_search_plots_the_mean_of_its_inner_folds(synthetic_bundle, tmp_path, monkeypatch):
    said = {}
    real = tune_mod.plot_search

    def spy(trials, path, **kwargs):
        said.update(kwargs)
        return real(trials, path, **kwargs)

    monkeypatch.setattr(tune_mod, "plot_search", spy)
    tune_run(synthetic_bundle().path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1,
             cv=2, progress=False)
    # old behaviour: "validation macro_f1", as of the validation split
    assert said["metric"] == "mean validation macro_f1 of 2 inner folds"


def test_a_rerun_after_a_ctrl_c_in_the_first_trial_says_it_resumes(synthetic_bundle, tmp_path,
                                                                     monkeypatch, caplog):
    """Old behaviour: the study held only the interrupted trial 0, and the rerun said nothing
    as it started (its "resuming" line needed a finished trial); the retry was said only
    in the final title."""
    import logging

    import genemoe.train.tuning as tuning

    real, calls = tuning.fit_model, []

    def interrupted(*args, **kwargs):
        if not calls:
            calls.append(1)
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", interrupted)
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    with pytest.raises(KeyboardInterrupt):
        tune_run(synthetic_bundle().path, n_trials=2, **opts)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        run = tune_run(synthetic_bundle().path, n_trials=2, **opts)
    started = [m for m in caplog.messages if m.startswith("resuming")]
    assert started == ["resuming study 'logreg-classify': 1 interrupted trial runs again with "
                       "its own values"]
    assert "retried as trial 1" in run.describe()


def test_the_resuming_line_counts_only_the_retries_the_budget_runs():
    from genemoe.workflows.tune_text import resuming_line

    assert resuming_line(0, 3, "s") is None  # a new study
    assert resuming_line(2, 5, "s", 1) == ("resuming study 's': 2 trials already finished in "
                                           "it\n  1 interrupted trial runs again; --trials 5 "
                                           "runs up to 3 more")
    assert "interrupted" not in resuming_line(2, 2, "s", 1)  # met: no trial runs
    assert resuming_line(1, 2, "s", 3).count("1 interrupted trial runs again") == 1


def test_a_grid_two_workers_both_fitted_is_said_by_the_one_not_charged(synthetic_bundle,
                                                                        tmp_path, monkeypatch):
    """Two workers starting on one new study both fit logreg's grid; the one whose choice
    is kept runs trial 0, charged its grid. Old behaviour: the other's grid seconds were
    in no trial, no line and no summary.json key (the README's multi-process recipe with
    an SVM: minutes per extra worker, said nowhere)."""
    import genemoe.train.tuning_start as tuning_start

    bundle = synthetic_bundle()
    opts = dict(model_name="logreg", storage=f"sqlite:///{tmp_path / 's.db'}", study_name="x",
                progress=False)
    real, started = tuning_start.fit_model, []

    def fit(*args, **kwargs):  # the other worker runs, whole, while this one fits its grid
        if (kwargs.get("model_cfg") or {}).get("tune") is True and not started:
            started.append(1)
            tune_run(bundle.path, out_dir=tmp_path / "a", n_trials=1, **opts)
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning_start, "fit_model", fit)
    run = tune_run(bundle.path, out_dir=tmp_path / "b", n_trials=2, **opts)
    assert started and run.result.this_call == (1,)
    text = run.describe().replace("\n      ", " ")
    assert "this call fitted that grid too (" in text and "chosen trial 0's values first" in text
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["grid_seconds_unused_this_call"] >= 0 and run.result.grid_seconds_unused > 0
