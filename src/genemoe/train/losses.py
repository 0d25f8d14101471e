"""Task losses: focal loss (classification) and the Cox partial likelihood (survival).

Each loss is a typed function plus a thin ``nn.Module`` wrapper (pycox style). The trainer
receives a :class:`LossOutput` (total plus named components, scvi-tools style) and never
needs to know which model or loss produced it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genemoe.errors import input_error

__all__ = [
    "LossOutput",
    "class_alpha",
    "focal_loss",
    "cox_ph_loss",
    "FocalLoss",
    "CoxPHLoss",
]

logger = logging.getLogger(__name__)

Reduction = Literal["mean", "sum", "none"]
Ties = Literal["breslow", "efron"]


@dataclass
class LossOutput:
    """A training step's loss: the total to back-propagate plus its named parts.

    Attributes
    ----------
    loss
        Scalar total (what ``backward`` is called on).
    components
        Named scalars for logging, e.g. ``{"task": ..., "importance": ..., "load": ...}``.
    """

    loss: torch.Tensor
    components: dict[str, torch.Tensor] = field(default_factory=dict)


def class_alpha(
    counts: torch.Tensor | np.ndarray | Sequence[int],
    *,
    method: Literal["inverse", "inverse_sqrt", "none"] = "inverse_sqrt",
) -> torch.Tensor:
    """Per-class focal-loss weights from training class frequencies, normalised to mean 1.

    Parameters
    ----------
    counts
        ``(n_classes,)`` number of training samples per class. A class with no training
        samples is weighted as if it had one.
    method
        ``"inverse"``: ``1 / count``; ``"inverse_sqrt"``: ``1 / sqrt(count)``; ``"none"``: 1.

    Returns
    -------
    torch.Tensor
        ``(n_classes,)`` float32 weights with mean 1.
    """
    c = torch.as_tensor(np.asarray(counts, dtype=np.float64)).clamp(min=1.0)
    if c.ndim != 1 or c.numel() == 0:
        raise input_error(f"class counts must be a non-empty 1-D array, got shape {tuple(c.shape)}")
    if method == "inverse":
        w = 1.0 / c
    elif method == "inverse_sqrt":
        w = c.rsqrt()
    elif method == "none":
        w = torch.ones_like(c)
    else:
        raise input_error(
            f"unknown class weighting {method!r}", where="train.class_alpha",
            fix="choose inverse, inverse_sqrt or none"
        )
    return (w / w.mean()).float()


def _reduce(per_sample: torch.Tensor, reduction: Reduction) -> torch.Tensor:
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    if reduction == "none":
        return per_sample
    raise input_error(f"unknown reduction {reduction!r}", fix="choose mean, sum or none")


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Focal loss (Lin et al. 2017): ``-alpha_y * (1 - p_y)^gamma * log p_y``.

    With label smoothing ``e`` the target is the distribution ``q = (1 - e) onehot(y) + e / C``
    and the loss the soft-target focal loss ``-sum_c alpha_c q_c (1 - p_c)^gamma log p_c``:
    at ``e = 0`` the focal loss above, at ``gamma = 0`` and no ``alpha`` the label-smoothed
    cross-entropy (``F.cross_entropy(..., label_smoothing=e)``). It is linear in ``q``, so
    mixup's ``lam loss(y_a) + (1 - lam) loss(y_b)`` is the loss of the mixed target.

    Parameters
    ----------
    logits
        ``(batch, n_classes)`` unnormalised scores.
    target
        ``(batch,)`` integer class indices.
    gamma
        Focusing parameter; ``0`` gives (weighted) cross-entropy.
    alpha
        ``(n_classes,)`` per-class weights (see :func:`class_alpha`), or ``None``.
    reduction
        ``"mean"`` (plain mean over samples), ``"sum"`` or ``"none"`` (``(batch,)``).
    label_smoothing
        ``e`` in ``[0, 1)``; ``0`` (default) keeps hard targets.

    Returns
    -------
    torch.Tensor
        Scalar, or ``(batch,)`` for ``reduction="none"``.
    """
    if not 0 <= label_smoothing < 1:
        raise input_error(f"label_smoothing must be in [0, 1), got {label_smoothing}",
                          where="train.label_smoothing", fix="e.g. label_smoothing: 0.1")
    if logits.ndim != 2 or target.shape != logits.shape[:1]:
        raise input_error(
            f"focal loss expects logits (batch, n_classes) and target (batch,), "
            f"got {tuple(logits.shape)} and {tuple(target.shape)}"
        )
    if label_smoothing > 0:
        return _reduce(_smoothed_focal(logits, target, gamma, alpha, label_smoothing), reduction)
    log_p = F.log_softmax(logits.float(), dim=1).gather(1, target.long()[:, None])[:, 0]
    loss = -log_p  # (B,)
    if gamma != 0:
        # 1 - p_y, accurate near p_y = 1; floored so that d/dx x^gamma stays finite (gamma < 1)
        one_minus_p = (-torch.expm1(log_p)).clamp(min=1e-12)
        loss = loss * one_minus_p.pow(gamma)
    if alpha is not None:
        loss = loss * alpha.to(loss.device, loss.dtype)[target.long()]
    return _reduce(loss, reduction)


def _smoothed_focal(logits: torch.Tensor, target: torch.Tensor, gamma: float,
                    alpha: torch.Tensor | None, eps: float) -> torch.Tensor:
    """Per-sample ``-sum_c alpha_c q_c (1 - p_c)^gamma log p_c`` with smoothed ``q``: ``(B,)``."""
    log_p = F.log_softmax(logits.float(), dim=1)  # (B, C)
    n_classes = log_p.shape[1]
    q = torch.full_like(log_p, eps / n_classes)
    q.scatter_(1, target.long()[:, None], 1.0 - eps + eps / n_classes)  # (B, C)
    if gamma != 0:  # floored as in focal_loss: d/dx x^gamma stays finite (gamma < 1)
        q = q * (-torch.expm1(log_p)).clamp(min=1e-12).pow(gamma)
    if alpha is not None:
        q = q * alpha.to(log_p.device, log_p.dtype)[None, :]
    return -(q * log_p).sum(1)


def _check_survival(risk: torch.Tensor, time: torch.Tensor, event: torch.Tensor) -> torch.Tensor:
    if risk.ndim == 2 and risk.shape[1] == 1:
        risk = risk[:, 0]
    if risk.ndim != 1 or time.shape != risk.shape or event.shape != risk.shape:
        raise input_error(
            f"Cox loss expects risk (batch,) or (batch, 1), time (batch,) and "
            f"event (batch,), got {tuple(risk.shape)}, {tuple(time.shape)}, "
            f"{tuple(event.shape)}"
        )
    return risk


def cox_ph_loss(
    risk: torch.Tensor,
    time: torch.Tensor,
    event: torch.Tensor,
    *,
    ties: Ties = "efron",
    reduction: Literal["mean", "sum"] = "mean",
) -> torch.Tensor:
    """Negative Cox partial log-likelihood, the whole batch as the risk set.

    With ``eta`` the risk (log-hazard), ``R_t = {j: time_j >= t}`` and ``D_t`` the events
    at time ``t`` (``d_t = |D_t|``):

    - Breslow: ``-sum_t [ sum_{i in D_t} eta_i - d_t log sum_{j in R_t} e^eta_j ]``;
    - Efron (1977): ``-sum_t [ sum_{i in D_t} eta_i - sum_{l=0}^{d_t-1}
      log( sum_{j in R_t} e^eta_j - (l / d_t) sum_{j in D_t} e^eta_j ) ]``.

    Both agree when no event times are tied. Computed in log space per distinct time
    (log-sum-exp per tie group, then ``logcumsumexp`` from the latest time backwards).

    Parameters
    ----------
    risk
        ``(batch,)`` or ``(batch, 1)`` log-hazard (higher = worse).
    time
        ``(batch,)`` follow-up times.
    event
        ``(batch,)`` bool, ``True`` where death was observed.
    ties
        Handling of tied event times.
    reduction
        ``"mean"`` divides by the number of events; ``"sum"`` does not.

    Returns
    -------
    torch.Tensor
        Scalar. With no event in the batch the partial likelihood is undefined: the result
        is ``0`` (still attached to the graph, so ``backward`` works); callers should use
        batches that contain events.
    """
    eta = _check_survival(risk, time, event)
    if eta.dtype in (torch.float16, torch.bfloat16):
        eta = eta.float()
    event = event.to(torch.bool, copy=False).to(eta.device)
    n_events = int(event.sum())
    if n_events == 0:
        logger.debug("cox_ph_loss: no event in the batch, returning 0")
        return (risk * 0.0).sum()
    _, group, _ = torch.unique(
        time.to(eta.device), sorted=True, return_inverse=True, return_counts=True
    )  # group: (B,) index of the distinct time
    n_groups = int(group.max()) + 1
    log_r = torch.logcumsumexp(_group_logsumexp(eta, group, n_groups).flip(0), 0).flip(0)
    ev_group = group[event]  # (n_events,)
    if ties == "breslow":
        log_terms = log_r[ev_group]
    elif ties == "efron":
        log_terms = _efron_log_terms(eta, event, ev_group, log_r, n_groups)
    else:
        raise input_error(f"unknown ties method {ties!r}", fix="choose breslow or efron")
    neg_ll = log_terms.sum() - eta[event].sum()
    out = neg_ll / n_events if reduction == "mean" else neg_ll
    return out.to(risk.dtype)


def _group_logsumexp(values: torch.Tensor, group: torch.Tensor, n_groups: int) -> torch.Tensor:
    """``log sum exp`` of ``values`` within each group: ``(n,)`` → ``(n_groups,)``."""
    shift = torch.full((n_groups,), -torch.inf, dtype=values.dtype, device=values.device)
    shift = shift.scatter_reduce(0, group, values.detach(), "amax")  # a constant per group
    sums = torch.zeros_like(shift).index_add(0, group, torch.exp(values - shift[group]))
    return shift + torch.log(sums)


def _efron_log_terms(
    eta: torch.Tensor,
    event: torch.Tensor,
    ev_group: torch.Tensor,
    log_r: torch.Tensor,
    n_groups: int,
) -> torch.Tensor:
    """Per event, ``log(R_t - (l / d_t) D_t)`` with ``l`` its rank among the ties at ``t``."""
    log_d = _group_logsumexp(eta[event], ev_group, n_groups)  # (G,), -inf without events
    d = torch.bincount(ev_group, minlength=n_groups)  # (G,) events per time
    ev_sorted, _ = torch.sort(ev_group, stable=True)
    first = torch.cumsum(d, 0) - d  # (G,) first position of each group among sorted events
    rank = torch.arange(ev_sorted.numel(), device=eta.device) - first[ev_sorted]  # l
    ratio = torch.exp(log_d[ev_sorted] - log_r[ev_sorted])  # D_t / R_t, in (0, 1]
    frac = rank.to(eta.dtype) / d[ev_sorted].to(eta.dtype)  # l / d_t < 1
    return log_r[ev_sorted] + torch.log1p(-frac * ratio)


class FocalLoss(nn.Module):
    """Module wrapper of :func:`focal_loss` (``alpha`` is a buffer, saved with the model)."""

    def __init__(
        self,
        *,
        gamma: float = 2.0,
        alpha: torch.Tensor | None = None,
        reduction: Reduction = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        self.gamma, self.reduction, self.label_smoothing = gamma, reduction, label_smoothing
        self.register_buffer("alpha", None if alpha is None else alpha.detach().float().clone())

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return focal_loss(logits, target, gamma=self.gamma, alpha=self.alpha,
                          reduction=self.reduction, label_smoothing=self.label_smoothing)


class CoxPHLoss(nn.Module):
    """Module wrapper of :func:`cox_ph_loss`."""

    def __init__(
        self,
        *,
        ties: Ties = "efron",
        reduction: Literal["mean", "sum"] = "mean",
    ) -> None:
        super().__init__()
        self.ties, self.reduction = ties, reduction

    def forward(self, risk: torch.Tensor, time: torch.Tensor, event: torch.Tensor) -> torch.Tensor:
        return cox_ph_loss(risk, time, event, ties=self.ties, reduction=self.reduction)
