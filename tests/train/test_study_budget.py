"""A study's budget: over-budget trials are not chosen, interrupted trials run again."""

from __future__ import annotations

import datetime
import functools
import time

import optuna
import pytest

import genemoe.train.study_budget as study_budget
import genemoe.train.tuning as tuning
from genemoe.train.task_data import TaskData
from genemoe.train.tuning import open_study, tune_model

TINY_FCN = {"hidden": 16, "latent": 8}
FAST = {"epochs": 2, "batch_size": 32, "device": "cpu", "patience": None}


@pytest.fixture(scope="module")
def data(tuning_parts) -> dict[str, TaskData]:
    return tuning_parts


def _tune(data, url, n_trials):
    return tune_model("fcn", "classify", data, base_model_cfg=TINY_FCN, base_train_cfg=FAST,
                      n_outputs=3, n_trials=n_trials, seed=0, storage=url, study_name="t")


def _failing_on_first_call(monkeypatch, exc: type[BaseException]) -> None:
    """``fit_model`` as the objective sees it, raising ``exc`` on its first call only."""
    real, calls = tuning.fit_model, []

    @functools.wraps(real)
    def fit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise exc("stop")
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", fit)


def test_a_trial_beyond_the_budget_is_not_chosen(data, tmp_path):
    # Two workers on one study can each finish a trial after the budget is reached; the
    # old code chose the best of all of them, so a study could see 11 trials for 10.
    url = f"sqlite:///{tmp_path / 'study.db'}"
    first = _tune(data, url, 3)
    study = open_study(url, "t", seed=0)
    extra = study.get_trials()[1]
    study.add_trial(optuna.trial.create_trial(params=extra.params, distributions=extra.distributions,
                                              value=2.0))  # beyond the budget, best of all
    again = _tune(data, url, 3)
    assert again.best_value == first.best_value < 2.0
    assert list(again.trials["in_budget"]) == [True, True, True, False]
    assert _tune(data, url, 4).best_value == 2.0  # a budget of 4 holds it


def test_an_interrupted_trial_runs_again_and_does_not_use_the_budget(data, tmp_path, monkeypatch):
    # Ctrl-C in trial 0 (the preset): the old code counted the failed trial against the
    # budget and never evaluated the starting configuration.
    url = f"sqlite:///{tmp_path / 'study.db'}"
    _failing_on_first_call(monkeypatch, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        _tune(data, url, 3)
    monkeypatch.undo()
    res = _tune(data, url, 3)
    t = res.trials.set_index("number")
    assert t.loc[0, "state"] == "FAIL" and not t.loc[0, "in_budget"]
    retry = t[t["retry_of"] == 0]
    assert len(retry) == 1 and retry["state"].iloc[0] == "COMPLETE" and retry["in_budget"].iloc[0]
    params = [c for c in t.columns if c.startswith(("model.", "train."))]
    assert retry[params].iloc[0].equals(t.loc[0, params])  # the same values, run again
    assert int(t["in_budget"].sum()) == 3 and len(t) == 4
    assert len(_tune(data, url, 3).trials) == 4  # queued once only


def test_a_trial_marks_its_progress_before_it_builds_splits(data, tmp_path, monkeypatch):
    # A trial killed while it builds a new scaling's splits (gene filter and scaler per inner
    # fold) had no progress mark in the old code (written just before its first fit), so its
    # cost was its whole span in the database: hours, when the study was resumed later.
    url = f"sqlite:///{tmp_path / 'study.db'}"
    real = tuning.apply_params

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt("stop")

    monkeypatch.setattr(tuning, "apply_params", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _tune(data, url, 3)
    trial = open_study(url, "t", seed=0).trials[0]
    assert trial.state == optuna.trial.TrialState.FAIL
    assert trial.user_attrs[study_budget.PROGRESS] >= 0
    monkeypatch.setattr(tuning, "apply_params", real)
    assert int(_tune(data, url, 3).trials["in_budget"].sum()) == 3


def test_a_diverged_trial_counts_and_is_not_run_again(data, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    _failing_on_first_call(monkeypatch, FloatingPointError)
    res = _tune(data, url, 3)
    assert list(res.trials["state"]) == ["FAIL", "COMPLETE", "COMPLETE"]
    assert res.trials["in_budget"].all() and res.trials["retry_of"].isna().all()
    monkeypatch.undo()
    assert len(_tune(data, url, 3).trials) == 3


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
def test_a_killed_trial_is_failed_once_stale_and_run_again(data, tmp_path, monkeypatch):
    monkeypatch.setattr(study_budget, "HEARTBEAT_S", 1)
    monkeypatch.setattr(study_budget, "GRACE_S", 1)
    monkeypatch.setattr(study_budget, "MARK_S", 0.1)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    _tune(data, url, 1)
    study = open_study(url, "t", seed=0)
    assert study.trials[0].user_attrs[study_budget.PROGRESS] >= 0  # trials mark their progress
    killed = study.ask(fixed_distributions=study.trials[0].distributions)  # its process dies
    killed.set_user_attr(study_budget.PROGRESS, 0.5)  # after half a second's work
    killed.set_user_attr("split_values", [-3.4])  # and one inner split
    study._storage.record_heartbeat(killed._trial_id)
    time.sleep(2.5)
    res = _tune(data, url, 3)
    t = res.trials.set_index("number")
    assert t.loc[killed.number, "state"] == "FAIL" and not t.loc[killed.number, "in_budget"]
    assert (t["retry_of"] == killed.number).sum() == 1
    assert int(t["in_budget"].sum()) == 3
    # it cost its last mark plus at most one mark interval, not the 2.5 s nobody ran it (the
    # old code took its span in the database: a run resumed 1.6 h later showed 5,800 s)
    assert t.loc[killed.number, "seconds"] == pytest.approx(0.6)
    # Optuna's retry copies the killed trial's user attributes: the old code showed its
    # split values (and best epoch, epochs run) on the retry, which never had inner splits
    assert t.loc[killed.number, "split_values"] == "[-3.4]"
    assert t.loc[t["retry_of"] == killed.number, "split_values"].isna().all()


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
def test_a_trial_marks_its_progress_through_a_long_epoch(tmp_path, monkeypatch):
    # the old code marked only at the trial's start and between epochs or inner folds, so a
    # trial killed in a long first epoch (minutes, an image model on a CPU) cost at most 10 s
    monkeypatch.setattr(study_budget, "MARK_S", 0.3)  # wide enough for a loaded machine's reads
    study = open_study(f"sqlite:///{tmp_path / 'study.db'}", "t", seed=0)
    trial = study.ask()

    def mark() -> float:
        return study.trials[0].user_attrs[study_budget.PROGRESS]

    with study_budget.ProgressMark(trial, time.perf_counter()):
        assert mark() < 0.3  # written as the trial starts, before the thread's first mark
        time.sleep(1.0)  # one long epoch: nothing in the trial calls the mark
        assert mark() >= 0.6  # the thread's marks at 0.3, 0.6, 0.9 s (one may run late)
    ended = mark()
    time.sleep(0.4)
    assert mark() == ended  # no mark once the trial's block has ended
    study.tell(trial, 1.0)  # the trial then ends as any other


def test_a_trial_without_marks_costs_its_span():
    start = datetime.datetime(2026, 12, 1, 12, 0, 0)
    trial = optuna.trial.FrozenTrial(
        number=0, state=optuna.trial.TrialState.FAIL, value=None, datetime_start=start,
        datetime_complete=start + datetime.timedelta(seconds=7), params={}, distributions={},
        user_attrs={}, system_attrs={}, intermediate_values={}, trial_id=0)
    assert study_budget.trial_seconds(trial) == 7.0  # interrupted by Ctrl-C, an older study
    trial.user_attrs["seconds"] = 3.0
    assert study_budget.trial_seconds(trial) == 3.0  # what it recorded itself


def test_retries_stop_after_max_retry():
    study = optuna.create_study(direction="maximize")
    dist = {"x": optuna.distributions.FloatDistribution(0, 1)}
    study.add_trial(optuna.trial.create_trial(state=optuna.trial.TrialState.FAIL,
                                              params={"x": 0.5}, distributions=dist))
    assert study_budget.requeue_interrupted(study, max_retry=1) == 1
    assert study_budget.requeue_interrupted(study, max_retry=1) == 0  # already queued
    retry = study.ask()
    study.tell(retry, state=optuna.trial.TrialState.FAIL)  # interrupted again
    assert study_budget.retry_of(study.trials[1]) == 0
    assert study_budget.requeue_interrupted(study, max_retry=1) == 0  # its history is full


def test_a_budget_costs_only_the_trials_run_to_meet_it(data, tmp_path):
    # A benchmark sharing a larger search's study (a symlinked tuning.db) counted every
    # trial of the study in its pruned and seconds columns (a 10-trial budget showed the
    # cost of 20); only the trials started before its budget was met cost it.
    url = f"sqlite:///{tmp_path / 'study.db'}"
    small = _tune(data, url, 3)
    large = _tune(data, url, 5)
    assert large.trials["for_budget"].all() and len(large.trials) == 5
    again = _tune(data, url, 3)  # the larger study, read with the smaller budget
    assert list(again.trials["for_budget"]) == [True, True, True, False, False]
    cost, first = tuning.tuning_cost(again.trials), tuning.tuning_cost(small.trials)
    assert cost["n_trials"] == 3 and cost["seconds"] == pytest.approx(first["seconds"])
    assert again.n_pruned == small.n_pruned and again.best_value == small.best_value


def test_optunas_per_trial_lines_are_quiet_from_python_and_its_level_restored(data, tmp_path):
    """Old behaviour (a probe from Python): tune_run(progress=False) still wrote Optuna's
    "[I ...] Trial 0 finished with value ... parameters: {...}" to stderr for each trial
    (the CLI silenced it; genemoe says each trial in a line of its own)."""
    import logging

    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    keep, logger = Keep(), logging.getLogger("optuna")  # Optuna's own handler writes stderr
    logger.addHandler(keep)
    optuna.logging.set_verbosity(optuna.logging.INFO)
    try:
        _tune(data, f"sqlite:///{tmp_path / 'study.db'}", 2)
        assert not [m for m in said if "finished with value" in m]
        assert optuna.logging.get_verbosity() == optuna.logging.INFO  # the caller's, restored
    finally:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        logger.removeHandler(keep)
