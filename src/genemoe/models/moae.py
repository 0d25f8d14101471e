"""Mixture of attention experts (MOAE; Gene-MOE paper section II-B-2, Fig. 3).

Each expert is a residual self-attention block over *tokens of one sample*: the hidden
vector ``(d_model,)`` is cut into ``n_tokens`` chunks of ``d_model // n_tokens`` values,
which attend to each other. Attention never mixes samples of a batch (the official code
summed Q^T K over all samples routed to an expert, so a sample's output depended on its
batch-mates). The experts are mixed by the same noisy top-k gate and sparse dispatch as
:class:`~genemoe.models.moe.MixtureOfExperts`, with a residual around the mixture.
"""

from __future__ import annotations

import logging

import torch
from torch import nn

from genemoe.errors import input_error
from genemoe.models.base import AuxLossMixin
from genemoe.models.moe import TopKGate, record_gate, sparse_dispatch

__all__ = ["AttentionExpert", "MixtureOfAttentionExperts"]

logger = logging.getLogger(__name__)


class AttentionExpert(nn.Module):
    """Per-sample token self-attention block, ``(batch, d_model) -> (batch, d_model)``.

    ``tokens = x.view(batch, n_tokens, d_token) + pos``; then
    ``h = LayerNorm(tokens + MHA(tokens))`` and ``out = LayerNorm(h + FF(h))``, reshaped
    back to ``(batch, d_model)``.

    Parameters
    ----------
    d_model
        Width of the hidden vector; divisible by ``n_tokens``.
    n_tokens
        Number of tokens a sample is cut into.
    n_heads
        Attention heads; ``d_model // n_tokens`` must be divisible by it.
    dropout
        Dropout on the attention weights and on both residual branches.
    ff_mult
        Width of the feed-forward hidden layer, in multiples of the token width.
    """

    def __init__(
        self,
        d_model: int,
        *,
        n_tokens: int,
        n_heads: int,
        dropout: float = 0.1,
        ff_mult: int = 2,
    ) -> None:
        super().__init__()
        if d_model % n_tokens:
            raise input_error(
                f"attention expert: d_model={d_model} is not divisible by n_tokens={n_tokens}",
                fix="pick n_tokens dividing hidden",
            )
        d_token = d_model // n_tokens
        if d_token % n_heads:
            raise input_error(
                f"attention expert: token width {d_token} is not divisible by n_heads={n_heads}",
                fix="pick n_heads dividing hidden/n_tokens",
            )
        self.d_model, self.n_tokens, self.d_token = d_model, n_tokens, d_token
        self.pos = nn.Parameter(torch.randn(1, n_tokens, d_token) * 0.02)
        self.attn = nn.MultiheadAttention(d_token, n_heads, dropout=dropout, batch_first=True)
        self.norm1 = nn.LayerNorm(d_token)
        self.ff = nn.Sequential(
            nn.Linear(d_token, ff_mult * d_token), nn.GELU(), nn.Linear(ff_mult * d_token, d_token)
        )
        self.norm2 = nn.LayerNorm(d_token)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, d_model) -> (B, d_model)
        tokens = x.reshape(x.shape[0], self.n_tokens, self.d_token) + self.pos  # (B, T, d_t)
        a, _ = self.attn(tokens, tokens, tokens, need_weights=False)  # (B, T, d_t)
        h = self.norm1(tokens + self.drop(a))
        h = self.norm2(h + self.drop(self.ff(h)))  # (B, T, d_t)
        return h.reshape(x.shape[0], self.d_model)


class MixtureOfAttentionExperts(AuxLossMixin, nn.Module):
    """``y = x + sum_i G_i(x) * A_i(x)`` over attention experts ``A_i`` (top-k of n).

    Parameters
    ----------
    d_model
        Width of input and output.
    n_experts, k
        Number of attention experts and experts per sample (the paper: 4 and 2).
    n_tokens, n_heads, dropout
        See :class:`AttentionExpert`.
    noisy
        Noisy gating in training (see :class:`~genemoe.models.moe.TopKGate`).
    layer_scale
        ``None`` (the paper): ``y = x + sum_i G_i(x) A_i(x)``. A number: the mixture is
        multiplied per channel by a learned scale that starts at this value (LayerScale,
        Touvron et al. 2021; ReZero, Bachlechner et al. 2021), ``y = x + s * sum_i G_i(x)
        A_i(x)``, so the layer starts near the identity and the attention experts' output
        (layer-normalised, of unit size) does not swamp the MoE's (tanh, at most 1) before
        it has learned anything.

    Notes
    -----
    Records ``last_aux`` / ``last_stats`` like :class:`~genemoe.models.moe.MixtureOfExperts`.
    """

    def __init__(
        self,
        d_model: int,
        n_experts: int = 4,
        k: int = 2,
        *,
        n_tokens: int = 16,
        n_heads: int = 4,
        dropout: float = 0.1,
        noisy: bool = True,
        layer_scale: float | None = None,
    ) -> None:
        super().__init__()
        self.d_model = d_model
        self.gate = TopKGate(d_model, n_experts, k, noisy=noisy)
        self.experts = nn.ModuleList(
            AttentionExpert(d_model, n_tokens=n_tokens, n_heads=n_heads, dropout=dropout)
            for _ in range(n_experts)
        )
        # (d_model,) learned per-channel scale; None keeps the default state-dict keys
        self.scale = (None if layer_scale is None
                      else nn.Parameter(torch.full((d_model,), float(layer_scale))))
        self.last_aux: dict[str, torch.Tensor] = {}
        self.last_stats: dict[str, torch.Tensor] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, d_model) -> (B, d_model)
        g = self.gate(x)
        y = sparse_dispatch(x, g.indices, g.weights, self.experts, self.d_model)
        record_gate(self, g)
        return x + (y if self.scale is None else self.scale * y)
