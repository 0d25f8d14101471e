"""A benchmark refuses what it cannot finish before it touches ``--out`` or trains a cell.

A probe on gdc6: a finished benchmark, then the same command with ``--tune-cv 200`` warned
that the earlier summary.md and results.csv were removed and its cells and figures set
aside, rewrote protocol.json, and only then refused 200 inner folds (in the first cell);
``genemoe report`` then called the folder unfinished. And ``--task survival --folds 40``
stopped after three cells with "event: all samples are censored", naming no fold: a test
fold held no death.
"""

from __future__ import annotations

import numpy as np
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.data.bundle import Bundle, write_bundle
from genemoe.errors import InputError
from genemoe.workflows.folds import FoldPlan, check_inner_plans


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _with_events(bundle: Bundle, n: int) -> Bundle:
    """``bundle`` with ``n`` deaths, all in its first type (one stratum of events, dealt
    into ``n`` consecutive folds)."""
    obs = bundle.obs.copy()
    first = sorted(obs["cancer_type"].dropna().unique())[0]
    rows = np.flatnonzero(obs["has_survival"].to_numpy(bool)
                          & (obs["cancer_type"] == first).to_numpy())
    obs["event"] = False
    obs.loc[obs.index[rows[:n]], "event"] = True
    return Bundle(X=bundle.X, obs=obs, var=bundle.var, record=bundle.record, path=bundle.path)


def test_a_refused_rerun_leaves_the_earlier_benchmark_as_it_was(bundle, tmp_path):
    out = tmp_path / "bench"
    bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, out_dir=out)
    (out / "plots").mkdir()
    (out / "plots" / "macro_f1.png").write_bytes(b"png")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(InputError, match=r"200 inner folds.*median class"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, out_dir=out,
                         tune=1, tune_cv=200)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # summary.md, results.csv, plots/, protocol.json, cells/: all kept


def test_every_fold_s_inner_folds_are_checked_up_front(bundle):
    plans = bm.plan_folds(bundle, "classify", n_folds=2, seed=0)
    check_inner_plans(bundle, plans, "classify", n_folds=3, seed=0)  # fine: no error
    with pytest.raises(InputError, match=r"200 inner folds"):
        check_inner_plans(bundle, plans, "classify", n_folds=200, seed=0)


def test_a_test_fold_without_an_event_is_refused_before_any_cell(bundle, tmp_path):
    few = _with_events(bundle, 5)
    path = write_bundle(Bundle(X=np.asarray(few.X), obs=few.obs, var=few.var, record=few.record),
                        tmp_path / "few")
    with pytest.raises(InputError) as info:
        bm.run_benchmark(path, task="survival", models=["coxph"], n_folds=10,
                         out_dir=tmp_path / "bench")
    said = str(info.value)
    assert "repeat 0, fold 0" in said and "every test sample is censored" in said
    # since test parts need 2 events (a C-index), no fold count serves 5 deaths in one
    # 7-sample type (the old advice, --folds 5, left test parts of 1 event)
    assert "5 events in 150 samples over 10 folds: use a cohort with more events" in said
    assert not (tmp_path / "bench").exists()  # nothing written, nothing trained


def test_an_inner_fold_without_an_event_is_named(bundle):
    """Eight deaths (2, 3 and 3 of the three types) dealt into four inner folds leave one
    inner validation part without any: said naming the inner fold, before any cell."""
    obs = bundle.obs.copy()
    obs["event"] = False
    for t, n in zip(sorted(obs["cancer_type"].unique()), (2, 3, 3), strict=True):
        obs.loc[obs.index[np.flatnonzero((obs["cancer_type"] == t).to_numpy())[:n]], "event"] = True
    few = Bundle(X=bundle.X, obs=obs, var=bundle.var, record=bundle.record, path=bundle.path)
    rows = np.arange(len(obs))
    plans = [FoldPlan(0, 0, rows[:120], rows[120:140], rows[140:])]
    with pytest.raises(InputError, match=r"repeat 0, fold 0: 4 inner folds \(--tune-cv\): inner "
                                         r"fold \d's validation part holds no events(?s:.*)"
                                         r"fix: use --tune-cv [23] "):
        check_inner_plans(few, plans, "survival", n_folds=4, seed=0)


def test_the_fewest_folds_are_not_advised_below_two(bundle):
    few = _with_events(bundle, 2)
    with pytest.raises(InputError) as info:
        bm.plan_folds(few, "survival", n_folds=2, seed=0)
    assert "fewer --folds" not in str(info.value) and "more events" in str(info.value)
