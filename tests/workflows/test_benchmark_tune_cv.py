"""``genemoe benchmark --tune N --tune-cv K``: trials scored on K inner folds of each fold's
training part instead of its one validation part (issue 11: one ~37-patient validation
part chose gdc6's trials by chance)."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.errors import InputError
from genemoe.workflows.benchmark_protocol import cells_fingerprint
from genemoe.workflows.folds import inner_plans


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _cells(out_dir):
    return {p.stem: json.loads(p.read_text()) for p in sorted((out_dir / "cells").glob("*.json"))}


@pytest.mark.parametrize("task", ["classify", "survival"])
def test_inner_folds_cover_the_training_part_and_never_the_test_part(bundle, task):
    for plan in bm.plan_folds(bundle, task, n_folds=3, seed=0):
        inner = inner_plans(bundle, plan, task, n_folds=3, seed=0)
        training = np.union1d(plan.train, plan.val)
        vals = np.concatenate([p.val for p in inner])
        assert np.array_equal(np.sort(vals), training)  # each training row validates once
        for p in inner:
            assert np.array_equal(np.union1d(p.train, p.val), training)
            assert not np.intersect1d(p.train, p.val).size and p.test.size == 0
            assert not np.intersect1d(np.union1d(p.train, p.val), plan.test).size
        if task == "survival":  # stratified by event: every inner validation part has some
            event = bundle.survival()[1]
            assert all(event[p.val].any() for p in inner)


def test_tune_cv_scores_each_trial_on_the_inner_folds(bundle, tmp_path, monkeypatch):
    """Every trial fits K times, on the inner folds (their own gene filter, never a test
    row); its value is the mean of the K validation metrics; the final fit trains as
    without --tune-cv; summary.md says how trials were scored."""
    import genemoe.train.tuning as tuning

    seen, real = [], tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda name, task, data, **kw: (
        seen.append({p: np.asarray(d.rows) for p, d in data.items()}),
        real(name, task, data, **kw))[1])
    bm.run_benchmark(bundle.path, task="classify", models=["fcn", "logreg"], n_folds=2,
                     epochs=2, out_dir=tmp_path, tune=2, tune_cv=2)
    plans = bm.plan_folds(bundle, "classify", n_folds=2, seed=0)
    assert seen and all(set(s) == {"train", "val"} for s in seen)
    for plan in plans:  # a trial's parts are one fold's inner folds
        inner = {tuple(p.val) for p in inner_plans(bundle, plan, "classify", n_folds=2, seed=0)}
        fits = [s for s in seen if not np.intersect1d(s["val"], plan.test).size
                and not np.intersect1d(s["train"], plan.test).size]
        assert {tuple(s["val"]) for s in fits} == inner
    assert not any(np.array_equal(s["val"], p.val) for s in seen for p in plans)
    # the inner folds are built once per fold and scaling, not once per model
    import genemoe.workflows.folds as folds

    built = []
    real_fold_data = folds.fold_data
    monkeypatch.setattr(folds, "fold_data", lambda *a, **k: (
        built.append((tuple(a[1].val), a[4])) if k.get("parts") == ("train", "val") else None,
        real_fold_data(*a, **k))[1])
    bm.run_benchmark(bundle.path, task="classify", models=["fcn", "logreg"], n_folds=2,
                     epochs=2, out_dir=tmp_path / "again", tune=2, tune_cv=2)
    assert built and len(built) == len(set(built))  # each (inner fold, scaling) once
    cells = _cells(tmp_path)
    assert all(c["tuning"]["inner_folds"] == 2 and c["tuning"]["n_trials"] == 2
               for c in cells.values())
    study = optuna.load_study(study_name=next(s.study_name for s in optuna.get_all_study_summaries(
        f"sqlite:///{tmp_path / 'tuning.db'}") if "fcn-r0-f0-cv2" in s.study_name),
        storage=f"sqlite:///{tmp_path / 'tuning.db'}")
    for t in study.trials:
        if t.state == optuna.trial.TrialState.COMPLETE and "duplicate_of" not in t.user_attrs:
            assert len(t.user_attrs["split_values"]) == 2
            assert t.value == pytest.approx(np.mean(t.user_attrs["split_values"]), abs=1e-5)
    assert "over 2 inner folds" in (tmp_path / "summary.md").read_text()


def test_tune_cv_on_survival_gives_each_inner_fold_its_own_gene_variance(bundle, tmp_path,
                                                                        monkeypatch):
    """Classical survival models choose genes on the unscaled training variance: each inner
    fold passes its own (fitted on its training rows), not the outer fold's."""
    import genemoe.train.tuning as tuning

    widths, real = [], tuning.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda name, task, data, **kw: (
        widths.append((data["train"].X.shape[1], len(kw["gene_variance"]))),
        real(name, task, data, **kw))[1])
    bm.run_benchmark(bundle.path, task="survival", models=["coxph"], n_folds=2, out_dir=tmp_path,
                     tune=2, tune_cv=3)
    assert widths and all(a == b for a, b in widths)
    assert all(c["tuning"]["inner_folds"] == 3 for c in _cells(tmp_path).values())


def test_tune_cv_changes_the_cells_and_the_studies_not_the_plain_ones(bundle):
    """--tune-cv 1 (off) keeps every earlier benchmark's fingerprint (their cells and studies
    are reused); K > 1 is another protocol: other cells, other studies."""
    opts = {"task": "survival", "n_folds": 3, "seed": 0, "epochs": None, "val_fraction": 0.15,
            "n_boot": 0, "preset": "small", "tune": 10}
    plain = cells_fingerprint(bundle, opts)
    assert cells_fingerprint(bundle, {**opts, "tune_cv": 1}) == plain
    assert cells_fingerprint(bundle, {**opts, "tune_cv": 3}) != plain


@pytest.mark.parametrize("tune, tune_cv", [(0, 3), (2, 0)])
def test_tune_cv_without_tune_or_below_one_is_refused(bundle, tmp_path, tune, tune_cv):
    with pytest.raises(InputError, match="--tune-cv"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                         out_dir=tmp_path, tune=tune, tune_cv=tune_cv)


def test_image_models_tune_inside_the_benchmark_with_a_layout_per_inner_fold(
        bundle, tmp_path, monkeypatch):
    """An image model takes --tune like the others (issue 11, item 1: every model declares a
    space). Under --tune-cv its data-fitted layout is refitted on each inner fold's training
    rows; the cell's final fit keeps the layout of the fold's training part."""
    import genemoe.train.tuning as tuning

    preset = tmp_path / "preset.yaml"
    preset.write_text("extends: small\nmodel:\n  hybrid_cnn: {n_filters: 4, hidden: 16, "
                      "layout: similarity, image_size: 8}\ntrain: {batch_size: 32}\n")
    trials, finals = [], []
    real, real_final = tuning.fit_model, bm.fit_model
    monkeypatch.setattr(tuning, "fit_model", lambda name, task, data, **kw: (
        trials.append((tuple(data["train"].rows), str(kw["model_cfg"]["layout_state"]))),
        real(name, task, data, **kw))[1])
    monkeypatch.setattr(bm, "fit_model", lambda name, task, data, **kw: (
        finals.append((tuple(data["train"].rows), str(kw["model_cfg"]["layout_state"]))),
        real_final(name, task, data, **kw))[1])
    result = bm.run_benchmark(bundle.path, task="classify", models=["hybrid_cnn"], n_folds=2,
                              epochs=1, out_dir=tmp_path / "b", preset=str(preset), tune=2,
                              tune_cv=2, device="cpu")
    assert len(finals) == 2 and len(trials) == 2 * 2 * 2
    by_rows = dict(trials)  # a layout per inner training part, none the outer fold's
    assert len(by_rows) == 4 and not set(by_rows.values()) & {state for _, state in finals}
    cells = _cells(tmp_path / "b")
    assert all(c["tuning"]["n_trials"] == 2 and c["tuning"]["inner_folds"] == 2
               for c in cells.values())
    assert result.results["model"].eq("hybrid_cnn").all()


def test_tune_cv_on_pancan33_calibrates_the_svms_with_a_four_tumour_type(shared_data, tmp_path):
    """Real data: CHOL has 4 tumours, so an inner fold of a fold's training part can hold
    one; the SVMs' calibration refused it and stopped ``--tune-cv 3`` on pancan33."""
    from genemoe.data.prepare import prepare_dataset

    d = shared_data / "pancan33_random100"
    prepare_dataset([d / "expression.tsv.gz"], out_path=tmp_path / "pc",
                    label_paths=[d / "samples.tsv.gz"])
    res = bm.run_benchmark(tmp_path / "pc", task="classify", models=["svm", "svm_linear"],
                           n_folds=3, out_dir=tmp_path / "bench", tune=2, tune_cv=3)
    cells = _cells(tmp_path / "bench")
    assert len(cells) == 6 and all(c["tuning"]["inner_folds"] == 3 for c in cells.values())
    assert res.results["macro_f1"].between(0.6, 1.0).all()


def test_far_too_many_inner_folds_are_refused(shared_data, tmp_path):
    """``genemoe tune --cv 500`` on pancan33 ran 282 s a trial on validation parts of one or
    two tumours; more inner folds than the median class has tumours are refused."""
    from genemoe.data.prepare import prepare_dataset
    from genemoe.errors import InputError
    from genemoe.workflows.tune import tune_run

    d = shared_data / "pancan33_random100"
    prepare_dataset([d / "expression.tsv.gz"], out_path=tmp_path / "pc",
                    label_paths=[d / "samples.tsv.gz"])
    with pytest.raises(InputError, match=r"(?s)500 inner folds.*median class.*at most 21"):
        tune_run(tmp_path / "pc", out_dir=tmp_path / "t", task="classify", model_name="logreg",
                 n_trials=1, cv=500, progress=False)
