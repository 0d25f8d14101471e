"""The survival peers Gene-MOE is compared with: ``coxnnet`` and ``vaecox``.

- **Cox-nnet** (Ching, Zhu & Garmire 2018): genes → one ``tanh`` hidden layer of about
  ``√n_genes`` units (dropout) → a linear output, the log-hazard. Survival only.
- **VAE-Cox** (Kim, Kang & Kang 2020): a VAE encoder genes → 4,096 → 128; the features
  are the latent mean ``mu``; a Cox-nnet style head ``Linear(128 → 12)`` + ``tanh`` →
  ``Linear(12 → 1)``; the whole network is fine-tuned. Built with ``with_decoder=True``
  it also has the ``logvar`` projection and a mirrored decoder (128 → 4,096 → genes), so
  :meth:`VaeCoxModel.reconstruct` gives what a pre-training loop needs.

Both follow the :class:`~genemoe.models.base.GeneModel` contract. A survival head has no
bias (the Cox partial likelihood ignores a constant shift of the risk).

What the papers do not pin down (and we chose): VAE-Cox's hidden activation (ReLU here,
``activation: tanh`` switches) and dropout (off by default); Cox-nnet tunes its dropout
rate by cross-validation (0.5 here; early stopping on the validation split instead).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import torch
from torch import nn

from genemoe.config_presets import check_config_keys
from genemoe.errors import input_error
from genemoe.models.base import GeneModel, Task
from genemoe.models.registry import register_model, signature_defaults

__all__ = [
    "CoxNnetModel",
    "VaeCoxModel",
    "coxnnet_hidden",
    "estimate_vaecox_parameters",
    "COXNNET_KEYS",
    "VAECOX_KEYS",
]

COXNNET_KEYS = ("hidden", "dropout")
VAECOX_KEYS = ("hidden", "latent", "head_hidden", "dropout", "activation", "with_decoder")

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def coxnnet_hidden(n_genes: int) -> int:
    """Cox-nnet's default hidden width: ``⌈√n_genes⌉`` (e.g. 144 for 20,502 genes)."""
    return max(1, math.ceil(math.sqrt(n_genes)))


def _positive(name: str, value: int, model: str) -> int:
    if int(value) < 1:
        raise input_error(f"{model} {name} must be a positive int, got {value}",
                          where=f"model.{model}.{name}", fix=f"e.g. {name}: 128")
    return int(value)


class CoxNnetModel(GeneModel):
    """Cox-nnet: genes → ``Linear`` → ``tanh`` → dropout ``(batch, hidden)`` → linear risk.

    Parameters
    ----------
    n_genes, n_outputs, task
        See :class:`~genemoe.models.base.GeneModel` (registered for survival only).
    hidden
        Hidden width; ``None`` = :func:`coxnnet_hidden` (``⌈√n_genes⌉``).
    dropout
        Dropout after the hidden activation.
    """

    def __init__(self, n_genes: int, n_outputs: int, *, task: Task, hidden: int | None = None,
                 dropout: float = 0.5) -> None:
        hidden = coxnnet_hidden(n_genes) if hidden is None else _positive("hidden", hidden, "coxnnet")
        super().__init__(n_genes, n_outputs, task=task, n_features=hidden)
        self.hidden = nn.Sequential(nn.Linear(n_genes, hidden), nn.Tanh(), nn.Dropout(dropout))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, hidden)
        return self.hidden(x)


class VaeCoxModel(GeneModel):
    """VAE-Cox: VAE encoder genes → ``hidden`` → ``mu`` ``(batch, latent)``; Cox-nnet head.

    Parameters
    ----------
    n_genes, n_outputs, task
        See :class:`~genemoe.models.base.GeneModel`.
    hidden, latent
        Encoder widths (the paper: 4,096 and 128).
    head_hidden
        Width of the head's ``tanh`` layer (the paper: 12).
    dropout
        Dropout after the encoder's hidden activation.
    activation
        Hidden activation of encoder and decoder: ``relu`` or ``tanh``.
    with_decoder
        Also build the ``logvar`` projection and the decoder ``latent → hidden → n_genes``
        (linear output: inputs are z-scored), for :meth:`reconstruct`. Fine-tuning does
        not use them (so they are left out by default: every weight then gets a gradient).
    """

    def __init__(self, n_genes: int, n_outputs: int, *, task: Task, hidden: int = 4096,
                 latent: int = 128, head_hidden: int = 12, dropout: float = 0.0,
                 activation: Literal["relu", "tanh"] = "relu", with_decoder: bool = False) -> None:
        if activation not in _ACTIVATIONS:
            raise input_error(f"vaecox activation must be relu or tanh, got {activation!r}",
                              where="model.vaecox.activation", fix="activation: relu")
        hidden, latent = _positive("hidden", hidden, "vaecox"), _positive("latent", latent, "vaecox")
        self.head_hidden = _positive("head_hidden", head_hidden, "vaecox")  # read by _make_head
        super().__init__(n_genes, n_outputs, task=task, n_features=latent)
        act = _ACTIVATIONS[activation]
        self.encoder = nn.Sequential(nn.Linear(n_genes, hidden), act(), nn.Dropout(dropout))
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent) if with_decoder else None
        self.decoder = (nn.Sequential(nn.Linear(latent, hidden), act(), nn.Linear(hidden, n_genes))
                        if with_decoder else None)

    def _make_head(self, n_outputs: int) -> nn.Module:
        # Cox-nnet style: Linear(latent → 12) + tanh → Linear(12 → n_outputs)
        return nn.Sequential(nn.Linear(self.n_features, self.head_hidden), nn.Tanh(),
                             nn.Linear(self.head_hidden, n_outputs, bias=self.task != "survival"))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(batch, n_genes)`` → ``mu`` and ``logvar`` ``(batch, latent)`` (None without decoder)."""
        h = self.encoder(x)  # (B, hidden)
        return self.mu(h), (self.logvar(h) if self.logvar is not None else None)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, latent)
        return self.encode(x)[0]

    def reconstruct(self, x: torch.Tensor,
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Pre-training pass: ``(recon (batch, n_genes), mu, logvar (batch, latent))``.

        ``z = mu + exp(logvar / 2) * eps`` in training, ``mu`` in eval mode.
        """
        if self.decoder is None:
            raise RuntimeError("this model has no decoder: build it with with_decoder=True")
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return self.decoder(z), mu, logvar


def estimate_vaecox_parameters(n_genes: int, n_outputs: int, *, task: Task = "survival",
                               hidden: int = 4096, latent: int = 128, head_hidden: int = 12,
                               with_decoder: bool = False, **_: Any) -> int:
    """Parameter count of ``VaeCoxModel(n_genes, n_outputs, ...)``, unbuilt.

    E.g. about 84.5M for the paper's 20,502 genes without the decoder.
    """
    total = n_genes * hidden + hidden + hidden * latent + latent  # encoder, mu
    if with_decoder:
        total += hidden * latent + latent  # logvar
        total += latent * hidden + hidden + hidden * n_genes + n_genes  # decoder
    head = latent * head_hidden + head_hidden + head_hidden * n_outputs
    return total + head + (n_outputs if task != "survival" else 0)


@register_model("coxnnet", kind="torch", tasks=("survival",),
                description="Cox-nnet (Ching 2018): one tanh layer of ~sqrt(n_genes) units, Cox output",
                defaults=signature_defaults(CoxNnetModel, keys=COXNNET_KEYS), options=COXNNET_KEYS)
def create_coxnnet(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> CoxNnetModel:
    """Cox-nnet. Config keys: :data:`COXNNET_KEYS`."""
    check_config_keys("coxnnet", config, COXNNET_KEYS)
    return CoxNnetModel(n_genes, n_outputs, task=task, **config)


@register_model("vaecox", kind="torch", tasks=("classify", "survival"),
                description="VAE-Cox (Kim 2020): VAE encoder (latent mean) + 12-unit tanh head: risk or class logits",
                defaults=signature_defaults(VaeCoxModel, keys=VAECOX_KEYS), options=VAECOX_KEYS)
def create_vaecox(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> VaeCoxModel:
    """VAE-Cox. Config keys: :data:`VAECOX_KEYS`."""
    check_config_keys("vaecox", config, VAECOX_KEYS)
    return VaeCoxModel(n_genes, n_outputs, task=task, **config)
