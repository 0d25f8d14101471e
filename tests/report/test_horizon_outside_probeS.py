"""The report's horizon table (probeS): predicted 0.660 at 1 year beside an observed
0.756 [0.682, 0.815] sat unmarked, and nothing under the table said the prediction missed
the interval there."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from genemoe.report.horizons import horizon_table


def _cells(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _run(d):
    """A survival run folder: 60 test patients followed to day 2,500, one in three dying."""
    d.mkdir()
    n = 60
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(n)], "cancer_type": ["ACC"] * n,
                  "split": ["test"] * n, "time": np.linspace(100.0, 2500.0, n),
                  "event": (np.arange(n) % 3 == 0).astype(int), "risk": np.zeros(n)}
                 ).to_csv(d / "predictions.tsv", sep="\t", index=False)
    return d


def _page(d, cum_hazard: list[float]) -> str:
    """The horizon table of run ``d`` under a baseline with ``cum_hazard`` (3 values) in
    force at 1, 3 and 5 years (the last training death after 5 years)."""
    base = {"times": [300.0, 1000.0, 1800.0, 2400.0], "cum_hazard": [*cum_hazard, 3.0],
            "centre": 0.0}
    return _cells(horizon_table(d, {"task": "survival", "survival_baseline": base}))


def test_a_prediction_outside_the_observed_interval_is_marked_and_said(tmp_path):
    d = _run(tmp_path / "r")
    # predicted exp(-1.5) = 0.223 at 1 year, about 0.2 after; observed 0.948, 0.823, 0.640
    page = _page(d, [1.5, 1.6, 1.7])
    assert "0.223 (outside) 0.948 [0.848, 0.983]" in page
    assert ("(outside): predicted outside the observed interval at 1 year (all patients, "
            "lower-risk half), 3 years (all patients, lower-risk half) and 5 years (all "
            "patients, lower-risk half)") in page  # every risk 0: no higher-risk half
    assert "the model's survival curve is off there (calibration)." in page


def test_a_prediction_inside_the_interval_is_not_marked(tmp_path):
    d = _run(tmp_path / "r")
    km = {}  # the Kaplan–Meier estimate at each horizon, predicted exactly
    time, event = np.linspace(100.0, 2500.0, 60), np.arange(60) % 3 == 0
    for years in (1, 3, 5):
        h, s = years * 365.25, 1.0
        for t, e in zip(time, event, strict=True):
            if t <= h and e:
                s *= 1 - 1 / (time >= t).sum()
        km[years] = s
    page = _page(d, [-np.log(km[1]), -np.log(km[3]), -np.log(km[5])])
    assert "(outside)" not in page and "off there" not in page
