"""Each time-dependent AUC says how many test deaths by its horizon it rests on.

Old behaviour: ``auc_1y`` 0.95 from 3 deaths read as firm as one from 300; metrics.json and
the run page gave the AUC alone.
"""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.brier import time_dependent_auc
from genemoe.report.run_page import part_metric_text


def test_deaths_by_each_horizon_are_counted() -> None:
    rng = np.random.default_rng(0)
    t_tr, e_tr = rng.uniform(10, 3000, 200), rng.random(200) < 0.5
    t, e = rng.uniform(10, 2500, 60), rng.random(60) < 0.5
    out = time_dependent_auc(t_tr, e_tr, t, e, rng.normal(size=60))
    assert out["auc_1y"] is not None
    assert out["auc_1y_deaths"] == int((e & (t <= 365.25)).sum())
    assert out["auc_3y_deaths"] >= out["auc_1y_deaths"]
    n = out["auc_3y_deaths"]
    k = out["auc_3y_controls"]  # and its controls (hAK)
    assert part_metric_text("auc_3y", out).endswith(
        f"({n} death{'s' * (n != 1)}, {k} control{'s' * (k != 1)})")
    assert part_metric_text("auc_1y", {"auc_1y": 0.3, "auc_1y_deaths": 1}) == "0.300 (1 death)"
    assert part_metric_text("auc_1y", {"auc_1y": 0.7}) == part_metric_text(
        "auc_1y", {"auc_1y": 0.7, "auc_1y_deaths": None})  # older metrics: the AUC alone
