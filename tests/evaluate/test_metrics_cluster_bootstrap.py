"""bootstrap_macro_f1 with ``groups``: a cluster bootstrap (patients drawn with replacement,
each with all its samples). Resampled one by one, a patient's two vials narrowed the
interval as if independent (predict --labels' headline, an outside probe)."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.evaluate.metrics import bootstrap_macro_f1


def test_the_macro_f1_bootstrap_resamples_patients():
    """Each sample written twice under one patient: the interval of once; grouped by
    distinct patients: the per-sample interval, the same draws."""
    rng = np.random.default_rng(3)
    t = rng.integers(0, 4, 60)
    p = np.where(rng.random(60) < 0.7, t, rng.integers(0, 4, 60))
    once = bootstrap_macro_f1(t, p, n_boot=300, seed=4)
    groups = np.concatenate([np.arange(60), np.arange(60)])
    twice = bootstrap_macro_f1(np.tile(t, 2), np.tile(p, 2), n_boot=300, seed=4, groups=groups)
    assert twice == pytest.approx(once, abs=1e-12)
    naive = bootstrap_macro_f1(np.tile(t, 2), np.tile(p, 2), n_boot=300, seed=4)
    assert naive[1] - naive[0] < once[1] - once[0]  # the fault: narrower as if independent
    assert bootstrap_macro_f1(t, p, n_boot=300, seed=4, groups=np.arange(60)) == once
    assert bootstrap_macro_f1(t[:2], p[:2], groups=["a", "a"]) is None


def test_groups_must_be_one_per_sample():
    with pytest.raises(InputError, match="one group"):
        bootstrap_macro_f1([0, 1, 1], [0, 1, 0], groups=["a", "b"])
