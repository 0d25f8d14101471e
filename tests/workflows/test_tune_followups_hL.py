"""`genemoe tune` follow-ups (helper hL): a classical model's grid counted in settings, a
re-prepared bundle's split caught, a refused resume before the grid, lines under 100."""

from __future__ import annotations

import json

import optuna
import pandas as pd
import pytest

from genemoe.workflows.tune import tune_run


@pytest.fixture()
def logreg_tune(synthetic_bundle, tmp_path):
    """A two-trial logreg study in ``tmp_path / 't'``: its bundle, options and run."""
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    return bundle, opts, tune_run(bundle.path, n_trials=2, **opts)


def test_trial_0s_own_grid_is_counted_in_settings(logreg_tune):
    """Old behaviour: logreg's trial 0 was chosen by its own grid of several settings on the
    validation part, where each drawn trial is one; trials.csv, summary.json and the terminal
    said only its seconds (in trial 0's), not how many settings the search saw."""
    _, opts, run = logreg_tune
    summary = json.loads((opts["out_dir"] / "summary.json").read_text())
    n = summary["grid_points"]
    assert n > 1 and summary["grid_seconds"] >= 0
    t = pd.read_csv(opts["out_dir"] / "trials.csv").set_index("number")
    assert t.loc[0, "grid_points"] == n and pd.isna(t.loc[1, "grid_points"])
    assert "grid_seconds" in t.columns
    assert run.result.grid_points == n
    study = optuna.load_study(study_name="logreg-classify", storage=run.storage)
    assert study.trials[0].user_attrs["grid_points"] == n
    text = run.describe()
    assert f"  trial 0 of logreg: its own grid search ({n} settings on validation" in text


def test_tune_summary_lines_stay_under_100_characters(logreg_tune):
    """Old behaviour: "already in the study as this call started: ..." (116 characters) and
    "cost: this call ran ..." (about 120) were one line each."""
    bundle, opts, _ = logreg_tune
    text = tune_run(bundle.path, n_trials=3, **opts).describe()
    lines = text.splitlines()[1:]  # the first: the output folder's path, whole
    said = [x for x in lines if str(opts["out_dir"]) not in x]  # retrain: a long tmp path
    assert max(map(len, said)) <= 100, text
    joined = " ".join(x.strip() for x in lines)
    assert ("already in the study as this call started: 2 trials finished by earlier calls or "
            "by other workers sharing it, kept") in joined
    assert "cost: this call ran 1 trial" in joined and "in earlier calls or by other" in joined
