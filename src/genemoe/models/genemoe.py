"""Gene-MOE: MoE encoder (+ MOAE) to a Gaussian latent, MoE decoder, and a linear head.

Encoder: genes ``(batch, n_genes)`` → MoE (tanh experts) ``(batch, hidden)`` → MOAE
``(batch, hidden)`` → ``mu``, ``logvar`` ``(batch, latent)``. Heads read ``tanh(mu)``, as the
official fine-tuning does. Decoder (pre-training only): ``z`` → MoE ``(batch, hidden)`` →
``Linear`` ``(batch, n_genes)``.

Registered models: ``genemoe`` (MoE + MOAE) and ``moe`` (MoE only), for ``classify`` and
``survival``.
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from torch import nn

from genemoe.config_presets import check_config_keys
from genemoe.models.base import GeneModel, Task
from genemoe.models.moae import MixtureOfAttentionExperts
from genemoe.models.moe import MixtureOfExperts
from genemoe.models.registry import register_model, signature_defaults

__all__ = [
    "GeneMoeEncoder",
    "GeneMoeDecoder",
    "GeneMoeModel",
    "estimate_parameters",
    "GENEMOE_KEYS",
    "MOE_KEYS",
]

logger = logging.getLogger(__name__)

# Config keys of the registered factories (what a preset's model section may hold).
MOE_KEYS = ("hidden", "n_experts", "k", "latent", "dropout", "noisy", "with_decoder", "batchnorm",
            "expert_dropout", "shared_expert")
GENEMOE_KEYS = MOE_KEYS + ("moae_experts", "moae_k", "n_tokens", "n_heads", "attn_dropout",
                           "moae_layer_scale")


class GeneMoeEncoder(nn.Module):
    """Genes → MoE → (MOAE) → ``(mu, logvar)``.

    Parameters
    ----------
    n_genes
        Input width.
    hidden
        Width of the MoE experts' output (the paper: 1,024).
    n_experts, k
        MoE experts and experts per sample (the paper: 15, 6).
    moae_experts, moae_k
        Attention experts and experts per sample (the paper: 4, 2).
    n_tokens, n_heads
        Tokens per sample and heads of each attention expert.
    latent
        Latent width (the paper: 256).
    dropout
        Dropout inside the MoE experts (the paper: 0.5).
    attn_dropout
        Dropout inside the attention experts.
    use_moae
        Include the MOAE layer (``False`` gives the paper's "MOE" ablation).
    variational
        Create the ``logvar`` projection (needed for pre-training only; without it
        :meth:`encode` returns ``logvar = None``).
    noisy
        Noisy top-k gating in training.
    batchnorm
        ``BatchNorm1d`` on the MoE's combined output, before its tanh (the experts are
        then linear: see :class:`~genemoe.models.moe.MixtureOfExperts`); the decoder
        never has one.
    expert_dropout
        Probability of striking an expert off a sample's candidates in training (the MoE
        layer's gate; see :class:`~genemoe.models.moe.TopKGate`). 0: off.
    shared_expert
        One ungated dense expert added to the MoE layer's routed sum (see
        :class:`~genemoe.models.moe.MixtureOfExperts`); the decoder never has one.
    moae_layer_scale
        ``None`` (the paper) or the starting value of the MOAE's learned per-channel scale
        on its residual branch (see :class:`~genemoe.models.moae.MixtureOfAttentionExperts`).
    """

    def __init__(
        self,
        n_genes: int,
        *,
        hidden: int = 1024,
        n_experts: int = 15,
        k: int = 6,
        moae_experts: int = 4,
        moae_k: int = 2,
        n_tokens: int = 16,
        n_heads: int = 4,
        latent: int = 256,
        dropout: float = 0.5,
        attn_dropout: float = 0.1,
        use_moae: bool = True,
        variational: bool = True,
        noisy: bool = True,
        batchnorm: bool = False,
        expert_dropout: float = 0.0,
        shared_expert: bool = False,
        moae_layer_scale: float | None = None,
    ) -> None:
        super().__init__()
        self.hidden, self.latent, self.n_experts, self.k = hidden, latent, n_experts, k
        self.moae_k, self.n_heads = moae_k, n_heads  # no tensor shape tells them (fine-tuning)
        self.dropout, self.noisy = dropout, noisy
        self.moe = MixtureOfExperts(
            n_genes, hidden, n_experts, k, activation="tanh", dropout=dropout, noisy=noisy,
            batchnorm=batchnorm, expert_dropout=expert_dropout, shared_expert=shared_expert,
        )
        self.moae = (
            MixtureOfAttentionExperts(
                hidden,
                moae_experts,
                moae_k,
                n_tokens=n_tokens,
                n_heads=n_heads,
                dropout=attn_dropout,
                noisy=noisy,
                layer_scale=moae_layer_scale,
            )
            if use_moae
            else None
        )
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent) if variational else None

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(batch, n_genes)`` → ``mu`` and ``logvar``, each ``(batch, latent)``."""
        h = self.moe(x)  # (B, hidden)
        if self.moae is not None:
            h = self.moae(h)  # (B, hidden)
        return self.mu(h), (self.logvar(h) if self.logvar is not None else None)

    def reparameterise(self, mu: torch.Tensor, logvar: torch.Tensor | None) -> torch.Tensor:
        """``z = mu + exp(logvar / 2) * eps`` in training; ``mu`` in eval or without logvar."""
        if not self.training or logvar is None:
            return mu
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, latent)
        return torch.tanh(self.encode(x)[0])


class GeneMoeDecoder(nn.Module):
    """``z`` ``(batch, latent)`` → MoE → ``Linear`` → ``(batch, n_genes)`` (linear output)."""

    def __init__(
        self,
        latent: int,
        n_genes: int,
        *,
        hidden: int = 1024,
        n_experts: int = 15,
        k: int = 6,
        dropout: float = 0.5,
        noisy: bool = True,
    ) -> None:
        super().__init__()
        self.moe = MixtureOfExperts(
            latent, hidden, n_experts, k, activation="tanh", dropout=dropout, noisy=noisy
        )
        self.out = nn.Linear(hidden, n_genes)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # (B, latent) -> (B, n_genes)
        return self.out(self.moe(z))


class GeneMoeModel(GeneModel):
    """Gene-MOE backbone (:class:`GeneMoeEncoder`) with a linear head on ``tanh(mu)``.

    Parameters
    ----------
    n_genes, n_outputs, task
        See :class:`~genemoe.models.base.GeneModel`.
    with_decoder
        Also build :class:`GeneMoeDecoder` and the ``logvar`` projection, for
        pre-training (:meth:`reconstruct`). Fine-tuning does not use them.
    **encoder
        Keyword options of :class:`GeneMoeEncoder` (``hidden``, ``n_experts``, ``k``,
        ``moae_experts``, ``moae_k``, ``n_tokens``, ``n_heads``, ``latent``, ``dropout``,
        ``attn_dropout``, ``use_moae``, ``noisy``, ``batchnorm``, ``expert_dropout``,
        ``shared_expert``, ``moae_layer_scale``).
    """

    def __init__(
        self,
        n_genes: int,
        n_outputs: int,
        *,
        task: Task,
        with_decoder: bool = False,
        **encoder: Any,
    ) -> None:
        enc = GeneMoeEncoder(n_genes, variational=with_decoder, **encoder)
        super().__init__(n_genes, n_outputs, task=task, n_features=enc.latent)
        self.encoder = enc
        self.decoder = None
        if with_decoder:  # mirrors the encoder's MoE, as in the paper
            self.decoder = GeneMoeDecoder(
                enc.latent,
                n_genes,
                hidden=enc.hidden,
                n_experts=enc.n_experts,
                k=enc.k,
                dropout=enc.dropout,
                noisy=enc.noisy,
            )

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, latent)
        return self.encoder(x)

    def reconstruct(
        self,
        x: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Pre-training pass: ``(recon (batch, n_genes), mu, logvar (batch, latent))``.

        The MoE balance losses of this pass are on the layers (``collect_aux``).
        """
        if self.decoder is None:
            raise RuntimeError("this model has no decoder: build it with with_decoder=True")
        mu, logvar = self.encoder.encode(x)
        return self.decoder(self.encoder.reparameterise(mu, logvar)), mu, logvar


_ENCODER_DEFAULTS: dict[str, Any] = signature_defaults(GeneMoeEncoder)


def _moe_params(d_in: int, d_out: int, n_experts: int, noisy: bool) -> int:
    return n_experts * (d_in * d_out + d_out) + d_in * n_experts * (2 if noisy else 1)


def _attention_expert_params(d_model: int, n_tokens: int, ff_mult: int = 2) -> int:
    d = d_model // n_tokens
    attn = 4 * d * d + 4 * d  # in-projection (q, k, v) and out-projection, with biases
    ff = d * ff_mult * d + ff_mult * d + ff_mult * d * d + d
    return n_tokens * d + attn + 4 * d + ff  # positions, attention, 2 LayerNorms, FF


def estimate_parameters(
    n_genes: int, n_outputs: int, *, task: Task = "classify", **config: Any
) -> int:
    """Parameter count of ``GeneMoeModel(n_genes, n_outputs, task=task, **config)``, unbuilt.

    Parameters
    ----------
    n_genes, n_outputs
        Input and head widths.
    task
        ``"survival"`` heads have no bias (see :class:`~genemoe.models.base.GeneModel`).
    **config
        The model's options; absent ones take :class:`GeneMoeEncoder`'s defaults.

    Returns
    -------
    int
        Number of trainable values (e.g. about 418M for the ``paper`` preset with the
        decoder at 25,182 genes).
    """
    c = _ENCODER_DEFAULTS | {"with_decoder": False} | config
    hidden, latent, noisy = c["hidden"], c["latent"], c["noisy"]
    total = _moe_params(n_genes, hidden, c["n_experts"], noisy)
    total += (n_genes * hidden + hidden) if c["shared_expert"] else 0
    total += 2 * hidden if c["batchnorm"] else 0  # the BatchNorm1d's weight and bias
    if c["use_moae"]:
        total += c["moae_experts"] * _attention_expert_params(hidden, c["n_tokens"])
        total += hidden * c["moae_experts"] * (2 if noisy else 1)
        total += hidden if c["moae_layer_scale"] is not None else 0
    total += (2 if c["with_decoder"] else 1) * (hidden * latent + latent)  # mu (+ logvar)
    if c["with_decoder"]:
        total += _moe_params(latent, hidden, c["n_experts"], noisy) + hidden * n_genes + n_genes
    return total + latent * n_outputs + (n_outputs if task != "survival" else 0)


@register_model(
    "genemoe",
    kind="torch",
    tasks=("classify", "survival"),
    description="Gene-MOE: sparse MoE + mixture of attention experts encoder",
    defaults=signature_defaults(GeneMoeModel, GeneMoeEncoder, keys=GENEMOE_KEYS),
    options=GENEMOE_KEYS,
)
def create_genemoe(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> GeneMoeModel:
    """Gene-MOE (MoE + MOAE). Config keys: :data:`GENEMOE_KEYS`."""
    check_config_keys("genemoe", config, GENEMOE_KEYS)
    return GeneMoeModel(n_genes, n_outputs, task=task, use_moae=True, **config)


@register_model(
    "moe",
    kind="torch",
    tasks=("classify", "survival"),
    description="Gene-MOE without the attention experts (the paper's MOE ablation)",
    defaults=signature_defaults(GeneMoeModel, GeneMoeEncoder, keys=MOE_KEYS),
    options=MOE_KEYS,
)
def create_moe(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> GeneMoeModel:
    """MoE encoder only (no MOAE). Config keys: :data:`MOE_KEYS`."""
    check_config_keys("moe", config, MOE_KEYS)
    return GeneMoeModel(n_genes, n_outputs, task=task, use_moae=False, **config)
