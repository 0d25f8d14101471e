"""`genemoe tune` probed as a user (probe hC): resuming, a changed setup, budgets."""

from __future__ import annotations

import json
import logging
import time

import optuna
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.tune import tune_run


@pytest.fixture()
def resumed(synthetic_bundle, tmp_path):
    """A one-trial logreg study in ``tmp_path / 't'``, and the options that made it."""
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    tune_run(bundle.path, n_trials=1, **opts)
    return bundle, opts


@pytest.mark.parametrize("changed", [{"seed": 1}, {"cv": 2}])
def test_a_changed_setup_is_refused_without_saying_resuming_first(resumed, caplog, changed):
    """Old behaviour: "resuming study 'logreg-classify': 1 trial already finished in it;
    --trials 2 runs up to 1 more", then the refusal of the changed setup: the study was not
    resumed."""
    bundle, opts = resumed
    with caplog.at_level(logging.INFO, logger="genemoe"), pytest.raises(InputError,
                                                                        match="another setup"):
        tune_run(bundle.path, n_trials=2, **opts, **changed)
    assert not [m for m in caplog.messages if "resuming" in m], caplog.messages


def test_the_same_setup_still_says_resuming_before_its_trials(resumed, caplog):
    bundle, opts = resumed
    with caplog.at_level(logging.INFO, logger="genemoe"):
        tune_run(bundle.path, n_trials=2, **opts)
    said = [m for m in caplog.messages  # the resuming line and the trials' own lines
            if m.startswith("resuming") or m.startswith("trial ") and "(" in m.split(":")[0]]
    assert said[0] == ("resuming study 'logreg-classify': 1 trial already finished in it\n  "
                       "--trials 2 runs up to 1 more"), said
    assert said[1].startswith("trial 1 (2/2)")


def test_a_classical_models_grid_choosing_trial_0_is_counted_in_its_seconds(
        synthetic_bundle, tmp_path, monkeypatch):
    """Old behaviour: logreg's trial 0 is the point its own grid chooses on validation, but
    the grid's fits were counted nowhere: not in trial 0's seconds, the study's, nor a
    benchmark's "seconds in the searches" (an SVM's grid of many points on thousands of
    genes, minutes, read as a fraction of a second)."""
    import genemoe.train.tuning as tuning

    real = tuning.with_grid_choice

    def slow_grid(*args, **kwargs):  # a grid that takes at least 1.5 s
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "with_grid_choice", slow_grid)
    out = tmp_path / "t"
    run = tune_run(synthetic_bundle().path, out_dir=out, model_name="logreg", n_trials=2,
                   progress=False)
    t = pd.read_csv(out / "trials.csv").set_index("number")
    assert t.loc[0, "seconds"] >= 1.5 and run.result.seconds >= 1.5
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trial_seconds_in_all"] >= 1.5
    study = optuna.load_study(study_name="logreg-classify", storage=run.storage)
    assert study.trials[0].user_attrs["grid_seconds"] >= 1.5
    assert "grid_seconds" not in study.trials[1].user_attrs  # a drawn trial: no grid


def test_best_yaml_records_which_rows_it_was_tuned_on(resumed):
    """Old behaviour: tuned_on named the bundle's path and its whole sample set only; a
    bundle prepared again in place with other splits (prepare --seed 7) kept both, and
    `train --config best.yaml` scored a test split holding rows the search had trained on,
    unsaid. ``train_val_sha256`` is the digest of the training and validation splits'
    sample ids (sorted), as obs.parquet gives them."""
    import yaml

    from genemoe.data.bundle import sample_set_sha256

    bundle, opts = resumed
    entry = next(iter(yaml.safe_load((opts["out_dir"] / "best.yaml").read_text())["tuned_on"]
                      .values()))
    obs = pd.read_parquet(bundle.path / "obs.parquet", columns=["sample_id", "split"])
    ids = sorted(obs.loc[obs["split"] != "test", "sample_id"].astype(str))
    assert entry["train_val_sha256"] == sample_set_sha256(ids)
    other = sorted(obs.loc[obs["split"] != "val", "sample_id"].astype(str))  # another split
    assert sample_set_sha256(other) != entry["train_val_sha256"]


def test_a_timeout_before_any_drawn_trial_is_said_in_short_lines_under_the_marks(
        synthetic_bundle, tmp_path, monkeypatch):
    """Old behaviour: "stopped at --timeout" came between the title and its SYNTHETIC DATA
    mark, and "only trial 0 ran, ... (a longer --timeout, or the same command again, draws
    others)" ran to 121 characters."""
    import genemoe.train.tuning as tuning

    real = tuning.fit_model

    def slow(*args, **kwargs):  # trial 0 outlasts the timeout
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_model", slow)
    text = tune_run(synthetic_bundle().path, out_dir=tmp_path / "t", model_name="logreg",
                    n_trials=5, timeout=0.2, progress=False).describe()
    lines = text.splitlines()
    assert lines[1].startswith("  SYNTHETIC DATA") and lines[2].startswith("  1 trial: ")
    assert lines[3].startswith("  stopped at --timeout")  # under the title's counts
    said = [line for line in lines if "only trial 0 ran" in line or "a longer --timeout" in line]
    assert len(said) == 2 and all(len(line) <= 100 for line in said), said


def test_a_worker_stopped_by_others_running_trials_is_not_said_stopped_at_its_timeout(
        resumed, tmp_path):
    """Old behaviour (two workers, --timeout 600, --trials 4): the worker that stopped after
    18 s as the other's running trial filled the budget said "stopped at --timeout 600 s with
    3 of 4 trials", its best.yaml began "# Stopped at --timeout" and its summary.json said
    stopped_by: timeout."""
    from genemoe.train.study_budget import MARKED_AT
    from genemoe.train.trial_process import PROCESS, this_process

    bundle, opts = resumed  # a study of one finished trial
    storage = f"sqlite:///{(opts['out_dir'] / 'study.db').resolve()}"
    other = optuna.load_study(study_name="logreg-classify", storage=storage).ask()
    other.set_user_attr(PROCESS, this_process())  # another worker's trial, running now
    other.set_user_attr(MARKED_AT, time.time())
    out = tmp_path / "w2"
    run = tune_run(bundle.path, **{**opts, "out_dir": out}, n_trials=2, timeout=600,
                   storage=storage)
    assert run.result.this_call == ()  # the budget is met with the running trial
    assert "still running in another process" in run.describe()
    assert "stopped at --timeout" not in run.describe()
    assert not (out / "best.yaml").read_text().startswith("# Stopped at --timeout")
    assert "stopped_by" not in json.loads((out / "summary.json").read_text())
