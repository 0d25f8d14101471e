"""The report's horizon table (probeO): the 5-year row was dropped unsaid where it lay
beyond the last training event (predict said why), and a group with no event yet by a
horizon showed a zero-width interval, ``1.000 [1.000, 1.000]``."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from genemoe.evaluate.brier import horizon_calibration
from genemoe.report.horizons import horizon_table

# the training baseline's last event is at day 1,396: 5 years (1,826 days) lies beyond it
BASE = {"times": [100.0, 800.0, 1396.0], "cum_hazard": [0.05, 0.2, 0.4], "centre": 0.0}


def _cells(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _run(d, *, first_event: float = 500.0):
    """A survival run folder: 20 test patients followed to day 2,500, the first event at
    ``first_event``."""
    d.mkdir()
    n = 20
    time = np.linspace(first_event, 2500.0, n)
    event = np.arange(n) % 2 == 0
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(n)], "cancer_type": ["ACC"] * n,
                  "split": ["test"] * n, "time": time, "event": event.astype(int),
                  "risk": np.linspace(-1, 1, n)}).to_csv(d / "predictions.tsv", sep="\t",
                                                         index=False)
    return d


def test_a_horizon_beyond_the_last_training_event_keeps_its_row():
    time = np.linspace(500.0, 2500.0, 20)
    rows = horizon_calibration(BASE, time, np.arange(20) % 2 == 0, np.linspace(-1, 1, 20))
    r5 = {r["horizon"]: r for r in rows}["5 years"]
    assert np.isnan(r5["all: predicted"]) and np.isfinite(r5["all: observed"])


def test_the_report_says_why_a_horizons_prediction_is_empty(tmp_path):
    page = _cells(horizon_table(_run(tmp_path / "r"), {"task": "survival",
                                                        "survival_baseline": BASE}))
    assert "5 years" in page
    assert "Predicted at 5 years: –, beyond the last training death (day 1,396)" in page
    pfi = _cells(horizon_table(tmp_path / "r", {"task": "survival", "survival_baseline": BASE},
                               "PFI"))
    assert "beyond the last training event (day 1,396)" in pfi


def test_no_event_yet_is_said_not_a_zero_width_interval(tmp_path):
    page = _cells(horizon_table(_run(tmp_path / "r", first_event=400.0),
                                {"task": "survival", "survival_baseline": BASE}))
    assert "[1.000, 1.000]" not in page
    assert "1.000 (no event yet)" in page
