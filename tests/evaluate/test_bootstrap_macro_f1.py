"""The macro-F1 bootstrap equals scikit-learn's macro-F1 (classes present in the resample's
true or predicted labels) on the same resamples."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from genemoe.errors import InputError
from genemoe.evaluate.metrics import bootstrap_macro_f1


def test_the_interval_is_the_percentiles_of_sklearns_macro_f1_on_the_same_resamples():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 5, 80)
    p = np.where(rng.random(80) < 0.7, t, rng.integers(0, 5, 80))
    lo, hi = bootstrap_macro_f1(t, p, n_boot=200, seed=7)
    draw = np.random.default_rng(7)
    ref = []
    for _ in range(200):
        i = draw.integers(0, 80, 80)
        present = np.union1d(t[i], p[i])
        ref.append(f1_score(t[i], p[i], labels=present, average="macro", zero_division=0))
    assert (lo, hi) == pytest.approx(tuple(np.quantile(ref, [0.025, 0.975])), abs=1e-12)
    assert lo < f1_score(t, p, average="macro") < hi


def test_too_few_samples_or_unlike_shapes():
    assert bootstrap_macro_f1([1], [1]) is None
    with pytest.raises(InputError, match="alike"):
        bootstrap_macro_f1([0, 1], [0, 1, 1])


def test_a_fixed_class_set_is_averaged_in_every_resample_as_sklearns_labels():
    """An outside probe: 19 of 20 KICH right, one called ACC (no ACC labelled) gave
    macro-F1 0.487 (0.459–1.000): ACC's F1 of 0 was averaged in. With the labels' classes
    fixed, the interval is scikit-learn's f1_score(labels=...) on the same resamples."""
    t = np.full(20, 3)
    p = t.copy()
    p[0] = 0  # one stray call of a type no sample is labelled with
    lo, hi = bootstrap_macro_f1(t, p, classes=[3], n_boot=200, seed=1)
    draw = np.random.default_rng(1)
    ref = []
    for _ in range(200):
        i = draw.integers(0, 20, 20)
        ref.append(f1_score(t[i], p[i], labels=[3], average="macro", zero_division=np.nan))
    assert (lo, hi) == pytest.approx(tuple(np.quantile(ref, [0.025, 0.975])), abs=1e-12)
    assert lo > 0.9 and f1_score(t, p, labels=[3], average="macro") == pytest.approx(38 / 39)
    old_lo, _ = bootstrap_macro_f1(t, p, n_boot=200, seed=1)  # the default: as before
    assert old_lo < 0.6


def test_a_fixed_set_leaves_out_a_class_absent_from_a_resample():
    """A rare class of the set drawn neither as truth nor as call has no F1: left out of
    that resample's mean (sklearn's zero_division=np.nan), not counted 0."""
    rng = np.random.default_rng(5)
    t = np.r_[np.zeros(60, np.int64), np.ones(2, np.int64)]
    p = np.where(rng.random(62) < 0.8, t, 2)
    lo, hi = bootstrap_macro_f1(t, p, classes=[0, 1], n_boot=300, seed=2)
    draw = np.random.default_rng(2)
    ref = []
    for _ in range(300):
        i = draw.integers(0, 62, 62)
        ref.append(f1_score(t[i], p[i], labels=[0, 1], average="macro", zero_division=np.nan))
    assert (lo, hi) == pytest.approx(tuple(np.nanquantile(ref, [0.025, 0.975])), abs=1e-12)
    with pytest.raises(InputError, match="class indices"):
        bootstrap_macro_f1(t, p, classes=[])
