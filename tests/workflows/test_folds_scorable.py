"""A survival fold part whose C-index cannot be scored is refused before any cell.

An outside probe: ``benchmark --task survival --folds 5`` on one DLBC cohort (48 patients,
9 deaths) let through a test part of 9 patients with 1 death; its C-index came out NaN
with no reason and the table's mean skipped it unsaid. Only parts without any event were
refused.
"""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.data.bundle import Bundle
from genemoe.errors import InputError
from genemoe.workflows.folds import plan_folds


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _deaths_in_first_type(bundle: Bundle, n: int, *, latest: bool = False) -> Bundle:
    """``bundle`` with ``n`` deaths, all in its first type (ACC, 7 samples), at follow-up
    beyond every other sample's when ``latest``."""
    obs = bundle.obs.copy()
    first = sorted(obs["cancer_type"].dropna().unique())[0]
    rows = np.flatnonzero(obs["has_survival"].to_numpy(bool)
                          & (obs["cancer_type"] == first).to_numpy())[:n]
    obs["event"] = False
    obs.loc[obs.index[rows], "event"] = True
    if latest:
        obs.loc[obs.index[rows], "time"] = obs["time"].max() + 100.0 + np.arange(rows.size)
    return Bundle(X=bundle.X, obs=obs, var=bundle.var, record=bundle.record, path=bundle.path)


def _events(bundle: Bundle, plans) -> list[tuple[int, int, int]]:
    event = np.asarray(bundle.survival()[1], bool)
    return [(int(event[p.train].sum()), int(event[p.val].sum()), int(event[p.test].sum()))
            for p in plans]


def test_a_test_part_with_one_event_is_refused_naming_fold_part_and_a_count_that_works(bundle):
    few = _deaths_in_first_type(bundle, 7)  # 4 folds: the last test part holds 1 death
    with pytest.raises(InputError) as info:
        plan_folds(few, "survival", n_folds=4, seed=0)
    said = str(info.value)
    assert "repeat 0, fold 3: the test part holds 1 event in" in said
    assert "its C-index cannot be scored (2 events or more are needed)" in said
    assert "7 events in 150 samples over 4 folds: use --folds 3" in said
    assert all(t >= 2 for _, _, t in _events(few, plan_folds(few, "survival", n_folds=3)))


def test_a_validation_part_without_a_comparable_pair_is_refused(bundle):
    """Its one death outlived every other validation sample: Harrell's C has no pair, so
    model selection would read NaN (a neural model then keeps its last epoch)."""
    late = _deaths_in_first_type(bundle, 7, latest=True)
    with pytest.raises(InputError) as info:
        plan_folds(late, "survival", n_folds=3, seed=0)
    said = str(info.value)
    assert "repeat 0, fold 0: the val part has no comparable pair" in said
    assert "model selection has no C-index to read" in said


def test_scorable_folds_pass_and_a_part_without_events_is_said_as_before(bundle):
    plans = plan_folds(bundle, "survival", n_folds=3, seed=0)  # 98 events: fine
    assert all(t >= 2 for _, _, t in _events(bundle, plans))
    with pytest.raises(InputError, match=r"every (val|test) sample is censored"):
        plan_folds(_deaths_in_first_type(bundle, 5), "survival", n_folds=2, seed=0)
