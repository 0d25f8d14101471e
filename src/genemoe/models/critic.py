"""The WGAN-GP critic of Gene-MOE pre-training (paper section II-C-2).

A dense network ``(batch, n_genes)`` → ``(batch, 1)``: Linear layers of the given widths,
each followed by Mish (the official code: 25,182 → 1,024 → 512 → 256 → 1). No batch or
layer normalisation: the gradient penalty is a per-sample quantity, and batch norm would
make a sample's score depend on its batch-mates (Gulrajani et al. 2017, section 4).

Mish is composed here as ``x * tanh(softplus(x))`` rather than ``nn.Mish``: torch's fused
Mish returns NaN second derivatives for inputs above ~100 (seen on 54k-gene inputs), and
the gradient penalty differentiates the critic twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Critic", "StableMish"]


class StableMish(nn.Module):
    """``x * tanh(softplus(x))`` with finite first and second derivatives everywhere."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.tanh(F.softplus(x))


class Critic(nn.Module):
    """Dense critic ``D``: expression ``(batch, n_genes)`` → score ``(batch, 1)``.

    Parameters
    ----------
    n_genes
        Input width.
    widths
        Hidden widths, each ``Linear`` + ``Mish`` (the paper: ``(1024, 512, 256)``).
    """

    def __init__(self, n_genes: int, widths: Sequence[int] = (1024, 512, 256)) -> None:
        super().__init__()
        if not widths or any(int(w) < 1 for w in widths):
            raise ValueError(f"critic widths must be positive integers, got {list(widths)}")
        layers: list[nn.Module] = []
        d_in = n_genes
        for w in widths:
            layers += [nn.Linear(d_in, int(w)), StableMish()]
            d_in = int(w)
        layers.append(nn.Linear(d_in, 1))
        self.net = nn.Sequential(*layers)
        self.n_genes = n_genes
        self.widths = tuple(int(w) for w in widths)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, 1)
        return self.net(x)
