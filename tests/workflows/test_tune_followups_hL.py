"""`genemoe tune` follow-ups (helper hL): a classical model's grid counted in settings, a
re-prepared bundle's split caught, a refused resume before the grid, lines under 100."""

from __future__ import annotations

import json
import shutil

import optuna
import pandas as pd
import pytest
import yaml

from genemoe.errors import InputError
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
    assert "each other trial scores 1 setting" in " ".join(text.split())  # was "... is 1"


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


def _resplit(path, seed: int = 7) -> None:
    """The bundle at ``path`` with its split column shuffled (as `prepare --seed 7` into the
    same folder gives: the same samples, other splits)."""
    import numpy as np

    obs = pd.read_parquet(path / "obs.parquet")
    obs["split"] = np.random.default_rng(seed).permutation(obs["split"].to_numpy())
    obs.to_parquet(path / "obs.parquet")


@pytest.fixture()
def resplit_tune(synthetic_bundle, tmp_path):
    """A logreg tune's ``tuned_on`` on a copy of the synthetic bundle, and the copy's path;
    the copy then prepared again in place with other splits."""
    path = tmp_path / "bundle"
    shutil.copytree(synthetic_bundle().path, path)
    tune_run(path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1, progress=False)
    tuned_on = yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())["tuned_on"]
    return tuned_on, path


def test_a_bundle_prepared_again_with_other_splits_is_not_said_clean(resplit_tune):
    """Old behaviour: after the tuning bundle was prepared again in place with other splits,
    `train --config best.yaml` read its new training and validation splits as the tuning's
    and said "0 of this bundle's N test samples were in the tuning's train/val parts",
    though its test split held rows the search had trained on."""
    from genemoe.data.bundle import load_bundle
    from genemoe.workflows.train_tuned import check_train_entries

    tuned_on, path = resplit_tune
    (before,) = check_train_entries(tuned_on, load_bundle(path)).values()
    assert before["n_test_tuned_on"] == 0  # the splits tuned on: counted, none in test
    _resplit(path)
    (checked,) = check_train_entries(tuned_on, load_bundle(path)).values()
    assert checked["test_overlap"].startswith("not checked"), checked["test_overlap"]
    assert "n_test_tuned_on" not in checked  # no count of 0 claiming a clean test split


def test_a_changed_split_is_told_by_the_entrys_digest(resplit_tune):
    from genemoe.workflows.tuned_on import split_changed, tuned_sample_ids, unchecked_overlap

    tuned_on, path = resplit_tune
    entry = next(iter(tuned_on.values()))
    assert split_changed(entry) is False and tuned_sample_ids(entry)  # as tuned: counted
    _resplit(path)
    assert split_changed(entry) is True and tuned_sample_ids(entry) is None
    assert unchecked_overlap(entry).startswith("not checked: the bundle's split changed since "
                                               "tuning")


def test_an_entry_without_the_digest_is_counted_as_before(synthetic_bundle, tmp_path):
    """A best.yaml written before train_val_sha256 was recorded: its bundle's splits are
    read as they are (nothing to compare them with)."""
    from genemoe.workflows.tuned_on import split_changed, tuned_sample_ids

    bundle = synthetic_bundle()
    entry = {"study": "logreg-classify", "data": f"{bundle.path} (150 samples)"}
    assert split_changed(entry) is None and tuned_sample_ids(entry)


@pytest.mark.parametrize("changed", [{"seed": 1}, {"cv": 2}])
def test_a_refused_resume_runs_no_grid_search_first(logreg_tune, monkeypatch, changed):
    """Old behaviour: a resume with a changed --seed or --cv fitted logreg's whole grid
    (35 s on pancan33) to choose trial 0's values, and only then refused the setup."""
    import genemoe.train.tuning as tuning

    bundle, opts, _ = logreg_tune
    calls = []
    real = tuning.with_grid_choice
    monkeypatch.setattr(tuning, "with_grid_choice",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    with pytest.raises(InputError, match="another setup") as refused:
        tune_run(bundle.path, n_trials=3, **opts, **changed)
    assert not calls
    assert "--seed" in str(refused.value) if "seed" in changed else "inner" in str(refused.value)
    assert "search space" not in str(refused.value)  # not compared before the grid: unsaid


def test_the_same_setup_still_resumes_after_its_grid(logreg_tune):
    bundle, opts, _ = logreg_tune
    run = tune_run(bundle.path, n_trials=3, **opts)
    assert run.result.n_done_before == 2 and len(run.result.this_call) == 1


def test_train_names_the_changed_split_not_a_missing_bundle(resplit_tune, caplog):
    """Old behaviour: after a re-preparation in place, train said the tuning bundle "is not
    there" (it was there, with other splits), in test_overlap and in protocol.selection,
    and warned nothing."""
    import logging

    from genemoe.data.bundle import load_bundle
    from genemoe.workflows.train_tuned import check_train_entries, options_selection

    tuned_on, path = resplit_tune
    _resplit(path)
    bundle = load_bundle(path)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        checked = check_train_entries(tuned_on, bundle)
    (entry,) = checked.values()
    assert "split changed since tuning" in entry["test_overlap"]
    assert "is not there" not in entry["test_overlap"]
    assert "prepared again since the tuning" in caplog.text
    said = options_selection(checked, bundle)["selection"]
    assert "not there" not in said  # the same sample set: "options tuned there too"
