"""Dense neural baselines: ``fcn`` (the Gene-MOE paper's ablation baseline) and ``mlp``.

Both follow the :class:`~genemoe.models.base.GeneModel` contract, so they train, transfer
and explain exactly like Gene-MOE.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from genemoe.config_presets import check_config_keys
from genemoe.errors import input_error
from genemoe.models.base import GeneModel, Task
from genemoe.models.registry import register_model, signature_defaults

__all__ = ["FcnModel", "MlpModel", "FCN_KEYS", "MLP_KEYS"]

logger = logging.getLogger(__name__)

FCN_KEYS = ("hidden", "latent", "dropout", "batchnorm")
MLP_KEYS = ("widths", "dropout", "batchnorm")


class FcnModel(GeneModel):
    """Two dense layers, genes → ``hidden`` → ``latent``, each tanh + dropout; linear head.

    The paper's ablation "baseline" (Tables II-III): Gene-MOE with its MoE and MOAE layers
    replaced by fully connected ones.

    Parameters
    ----------
    n_genes, n_outputs, task
        See :class:`~genemoe.models.base.GeneModel`.
    hidden, latent
        Layer widths (the paper's encoder: 1,024 and 256).
    dropout
        Dropout after each activation.
    batchnorm
        ``BatchNorm1d`` on the first hidden layer, before its tanh (as ``moe`` and
        ``genemoe`` place it; the paper's baseline has none).
    """

    def __init__(
        self,
        n_genes: int,
        n_outputs: int,
        *,
        task: Task,
        hidden: int = 1024,
        latent: int = 256,
        dropout: float = 0.5,
        batchnorm: bool = False,
    ) -> None:
        super().__init__(n_genes, n_outputs, task=task, n_features=latent)
        first: list[nn.Module] = [nn.Linear(n_genes, hidden)]
        if batchnorm:  # inserted only when on: default state-dict keys stay as they were
            first.append(nn.BatchNorm1d(hidden))
        self.encoder = nn.Sequential(
            *first,
            nn.Tanh(),
            nn.Dropout(dropout),
            nn.Linear(hidden, latent),
            nn.Tanh(),
            nn.Dropout(dropout),
        )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, latent)
        return self.encoder(x)


class MlpModel(GeneModel):
    """A configurable ReLU MLP: per layer ``Linear`` → (``BatchNorm1d``) → ReLU → dropout.

    Parameters
    ----------
    n_genes, n_outputs, task
        See :class:`~genemoe.models.base.GeneModel`.
    widths
        Hidden layer widths, e.g. ``(512, 128)``; the last one is the feature width.
    dropout
        Dropout after each activation.
    batchnorm
        Batch normalisation before each activation.
    """

    def __init__(
        self,
        n_genes: int,
        n_outputs: int,
        *,
        task: Task,
        widths: Sequence[int] = (512, 128),
        dropout: float = 0.5,
        batchnorm: bool = True,
    ) -> None:
        widths = [int(w) for w in widths]
        if not widths or min(widths) < 1:
            raise input_error(
                f"mlp widths must be a non-empty list of positive ints, got {widths}",
                where="model.mlp.widths",
                fix="e.g. widths: [512, 128]",
            )
        super().__init__(n_genes, n_outputs, task=task, n_features=widths[-1])
        layers: list[nn.Module] = []
        for d_in, d_out in zip([n_genes, *widths[:-1]], widths, strict=True):
            layers.append(nn.Linear(d_in, d_out))
            if batchnorm:
                layers.append(nn.BatchNorm1d(d_out))
            layers += [nn.ReLU(), nn.Dropout(dropout)]
        self.encoder = nn.Sequential(*layers)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, w[-1])
        return self.encoder(x)


@register_model(
    "fcn",
    kind="torch",
    tasks=("classify", "survival"),
    description="two dense tanh layers (the Gene-MOE paper's ablation baseline)",
    defaults=signature_defaults(FcnModel, keys=FCN_KEYS), options=FCN_KEYS,
)
def create_fcn(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> FcnModel:
    """Dense baseline. Config keys: :data:`FCN_KEYS`."""
    check_config_keys("fcn", config, FCN_KEYS)
    return FcnModel(n_genes, n_outputs, task=task, **config)


@register_model(
    "mlp",
    kind="torch",
    tasks=("classify", "survival"),
    description="configurable ReLU MLP with optional batch norm",
    defaults=signature_defaults(MlpModel, keys=MLP_KEYS), options=MLP_KEYS,
)
def create_mlp(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> MlpModel:
    """ReLU MLP. Config keys: :data:`MLP_KEYS`."""
    check_config_keys("mlp", config, MLP_KEYS)
    return MlpModel(n_genes, n_outputs, task=task, **config)
