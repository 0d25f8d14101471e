"""The pre-training objective's pieces: WGAN-GP critic step, generator step, KL, penalty.

Eq. 11 of the Gene-MOE paper: the generator (encoder + decoder) minimises
``λ_adv · (−E D(G(x̂))) + λ_KL · KL + λ_L1 · |G(x̂) − target| + λ_balance · (importance +
load)``, the target x̂ as eq. 8 has it (``recon_target: clean``: x, a denoising loss); the
critic ``E D(fake) − E D(real) + λ_gp · GP``. KL and L1 are means (eqs. 7–8 write sums), so
the paper's λ values weigh them differently than the paper. Used by
:mod:`genemoe.train.pretrain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from genemoe.train.pretrain import PretrainConfig

__all__ = ["gradient_penalty", "kl_to_standard_normal", "critic_step", "generator_step"]


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                     alpha: torch.Tensor | None = None) -> torch.Tensor:
    """``E (‖∇_x̃ D(x̃)‖₂ - 1)²`` over interpolates ``x̃ = α real + (1 - α) fake``.

    ``real``, ``fake`` ``(batch, n_genes)``; ``alpha`` ``(batch, 1)`` (uniform if None).
    The graph is kept (``create_graph``) so the penalty trains the critic.
    """
    if alpha is None:
        alpha = torch.rand(real.shape[0], 1, device=real.device, dtype=real.dtype)
    interp = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)  # (B, n_genes)
    (grad,) = torch.autograd.grad(critic(interp).sum(), interp, create_graph=True)
    norm = torch.sqrt(grad.pow(2).sum(1) + 1e-12)  # (B,); the eps keeps d‖g‖ finite at g = 0
    return ((norm - 1) ** 2).mean()


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """``KL(N(μ, σ²) ‖ N(0, I))`` per latent dimension, averaged over samples and dims."""
    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).mean()


def critic_step(critic: nn.Module, optimizer: torch.optim.Optimizer, real: torch.Tensor,
                fake: torch.Tensor, *, lambda_gp: float) -> dict[str, float]:
    """One critic update on ``real`` and (detached) ``fake`` ``(batch, n_genes)``.

    Returns ``critic_loss`` (``E D(fake) - E D(real) + λ_gp GP``), ``critic_gap``
    (``E D(real) - E D(fake)``, the Wasserstein estimate) and ``gp``.
    """
    fake = fake.detach()  # the generator gets no gradient from a critic step
    optimizer.zero_grad(set_to_none=True)
    d_real, d_fake = critic(real).mean(), critic(fake).mean()
    gp = gradient_penalty(critic, real, fake)
    loss = d_fake - d_real + lambda_gp * gp
    loss.backward()
    optimizer.step()
    return {"critic_loss": loss.item(), "critic_gap": (d_real - d_fake).item(), "gp": gp.item()}


def generator_step(model: nn.Module, critic: nn.Module, optimizer: torch.optim.Optimizer,
                   recon: torch.Tensor, target: torch.Tensor, mu: torch.Tensor,
                   logvar: torch.Tensor, aux: Mapping[str, torch.Tensor], config: PretrainConfig,
                   ) -> dict[str, float]:
    """One generator update from a pass ``recon, mu, logvar = model.reconstruct(x̂)``.

    The critic's parameters are frozen during the step (no gradient reaches them).
    Returns every term: ``adv`` (``-E D(G(x̂))``), ``kl``, ``l1``, ``importance``, ``load``
    (unweighted) and ``g_loss`` (the weighted total of eq. 11).
    """
    c = config
    flags = [p.requires_grad for p in critic.parameters()]
    critic.requires_grad_(False)
    try:
        adv = -critic(recon).mean()
        kl, l1 = kl_to_standard_normal(mu, logvar), (recon - target).abs().mean()
        zero = recon.new_zeros(())
        importance, load = aux.get("importance", zero), aux.get("load", zero)
        total = (c.lambda_adv * adv + c.lambda_kl * kl + c.lambda_l1 * l1
                 + c.lambda_balance * (importance + load))
        optimizer.zero_grad(set_to_none=True)
        total.backward()
    finally:
        for p, f in zip(critic.parameters(), flags, strict=True):
            p.requires_grad_(f)
    if c.grad_clip is not None:
        nn.utils.clip_grad_norm_([p for g in optimizer.param_groups for p in g["params"]], c.grad_clip)
    optimizer.step()
    return {"g_loss": total.item(), "adv": adv.item(), "kl": kl.item(), "l1": l1.item(),
            "importance": importance.item(), "load": load.item()}
