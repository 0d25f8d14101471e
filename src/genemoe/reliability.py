"""Reliability of predicted probabilities: confidence bins, the expected calibration error,
and the temperature that calibrates logits.

Pure numpy functions of labels and probabilities, shared by the models (the SVMs'
temperatures on out-of-fold rows, :mod:`genemoe.models.svm_calibration`), training (the
temperature fitted on validation, :mod:`genemoe.train.calibration`, which explains the
prior) and evaluation (:func:`genemoe.evaluate.metrics.classification_metrics`), so every
layer uses one definition.
"""

from __future__ import annotations

import numpy as np

__all__ = ["reliability_bins", "expected_calibration_error", "fit_temperature",
           "apply_temperature", "as_logits", "ECE_ROSE", "T_BOUNDS", "PRIOR_SD", "LOG_FLOOR"]

# said where ECE rose under the fitted temperature (shown without comment before)
ECE_ROSE = ("ECE rose: the temperature minimises the log-loss, not ECE, and the ECE of {n} "
            "samples in 15 bins is noisy")
T_BOUNDS = (0.05, 20.0)  # search range of the temperature
PRIOR_SD = 1.0  # log T ~ N(0, PRIOR_SD^2): T in [0.14, 7.4] at two standard deviations
LOG_FLOOR = 1e-12  # probabilities are clipped here before the log (a forest's zeros)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def apply_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Calibrated probabilities ``softmax(logits / T)``, ``(n, n_classes)`` float64."""
    return np.exp(_log_softmax(np.asarray(logits, np.float64) / float(temperature)))


def as_logits(probs: np.ndarray) -> np.ndarray:
    """Logits of probabilities ``(n, n_classes)``: ``log(max(p, LOG_FLOOR))``."""
    return np.log(np.clip(np.asarray(probs, np.float64), LOG_FLOOR, None))


def _nll(logits: np.ndarray, y: np.ndarray, temperature: float) -> float:
    """Summed negative log-likelihood of ``y`` under ``softmax(logits / T)``."""
    lp = _log_softmax(logits / temperature)
    return float(-lp[np.arange(len(y)), y].sum())


def fit_temperature(logits: np.ndarray, y: np.ndarray, *, bounds: tuple[float, float] = T_BOUNDS,
                    prior_sd: float | None = PRIOR_SD) -> float:
    """The temperature minimising the NLL of ``y`` under ``softmax(logits / T)`` (MAP).

    Parameters
    ----------
    logits
        ``(n, n_classes)`` validation logits (or log-probabilities).
    y
        ``(n,)`` class indices.
    bounds
        Search range of ``T``; the search runs over ``log T`` (bounded Brent,
        ``scipy.optimize.minimize_scalar``), where the NLL is smooth and unimodal in practice.
    prior_sd
        Standard deviation of the Gaussian prior on ``log T`` (adds ``(log T)^2 / (2
        prior_sd^2)`` to the summed NLL); None = plain maximum likelihood.

    Returns
    -------
    float
        ``T``; 1.0 when there are no rows.
    """
    from scipy.optimize import minimize_scalar

    z = np.asarray(logits, np.float64)
    y = np.asarray(y, np.int64)
    if z.ndim != 2 or y.shape != (z.shape[0],):
        raise ValueError(f"logits (n, C) and y (n,) expected, got {z.shape} and {y.shape}")
    if len(y) == 0:
        return 1.0
    penalty = 0.0 if prior_sd is None else 1.0 / (2.0 * prior_sd**2)
    lo, hi = np.log(bounds[0]), np.log(bounds[1])
    res = minimize_scalar(lambda s: _nll(z, y, float(np.exp(s))) + penalty * s * s, bounds=(lo, hi),
                          method="bounded", options={"xatol": 1e-5})
    return float(np.exp(res.x))



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
