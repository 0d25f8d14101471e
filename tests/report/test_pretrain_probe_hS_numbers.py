"""Outside probe hS: a pre-training on linear-scale values (a bundle prepared with
``--normalisation none``) said "MSE 4870787.923 vs 4272602.058" in its collapse warning."""

from __future__ import annotations

from genemoe.train.pretrain_metrics import baseline_comparisons, comparison_text


def test_large_errors_are_thousands_separated() -> None:
    last = {"val/r2": -0.14, "val/mse": 4870787.9231, "val/mse_baseline": 4272602.0581,
            "val/mae": 762.063, "val/mae_baseline": 734.84}
    text = comparison_text(baseline_comparisons(last))
    assert "MSE 4,870,787.923 vs 4,272,602.058" in text
    assert "MAE 762.063 vs 734.840" in text and "R² -0.140" in text
