"""Ensembles: K members of one model whose class probabilities (or risks) are averaged.

Two forms, one per model kind, both used exactly like a single model:

``ensemble`` (registered, neural)
    :class:`EnsembleModel` holds K members of one registered neural model (same options,
    different seeds). ``forward`` returns ``log(mean_k softmax(logits_k))`` as its logits
    for classification — so ``softmax`` of the output is the mean of the members'
    probabilities — and ``mean_k risk_k`` for survival. Saved and rebuilt through the
    registry like any model (``create_model("ensemble", member=..., member_config=...,
    k=...)``), so ``predict``, ``explain`` and ``features`` need nothing new.
:class:`EnsembleEstimator` (classical)
    K fitted estimators (e.g. each on K−1 of K inner folds of the training part) behind
    the classical interface: ``predict_proba`` averages probabilities, ``predict_risk``
    averages risks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from genemoe.errors import input_error
from genemoe.models.base import ModelOutput, Task
from genemoe.models.registry import create_model, register_model

__all__ = ["EnsembleModel", "EnsembleEstimator", "ENSEMBLE_KEYS"]

ENSEMBLE_KEYS = ("member", "member_config", "k")


class EnsembleModel(nn.Module):
    """K neural members of one model; their probabilities (or risks) averaged.

    Parameters
    ----------
    members
        K models of one registered name, each ``(B, n_genes) -> ModelOutput``.
    task
        ``"classify"`` (average probabilities) or ``"survival"`` (average risks).
    """

    def __init__(self, members: list[nn.Module], *, task: Task) -> None:
        super().__init__()
        if not members:
            raise input_error("an ensemble needs at least one member", where="ensemble")
        self.members = nn.ModuleList(members)
        self.task = task
        self.n_genes = getattr(members[0], "n_genes", None)
        self.n_outputs = getattr(members[0], "n_outputs", None)
        # each member's calibration temperature (fitted on validation; 1 = none), saved
        self.register_buffer("temperatures", torch.ones(len(members)))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, K * d)
        return torch.cat([m.forward_features(x) for m in self.members], dim=1)

    def forward(self, x: torch.Tensor) -> ModelOutput:  # (B, n_genes) -> (B, n_outputs)
        outs = [m(x) for m in self.members]
        stack = torch.stack([o.out.float() for o in outs])  # (K, B, n_outputs)
        if self.task == "classify":  # log of the mean (calibrated) probability
            stack = stack / self.temperatures.view(-1, 1, 1)
            out = torch.logsumexp(torch.log_softmax(stack, -1), 0) - math.log(len(outs))
        else:
            out = stack.mean(0)
        aux: dict[str, torch.Tensor] = {}
        for o in outs:
            for k, v in o.aux_losses.items():
                aux[k] = aux.get(k, 0) + v / len(outs)
        return ModelOutput(out=out, aux_losses=aux, stats={})


@register_model(
    "ensemble",
    kind="torch",
    tasks=("classify", "survival"),
    description="how an ensemble run is stored, not a --model: train --ensemble K (K seeds, "
                "outputs averaged)",
)
def create_ensemble(*, n_genes: int, n_outputs: int, task: Task, member: str,
                    member_config: dict | None = None, k: int = 1) -> EnsembleModel:
    """An ensemble of ``k`` members of registered neural model ``member``."""
    if member == "ensemble" or int(k) < 1:
        raise input_error(f"bad ensemble: member {member!r}, k {k}", where="model.ensemble",
                          fix="member: a registered neural model; k >= 1")
    members = [create_model(member, n_genes=n_genes, n_outputs=n_outputs, task=task,
                            **(member_config or {})) for _ in range(int(k))]
    return EnsembleModel(members, task=task)


class EnsembleEstimator:
    """K fitted classical estimators behind the classical interface, outputs averaged."""

    def __init__(self, members: list[Any], *, task: Task, name: str,
                 temperatures: list[float] | None = None) -> None:
        self.members, self.task, self.name = list(members), task, name
        self.temperatures = list(temperatures or [1.0] * len(self.members))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Mean of the members' (temperature-calibrated) probabilities ``(n, n_outputs)``."""
        probs = []
        for m, t in zip(self.members, self.temperatures, strict=True):
            z = np.log(np.clip(m.predict_proba(X), 1e-12, 1.0)) / t
            z = np.exp(z - z.max(1, keepdims=True))
            probs.append(z / z.sum(1, keepdims=True))
        return np.mean(probs, axis=0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X).argmax(1)

    def predict_risk(self, X: np.ndarray) -> np.ndarray:
        """Mean risk ``(n_samples,)``."""
        return np.mean([m.predict_risk(X) for m in self.members], axis=0)

    def get_params(self) -> dict[str, Any]:
        """The members' parameters, and what each chose."""
        return {"model": self.name, "ensemble": len(self.members),
                "members": [m.get_params() for m in self.members]}
