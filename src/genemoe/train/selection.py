"""What model selection reads on the validation part: macro-F1 for classification, and for
survival the run's ``survival_selection`` (Harrell's C, Harrell's C within types, or the Cox
partial likelihood), for the neural models' epochs and the classical Cox models' grid points
alike (moved from :mod:`genemoe.train.fit`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from genemoe.errors import input_error
from genemoe.train.losses import cox_ph_loss
from genemoe.train.task_data import Task

__all__ = ["NamedMetric", "SURVIVAL_SELECTION", "selection_metric"]

# What survival model selection reads on the validation part (train: survival_selection):
#   c_index             Harrell's C over all validation pairs (the default)
#   c_index_by_type     Harrell's C over pairs within one cancer type only: a model that
#                       only ranks the types' baseline hazards earns nothing
#   partial_likelihood  minus the Cox negative log partial likelihood of the whole
#                       validation part (Efron ties): smooth, uses every event
SURVIVAL_SELECTION = ("c_index", "c_index_by_type", "partial_likelihood")


@dataclass(frozen=True)
class NamedMetric:
    """A validation metric ``fn(outputs, targets) -> float`` and the short name the
    progress bar shows for it (``label``)."""

    fn: Callable[[np.ndarray, Any], float]
    label: str

    def __call__(self, out: np.ndarray, target: Any) -> float:
        return self.fn(out, target)


def selection_metric(task: Task, n_classes: int, *, survival: str = "c_index",
                     groups: np.ndarray | None = None, ties: str = "efron") -> NamedMetric:
    """Validation metric for early stopping (higher is better): macro-F1, or for survival
    the criterion ``survival`` (see :data:`SURVIVAL_SELECTION`).

    Macro-F1 averages over the classes present in the labels or the predictions
    (scikit-learn's default, as :func:`genemoe.evaluate.metrics.classification_metrics`);
    Harrell's C is scikit-survival's; ``groups`` ``(n_val,)`` are the validation rows'
    cancer types (``c_index_by_type``). A validation part without events has no C-index:
    the caller refuses it before training (NaN here).
    """
    if task == "classify":
        from sklearn.metrics import f1_score

        def f1(out: np.ndarray, y) -> float:
            return float(f1_score(np.asarray(y), out.argmax(1), average="macro", zero_division=0))

        return NamedMetric(f1, "val_f1")
    if survival not in SURVIVAL_SELECTION:
        raise input_error(f"unknown survival_selection {survival!r}", where="train: survival_selection",
                          fix=f"use one of {', '.join(SURVIVAL_SELECTION)}")
    if survival == "partial_likelihood":
        def pl(out: np.ndarray, target) -> float:
            event = torch.as_tensor(np.asarray(target["event"], bool))
            if not bool(event.any()):
                return float("nan")
            return -float(cox_ph_loss(torch.as_tensor(out.reshape(-1), dtype=torch.float64),
                                      torch.as_tensor(np.asarray(target["time"], float)), event,
                                      ties=ties))

        return NamedMetric(pl, "val_loglik")
    strata = (np.zeros(0) if groups is None or survival == "c_index"
              else np.asarray(groups, dtype=object))

    def cidx(out: np.ndarray, target) -> float:
        return _harrell(np.asarray(target["time"], float), np.asarray(target["event"], bool),
                        out.reshape(-1).astype(np.float64), strata)

    return NamedMetric(cidx, "val_c")


def _harrell(time: np.ndarray, event: np.ndarray, risk: np.ndarray, strata: np.ndarray) -> float:
    """Harrell's C (scikit-survival) over all pairs, or only pairs within a stratum."""
    from sksurv.metrics import concordance_index_censored

    parts = [np.arange(len(time))] if not len(strata) else [
        np.flatnonzero(strata == s) for s in np.unique(strata)]
    num = den = 0.0
    for idx in parts:
        if not event[idx].any():
            continue
        try:
            c, conc, disc, tied, _ = concordance_index_censored(event[idx], time[idx], risk[idx])
        except (ValueError, ZeroDivisionError):
            continue
        num, den = num + conc + 0.5 * tied, den + conc + disc + tied
    return float(num / den) if den else float("nan")
