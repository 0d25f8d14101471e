"""The integrated Brier score's bootstrap intervals: of the score, and of its difference
from no information's on the same resampled patients.

Old behaviour: metrics.json held the score and the reference only, so 0.182 beside 0.190
from 40 test patients read as "better than no model" with nothing on its spread.
"""

from __future__ import annotations

import numpy as np
from sksurv.metrics import integrated_brier_score
from sksurv.util import Surv

from genemoe.evaluate.brier import brier_per_patient, ibs_intervals, integrated_brier


def _cohort(n: int, seed: int, signal: float):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    time = rng.exponential(1000 * np.exp(-signal * x))
    event = rng.random(n) < 0.7
    return time, event, signal * x


def test_per_patient_shares_average_to_scikit_survivals_score() -> None:
    """Reference: scikit-survival's ``integrated_brier_score`` (the same IPCW weights)."""
    tt, et, _ = _cohort(300, 0, 0.0)
    t, e, _ = _cohort(80, 1, 0.0)
    t = np.minimum(t, tt.max() - 1)
    times = np.linspace(np.percentile(t, 10), np.percentile(t, 90), 50)
    rng = np.random.default_rng(2)
    est = np.sort(rng.uniform(0.2, 1.0, size=(80, 50)), axis=1)[:, ::-1]
    ref = integrated_brier_score(Surv.from_arrays(et, tt), Surv.from_arrays(e, t), est, times)
    shares = brier_per_patient(Surv.from_arrays(et, tt), t, e, est, times)
    assert shares.shape == (80,)
    assert np.isclose(shares.mean(), ref, rtol=1e-10)


def test_intervals_hold_the_score_and_tell_a_real_signal_from_none() -> None:
    tt, et, rt = _cohort(400, 3, 1.0)
    t, e, r = _cohort(200, 4, 1.0)
    out = integrated_brier(tt, et, rt, t, e, r)
    lo, hi = out["ibs_ci"]
    assert lo <= out["integrated_brier_score"] <= hi
    d_lo, d_hi = out["ibs_minus_null_ci"]
    assert d_lo <= out["integrated_brier_score"] - out["ibs_null_reference"] <= d_hi
    assert d_hi < 0  # a strong risk beats one curve for all throughout its interval
    noise = integrated_brier(tt, et, rt, t, e, np.random.default_rng(5).normal(size=200))
    assert noise["ibs_minus_null_ci"][1] > 0  # a random risk does not


def test_the_bootstrap_is_seeded() -> None:
    a, b = np.linspace(0.1, 0.3, 30), np.full(30, 0.2)
    assert ibs_intervals(a, b) == ibs_intervals(a, b)


def test_train_table_says_the_gap_and_its_interval() -> None:
    from genemoe.report.terminal import run_table

    test = {"n": 40, "n_events": 12, "c_index": 0.61, "c_index_ci": [0.5, 0.7], "logrank_p": 0.2,
            "integrated_brier_score": 0.182, "ibs_null_reference": 0.190,
            "ibs_minus_null_ci": [-0.02, 0.004]}
    text = run_table({"test": test}, task="survival", title="t")
    assert "test Brier minus none: -0.008 (95% CI -0.020 to +0.004): not told apart from none" \
        in text
    better = run_table({"test": {**test, "ibs_minus_null_ci": [-0.02, -0.001]}},
                       task="survival", title="t")
    assert better.endswith(": better than none")
    old = {k: v for k, v in test.items() if k != "ibs_minus_null_ci"}
    assert "minus none" not in run_table({"test": old}, task="survival", title="t")
