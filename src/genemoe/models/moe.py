"""Sparsely gated mixture of experts (Shazeer et al. 2017; Gene-MOE paper eqs. 1-4).

The layer computes ``y = sum_i G_i(x) * E_i(x)`` where ``G`` keeps the top ``k`` of ``n``
noisy gate logits per sample and the experts are separate modules. Dispatch is sparse:
each expert runs only on the rows routed to it, so compute grows with ``k``, not with
``n_experts``.

Unlike the official Gene-MOE code, the gate weights here are registered parameters
(trained, saved, and reached by gradients), the noise is on in training, and the softmax
is taken over the ``k`` kept logits only (after top-k, never before).

The dispatch itself (one gather, contiguous per-expert slices, one combine) lives in
:mod:`genemoe.models.dispatch`; :func:`sparse_dispatch` is re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from genemoe.errors import input_error
from genemoe.models.base import AuxLossMixin
from genemoe.models.dispatch import sparse_dispatch

__all__ = [
    "Activation",
    "FrozenRoute",
    "GateOutput",
    "TopKGate",
    "MixtureOfExperts",
    "cv_squared",
    "frozen_routing",
    "has_sparse_routing",
    "make_expert",
    "record_gate",
    "routing_mutual_information",
    "sparse_dispatch",
    "take_routing_probabilities",
]

logger = logging.getLogger(__name__)

Activation = Literal["tanh", "relu", "gelu", "identity"]
_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


def cv_squared(x: torch.Tensor, eps: float = 1e-10) -> torch.Tensor:
    """Squared coefficient of variation ``var(x) / mean(x)^2`` of a 1-D tensor.

    The population variance is used, so a single expert or perfectly equal values give 0.

    Parameters
    ----------
    x
        ``(n_experts,)`` non-negative values (importance or load per expert).

    Returns
    -------
    torch.Tensor
        Scalar, ``>= 0``.
    """
    x = x.float()
    return x.var(correction=0) / (x.mean() ** 2 + eps)


@dataclass
class GateOutput:
    """What :class:`TopKGate` returns for a batch.

    Attributes
    ----------
    gates
        ``(batch, n_experts)`` sparse gate values: ``k`` non-zeros per row summing to 1.
    indices
        ``(batch, k)`` the chosen experts, best first.
    weights
        ``(batch, k)`` the gate values of the chosen experts (softmax over the kept logits).
    importance_loss
        Scalar ``CV^2(sum over the batch of gates)``.
    load_loss
        Scalar ``CV^2(load)``: Shazeer's smooth load estimate in noisy training, the count
        of routed samples otherwise.
    routed_fraction
        ``(n_experts,)`` detached fraction of the batch routed to each expert (sums to ``k``).
    """

    gates: torch.Tensor
    indices: torch.Tensor
    weights: torch.Tensor
    importance_loss: torch.Tensor
    load_loss: torch.Tensor
    routed_fraction: torch.Tensor


class TopKGate(nn.Module):
    """Noisy top-k gating: ``G(x) = Softmax(TopK(H(x), k))`` (paper eqs. 2-4).

    ``H(x) = x W_g + z * (Softplus(x W_noise) + noise_eps)`` with ``z ~ N(0, 1)`` drawn only
    in training mode and only when ``noisy``.

    Parameters
    ----------
    d_in
        Input width.
    n_experts
        Number of experts ``n``.
    k
        Experts kept per sample, ``1 <= k <= n``.
    noisy
        Add the learned Gaussian noise in training (Shazeer's load balancing device).
        When ``False`` no ``w_noise`` parameter is created.
    noise_eps
        Floor of the noise standard deviation.
    expert_dropout
        In training only: each expert is struck off each sample's candidates with this
        probability before top-k (a sample keeps at least ``k`` candidates), so the gate
        cannot lean on one expert per type and every expert must cope with other types'
        samples: a routing regulariser for small cohorts. 0 (the default) changes nothing.
    """

    def __init__(
        self, d_in: int, n_experts: int, k: int, *, noisy: bool = True, noise_eps: float = 1e-2,
        expert_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if not 1 <= k <= n_experts:
            raise input_error(
                f"top-k gate needs 1 <= k <= n_experts, got k={k}, n_experts={n_experts}",
                fix="lower k or add experts",
            )
        if not 0.0 <= expert_dropout < 1.0:
            raise input_error(f"expert_dropout must be in [0, 1), got {expert_dropout}",
                              fix="use e.g. 0.1 (0 turns it off)")
        self.d_in, self.n_experts, self.k = d_in, n_experts, k
        self.noisy, self.noise_eps, self.expert_dropout = noisy, noise_eps, float(expert_dropout)
        # Shazeer initialises W_g at zero; then every clean logit ties and, without noise
        # (eval, or noisy=False), top-k breaks the tie by index: all samples go to experts
        # 0..k-1. A small random W_g makes the routing input-dependent from the start, and
        # being small (logit std ~0.1 * rms(x)) it leaves the noise (std softplus(0) ~ 0.69)
        # in charge of early training routing, which is what spreads the load at zero init.
        self.w_gate = nn.Parameter(torch.randn(d_in, n_experts) * (0.1 / d_in**0.5))
        self.w_noise = nn.Parameter(torch.zeros(d_in, n_experts)) if noisy else None
        # routing hook of :func:`frozen_routing` (never saved: not parameters or buffers)
        self.frozen: FrozenRoute | None = None
        self._recording = False
        self._recorded: tuple[torch.Tensor, torch.Tensor] | None = None
        # the soft routing probabilities softmax(clean logits) of the last training batch,
        # ``(B, E)`` with grad, for a label-aware routing loss (take_routing_probabilities)
        self.last_probs: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> GateOutput:
        """Route a batch ``x`` of shape ``(batch, d_in)``; see :class:`GateOutput`."""
        # Routing in float32 even under autocast: bf16 logits would make near-ties flip.
        with torch.autocast(x.device.type, enabled=False):
            return self._route(x.float())

    def _route(self, x: torch.Tensor) -> GateOutput:
        if self.frozen is not None:
            return self._route_frozen(x)
        use_noise = self.training and self.w_noise is not None
        if use_noise:  # one pass over x for both projections (x may be 25k genes wide)
            w = torch.cat([self.w_gate, self.w_noise], 1).float()  # (d_in, 2E)
            clean, raw_noise = (x @ w).chunk(2, dim=1)
            noise_std = F.softplus(raw_noise) + self.noise_eps  # (B, E)
            logits = clean + torch.randn_like(clean) * noise_std
        else:
            clean = x @ self.w_gate.float()  # (B, E)
            noise_std, logits = None, clean
        if self.training and self.expert_dropout > 0 and self.k < self.n_experts:
            clean, logits = _drop_experts(clean, logits, self.expert_dropout, self.k)
        self.last_probs = torch.softmax(clean, dim=1) if self.training else None
        n_top = min(self.k + 1, self.n_experts)
        top_vals, top_idx = logits.topk(n_top, dim=1)  # (B, n_top), sorted descending
        indices = top_idx[:, : self.k]
        weights = torch.softmax(top_vals[:, : self.k], dim=1)  # softmax AFTER top-k
        gates = torch.zeros_like(logits).scatter(1, indices, weights)  # (B, E)
        counts = torch.bincount(indices.reshape(-1), minlength=self.n_experts).to(x.dtype)
        if use_noise and self.k < self.n_experts:
            load = _smooth_load(clean, logits, noise_std, top_vals, self.k)
        else:
            load = counts
        if self._recording:
            self._recorded = (indices.detach(), weights.detach())
        return GateOutput(
            gates=gates,
            indices=indices,
            weights=weights,
            importance_loss=cv_squared(gates.sum(0)),
            load_loss=cv_squared(load),
            routed_fraction=(counts / max(x.shape[0], 1)).detach(),
        )


    def _route_frozen(self, x: torch.Tensor) -> GateOutput:
        """Route every row on the expert set recorded for its sample (see :class:`FrozenRoute`)."""
        frozen = self.frozen
        rows = frozen.rows(x.shape[0], x.device)  # (B,) sample of each row
        indices = frozen.indices.to(x.device)[rows]  # (B, k)
        if frozen.weights_mode == "smooth":  # softmax over the frozen set's own logits at x
            clean = x @ self.w_gate.float()  # (B, E)
            weights = torch.softmax(clean.gather(1, indices), dim=1)
        else:
            weights = frozen.weights.to(x.device)[rows]
        gates = x.new_zeros(x.shape[0], self.n_experts).scatter(1, indices, weights)
        counts = torch.bincount(indices.reshape(-1), minlength=self.n_experts).to(x.dtype)
        return GateOutput(gates=gates, indices=indices, weights=weights,
                          importance_loss=cv_squared(gates.sum(0)), load_loss=cv_squared(counts),
                          routed_fraction=(counts / max(x.shape[0], 1)).detach())


RoutingWeights = Literal["smooth", "fixed"]
RowLayout = Literal["tile", "repeat"]


@dataclass
class FrozenRoute:
    """One gate's routing recorded at ``n`` samples, reused for batches built from them.

    Attributes
    ----------
    indices
        ``(n, k)`` each sample's experts at the recorded input.
    weights
        ``(n, k)`` their gate values there (used when ``weights_mode == "fixed"``).
    weights_mode
        ``"smooth"``: the weights are recomputed at every input as the softmax of the
        gate's clean logits *over the frozen set*; ``"fixed"``: the recorded weights.
    layout
        How a batch of ``B = m * n`` rows maps to the samples: ``"tile"`` (row ``r`` is
        sample ``r % n``: captum's Integrated Gradients path points, DeepLIFT's inputs
        followed by baselines, a plain batch of the ``n`` samples) or ``"repeat"`` (row
        ``r`` is sample ``r // m``: captum's NoiseTunnel / GradientSHAP draws).
    """

    indices: torch.Tensor
    weights: torch.Tensor
    weights_mode: RoutingWeights = "smooth"
    layout: RowLayout = "tile"

    def rows(self, batch: int, device: torch.device) -> torch.Tensor:
        """``(batch,)`` index of the recorded sample behind each row of a batch."""
        n = self.indices.shape[0]
        if batch % n:
            raise RuntimeError(f"routing frozen on {n} samples cannot route a batch of {batch} rows "
                               "(it must be a whole number of copies of those samples)")
        r = torch.arange(batch, device=device)
        return r % n if self.layout == "tile" else torch.div(r, batch // n, rounding_mode="floor")


def has_sparse_routing(model: nn.Module) -> bool:
    """True if any :class:`TopKGate` of ``model`` keeps fewer experts than it has."""
    return any(isinstance(m, TopKGate) and m.k < m.n_experts for m in model.modules())


@contextmanager
def frozen_routing(model: nn.Module, x: torch.Tensor, *, weights: RoutingWeights = "smooth",
                   layout: RowLayout = "tile") -> Iterator[dict[str, FrozenRoute]]:
    """Freeze every gate of ``model`` at the routing of the samples ``x`` while inside.

    On entry ``model(x)`` runs once (no gradients) and each :class:`TopKGate` records each
    sample's top-k expert set (and gate values); inside the block every gate routes each
    row of a batch on its sample's recorded set (rows map to samples by ``layout``, see
    :class:`FrozenRoute`), and on exit the gates route live again.

    Why: top-k routing makes the model piecewise smooth, jumping wherever a sample's
    expert set changes. Path methods (Integrated Gradients) integrate the gradient along
    a line from a baseline to ``x``; across a jump the integral misses the jump, so the
    attributions no longer sum to ``f(x) - f(baseline)``. With the set frozen the function
    is smooth along the whole path, so completeness holds for it, and it agrees with the
    model at ``x`` (``f_frozen(x) == f(x)``).

    ``weights="smooth"`` (the default) keeps the gate values a function of the input (a
    softmax of the gate's logits over the frozen set only). Then ``f_frozen`` equals the
    model on the whole neighbourhood of ``x`` where the top-k set stays the same, so it
    is the smooth continuation of the very piece the model uses at ``x``: its gradient at
    ``x`` is the model's, and genes that act through the gate's weighting are still
    credited. ``weights="fixed"`` holds the gate values constant too, which is smooth as
    well but drops the gate's own dependence on the genes (``∂f_frozen/∂x`` differs from
    the model's at ``x``); it is offered for comparison.

    Parameters
    ----------
    model
        Any module holding :class:`TopKGate` s (MoE, MOAE, Gene-MOE), in eval mode.
    x
        ``(n, n_genes)`` the samples whose routing is frozen (the model's own input).
    weights, layout
        See above and :class:`FrozenRoute`.

    Yields
    ------
    dict
        Gate module name → its :class:`FrozenRoute` (gates ``model(x)`` did not call
        are left live and are absent).
    """
    if model.training:
        raise RuntimeError("frozen_routing needs the model in eval mode (training gates are noisy)")
    gates = {name: m for name, m in model.named_modules() if isinstance(m, TopKGate)}
    if any(g.frozen is not None for g in gates.values()):
        raise RuntimeError("routing is already frozen on this model (frozen_routing does not nest)")
    for g in gates.values():
        g._recording, g._recorded = True, None
    try:
        with torch.no_grad():
            model(x)
    finally:
        for g in gates.values():
            g._recording = False
    routes: dict[str, FrozenRoute] = {}
    for name, g in gates.items():
        if g._recorded is not None:
            routes[name] = g.frozen = FrozenRoute(*g._recorded, weights_mode=weights, layout=layout)
        g._recorded = None
    try:
        yield routes
    finally:
        for g in gates.values():
            g.frozen = None


# A struck-off expert's logit: far below any real one, yet finite, so that differences of
# two struck-off logits (in :func:`_smooth_load`) are 0, never inf - inf = nan.
_STRUCK = -1.0e9


def _drop_experts(clean: torch.Tensor, logits: torch.Tensor, p: float, k: int
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Strike each (sample, expert) candidate off with probability ``p`` (training only).

    A row left with fewer than ``k`` candidates keeps all of them. Returns ``(clean,
    logits)``, both ``(B, E)``, with the struck-off entries at :data:`_STRUCK`.
    """
    drop = torch.rand_like(logits) < p  # (B, E)
    drop &= ((~drop).sum(1, keepdim=True) >= k)  # rows that would keep < k: no drop
    return clean.masked_fill(drop, _STRUCK), logits.masked_fill(drop, _STRUCK)


def _smooth_load(
    clean: torch.Tensor,
    noisy: torch.Tensor,
    noise_std: torch.Tensor,
    top_vals: torch.Tensor,
    k: int,
) -> torch.Tensor:
    """Shazeer's differentiable load: ``sum_b P(expert e in the top k of sample b)``.

    For expert ``e`` of sample ``b``, the probability that it stays in the top ``k`` when
    its own noise is redrawn is ``Phi((clean_e - threshold) / noise_std_e)``, where the
    threshold is the ``k``-th largest noisy logit among the *other* experts: the
    ``(k+1)``-th overall if ``e`` is in the top ``k``, the ``k``-th otherwise.

    Parameters
    ----------
    clean, noisy, noise_std
        ``(batch, n_experts)``.
    top_vals
        ``(batch, k + 1)`` the largest noisy logits, descending.

    Returns
    -------
    torch.Tensor
        ``(n_experts,)`` expected number of samples per expert.
    """
    threshold_if_in = top_vals[:, k : k + 1]  # (B, 1): (k+1)-th largest
    threshold_if_out = top_vals[:, k - 1 : k]  # (B, 1): k-th largest
    is_in = noisy > threshold_if_in
    prob_if_in = torch.special.ndtr((clean - threshold_if_in) / noise_std)
    prob_if_out = torch.special.ndtr((clean - threshold_if_out) / noise_std)
    return torch.where(is_in, prob_if_in, prob_if_out).sum(0)


def make_expert(d_in: int, d_out: int, *, activation: Activation, dropout: float) -> nn.Module:
    """One dense expert: ``Linear(d_in, d_out)`` → activation → dropout."""
    if activation not in _ACTIVATIONS:
        raise input_error(
            f"unknown activation {activation!r}", fix=f"choose one of: {', '.join(_ACTIVATIONS)}"
        )
    return nn.Sequential(nn.Linear(d_in, d_out), _ACTIVATIONS[activation](), nn.Dropout(dropout))


class MixtureOfExperts(AuxLossMixin, nn.Module):
    """Sparsely gated MoE layer of dense experts (paper eq. 1).

    Parameters
    ----------
    d_in, d_out
        Input and output widths.
    n_experts
        Number of experts, each ``Linear(d_in, d_out)`` + activation + dropout.
    k
        Experts per sample.
    activation
        The experts' activation (the paper uses tanh).
    dropout
        Dropout after the activation, inside each expert.
    noisy
        Noisy gating in training (see :class:`TopKGate`).
    batchnorm
        Normalise the combined output before the activation: the experts are then linear
        (``Linear(d_in, d_out)``, same state-dict keys) and the layer computes
        ``dropout(act(BatchNorm1d(sum_i G_i(x) E_i(x))))``, the ``Linear → BatchNorm →
        activation → dropout`` order of the dense models. Batch statistics are taken over
        the whole batch after combining, so every expert's rows share them; in eval mode
        the running statistics keep a sample's output independent of its batch-mates.
    expert_dropout
        Probability of striking an expert off a sample's candidates in training (see
        :class:`TopKGate`). 0: off.
    shared_expert
        Add one dense expert that every sample uses, ungated, to the routed experts' sum
        (the shared expert of DeepSeekMoE, Dai et al. 2024; the residual MoE of
        DeepSpeed-MoE, Rajbhandari et al. 2022): ``y = S(x) + sum_i G_i(x) E_i(x)``. What
        all samples share is learned once, and the routed experts learn what differs.
        Same width and form as a routed expert (linear with ``batchnorm``).

    Notes
    -----
    After each forward pass ``last_aux = {"importance", "load"}`` (scalar CV^2 losses) and
    ``last_stats = {"load": (n_experts,) fraction of samples routed, "gate_mass":
    (n_experts,) mean gate value}``.
    """

    def __init__(
        self,
        d_in: int,
        d_out: int,
        n_experts: int,
        k: int,
        *,
        activation: Activation = "tanh",
        dropout: float = 0.5,
        noisy: bool = True,
        batchnorm: bool = False,
        expert_dropout: float = 0.0,
        shared_expert: bool = False,
    ) -> None:
        super().__init__()
        self.d_in, self.d_out = d_in, d_out
        self.gate = TopKGate(d_in, n_experts, k, noisy=noisy, expert_dropout=expert_dropout)
        inner = ("identity", 0.0) if batchnorm else (activation, dropout)
        self.experts = nn.ModuleList(
            make_expert(d_in, d_out, activation=inner[0], dropout=inner[1])
            for _ in range(n_experts)
        )
        # ungated, every sample (None keeps the default state-dict keys)
        self.shared = (make_expert(d_in, d_out, activation=inner[0], dropout=inner[1])
                       if shared_expert else None)
        # after combining (batchnorm only; None keeps the default state-dict keys)
        self.post = (
            nn.Sequential(nn.BatchNorm1d(d_out), _ACTIVATIONS[activation](), nn.Dropout(dropout))
            if batchnorm
            else None
        )
        self.last_aux: dict[str, torch.Tensor] = {}
        self.last_stats: dict[str, torch.Tensor] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, d_in) -> (B, d_out)
        g = self.gate(x)
        y = sparse_dispatch(x, g.indices, g.weights, self.experts, self.d_out)
        if self.shared is not None:
            y = y + self.shared(x)
        if self.post is not None:
            y = self.post(y)
        record_gate(self, g)
        return y


def record_gate(layer: AuxLossMixin, g: GateOutput) -> None:
    """Store a gate's balance losses and routing statistics on ``layer``."""
    layer.last_aux = {"importance": g.importance_loss, "load": g.load_loss}
    layer.last_stats = {"load": g.routed_fraction, "gate_mass": g.gates.detach().mean(0)}


def take_routing_probabilities(model: nn.Module) -> list[torch.Tensor]:
    """Every top-k gate's soft routing probabilities ``(B, E)`` from ``model``'s last
    training forward pass (with grad), in module order; each is cleared once taken."""
    out = []
    for m in model.modules():
        if isinstance(m, TopKGate) and m.last_probs is not None:
            out.append(m.last_probs)
            m.last_probs = None
    return out


def routing_mutual_information(probs: torch.Tensor, targets: torch.Tensor,
                               eps: float = 1e-8) -> torch.Tensor:
    """Mutual information ``I(class; expert)`` in nats over a batch, from soft routing.

    ``H(E) - H(E | class)``, with ``P(e) = mean_b p_b(e)`` and ``P(e | c)`` the mean of
    ``p_b`` over the batch's samples of class ``c`` (weighted by ``targets``). It is
    large when the gate spreads the batch over the experts (``H(E)``) and sends each class
    to few of them (low ``H(E | class)``): the label-aware routing objective of Mod-Squad
    (Chen et al., CVPR 2023), with classes in place of tasks.

    Parameters
    ----------
    probs
        ``(B, E)`` routing probabilities, rows summing to 1.
    targets
        ``(B, C)`` non-negative class weights per sample (one-hot; mixup: the two classes'
        shares).

    Returns
    -------
    torch.Tensor
        Scalar in ``[0, min(log E, log C)]``.
    """
    probs, targets = probs.float(), targets.float()
    mass = targets.sum(0)  # (C,) samples per class in the batch
    p_c = mass / mass.sum().clamp_min(eps)
    p_e_c = (targets.T @ probs) / mass.clamp_min(eps)[:, None]  # (C, E)
    p_e = probs.mean(0)
    h_e = -(p_e * (p_e + eps).log()).sum()
    h_e_c = -(p_c[:, None] * p_e_c * (p_e_c + eps).log()).sum()
    return h_e - h_e_c
