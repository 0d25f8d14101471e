"""Calibration in the classification metrics: ECE and the reliability table (metrics.json)."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest

from genemoe.evaluate.metrics import (
    classification_metrics,
    expected_calibration_error,
    reliability_table,
)
from genemoe.report.plots import plot_reliability


def test_reliability_table_of_hand_computed_data():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    y = np.array([0, 1, 0, 1])
    rows = reliability_table(y, probs, n_bins=5)
    assert [r["lo"] for r in rows] == pytest.approx([0.4, 0.6, 0.8])
    assert [r["hi"] for r in rows] == pytest.approx([0.6, 0.8, 1.0])
    assert [r["count"] for r in rows] == [1, 1, 2]
    assert [r["confidence"] for r in rows] == pytest.approx([0.6, 0.7, 0.9])
    assert [r["accuracy"] for r in rows] == pytest.approx([1.0, 1.0, 0.5])
    ece = sum(r["count"] * abs(r["accuracy"] - r["confidence"]) for r in rows) / 4
    assert expected_calibration_error(y, probs, n_bins=5) == pytest.approx(ece) == pytest.approx(0.375)


def test_classification_metrics_report_calibration(rng):
    probs = rng.dirichlet(np.ones(4), size=300)
    y = rng.integers(0, 4, 300)
    m = classification_metrics(y, probs.argmax(1), class_names=list("abcd"), probs=probs)
    assert m["ece"] == pytest.approx(expected_calibration_error(y, probs, n_bins=15))
    assert m["mean_confidence"] == pytest.approx(probs.max(1).mean())
    assert sum(r["count"] for r in m["reliability"]) == 300
    assert "ece" not in classification_metrics(y, probs.argmax(1), class_names=list("abcd"))


def test_reliability_diagram_is_a_png(tmp_path, rng):
    probs = rng.dirichlet(np.ones(3), size=100)
    y = rng.integers(0, 3, 100)
    tables = {"val": reliability_table(y, probs), "test": reliability_table(y[::-1], probs)}
    path = plot_reliability(tables, ece={"val": 0.1, "test": 0.2}, out_path=tmp_path / "r.png")
    assert mpimg.imread(path).shape[0] > 100
    assert plot_reliability({"val": []}, out_path=tmp_path / "none.png") is None


def test_benchmark_reliability_pools_folds_exactly(rng):
    from genemoe.report.plots import _pooled_reliability

    probs = rng.dirichlet(np.ones(3), size=200)
    y = rng.integers(0, 3, 200)
    pooled = _pooled_reliability([reliability_table(y[:120], probs[:120]),
                                  reliability_table(y[120:], probs[120:])])
    whole = reliability_table(y, probs)
    assert [r["count"] for r in pooled] == [r["count"] for r in whole]
    np.testing.assert_allclose([r["confidence"] for r in pooled], [r["confidence"] for r in whole])
    np.testing.assert_allclose([r["accuracy"] for r in pooled], [r["accuracy"] for r in whole])
