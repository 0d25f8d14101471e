"""Optimiser and learning-rate schedule of :func:`genemoe.train.loop.train_model`.

:func:`parameter_groups` splits a model's parameters into optimiser groups: one for the
parameters under each submodule named in ``TrainConfig.module_lr`` (e.g. a pre-trained
``encoder`` with its own, usually smaller, learning rate) and one for the rest. Each group
carries ``lr_scale`` (its peak learning rate over ``TrainConfig.lr``); :class:`LRSchedule`
gives every group ``schedule lr × lr_scale``, so warmup, decay and plateau cuts apply to
all groups alike. The group layout depends only on the model and the config, so a
checkpoint's optimizer state loads back into a resumed run.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from genemoe.train.loop import TrainConfig

__all__ = ["parameter_groups", "build_optimizer", "LRSchedule"]

logger = logging.getLogger(__name__)


def _owner(name: str, prefixes: Iterable[str]) -> str | None:
    """The longest prefix (a submodule path) that parameter ``name`` lies under, if any."""
    hits = [p for p in prefixes if name == p or name.startswith(p + ".")]
    return max(hits, key=len) if hits else None


def parameter_groups(model: nn.Module, config: TrainConfig) -> list[dict[str, Any]]:
    """Optimiser parameter groups of ``model`` for ``config.module_lr``.

    Parameters
    ----------
    model
        The (unwrapped) model; every parameter is placed, frozen ones included, so that
        the layout stays the same when a frozen submodule is later unfrozen.
    config
        ``module_lr`` maps submodule paths (``"encoder"``, ``"encoder.moe"``) to peak
        learning rates; a parameter under several takes the longest path's.

    Returns
    -------
    list of dict
        ``{"params", "lr", "lr_scale", "lr_module"}`` dicts: first the parameters under
        no named submodule (``lr_module`` None, ``lr_scale`` 1; left out when empty), then
        one per ``module_lr`` entry, in its order.

    Raises
    ------
    ValueError
        A ``module_lr`` path that holds no parameter of ``model``.
    """
    module_lr = dict(config.module_lr or {})
    buckets: dict[str | None, list[nn.Parameter]] = {None: [], **{k: [] for k in module_lr}}
    for name, p in model.named_parameters():
        buckets[_owner(name, module_lr)].append(p)
    empty = [k for k in module_lr if not buckets[k]]
    if empty:
        raise ValueError(f"module_lr names {empty}, which hold no parameters of "
                         f"{type(model).__name__} (submodule paths, e.g. 'encoder')")
    groups = [{"params": buckets[None], "lr": config.lr, "lr_scale": 1.0, "lr_module": None}]
    groups += [{"params": buckets[k], "lr": lr, "lr_scale": lr / config.lr, "lr_module": k}
               for k, lr in module_lr.items()]
    return [g for g in groups if g["params"]]


def build_optimizer(params: Iterable[nn.Parameter] | Iterable[dict[str, Any]],
                    config: TrainConfig) -> torch.optim.Optimizer:
    """Adam / AdamW with the fused kernel where it works (``config.fused=None``).

    ``params`` are parameters or parameter groups (:func:`parameter_groups`). A fused
    kernel that this torch build or device lacks is dropped with a logged note;
    ``fused=True`` insists (and raises), ``fused=False`` never tries.
    """
    cls = torch.optim.Adam if config.optimizer == "adam" else torch.optim.AdamW
    params = list(params)
    kwargs = {"lr": config.lr, "weight_decay": config.weight_decay}
    if config.fused is False:
        return cls(params, **kwargs)
    try:
        return cls(params, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError) as exc:
        if config.fused:
            raise
        logger.info("fused %s unavailable here (%s); using the default kernel", config.optimizer, exc)
        return cls(params, **kwargs)


class LRSchedule:
    """Per-step learning rate: ``lr × warmup × decay × plateau_scale`` (× a group's ``lr_scale``).

    With ``S`` steps in all and ``W`` warmup steps, step ``s`` (0-based) gets
    ``warmup = min(1, (s + 1) / W)`` and, with ``u = clip((s - W) / (S - W), 0, 1)``,
    ``decay = (1 + cos(pi u)) / 2`` (cosine), ``1 - u`` (linear_decay) or 1. ``"plateau"``
    multiplies ``plateau_scale`` by ``plateau_factor`` after ``plateau_patience`` epochs
    without a validation improvement. Each optimiser group gets this rate times its
    ``lr_scale`` (1 when absent). State (for checkpoints) is the plateau bookkeeping.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, config: TrainConfig, steps_per_epoch: int):
        self.optimizer, self.config, self.steps_per_epoch = optimizer, config, steps_per_epoch
        self.scale, self.best, self.bad_epochs = 1.0, -math.inf, 0

    def lr_at(self, epoch: int, step: int) -> float:
        """Base learning rate of step ``step`` (0-based) of epoch ``epoch`` (1-based)."""
        c, n = self.config, self.steps_per_epoch
        s, total, warm = (epoch - 1) * n + step, c.epochs * n, c.warmup_epochs * n
        factor = min(1.0, (s + 1) / warm) if warm > 0 else 1.0
        u = min(1.0, max(0.0, (s - warm) / max(1, total - warm)))
        if c.schedule == "cosine":
            factor *= 0.5 * (1.0 + math.cos(math.pi * u))
        elif c.schedule == "linear_decay":
            factor *= 1.0 - u
        return c.lr * factor * self.scale

    def set_step(self, epoch: int, step: int) -> float:
        """Set every group's rate for this step; returns the base rate."""
        lr = self.lr_at(epoch, step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)
        return lr

    def module_lrs(self) -> dict[str, float]:
        """Current rate of each ``module_lr`` group, by submodule path."""
        return {g["lr_module"]: float(g["lr"]) for g in self.optimizer.param_groups
                if g.get("lr_module") is not None}

    def epoch_end(self, metric: float) -> None:
        """Record the epoch's validation metric (used by ``"plateau"``)."""
        if self.config.schedule != "plateau":
            return
        if metric > self.best + self.config.min_delta:
            self.best, self.bad_epochs = metric, 0
            return
        self.bad_epochs += 1
        if self.bad_epochs > self.config.plateau_patience:
            self.scale *= self.config.plateau_factor
            self.bad_epochs = 0
            logger.info("validation metric stalled: learning-rate scale now %.3g", self.scale)

    def state_dict(self) -> dict[str, Any]:
        return {"scale": self.scale, "best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.scale, self.best, self.bad_epochs = state["scale"], state["best"], state["bad_epochs"]
