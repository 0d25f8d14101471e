"""`genemoe tune` probed as an outsider (probe hAM): a classical study's setup, the
progress count of workers sharing a study, the lengths of tune's lines."""

from __future__ import annotations

import logging

import optuna
import pytest

from genemoe.errors import InputError
from genemoe.workflows.tune import tune_run


def test_a_classical_study_resumes_under_a_preset_whose_training_options_it_never_reads(
        synthetic_bundle, tmp_path):
    """Old behaviour: a logreg (or SVM) study tuned with the default preset refused
    ``--preset base``: "holds trials of another setup (training options: batch_size 64 →
    128, epochs 100 → 40, ...)", options a classical classifier never reads."""
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    tune_run(bundle.path, n_trials=1, preset="small", **opts)
    run = tune_run(bundle.path, n_trials=2, preset="base", **opts)
    assert len(run.result.trials) == 2


def test_a_changed_seed_is_still_refused(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    tune_run(bundle.path, n_trials=1, **opts)
    with pytest.raises(InputError, match="--seed 0 → 1"):
        tune_run(bundle.path, n_trials=2, seed=1, **opts)


def test_a_study_an_older_genemoe_keyed_by_every_training_option_still_resumes(
        synthetic_bundle, tmp_path, monkeypatch, caplog):
    """A study recorded before the key held only the options the model reads: the same
    command resumes it, and another preset is refused naming the options as it recorded
    them (not "epochs 100 → unset")."""
    import genemoe.train.study_storage as study_storage
    import genemoe.train.tuning as tuning
    from genemoe.train.study_storage import KEYED_BY_READ

    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    with monkeypatch.context() as m:  # the older key: every training option, no mark
        m.setattr(tuning, "train_options_read", lambda name, task, cfg: cfg)
        m.setattr(study_storage, "KEYED_BY_READ", "not_the_mark")
        tune_run(bundle.path, n_trials=1, **opts)
    study = optuna.load_study(study_name="logreg-classify",
                              storage=f"sqlite:///{tmp_path / 't' / 'study.db'}")
    assert KEYED_BY_READ not in study.user_attrs
    assert "epochs" in study.user_attrs["setup_options"]["train_cfg"]
    with caplog.at_level(logging.INFO, logger="genemoe"):
        run = tune_run(bundle.path, n_trials=2, **opts)
    assert len(run.result.trials) == 2
    assert any(m.startswith("resuming study 'logreg-classify'") for m in caplog.messages)
    with pytest.raises(InputError, match=r"training options: .*epochs 100 → 40") as err:
        tune_run(bundle.path, n_trials=3, preset="base", **opts)
    assert "unset" not in str(err.value).split("epochs", 1)[1].split(",")[0]


def _finished(study: optuna.Study, value: float, seconds: int) -> None:
    from datetime import datetime, timedelta

    start = datetime(2026, 1, 1, 12)
    study.add_trial(optuna.trial.FrozenTrial(
        number=0, trial_id=0, state=optuna.trial.TrialState.COMPLETE, value=value,
        datetime_start=start, datetime_complete=start + timedelta(seconds=seconds),
        params={}, distributions={}, user_attrs={"seconds": float(seconds)}, system_attrs={},
        intermediate_values={}))


def test_two_workers_finishing_together_never_say_the_same_count(caplog):
    """Old behaviour: two workers on one study finished trials 0 and 1 together; each
    line read the study's count once both were in it, and both said "(2/6)"."""
    from genemoe.workflows.tune import TrialLine

    study = optuna.create_study(direction="maximize")
    _finished(study, 0.5, seconds=5)  # trial 0: the other worker's, finished second
    _finished(study, 0.6, seconds=3)  # trial 1: finished first
    line = TrialLine(6, metric="macro_f1")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        for trial in reversed(study.trials):  # each worker's line, in the order they finished
            line(study, trial)
    said = [m for m in caplog.messages if m.startswith("trial ")]
    assert [m.split(":")[0] for m in said] == ["trial 1 (1/6)", "trial 0 (2/6)"], said


def test_the_title_and_resuming_lines_fit_100_characters(synthetic_bundle, tmp_path,
                                                         monkeypatch, caplog):
    """Old behaviour: "tune: t  (logreg, classify; study 'logreg-classify', 1 trial: 1
    complete, 0 pruned; 2 still running in another process; 0 s)" on one line (137
    characters with a longer folder or an interrupted trial), and "resuming study ...: 12
    trials already finished in it, 1 interrupted trial runs again; --trials 20 runs up to 8
    more" (126), each one line in a pipe."""
    from genemoe.workflows.tune_text import resuming_line

    said = resuming_line(12, 20, "fcn-classify", 1)
    assert max(map(len, said.splitlines())) <= 100, said
    assert "1 interrupted trial runs again" in said and "runs up to 8 more" in said
    monkeypatch.chdir(tmp_path)
    bundle = synthetic_bundle()
    opts = dict(out_dir="t", model_name="logreg", progress=False)
    tune_run(bundle.path, n_trials=1, **opts)
    study = optuna.load_study(study_name="logreg-classify", storage="sqlite:///t/study.db")
    study.ask(), study.ask()  # two trials another process runs: they fill the budget of 3
    with caplog.at_level(logging.INFO, logger="genemoe"):
        text = tune_run(bundle.path, n_trials=3, **opts).describe()
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100, text
    assert lines[0] == "tune: t  (logreg, classify; study 'logreg-classify')", text
    assert lines[1].startswith("  SYNTHETIC DATA")  # under the title, as before
    assert lines[2].startswith("  1 trial: 1 complete, 0 pruned; 2 still running in another "
                               "process; "), text
    resumed = [m for m in caplog.messages if m.startswith("resuming")]
    assert resumed and max(len(x) for m in resumed for x in m.splitlines()) <= 100, resumed
    # the trials other workers run fill the budget (hAT; was "--trials 3 runs up to 2 more")
    (said,) = resumed
    assert "runs up to" not in said, said
    assert "2 trials running in other workers" in said and "no trial starts here" in said


def test_a_pruned_survival_trials_line_fits_100_characters(caplog):
    """Old behaviour (mlp survival on a synthetic bundle): "trial 7 (8/8): pruned at epoch 21
    (validation partial_likelihood -2.0008) (higher is better; best -1.8641), 5 s", 111
    characters on one line."""
    from genemoe.workflows.tune import TrialLine

    study = optuna.create_study(direction="maximize")
    for seconds in range(7):
        _finished(study, -1.8641 - seconds / 10, seconds=seconds)
    pruned = optuna.trial.create_trial(state=optuna.trial.TrialState.PRUNED, value=-2.0008,
                                       intermediate_values={21: -2.0008},
                                       user_attrs={"seconds": 5.0})
    study.add_trial(pruned)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        TrialLine(8, metric="partial_likelihood")(study, study.trials[7])
    said = [m for m in caplog.messages if m.startswith("trial 7")]
    assert len(said) == 1 and max(map(len, said[0].splitlines())) <= 100, said
    assert " ".join(said[0].split()) == (
        "trial 7 (8/8): pruned at epoch 21 (validation partial_likelihood -2.0008) (higher is "
        "better; best -1.8641), 5 s")


def test_the_cost_line_says_how_many_of_the_studys_trials_count(synthetic_bundle, tmp_path,
                                                                 monkeypatch):
    """Old behaviour (mlp survival, SIGTERM then the same command): "6 trials: 6 complete, 0
    pruned; 1 interrupted, not counted" over "cost: ...; the study's 7 trials 166 s in all":
    7 beside the title's 6, the interrupted trial's seconds unsaid."""
    from stop_helpers import stop_second_fit

    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    real = stop_second_fit(monkeypatch, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        tune_run(bundle.path, n_trials=2, **opts)
    import genemoe.train.tuning as tuning

    monkeypatch.setattr(tuning, "fit_model", real)
    text = " ".join(tune_run(bundle.path, n_trials=2, **opts).describe().split())
    assert "2 trials: 2 complete, 0 pruned; 1 interrupted, not counted" in text, text
    assert "the study's 3 trials (2 counted) " in text, text
