"""Inner folds (``benchmark --tune-cv``, ``tune --cv``) are checked as they will be dealt.

A probe on gdc6: ``--task survival --models coxph --tune 2 --tune-cv 40`` was accepted
(the limit was half the events, 80 // 2), then coxph warned twice that "validation rows
have no comparable pair", naming no fold: forty parts hold two events only on average.
``--tune-cv 45`` was refused advising "at most 40". Refusals named no repeat or fold.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.data.bundle import Bundle
from genemoe.errors import InputError
from genemoe.workflows.folds import FoldPlan, check_inner_plans, inner_plans


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _scorable(bundle: Bundle, plans: list[FoldPlan], n_folds: int) -> bool:
    """Whether every inner validation part of every plan holds 2 or more events and an
    event before another sample's time (a comparable pair)."""
    time, event = bundle.survival()
    for plan in plans:
        for p in inner_plans(bundle, plan, "survival", n_folds=n_folds, seed=plan.repeat):
            t, e = time[p.val], event[p.val]
            if e.sum() < 2 or not np.any(t > t[e].min()):
                return False
    return True


def test_inner_folds_with_one_event_in_a_validation_part_are_refused(bundle):
    """49 events in each fold's training part: 24 inner folds passed the old limit (49 // 2)
    though some validation parts hold one event."""
    plans = bm.plan_folds(bundle, "survival", n_folds=2, seed=0)
    with pytest.raises(InputError) as info:
        check_inner_plans(bundle, plans, "survival", n_folds=24, seed=0)
    said = str(info.value)
    assert re.search(r"repeat 0, fold \d: 24 inner folds \(--tune-cv\): inner fold \d+'s "
                     r"validation part holds 1 event in \d+ samples", said)
    advised = int(re.search(r"use --tune-cv (\d+) \(then every inner validation part holds 2 "
                            r"or more events and a comparable pair\)", said).group(1))
    assert 2 <= advised < 24
    check_inner_plans(bundle, plans, "survival", n_folds=advised, seed=0)  # it serves
    assert _scorable(bundle, plans, advised)
    with pytest.raises(InputError):  # and it is the most that does
        check_inner_plans(bundle, plans, "survival", n_folds=advised + 1, seed=0)


def test_too_many_inner_folds_for_the_events_advise_a_count_that_serves(bundle):
    """Over half the events: the advice was that half (every part two events on average
    only); it is now a count whose every part is dealt two."""
    plans = bm.plan_folds(bundle, "survival", n_folds=2, seed=0)
    with pytest.raises(InputError, match=r"holds 49 events: fewer than 2 per validation part"
                                         r"(?s:.*)use --tune-cv (\d+) ") as info:
        check_inner_plans(bundle, plans, "survival", n_folds=30, seed=0)
    advised = int(re.search(r"use --tune-cv (\d+)", str(info.value)).group(1))
    assert advised < 24 and _scorable(bundle, plans, advised)


def test_validation_events_without_a_comparable_pair_are_refused(bundle, tmp_path):
    """Every death after every censored time: a validation part's deaths are tied with each
    other and have no later sample, so Harrell's C has no pair to count there."""
    obs = bundle.obs.copy()
    obs.loc[obs["event"].astype(bool), "time"] = float(obs["time"].max()) + 100.0
    tied = Bundle(X=bundle.X, obs=obs, var=bundle.var, record=bundle.record, path=bundle.path)
    # the untied bundle deals the same folds (by type and event); plan_folds refuses the
    # tied one's outer validation parts, which have no comparable pair either
    plans = bm.plan_folds(bundle, "survival", n_folds=2, seed=0)
    with pytest.raises(InputError, match=r"repeat 0, fold \d: 3 inner folds \(--tune-cv\): inner "
                                         r"fold \d's validation part has no comparable pair"
                                         r"(?s:.*)fix: leave out --tune-cv"):
        check_inner_plans(tied, plans, "survival", n_folds=3, seed=0)


def test_a_refused_survival_benchmark_writes_nothing(bundle, tmp_path):
    with pytest.raises(InputError, match=r"repeat 0, fold \d: 24 inner folds"):
        bm.run_benchmark(bundle.path, task="survival", models=["coxph"], n_folds=2,
                         out_dir=tmp_path / "bench", tune=2, tune_cv=24)
    assert not (tmp_path / "bench").exists()


def test_too_many_inner_folds_name_the_repeat_and_fold(bundle):
    """Classification: the refusal names the outer fold and advises a count every fold
    allows."""
    plans = bm.plan_folds(bundle, "classify", n_folds=2, n_repeats=2, seed=0)
    with pytest.raises(InputError, match=r"repeat 0, fold 0: 200 inner folds \(--tune-cv\), but "
                                         r"the fold's training part holds \d+ tumours in the "
                                         r"median class(?s:.*)fix: use at most (\d+) inner folds "
                                         r"\(--tune-cv \1\)"):
        check_inner_plans(bundle, plans, "classify", n_folds=200, seed=0)


def test_tune_s_inner_folds_name_no_fold_and_its_own_flag(bundle):
    """``genemoe tune --cv`` deals inner folds of the training and validation splits (a
    plan without a test part): no repeat or fold to name, and the flag is ``--cv``."""
    rows = np.arange(len(bundle.obs))
    plan = FoldPlan(0, 0, rows[:120], rows[120:], np.zeros(0, dtype=np.int64))
    with pytest.raises(InputError) as info:
        inner_plans(bundle, plan, "classify", n_folds=200, seed=0)
    said = str(info.value)
    assert "200 inner folds (--cv), but the training and validation splits hold" in said
    assert "repeat" not in said and "--tune-cv" not in said and "(--cv " in said
    with pytest.raises(InputError) as info:
        inner_plans(bundle, plan, "survival", n_folds=60, seed=0)
    said = str(info.value)
    assert "60 inner folds (--cv): the training and validation splits hold" in said
    assert "repeat" not in said and "--tune-cv" not in said and "--folds" not in said
