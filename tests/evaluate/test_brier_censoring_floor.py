"""The integrated Brier score's window ends where the censoring weights blow up.

An outside probe (one DLBC cohort, 48 patients): a Coxnet fold's integrated Brier score
was 1.451 against no information's 0.290 over days 276-3,495, while the training part's
censoring survival G was 0.08 beyond day 2,000 with 2 patients at risk (weights ~12.5).
The window was cut only at the percentiles of the follow-up and the training maximum.
"""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.brier import integrated_brier
from genemoe.evaluate.survival_tests import kaplan_meier

FLOOR = 0.2  # as Uno's C is truncated (uno_tau)


def _heavily_censored(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """A Cox cohort most of whose follow-up ends by day 1,200 (a few patients to 4,000)."""
    x = rng.normal(size=n)
    t_event = rng.exponential(scale=np.exp(-x) * 3000)
    t_cens = np.where(rng.random(n) < 0.9, rng.uniform(100, 1200, n), rng.uniform(3000, 4000, n))
    return np.minimum(t_event, t_cens), t_event <= t_cens, x


def _g_at(time: np.ndarray, event: np.ndarray, t: float) -> float:
    at, g = kaplan_meier(time, ~event)
    i = np.searchsorted(at, t, side="right") - 1
    return 1.0 if i < 0 else float(g[i])


def _first_below_floor(time: np.ndarray, event: np.ndarray) -> float:
    at, g = kaplan_meier(time, ~event)
    return float(at[g < FLOOR][0])


def test_the_window_ends_before_the_training_censoring_survival_falls_below_the_floor():
    rng = np.random.default_rng(0)
    tt, et, rt = _heavily_censored(rng, 300)
    t, e, r = _heavily_censored(rng, 150)
    cut = _first_below_floor(tt, et)
    assert _g_at(tt, et, cut) < FLOOR <= _g_at(tt, et, cut - 1e-6)
    out = integrated_brier(tt, et, rt, t, e, r)
    lo, hi = out["ibs_times"]
    assert np.percentile(t, 90) > cut  # the percentile alone reached into the heavy weights
    assert hi < cut and _g_at(tt, et, hi) >= FLOOR  # every weight at most 5
    assert out["ibs_censoring_floor"] == FLOOR and out["ibs_censoring_cut"] == cut


def test_a_window_the_floor_does_not_reach_is_unchanged_and_not_said_cut():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    t_event = rng.exponential(scale=np.exp(-x) * 500, size=400)
    t_cens = rng.uniform(50, 5000, size=400)  # light censoring: G stays high
    tt, et = np.minimum(t_event, t_cens), t_event <= t_cens
    out = integrated_brier(tt[:300], et[:300], x[:300], tt[300:], et[300:], x[300:])
    assert "ibs_censoring_cut" not in out and out["ibs_censoring_floor"] == FLOOR
    assert out["ibs_times"][1] >= np.nextafter(np.percentile(tt[300:], 90), -np.inf) - 1e-9
