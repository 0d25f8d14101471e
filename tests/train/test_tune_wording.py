"""What ``genemoe tune`` says of a shared study, of trials beyond its budget and of
interrupted trials (an outside tester's findings on a survival study shared by two workers)."""

from __future__ import annotations

import json

import optuna
import pandas as pd
import pytest

import genemoe.train.tuning as tuning
from genemoe.errors import Terminated
from genemoe.report.first_screen import tune_panel
from genemoe.report.html import write_report
from genemoe.workflows.tune import TrialLine, tune_run
from stop_helpers import stop_second_fit

FCN = "model:\n  fcn: {hidden: 16, latent: 8}\ntrain: {batch_size: 32, patience: null}\n"


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, n_samples=150, n_genes=60, n_types=3)


@pytest.fixture
def opts(tmp_path):
    (base := tmp_path / "base.yaml").write_text(FCN)
    return {"model_name": "fcn", "config_path": base, "epochs": 2, "device": "cpu",
            "progress": False}


def _study(values: list[float]) -> optuna.Study:
    study = optuna.create_study(direction="maximize")  # genemoe's studies maximise
    for v in values:
        study.add_trial(optuna.trial.create_trial(value=v, params={}, distributions={}))
    return study


def _lines(caplog) -> list[str]:
    """Each trial's line, its wrapping at 100 characters undone."""
    return [" ".join(r.getMessage().split()) for r in caplog.records
            if r.name == "genemoe.workflows.tune.trials"]


def test_a_trial_beyond_the_budget_says_so_and_every_line_names_the_metric(caplog):
    """Old behaviour (two workers, --trials 6): "trial 6 (7/6): validation -2.8226 (best
    -2.8298)": a 7th trial of 6, beside a worse "best", and no word of what the value was."""
    # trials 0-6 as the tester's study held them: trial 6 (another worker's) finished last
    study = _study([-2.8828, -2.8797, -2.8298, -2.8652, -2.9092, -2.9187, -2.8226])
    line = TrialLine(6, metric="partial_likelihood")
    with caplog.at_level("INFO", logger="genemoe"):
        line(study, study.trials[6])
        line(study, study.trials[5])
    beyond, last = _lines(caplog)
    assert "7/6" not in caplog.text
    assert beyond.startswith("trial 6 (beyond the budget of 6: a worker sharing the study met it "
                             "meanwhile; not a candidate for best): validation partial_likelihood "
                             "-2.8226 (higher is better; best of the budget -2.8298)")
    # trial 5 was the 7th to finish but is among the budget's 6 (chosen by trial number)
    assert last.startswith("trial 5 (6/6): validation partial_likelihood -2.9187 (higher is "
                           "better; best -2.8298)")
    caplog.clear()
    study = _study([-2.88, -2.85])  # in the budget: the best beside it includes it
    with caplog.at_level("INFO", logger="genemoe"):
        TrialLine(6, cv=3, metric="c_index")(study, study.trials[1])
    assert _lines(caplog)[0].startswith("trial 1 (2/6): mean validation c_index of 3 inner "
                                         "folds -2.8500 (higher is better; best -2.8500)")


def test_a_tune_run_names_its_metric_in_each_trial_line(bundle, tmp_path, opts, caplog):
    with caplog.at_level("INFO", logger="genemoe.workflows.tune.trials"):
        tune_run(bundle.path, out_dir=tmp_path / "t", n_trials=1, **opts)
    assert "trial 0 (1/1): validation macro_f1 " in caplog.text
    assert "(higher is better; best " in caplog.text


def test_a_worker_says_what_another_worker_ran_and_is_running(bundle, tmp_path, opts):
    """Old behaviour: a second worker on a shared study said "resumed: 2 trials done by
    earlier calls" of trials the first worker had just run, and nothing of the trial the
    first worker was running."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    shared = {"storage": db, "study_name": "shared", **opts}
    tune_run(bundle.path, out_dir=tmp_path / "w1", n_trials=2, **shared)
    optuna.load_study(study_name="shared", storage=db).ask()  # worker 1, mid-trial
    text = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=3, **shared).describe()
    text = text.replace("\n      ", " ")  # lines wrapped at 100 characters, joined
    assert "resumed" not in text and "done by earlier calls" not in text
    assert ("  another process is working on this study: 1 trial was running as this call "
            "started (a worker sharing it; or one on another machine killed under 10 min ago, "
            "whose trial runs again once its heartbeat is stale; one killed on this machine "
            "runs again at once)") in text
    assert ("  already in the study as this call started: 2 trials finished by earlier calls "
            "or by other workers sharing it, kept") in text


def test_a_study_beyond_its_budget_says_which_trial_is_no_candidate(bundle, tmp_path, opts,
                                                                   monkeypatch):
    """Old behaviour: "7 trials: 7 complete" for --trials 6, the 7th unexplained. A trial
    beyond the budget now comes of a running trial taken for killed (its progress marks
    stale) that finished after all; a live one is waited on (test_tune_workers.py)."""
    import genemoe.train.tuning_workers as workers

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    shared = {"storage": db, "study_name": "shared", **opts}
    tune_run(bundle.path, out_dir=tmp_path / "w1", n_trials=1, **shared)
    study = optuna.load_study(study_name="shared", storage=db)
    slow = study.ask()  # trial 1: started by worker 1 before the budget of 2 was met
    monkeypatch.setattr(workers, "LIVE_S", -1.0)  # ... and since silent: taken for killed
    text = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=2, **shared).describe()
    monkeypatch.undo()
    # trial 2 met the budget while trial 1 runs (the running trial was counted as a trial)
    assert "2 trials: 2 complete, 0 pruned; 1 still running in another process;" in text
    assert "beyond the budget" not in text
    study.tell(slow, -1.0)  # ... now it has: trials 0 and 1 are the budget, trial 2 beyond it
    text = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=2, **shared).describe()
    assert ("3 trials: 3 complete, 0 pruned; 1 of them beyond the budget of 2 (finished by a "
            "worker sharing the study after the budget was met: not a candidate for best)"
            ) in " ".join(text.split())  # the title's counts: wrapped at 100 characters
    assert max(len(x) for x in text.splitlines() if str(tmp_path) not in x) <= 100, text
    late = study.ask()  # a worker starting a trial as the other met the budget
    study.tell(late, -1.0)
    text = tune_run(bundle.path, out_dir=tmp_path / "w2", n_trials=2, **shared).describe()
    # old behaviour (two workers, no larger search): "1 more run later by a larger search"
    assert ("reads the first 3 of the study's 4 trials; the 1 after them is not counted\n"
            "    (run after the budget was met: by a larger search on the study, or by a worker\n"
            "    sharing it that started one as another met the budget)") in text


def test_an_interrupted_trial_reads_interrupted_not_fail(bundle, tmp_path, opts, monkeypatch):
    """Old behaviour (an outside tester's Ctrl-C): the report said "3 complete · 2 fail" of
    two interrupted trials, trials.csv FAIL, while the terminal said "interrupted or failed"."""
    out = tmp_path / "t"
    real = stop_second_fit(monkeypatch, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        tune_run(bundle.path, out_dir=out, n_trials=3, **opts)
    trials = pd.read_csv(out / "trials.csv")
    assert list(trials["state"]) == ["COMPLETE", "INTERRUPTED"]
    assert list(trials["stopped_by"].fillna("")) == ["", "Ctrl-C"]
    assert json.loads((out / "summary.json").read_text())["trials_by_state"] == {
        "COMPLETE": 1, "INTERRUPTED": 1}
    monkeypatch.setattr(tuning, "fit_model", real)
    run = tune_run(bundle.path, out_dir=out, n_trials=3, **opts)
    assert ("3 trials: 3 complete, 0 pruned; 1 interrupted, not counted (retried as trial 2)"
            in run.describe())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials_by_state"] == {"COMPLETE": 3, "INTERRUPTED": 1}
    page = write_report(out).read_text()
    assert "3 complete · 1 interrupted" in page and "fail" not in page.lower().replace(
        "interrupted or failed", "")
    # an older study's FAIL: the page's protocol row read "2 fail" (the panel says it as below)
    (out / "summary.json").write_text(json.dumps({**summary, "trials_by_state": {
        "COMPLETE": 3, "FAIL": 2}}))
    page = write_report(out).read_text()
    assert "2 fail" not in page and "3 complete, 2 interrupted or failed" in page


def test_a_sigterm_is_recorded_on_its_trial(bundle, tmp_path, opts, monkeypatch):
    out = tmp_path / "t"
    stop_second_fit(monkeypatch, Terminated)
    with pytest.raises(KeyboardInterrupt):
        tune_run(bundle.path, out_dir=out, n_trials=3, **opts)
    study = optuna.load_study(study_name="fcn-classify", storage=f"sqlite:///{out / 'study.db'}")
    assert study.trials[1].user_attrs["stopped_by"] == "SIGTERM"
    assert pd.read_csv(out / "trials.csv").loc[1, ["state", "stopped_by"]].tolist() == [
        "INTERRUPTED", "SIGTERM"]
    assert study.trials[1].state == optuna.trial.TrialState.FAIL  # Optuna's; requeued as before


def test_the_report_says_interrupted_or_failed_where_it_cannot_tell():
    """A FAIL genemoe did not see stopped (a killed process, a crash, a study of an older
    genemoe) may be either: the report said "2 fail" of two Ctrl-C's."""
    page = tune_panel(summary={"metric": "c_index", "best_value": 0.7, "n_trials_asked": 3,
                               "trials_by_state": {"COMPLETE": 3, "FAIL": 2}},
                      tuned_on={}, bundle_summary={}, record={}, bundle_path=None, figures=[])
    assert "3 complete · 2 interrupted or failed" in page and "2 fail" not in page
