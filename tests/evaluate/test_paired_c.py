"""paired_c_index_difference: Harrell's C of two risks on the same patients, resampled together."""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.paired_c import paired_c_index_difference
from genemoe.evaluate.survival import bootstrap_c_index, concordance_index


def _patients(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    time = rng.exponential(1000.0, n)
    event = rng.random(n) < 0.7
    shared = -np.log(time) + rng.normal(0, 1.0, n)  # both models read the same signal ...
    return time, event, shared + rng.normal(0, 0.3, n), shared + rng.normal(0, 1.2, n)


def test_the_difference_is_the_two_c_indices_apart():
    time, event, a, b = _patients()
    d = paired_c_index_difference(time, event, a, b, n_boot=200)
    assert np.isclose(d.difference, concordance_index(time, event, a)
                      - concordance_index(time, event, b), atol=1e-12)
    assert d.lo < d.difference < d.hi and d.n == 200 and d.n_boot == 200


def test_the_paired_interval_tells_apart_what_overlapping_intervals_do_not():
    """Old behaviour (demo): "the intervals overlap" of two unpaired bootstrap intervals was
    the verdict, though both models ranked the same patients; the paired interval of the
    difference is what tests it."""
    time, event, a, b = _patients()
    (al, ah), (bl, bh) = (bootstrap_c_index(time, event, r, n_boot=300) for r in (a, b))
    assert al <= bh and bl <= ah  # the unpaired intervals overlap ...
    d = paired_c_index_difference(time, event, a, b, n_boot=300)
    assert d.excludes_zero and d.lo > 0  # ... the paired difference excludes 0


def test_the_same_risks_give_zero_and_no_interval():
    time, event, a, _ = _patients(60)
    d = paired_c_index_difference(time, event, a, a.copy(), n_boot=50)
    assert d.difference == 0 and np.isnan(d.lo) and np.isnan(d.hi) and not d.excludes_zero
