"""Risk scaling (the survival calibration slope): the partial likelihood, the fit, its use."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.train.risk_scale import cox_partial_log_likelihood, fit_risk_scale


def test_partial_log_likelihood_by_hand():
    # times 1, 2, 2 (tied events at 2), 3 censored; risks 0, 1, 2, 3 (Breslow ties):
    # event at 1: 0 - log(e^0 + e^1 + e^2 + e^3); each event at 2: r - log(e^1 + e^2 + e^3)
    t, e, r = np.array([2.0, 1.0, 2.0, 3.0]), np.array([1, 1, 1, 0]), np.array([1.0, 0.0, 2.0, 3.0])
    want = (0 - np.log(np.exp([0, 1, 2, 3]).sum())) + (1 + 2 - 2 * np.log(np.exp([1, 2, 3]).sum()))
    assert cox_partial_log_likelihood(t, e, r) == pytest.approx(want, rel=1e-12)


def _cox_cohort(rng, n, beta=1.0):
    x = rng.normal(size=n)
    time = rng.exponential(1.0 / np.exp(beta * x))
    censor = rng.exponential(2.0, size=n)
    return x, np.minimum(time, censor), time <= censor


def test_an_overspread_risk_is_shrunk_to_the_true_slope_and_the_order_kept():
    """A risk three times too wide (as a network that fits its training patients closely
    gives) is scaled by about 1/3; patients keep their order."""
    x, time, event = _cox_cohort(np.random.default_rng(0), 2000)
    s, record = fit_risk_scale(time, event, 3.0 * x)
    assert s == pytest.approx(1 / 3, rel=0.1) and record["fitted"]
    assert record["val_pll_per_event_after"] > record["val_pll_per_event_before"]
    s, _ = fit_risk_scale(time, event, x / 2)  # too narrow: widened
    assert s == pytest.approx(2.0, rel=0.1)


def test_a_perfectly_ordered_or_eventless_validation_part_keeps_a_finite_scale():
    time = np.arange(1.0, 21.0)
    s, record = fit_risk_scale(time, np.ones(20, bool), -time)  # every pair concordant
    assert 1.0 < s < 50.0 and record["fitted"]  # the prior stops it
    s, record = fit_risk_scale(time, np.zeros(20, bool), -time)
    assert s == 1.0 and not record["fitted"] and record["n_events"] == 0


def test_survival_at_horizons_follows_the_breslow_baseline():
    """predict's survival probabilities: S0(t) ** exp(risk - centre) at 1, 3, 5 years from
    the training patients' Breslow baseline; NaN beyond the last training event."""
    from genemoe.evaluate.brier import breslow_cumulative_hazard, survival_at_horizons

    x, time, event = _cox_cohort(np.random.default_rng(1), 300)
    time = time * 300.0  # days: the last event between 3 and 5 years
    t, h, c = breslow_cumulative_hazard(time, event, x)
    base = {"times": t, "cum_hazard": h, "centre": c}
    risk = np.array([-1.0, 0.0, 1.0])
    got = survival_at_horizons(base, risk)
    assert set(got) == {"survival_1y", "survival_3y", "survival_5y"}
    h1 = h[np.searchsorted(t, 365.25, side="right") - 1]
    np.testing.assert_allclose(got["survival_1y"], np.exp(-h1 * np.exp(risk - c)), rtol=1e-12)
    assert (np.diff(got["survival_1y"]) < 0).all()  # higher risk, lower survival
    assert 3 * 365.25 < t[-1] < 5 * 365.25 and np.isfinite(got["survival_3y"]).all()
    assert np.isnan(got["survival_5y"]).all()
    assert survival_at_horizons(None, risk) == {}
