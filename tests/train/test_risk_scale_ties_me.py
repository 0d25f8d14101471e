"""The calibration slope's partial likelihood treats tied event times as the run's
``cox_ties`` does (its loss and its model selection)."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.train.fit import calibrate_risks
from genemoe.train.risk_scale import cox_partial_log_likelihood
from genemoe.train.selection import selection_metric
from genemoe.train.task_data import TaskData


def _tied_part(n: int = 60, seed: int = 0) -> TaskData:
    rng = np.random.default_rng(seed)
    time = np.round(rng.exponential(300.0, size=n) / 100.0) * 100.0 + 100.0  # many ties
    event = rng.random(n) < 0.7
    return TaskData(X=np.zeros((n, 1), np.float32), y=None, time=time, event=event,
                    rows=np.arange(n), groups=np.array(["ACC"] * n, dtype=object))


def test_efron_ties_by_hand():
    # times 1, 2, 2 (two events tied at 2), 3 censored; risks 0, 1, 2, 3.
    # Efron: at time 2, d = 2 events of risks 1 and 2; the second term subtracts half of
    # their hazard: 1 + 2 - log(S) - log(S - (e^1 + e^2) / 2), S = e^1 + e^2 + e^3
    t, e, r = np.array([2.0, 1.0, 2.0, 3.0]), np.array([1, 1, 1, 0]), np.array([1.0, 0.0, 2.0, 3.0])
    s = np.exp([1, 2, 3]).sum()
    want = (0 - np.log(np.exp([0, 1, 2, 3]).sum())) + (
        3 - np.log(s) - np.log(s - (np.exp(1) + np.exp(2)) / 2))
    assert cox_partial_log_likelihood(t, e, r, ties="efron") == pytest.approx(want, rel=1e-12)


def test_the_recorded_likelihood_is_the_one_model_selection_scores():
    """Old behaviour: the scale was fitted and its likelihood recorded with Breslow's ties
    always, so a tune that scored a run with Efron's (the default cox_ties) said a
    validation partial likelihood per event the run's config.yaml did not hold
    (-3.394603 against -3.394924 on the demo bundle, one tied event time)."""
    val = _tied_part()
    risk = np.random.default_rng(1).normal(size=val.time.size) * 2.0
    outs, record = calibrate_risks({"val": risk, "test": risk}, val, ties="efron")
    scored = selection_metric("survival", 1, survival="partial_likelihood", ties="efron")
    per_event = scored(outs["val"], {"time": val.time, "event": val.event})  # a mean per event
    assert record["ties"] == "efron"
    assert record["val_pll_per_event_after"] == pytest.approx(per_event, rel=1e-9)
    _, breslow = calibrate_risks({"val": risk}, val, ties="breslow")
    assert breslow["val_pll_per_event_before"] != pytest.approx(record["val_pll_per_event_before"],
                                                                rel=1e-6)
