"""A study resumed after an interrupted trial draws what the uninterrupted study draws (an
outside probe: the retry took a new trial number, and every later trial, seeded by its
number, drew other values: the resumed trial 5 drew lr 0.00028 where the uninterrupted
trial 4 drew 0.000137)."""

from __future__ import annotations

import functools

import optuna
import pandas as pd
import pytest

import genemoe.train.tuning as tuning


def _tune(tune_fcn, url, n_trials):
    return tune_fcn(url, n_trials, n_startup_trials=2)  # trials 2 on: TPE models the finished


def _drawn(result) -> pd.DataFrame:
    """The budget's trials' values in the order the study drew them (a retry in the place
    of the trial it runs again)."""
    t = result.trials
    keys = [c for c in t.columns if c.startswith(("model.", "train."))]
    rows = t[t["in_budget"].astype(bool)]
    place = [n if r != r else r for n, r in zip(rows["number"], rows["retry_of"], strict=True)]
    return rows.assign(place=place).sort_values("place")[keys].reset_index(drop=True)


def test_a_study_resumed_after_a_ctrl_c_draws_as_the_uninterrupted_one(tune_fcn, tmp_path,
                                                                       monkeypatch):
    whole = _tune(tune_fcn, f"sqlite:///{tmp_path / 'whole.db'}", 5)
    url = f"sqlite:///{tmp_path / 'cut.db'}"
    real, calls = tuning.fit_model, []

    @functools.wraps(real)
    def fit(*args, **kwargs):  # Ctrl-C in trial 2's training
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", fit)
    with pytest.raises(KeyboardInterrupt):
        _tune(tune_fcn, url, 5)
    monkeypatch.undo()
    resumed = _tune(tune_fcn, url, 5)
    t = resumed.trials.set_index("number")
    assert t.loc[2, "state"] == "FAIL" and t.loc[3, "retry_of"] == 2  # trials 3 to 5 ran
    assert len(t) == 6 and int(t["in_budget"].sum()) == 5
    # old behaviour: trials 4 and 5 drew as the uninterrupted trials 4 and 5 (one too far)
    pd.testing.assert_frame_equal(_drawn(resumed), _drawn(whole))
    assert resumed.best_value == whole.best_value


def test_two_draws_never_share_a_place():
    from genemoe.train.study_sampler import draw_position

    study = optuna.create_study()
    dist = {"x": optuna.distributions.FloatDistribution(0, 1)}
    study.add_trial(optuna.trial.create_trial(value=0.0, params={"x": 0.5}, distributions=dist))
    failed = study.ask(dist)  # trial 1, interrupted
    study.tell(failed, state=optuna.trial.TrialState.FAIL)
    study.add_trial(optuna.trial.create_trial(  # trial 2: trial 1 queued again
        state=optuna.trial.TrialState.WAITING, params=failed.params, distributions=dist,
        system_attrs={"failed_trial": 1, "retry_history": [1]}))
    for _ in range(3):  # trials 2 (the retry), 3 and 4
        study.ask(dist)
    places = [draw_position(study, t) for t in study.get_trials()]
    assert places == [0, 1, 1, 2, 3]  # the retry takes its original's place, no other repeats
