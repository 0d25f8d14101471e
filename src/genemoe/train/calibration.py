"""Temperature scaling: one calibration for every classifier, fitted on validation rows.

Temperature scaling (Guo et al., ICML 2017) divides a classifier's logits by one scalar
``T`` before the softmax: ``probs = softmax(logits / T)``. ``T > 1`` softens over-confident
probabilities, ``T < 1`` sharpens under-confident ones (a focal loss pushes them down,
Mukhoti et al., NeurIPS 2020). One scalar cannot reorder the classes, so the predicted type
(the argmax) and accuracy never change. ``T`` minimises the negative log-likelihood of the
validation rows plus a weak Gaussian prior on ``log T`` (``PRIOR_SD``; a MAP estimate);
:func:`genemoe.train.fit.fit_model` calls :func:`calibrate` for every classifier it fits.

Why the prior: when every validation sample is classified right (37 of 37 on gdc6), the
NLL keeps falling as ``T -> 0`` and plain temperature scaling ends at the bound (0.05):
probabilities of 1.000, mistakes included (a Gene-MOE run on gdc6: test mistakes at mean
confidence 0.999). ``log T ~ N(0, 1)`` costs ``(log T)^2 / 2`` against a sum of
per-sample NLLs, so with a hundred informative validation samples it moves ``T`` by about
1 % (pancan33: 0.586 -> 0.589), and on a separable validation split it stops at a finite
``T`` (gdc6: 0.35).

Classical models give probabilities, not logits: their logits are ``log(probs)`` (clipped
at ``LOG_FLOOR``), since ``softmax(log p) = p``. For multinomial logistic regression
``log p`` is its decision function minus a per-row constant, which a softmax ignores, so
scaling ``log p`` is scaling the decision function; a random forest has no decision
function, and its zero probabilities stay (near) zero. For the linear SVM, whose
probabilities are already ``softmax(decision / T_cv)`` (a temperature fitted on
cross-validated training decision values, as scikit-learn's), a second temperature on validation gives
``softmax(decision / (T_cv * T))``: the composition is one temperature on the SVM's decision
values, chosen on validation, so every model ends with the same method fitted on the same
rows. The RBF SVM's probabilities are top-label calibrated on cross-validated training rows
(:mod:`genemoe.models.svm_calibration`); the temperature on validation rescales their logs,
which keeps its class.

The temperature's fit and the binning behind the expected calibration error live in
:mod:`genemoe.reliability` (pure numpy, below the models, whose SVMs fit a temperature
too); this module re-exports them.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from genemoe.reliability import (
    ECE_ROSE,
    LOG_FLOOR,
    PRIOR_SD,
    T_BOUNDS,
    apply_temperature,
    as_logits,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
)

__all__ = [
    "T_BOUNDS",
    "PRIOR_SD",
    "LOG_FLOOR",
    "fit_temperature",
    "apply_temperature",
    "as_logits",
    "calibrate",
    "reliability_bins",
    "expected_calibration_error",
]

log = logging.getLogger(__name__)


def calibrate(val_logits: np.ndarray, y_val: np.ndarray, who: str = "the model"
              ) -> tuple[float, dict[str, Any]]:
    """Fit ``T`` on validation logits; the temperature and the record ``fit_model`` keeps.
    ``who`` names the model in the warnings for a temperature at its range's edge (a
    benchmark's warning named none) and for one that raised the validation ECE.

    Returns
    -------
    tuple
        ``T`` and ``{"method": "temperature", "temperature", "fitted_on": "validation
        part", "prior", "ece_before", "ece_after", "ece_rose", "n"}`` (ECE on the validation
        rows; a temperature that raised it is kept: ``genemoe train`` says so under its table).
    """
    t = fit_temperature(val_logits, y_val)
    before = expected_calibration_error(y_val, apply_temperature(val_logits, 1.0))
    after = expected_calibration_error(y_val, apply_temperature(val_logits, t))
    if t in T_BOUNDS or np.isclose(t, T_BOUNDS).any():
        log.warning("%s: the fitted temperature %.3g is at the edge of its range %s (%s)", who,
                    t, T_BOUNDS, "its validation outputs carry little of the labels: "
                    "probabilities flattened" if t >= T_BOUNDS[1] * 0.99 else "sharpened")
    log.info("temperature scaling on validation: T = %.3f, ECE %.3f -> %.3f%s", t, before, after,
             f" ({ECE_ROSE.format(n=len(y_val))})" if after > before else "")  # a run says it
    #   under its table (ece_rose), not every benchmark cell and tuning trial as a warning
    return t, {"method": "temperature", "temperature": t, "fitted_on": "validation part",
               "prior": f"log T ~ N(0, {PRIOR_SD:g}^2)", "ece_before": before, "ece_after": after,
               "ece_rose": bool(after > before), "n": int(len(y_val))}
