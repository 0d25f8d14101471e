"""Risk scaling: the survival analogue of temperature scaling, fitted on validation rows.

A Cox model's risk ``r`` (a log-hazard) ranks patients; the survival curves built from it,
``S(t | x) = S0(t) ** exp(r)`` with a Breslow baseline of the training patients
(:mod:`genemoe.evaluate.brier`), also need its *scale* right. A network that fits its
training patients closely spreads their risks too far, and its curves are then too sure
for new patients: on the synthetic cohort Gene-MOE's integrated Brier score was worse than
one curve for everyone (docs/results.md, "Survival calibration").

One scalar ``s > 0`` multiplies every risk: ``r' = s * r``. It is the calibration slope of
the prognostic index (van Houwelingen, Stat. Med. 2000): the coefficient of ``r`` in a Cox
model refitted on validation patients, here the maximiser of their Cox partial
log-likelihood (Breslow ties) plus a weak Gaussian prior ``log s ~ N(0, PRIOR_SD)`` (as the
temperature's: a validation part whose risks are perfectly ordered has no finite
maximiser). ``s > 0`` cannot reorder patients, so every C-index is unchanged; ``s < 1``
shrinks over-spread risks. Only validation rows choose ``s``. A tuning trial's validation
partial likelihood is that of its scaled risks (the scale is part of the model it delivers).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from genemoe.train.losses import cox_ph_loss

__all__ = ["PRIOR_SD", "S_BOUNDS", "cox_partial_log_likelihood", "fit_risk_scale"]

log = logging.getLogger(__name__)

PRIOR_SD = 1.0  # sd of the Gaussian prior on log s
S_BOUNDS = (0.02, 50.0)  # the search interval of s
MIN_EVENTS = 2  # validation events needed to fit s (fewer: s = 1)


def cox_partial_log_likelihood(time: np.ndarray, event: np.ndarray, risk: np.ndarray, *,
                                ties: str = "breslow") -> float:
    """Cox partial log-likelihood of ``risk`` ``(n,)`` on ``(time, event)``: minus
    :func:`~genemoe.train.losses.cox_ph_loss`, summed over the events, in float64.

    ``sum over events i of [risk_i - log sum_{j: time_j >= time_i} exp(risk_j)]`` with
    Breslow's ties; ``ties="efron"`` corrects tied event times as Efron does.
    """
    return -float(cox_ph_loss(torch.as_tensor(np.asarray(risk, np.float64)),
                              torch.as_tensor(np.asarray(time, np.float64)),
                              torch.as_tensor(np.asarray(event, bool)),
                              ties=ties, reduction="sum"))


def fit_risk_scale(time: np.ndarray, event: np.ndarray, risk: np.ndarray, *,
                   ties: str = "efron") -> tuple[float, dict[str, Any]]:
    """The scale ``s`` of validation ``risk`` ``(n,)``, and its record.

    ``ties`` is the run's ``cox_ties``: the partial likelihood the scale maximises, and the
    one recorded, treat tied event times as the run's loss and model selection do (it was
    Breslow's always, so a tune scored with Efron's said a number the run did not keep).

    Returns
    -------
    tuple
        ``s`` (1.0 when fewer than :data:`MIN_EVENTS` validation events, or constant risks)
        and the record: ``method``, ``risk_scale``, ``fitted_on``, ``n_events`` and the
        validation partial log-likelihood per event before and after.
    """
    from scipy.optimize import minimize_scalar

    e = np.asarray(event, bool)
    r = np.asarray(risk, np.float64)
    r = r - r.mean() if r.size else r
    record: dict[str, Any] = {"method": "risk scale (Cox calibration slope on validation, "
                                        f"prior log s ~ N(0, {PRIOR_SD:g}))",
                              "fitted_on": "validation", "n_events": int(e.sum()),
                              "ties": ties}
    if e.sum() < MIN_EVENTS or not np.ptp(r) > 0:
        log.info("risk scale not fitted (%d validation events): 1", int(e.sum()))
        return 1.0, {**record, "risk_scale": 1.0, "fitted": False}

    def loss(u: float) -> float:  # negative log posterior of u = log s
        return (-cox_partial_log_likelihood(time, e, np.exp(u) * r, ties=ties)
                + 0.5 * (u / PRIOR_SD) ** 2)

    lo, hi = np.log(S_BOUNDS)
    u = float(minimize_scalar(loss, bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-4}).x)
    n = int(e.sum())
    before = cox_partial_log_likelihood(time, e, r, ties=ties) / n
    after = cox_partial_log_likelihood(time, e, np.exp(u) * r, ties=ties) / n
    return float(np.exp(u)), {**record, "risk_scale": float(np.exp(u)), "fitted": True,
                              "val_pll_per_event_before": before,
                              "val_pll_per_event_after": after}
