"""metrics.json keeps the integrated Brier score's days to 0.1 (probe hI): it stored
2982.9999999999995, the day a hair before the window's end."""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.brier import integrated_brier
from genemoe.evaluate.survival import survival_metrics


def _cohort(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = rng.normal(size=n)
    t_event = np.ceil(rng.exponential(scale=np.exp(-x) * 900, size=n))  # whole days
    t_cens = np.ceil(rng.uniform(30, 3000, size=n))
    return np.minimum(t_event, t_cens), t_event <= t_cens, x


def test_the_window_days_are_rounded_where_the_metrics_are_made():
    rng = np.random.default_rng(3)
    tt, et, rt = _cohort(rng, 300)
    t, e, r = _cohort(rng, 120)
    exact = integrated_brier(tt, et, rt, t, e, r)
    m = survival_metrics(t, e, r, time_train=tt, event_train=et, risk_train=rt, n_boot=20)
    assert all(v == round(v, 1) for v in m["ibs_times"]), m["ibs_times"]
    np.testing.assert_allclose(m["ibs_times"], exact["ibs_times"], atol=0.05)
    assert m["integrated_brier_score"] == exact["integrated_brier_score"]  # unchanged


def test_a_window_ending_a_hair_before_a_cut_reads_as_the_cut_day():
    from genemoe.evaluate.brier import rounded_window

    ibs = {"integrated_brier_score": 0.17, "ibs_times": [np.float64(123.456789),
                                                         2982.9999999999995],
           "ibs_censoring_cut": 2983.0}
    out = rounded_window(ibs)
    assert out["ibs_times"] == [123.5, 2983.0] and out["ibs_censoring_cut"] == 2983.0
    assert ibs["ibs_times"][1] == 2982.9999999999995  # the exact result is not changed
    assert rounded_window({"integrated_brier_score": 0.2}) == {"integrated_brier_score": 0.2}
