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
