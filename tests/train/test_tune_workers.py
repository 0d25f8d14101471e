"""Workers sharing a study start no trial once the budget is met, counting the trials other
workers are running (an outside review: with two workers, one started a trial while the
other ran the last one needed, and the study ended over its budget)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import optuna
import pytest

from genemoe.errors import InputError
from genemoe.train.study_budget import PROGRESS
from genemoe.train.tuning_workers import (
    LIVE_S,
    NOT_RUN,
    BudgetMet,
    giving_way,
    live_running,
    quiet_gave_way,
)
from genemoe.workflows.tune import tune_run

FCN = "model:\n  fcn: {hidden: 16, latent: 8}\ntrain: {batch_size: 32, patience: null}\n"


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)


@pytest.fixture
def opts(tmp_path, monkeypatch):
    import genemoe.train.tuning_workers as workers

    monkeypatch.setattr(workers, "LIVE_S", 3600.0)  # an asked trial stays live on a slow machine
    (base := tmp_path / "base.yaml").write_text(FCN)
    return {"model_name": "fcn", "config_path": base, "epochs": 2, "device": "cpu",
            "progress": False}


def _study(n_done: int) -> optuna.Study:
    study = optuna.create_study(direction="maximize")
    for v in range(n_done):
        study.add_trial(optuna.trial.create_trial(value=float(v), params={}, distributions={}))
    return study


def test_a_running_trial_is_live_while_its_progress_marks_are_fresh():
    study = _study(0)
    trial = study.ask()
    start = study.trials[0].datetime_start
    assert [t.number for t in live_running(study)] == [0]
    later = start + timedelta(seconds=LIVE_S + 5)
    assert live_running(study, now=later) == []  # silent since: its process was killed
    trial.set_user_attr(PROGRESS, 20.0)  # marked 20 s in: alive until LIVE_S after that
    assert [t.number for t in live_running(study, now=later)] == [0]
    assert live_running(study, below=0) == []  # only trials numbered lower than a given one


def test_a_trial_marked_by_a_worker_in_another_time_zone_is_judged_by_its_mark():
    """Optuna stamps a trial's start in its worker's naive local time: a worker three hours
    ahead read a trial started there a minute ago as three hours old (killed), and a worker
    behind read a killed trial as live. The progress mark's Unix time reads the same on every
    machine."""
    import time

    from genemoe.train.study_budget import MARKED_AT, ProgressMark

    study = _study(0)
    trial = study.ask()
    with ProgressMark(trial, time.perf_counter()):
        pass
    assert abs(study.trials[0].user_attrs[MARKED_AT] - time.time()) < 60
    assert [t.number for t in live_running(study)] == [0]
    # a trial whose start reads fresh in this machine's zone (stamped by a worker hours ahead)
    trial.set_user_attr(MARKED_AT, time.time() - 3 * 3600)  # last marked three hours ago
    assert live_running(study) == []  # killed: counted live for hours before
    trial.set_user_attr(MARKED_AT, time.time())  # marked just now, wherever it runs
    assert [t.number for t in live_running(study)] == [0]
    trial.set_user_attr(PROGRESS, 0.0)
    assert [t.number for t in live_running(study, now=datetime.now())] == [0]


def test_a_trial_started_as_running_trials_meet_the_budget_gives_way(caplog):
    """Two workers may both pass the check between trials at once: the later-numbered trial
    stops before it draws values, is not counted and is not run again."""
    study = _study(1)  # budget 2: one done, and another worker's trial running
    study.ask()
    called, ran, gave_way = [], [], set()
    objective = giving_way(lambda t: called.append(t.number) or 1.0, 2, ran, gave_way)
    with caplog.at_level("WARNING"), quiet_gave_way(gave_way):
        study.optimize(objective, n_trials=1, catch=(BudgetMet,))
    last = study.trials[-1]
    assert not called and not ran and gave_way == {2}
    assert last.state == optuna.trial.TrialState.FAIL and last.user_attrs[NOT_RUN]
    assert last.user_attrs["seconds"] == 0.0 and not last.params
    assert "Trial 2 failed" not in caplog.text  # Optuna's warning and traceback held back
    # with the running trial finished the budget is met; with it failed a trial runs
    study2 = _study(1)
    other = study2.ask()
    study2.tell(other, state=optuna.trial.TrialState.FAIL)
    study2.optimize(giving_way(lambda t: called.append(t.number) or 1.0, 2, ran, set()),
                    n_trials=1, catch=(BudgetMet,))
    assert called == [2] and ran == [2]


def test_a_worker_starts_no_trial_another_workers_running_trials_fill(bundle, tmp_path, opts):
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    shared = {"storage": db, "study_name": "shared", **opts}
    tune_run(bundle.path, out_dir=tmp_path / "w1", n_trials=1, **shared)
    study = optuna.load_study(study_name="shared", storage=db)
    study.ask()  # trial 1: worker 1 running the budget's last trial
    run = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=2, **shared)
    # old behaviour: worker 2 ran trial 2 too, and the study ended with 3 trials for 2
    assert len(study.trials) == 2 and run.result.this_call == ()
    text = run.describe()
    assert "1 trial: 1 complete, 0 pruned; 1 still running in another process;" in text
    assert "  cost: this call ran no trial (" in text
    # --trials 3: worker 2 runs one trial, then stops: its and the running one make 3
    # (old behaviour: it ran two, counting finished trials only)
    run = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=3, **shared)
    assert len(study.trials) == 3 and run.result.this_call == (2,)
    assert "not run" not in run.describe()


def test_a_budget_filled_by_running_trials_alone_says_so(bundle, tmp_path, opts, monkeypatch):
    """No finished trial, and other workers' running trials fill the budget: said so (not
    "no completed trial: look at the trials table for failed trials")."""
    import genemoe.train.tuning as tuning

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    shared = {"storage": db, "study_name": "shared", **opts}
    with monkeypatch.context() as m:  # the study's setup written, its trial 0 interrupted
        m.setattr(tuning, "fit_model", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            tune_run(bundle.path, out_dir=tmp_path / "w1", n_trials=1, **shared)
    study = optuna.load_study(study_name="shared", storage=db)
    study.ask()
    study.ask()
    with pytest.raises(InputError, match="no finished trial yet: 2 trials running in other "
                                         "workers fill its budget of 2") as e:
        tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=2, **shared)
    assert "run the same command again once they have finished" in e.value.fix


def test_a_trial_that_gave_way_reads_not_run(caplog):
    from genemoe.report.first_screen import tune_panel
    from genemoe.workflows.tune import TrialLine

    study = _study(2)
    study.add_trial(optuna.trial.create_trial(state=optuna.trial.TrialState.FAIL, params={},
                                              distributions={}, user_attrs={NOT_RUN: "met"}))
    with caplog.at_level("INFO", logger="genemoe"):
        TrialLine(2)(study, study.trials[2])
    assert "trial 2 (2/2): not run: trials running in other workers met the budget" in caplog.text
    page = tune_panel(summary={"metric": "c_index", "best_value": 0.7, "n_trials_asked": 2,
                               "trials_by_state": {"COMPLETE": 2, "NOT_RUN": 1}},
                      tuned_on={}, bundle_summary={}, record={}, bundle_path=None, figures=[])
    assert "2 complete · 1 not run" in page


def test_a_trial_started_in_the_same_instant_is_said_not_run(bundle, tmp_path, opts, monkeypatch,
                                                             caplog):
    """The race: a worker passed the check as another started the budget's last trial."""
    import pandas as pd

    import genemoe.train.tuning as tuning

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    shared = {"storage": db, "study_name": "shared", **opts}
    tune_run(bundle.path, out_dir=tmp_path / "w1", n_trials=1, **shared)
    study = optuna.load_study(study_name="shared", storage=db)
    study.ask()  # trial 1, running elsewhere
    monkeypatch.setattr(tuning, "budget_filled", lambda *a, **k: False)  # checked too early
    with caplog.at_level("WARNING"):
        run = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=2, **shared)
    assert "Trial 2 failed" not in caplog.text  # Optuna's warning held back
    assert run.result.this_call == ()
    assert ("1 trial: 1 complete, 0 pruned; 1 still running in another process; 1 not run "
            "(started as trials running in other workers met the budget; stopped before "
            "training, not counted)") in " ".join(run.describe().split())  # wrapped at 100
    trials = pd.read_csv(tmp_path / "w2" / "trials.csv")
    assert trials.loc[trials["number"] == 2, "state"].item() == "NOT_RUN"
    assert json.loads((tmp_path / "w2" / "summary.json").read_text())["trials_by_state"] == {
        "COMPLETE": 1, "RUNNING": 1, "NOT_RUN": 1}
