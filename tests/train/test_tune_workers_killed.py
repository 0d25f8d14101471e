"""A tune worker killed mid-trial (SIGKILL, the out-of-memory killer): its trial runs again
with its own values (an outside probe: a rerun at once said the trial was "still running in
another process" and ended with the best of 3 trials for 4; a rerun 30 s later ran a new
trial in its place, and the killed one, the best of the uninterrupted study, never ran)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import optuna
import pytest

from genemoe.workflows.tune import tune_run

FCN = "model:\n  fcn: {hidden: 16, latent: 8}\ntrain: {batch_size: 32, patience: null}\n"

# A worker that starts the study's next trial and hangs in its training (until killed).
WORKER = textwrap.dedent("""
    import sys, time
    import genemoe.train.tuning as tuning
    from genemoe.workflows.tune import tune_run

    tuning.fit_model = lambda *a, **k: time.sleep(600)
    draw = tuning.sample_params  # drawing lags the trial's first mark (a loaded machine): the
    tuning.sample_params = lambda *a: (time.sleep(1), draw(*a))[1]  # test waits for the draw
    bundle, out, base, db, n = sys.argv[1:]
    tune_run(bundle, out_dir=out, model_name="fcn", config_path=base, epochs=2, device="cpu",
             progress=False, storage=db, study_name="shared", n_trials=int(n))
""")


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)


def _marked(db: str, number: int, timeout: float = 180.0) -> optuna.trial.FrozenTrial:
    """Trial ``number`` of the shared study once it runs, has marked its progress and has
    drawn all its values (those of trial ``number - 1``, a finished trial of the same space).

    The mark is written as the trial starts, before it draws its values: waiting for the
    mark alone returned the trial with none or some of them drawn (a poll that fell in that
    window, more often on a loaded machine), and the test then failed on ``drawn`` being
    empty, or killed the worker before it drew and read "it had drawn no values"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        trials = {t.number: t for t in optuna.load_study(study_name="shared",
                                                          storage=db).get_trials()}
        t, keys = trials.get(number), set(trials[number - 1].params)
        if (t is not None and t.state == optuna.trial.TrialState.RUNNING
                and t.user_attrs.get("marked_at_unix") is not None
                and keys and set(t.params) >= keys):
            return t
        time.sleep(0.5)
    raise AssertionError(f"trial {number} never started in the worker, or never drew its values")


def test_a_killed_workers_trial_is_counted_while_its_process_lives_and_runs_again_once_gone(
        bundle, tmp_path, monkeypatch, caplog):
    import genemoe.train.tuning_workers as workers

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    (base := tmp_path / "base.yaml").write_text(FCN)
    opts = {"model_name": "fcn", "config_path": base, "epochs": 2, "device": "cpu",
            "progress": False, "storage": db, "study_name": "shared"}
    tune_run(bundle.path, out_dir=tmp_path / "w1", n_trials=2, **opts)  # trials 0 and 1
    (script := tmp_path / "worker.py").write_text(WORKER)
    worker = subprocess.Popen([sys.executable, str(script), str(bundle.path),
                               str(tmp_path / "w2"), str(base), db, "3"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        drawn = _marked(db, 2).params  # the worker runs trial 2 (hung in its training)
        # silent (marks taken for stale) but its process lives: it still counts, and no
        # trial runs in its place (old behaviour: a new trial 3 ran, trial 2 was dropped)
        monkeypatch.setattr(workers, "LIVE_S", -1.0)
        run = tune_run(bundle.path, out_dir=tmp_path / "w3", n_trials=3, **opts)
        monkeypatch.undo()
        assert run.result.this_call == ()
        assert [t.state.name for t in optuna.load_study(
            study_name="shared", storage=db).get_trials()] == ["COMPLETE", "COMPLETE", "RUNNING"]
        # while its marks are fresh a second worker never runs it too (shared studies)
        run = tune_run(bundle.path, out_dir=tmp_path / "w3", n_trials=3, **opts)
        assert run.result.this_call == ()
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # the worker dies without a word
        worker.wait()
    # the same command again at once: trial 2 runs again with its own values (old
    # behaviour: "1 still running in another process", no trial run, best of 2 for 3)
    with caplog.at_level("WARNING", logger="genemoe"):
        run = tune_run(bundle.path, out_dir=tmp_path / "w3", n_trials=3, **opts)
    t = run.result.trials.set_index("number")
    assert t.loc[2, "state"] == "FAIL" and not t.loc[2, "in_budget"]
    assert run.result.this_call == (3,) and t.loc[3, "retry_of"] == 2
    assert t.loc[3, "state"] == "COMPLETE" and int(t["in_budget"].sum()) == 3
    params = [c for c in t.columns if c.startswith(("model.", "train."))]
    assert t.loc[3, params].equals(t.loc[2, params]) and drawn
    assert optuna.load_study(study_name="shared", storage=db).trials[3].params == drawn
    assert ("trial 2's process stopped without a word (killed?): it runs again with its own "
            "values") in caplog.text
    text = run.describe()
    assert "still running in another process" not in text
    assert "another process is working on this study" not in text
    assert "3 trials: 3 complete, 0 pruned; 1 interrupted or failed, not counted" in text


def _dead_process() -> dict:
    """What a trial's process record holds for a process of this machine that has ended."""
    from genemoe.train.trial_process import this_process

    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return {**this_process(), "pid": done.pid}


def test_a_worker_runs_a_killed_workers_trial_again_between_its_own_trials():
    """Two workers: one is killed mid-trial; the other, between its trials, fails that trial
    and queues it again (its retry is the next trial it draws), instead of filling the
    budget with a new trial while the killed one stays running for ten minutes."""
    import time as clock

    from genemoe.train.study_budget import MARKED_AT
    from genemoe.train.trial_process import PROCESS
    from genemoe.train.tuning_workers import StopWhenFilled, budget_filled

    study = optuna.create_study(direction="maximize")
    dist = {"x": optuna.distributions.FloatDistribution(0, 1)}
    for v in (0.1, 0.2):
        study.add_trial(optuna.trial.create_trial(value=v, params={"x": v}, distributions=dist))
    killed = study.ask(dist)
    killed.set_user_attr(PROCESS, _dead_process())
    killed.set_user_attr(MARKED_AT, clock.time())  # marked a moment ago: still fresh
    assert budget_filled(study, 3)  # counted until a worker fails it: the budget waits for it
    StopWhenFilled(3)(study, study.trials[1])
    assert study.trials[2].state == optuna.trial.TrialState.FAIL
    retry = study.trials[3]
    assert retry.state == optuna.trial.TrialState.WAITING
    assert retry.system_attrs["retry_history"] == [2]
    assert not budget_filled(study, 3)  # this worker goes on, and draws the retry next
    assert study.ask(dist).params == study.trials[2].params


def test_only_a_process_of_this_machine_is_judged_gone():
    import os as system

    from genemoe.train.trial_process import process_gone, this_process

    dead = _dead_process()
    assert process_gone(dead)
    assert not process_gone(this_process())  # this very process
    parent = {**this_process(), "pid": system.getppid(), "start": ""}
    assert not process_gone(parent)  # alive (its start time not recorded)
    assert process_gone({**parent, "start": "1"})  # its id taken again by another process
    assert not process_gone({**dead, "machine": "elsewhere"})  # another machine: unknown
    assert not process_gone(None) and not process_gone("3")  # no record: unknown
