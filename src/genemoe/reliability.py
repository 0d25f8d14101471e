"""Reliability of predicted probabilities: confidence bins and the expected calibration error.

Pure numpy functions of labels and probabilities, shared by training (the temperature
fitted on validation reports its ECE, :mod:`genemoe.train.calibration`) and evaluation
(:func:`genemoe.evaluate.metrics.classification_metrics`), so both layers use one definition.
"""

from __future__ import annotations

import numpy as np

__all__ = ["reliability_bins", "expected_calibration_error"]


def reliability_bins(y: np.ndarray, probs: np.ndarray, *, n_bins: int = 15
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Equal-width bins of the top-class confidence.

    Parameters
    ----------
    y
        ``(n,)`` class indices.
    probs
        ``(n, n_classes)`` probabilities.
    n_bins
        Bins over ``[0, 1]``; bin ``b`` holds confidences in ``(b/n_bins, (b+1)/n_bins]``
        (the first bin also holds 0), as in Guo et al. (2017).

    Returns
    -------
    tuple
        ``edges (n_bins + 1,)``, mean confidence, accuracy ``(n_bins,)`` (NaN in empty
        bins) and counts ``(n_bins,)``.
    """
    p = np.asarray(probs, np.float64)
    y = np.asarray(y, np.int64)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(idx, weights=conf, minlength=n_bins) / counts
        acc = np.bincount(idx, weights=correct, minlength=n_bins) / counts
    return edges, mean_conf, acc, counts


def expected_calibration_error(y: np.ndarray, probs: np.ndarray, *, n_bins: int = 15) -> float:
    """ECE: the count-weighted mean of ``|accuracy - confidence|`` over confidence bins.

    ``sum_b (n_b / n) * |acc_b - conf_b|`` with the bins of :func:`reliability_bins`
    (Naeini et al., AAAI 2015; Guo et al., 2017). NaN without samples.
    """
    _, conf, acc, counts = reliability_bins(y, probs, n_bins=n_bins)
    if counts.sum() == 0:
        return float("nan")
    full = counts > 0
    return float(np.sum(counts[full] * np.abs(acc[full] - conf[full])) / counts.sum())
