"""The contract every genemoe neural model follows (timm-style).

A model maps a batch of scaled expression vectors ``(batch, n_genes)`` to task outputs:

- ``forward_features(x) -> (batch, n_features)``: the encoder (backbone);
- ``forward_head(features) -> (batch, n_outputs)``: logits (classify) or risk (survival,
  ``n_outputs == 1``; log-hazard, higher = worse);
- ``forward(x) -> ModelOutput``: both, plus the auxiliary (unweighted) losses and the
  detached statistics that MoE layers collected during this forward pass;
- ``reset_classifier(n_outputs)``: a fresh head (transfer learning).

The trainer only knows this contract: it never knows what a MoE is. Layers that produce
auxiliary losses implement :class:`AuxLossMixin` and are found by walking the modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

__all__ = ["ModelOutput", "GeneModel", "AuxLossMixin", "Task", "collect_aux"]

Task = Literal["classify", "survival"]


@dataclass
class ModelOutput:
    """What a model's ``forward`` returns.

    Attributes
    ----------
    out
        ``(batch, n_outputs)``: class logits, or ``(batch, 1)`` risk for survival.
    aux_losses
        Named scalar losses, unweighted (e.g. ``{"importance": t, "load": t}``, summed over
        MoE layers). The trainer weights them.
    stats
        Named detached tensors for logging (e.g. ``{"encoder.moe/load": (n_experts,)}``).
    """

    out: torch.Tensor
    aux_losses: dict[str, torch.Tensor] = field(default_factory=dict)
    stats: dict[str, torch.Tensor] = field(default_factory=dict)


class AuxLossMixin:
    """A module that records auxiliary losses and statistics on each forward pass.

    Implementations set ``self.last_aux`` (name → scalar tensor with grad) and
    ``self.last_stats`` (name → detached tensor) in ``forward``.
    """

    last_aux: dict[str, torch.Tensor]
    last_stats: dict[str, torch.Tensor]


def collect_aux(model: nn.Module) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Sum the aux losses of every :class:`AuxLossMixin` submodule, and gather its stats.

    Aux losses with the same name are summed across layers; stats are keyed
    ``"<module path>/<name>"``. Each layer's record is cleared once read.
    """
    aux: dict[str, torch.Tensor] = {}
    stats: dict[str, torch.Tensor] = {}
    for name, mod in model.named_modules():
        if isinstance(mod, AuxLossMixin) and getattr(mod, "last_aux", None):
            for k, v in mod.last_aux.items():
                aux[k] = aux[k] + v if k in aux else v
            for k, v in getattr(mod, "last_stats", {}).items():
                stats[f"{name}/{k}"] = v
            mod.last_aux, mod.last_stats = {}, {}
    return aux, stats


class GeneModel(nn.Module):
    """Base class: an encoder (``forward_features``) plus a linear head.

    Subclasses implement ``forward_features`` and set ``self.n_features``; the head is
    created here. One level of inheritance only.
    """

    def __init__(self, n_genes: int, n_outputs: int, *, task: Task, n_features: int) -> None:
        super().__init__()
        self.n_genes = n_genes
        self.n_outputs = n_outputs
        self.task: Task = task
        self.n_features = n_features
        self.head: nn.Module = self._make_head(n_outputs)

    def _make_head(self, n_outputs: int) -> nn.Linear:
        # The Cox partial likelihood ignores a constant shift of the risk, so a survival
        # head's bias would get only rounding-noise gradients (which Adam inflates): none.
        return nn.Linear(self.n_features, n_outputs, bias=self.task != "survival")

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, d)
        raise NotImplementedError

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:  # (B, d) -> (B, n_out)
        return self.head(features)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        out = self.forward_head(self.forward_features(x))
        aux, stats = collect_aux(self)
        return ModelOutput(out=out, aux_losses=aux, stats=stats)

    def reset_classifier(self, n_outputs: int) -> None:
        """Replace the head with a freshly initialised one of width ``n_outputs``."""
        self.n_outputs = n_outputs
        self.head = self._make_head(n_outputs)
