"""Survival calibration (evaluate/brier.py): Breslow baseline and integrated Brier score."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.evaluate.brier import (
    breslow_cumulative_hazard,
    integrated_brier,
    survival_probabilities,
)
from genemoe.evaluate.survival import survival_metrics


def _cox_cohort(rng, n, beta=1.5):
    x = rng.normal(size=n)
    t_event = rng.exponential(scale=np.exp(-beta * x) * 500)
    t_cens = rng.uniform(50, 1500, size=n)
    return np.minimum(t_event, t_cens), t_event <= t_cens, beta * x


def test_breslow_with_zero_risk_is_nelson_aalen():
    time = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    event = np.array([True, True, False, True, False])
    x, h, centre = breslow_cumulative_hazard(time, event, np.zeros(5))
    # Nelson–Aalen by hand: 1/5 at t=1, + 1/4 at t=2 (4 at risk), + 1/2 at t=3
    np.testing.assert_allclose(h[np.isin(x, [1, 2, 3])], [0.2, 0.45, 0.95])
    s = survival_probabilities((x, h, centre), np.array([0.0, np.log(2.0)]), np.array([0.5, 2.5]))
    np.testing.assert_allclose(s, [[1.0, np.exp(-0.45)], [1.0, np.exp(-0.9)]])


def test_true_risk_beats_no_covariates_and_noise(rng):
    tt, et, rt = _cox_cohort(rng, 600)
    t, e, r = _cox_cohort(rng, 400)
    good = integrated_brier(tt, et, rt, t, e, r)
    noise = integrated_brier(tt, et, rng.normal(size=600), t, e, rng.normal(size=400))
    assert good["integrated_brier_score"] < good["ibs_null_reference"] - 0.01
    assert noise["integrated_brier_score"] > good["integrated_brier_score"]
    lo, hi = good["ibs_times"]
    assert t.min() <= lo < hi < min(t.max(), tt.max())
    # a shift of every risk (Cox risks have no origin) changes nothing
    shifted = integrated_brier(tt, et, rt + 7.0, t, e, r + 7.0)
    assert shifted["integrated_brier_score"] == pytest.approx(good["integrated_brier_score"])


def test_survival_metrics_add_the_brier_score_with_training_risks(rng):
    tt, et, rt = _cox_cohort(rng, 300)
    t, e, r = _cox_cohort(rng, 120)
    m = survival_metrics(t, e, r, time_train=tt, event_train=et, risk_train=rt, n_boot=20)
    assert 0 < m["integrated_brier_score"] < 0.25
    assert "integrated_brier_score" not in survival_metrics(t, e, r, time_train=tt, event_train=et,
                                                            n_boot=20)


def test_follow_up_beyond_the_training_part_is_censored_at_its_end(rng):
    """Old behaviour (an outside probe): when the training part's longest follow-up was a
    death and a test patient was followed longer, scikit-survival refused ("time must be
    smaller than largest observed time point") and the fold's score was dropped for every
    model. The patient is censored there; how far beyond does not change the score."""
    tt, et, rt = _cox_cohort(rng, 300)
    t, e, r = _cox_cohort(rng, 120)
    last = int(np.argmax(tt))
    et[last] = True  # the training follow-up ends on a death
    i = int(np.argmax(t))
    t[i] = tt.max() + 100.0
    got = integrated_brier(tt, et, rt, t, e, r)
    assert got is not None and got["ibs_censored_at_training_end"] == 1
    assert got["ibs_times"][1] < tt.max()
    t2 = t.copy()
    t2[i] = tt.max() + 5000.0
    again = integrated_brier(tt, et, rt, t2, e, r)
    assert again["integrated_brier_score"] == pytest.approx(got["integrated_brier_score"], abs=1e-12)
    assert 0 < got["integrated_brier_score"] < got["ibs_null_reference"]
