"""The training loop: one function, :func:`train_model`, for every neural model and task.

The trainer knows the model contract (``forward(x) -> ModelOutput``) and nothing else: the
task loss comes from ``loss_fn`` (a ``LossOutput``: total plus named components), the
auxiliary losses from ``ModelOutput.aux_losses`` (weighted here by ``aux_weight``), the
statistics to log from ``ModelOutput.stats``. It never knows what a MoE is: the one
convention it reads is that a 1-D stat whose name ends in ``load`` is a distribution of
routing over blocks, summarised per epoch as an entropy and a count of dead entries.

The training recipe (input noise, mixup, a weight EMA: :mod:`genemoe.train.augment`;
AdamW, warmup and cosine decay: :mod:`genemoe.train.optim`) is one set of
:class:`TrainConfig` keys applied alike to every model.

Model selection and early stopping use the VALIDATION split only; the trainer never
receives test data. Training is deterministic on CPU for a given seed and resumable from
its checkpoint to bitwise-identical weights. In N processes under ``torchrun`` it trains
data-parallel (see :mod:`genemoe.train.distributed`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from genemoe.errors import input_error
from genemoe.models.base import ModelOutput, Task
from genemoe.models.moe import routing_mutual_information, take_routing_probabilities
from genemoe.train import distributed as ddp
from genemoe.train import sampling
from genemoe.train.augment import BatchAugment, WeightAverage, mix_losses
from genemoe.train.checkpoint import (
    capture_rng_state,
    check_resumable,
    cpu_state_dict,
    data_signature,
    load_checkpoint_everywhere,
    restore_rng_state,
    save_checkpoint,
    write_history,
)
from genemoe.train.inference import autocast_dtype, predict_outputs, predict_tensor
from genemoe.train.losses import LossOutput
from genemoe.train.optim import LRSchedule, build_optimizer, parameter_groups
from genemoe.train.rng import keeps_global_rng
from genemoe.train.sampling import SurvivalTarget
from genemoe.train.scaled_rows import ScaledRows
from genemoe.train.train_config import TrainConfig

__all__ = ["TrainConfig", "TrainResult", "SurvivalTarget", "train_model",
           "predict_outputs", "build_optimizer", "parameter_groups", "LRSchedule", "torch_threads"]

logger = logging.getLogger(__name__)

DEAD_SHARE = 1e-4  # a block routed less than this share of an epoch's samples counts as dead
# Config fields that may change between a run and its resumption.
_RESUMABLE_CHANGES = {"epochs", "progress", "log_every", "num_threads", "device",
                      "eval_batch_size", "checkpoint_every"}


LossFn = Callable[[ModelOutput, Any], LossOutput]  # see genemoe.train.losses
MetricFn = Callable[[np.ndarray, Any], float]


@dataclass
class TrainResult:
    """What :func:`train_model` returns.

    Attributes
    ----------
    best_epoch
        Epoch (1-based) with the best validation metric (the last epoch if none improved).
    best_val_metric
        Its validation metric (NaN when the metric was never finite).
    history
        One dict per epoch: ``epoch``, ``lr`` (base rate of the epoch's last step),
        ``lr/<module>`` (that step's rate of each ``module_lr`` submodule), ``seconds``,
        ``train_loss`` (task + weighted aux), ``loss/<component>`` (from ``loss_fn``),
        ``aux/<name>`` (unweighted),
        ``val_loss``, ``val_metric``, ``stats/<name>`` (epoch-mean list), and for each
        stat ``<name>`` ending in ``load``: ``stats/<name>_entropy`` (nats) and
        ``stats/<name>_dead_experts`` (entries with < ``DEAD_SHARE`` of the routing).
    best_state
        ``state_dict`` of the best epoch (CPU tensors; the weight average's with
        ``ema_decay``).
    stopped_early
        True when early stopping ended training.
    epochs_run
        Last completed epoch.
    finished
        False when ``max_epochs_this_call`` paused training before the end.
    """

    best_epoch: int
    best_val_metric: float
    history: list[dict[str, Any]]
    best_state: dict[str, torch.Tensor]
    stopped_early: bool
    epochs_run: int = 0
    finished: bool = True



@dataclass
class _Run:
    """Everything one training run carries between epochs."""

    config: TrainConfig
    task: Task
    info: ddp.DistInfo
    device: torch.device
    model: nn.Module  # the caller's model (unwrapped)
    net: nn.Module  # the same, DDP-wrapped under torchrun
    optimizer: torch.optim.Optimizer
    schedule: LRSchedule
    scaler: torch.amp.GradScaler
    amp_dtype: torch.dtype | None
    X_train: torch.Tensor | ScaledRows  # a lazy view reads each batch's rows
    y_train: Any
    X_val: torch.Tensor | ScaledRows
    y_val: Any  # targets as tensors on device (for the validation loss)
    y_val_raw: Any  # as the caller gave them (for metric_fn)
    loss_fn: LossFn
    metric_fn: MetricFn
    generator: np.random.Generator
    augment: BatchAugment  # input noise and mixup of each training batch
    ema: WeightAverage | None = None  # average of `model` when config.ema_decay is set
    epoch: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    best_state: dict[str, torch.Tensor] | None = None
    best_metric: float = math.nan
    best_epoch: int | None = None
    best_loss: float = math.nan  # validation loss at best_epoch (breaks ties on the metric)
    improved_epoch: int | None = None  # last epoch that raised the metric itself (patience)
    stopped_early: bool = False
    unweighted_aux: set[str] = field(default_factory=set)

    def aux_weight(self, name: str) -> float:
        w = self.config.aux_weight
        if not isinstance(w, Mapping):
            return float(w)
        if name not in w and name not in self.unweighted_aux:  # say so once
            self.unweighted_aux.add(name)
            logger.warning("aux loss %r has no weight in aux_weight: it weighs 0", name)
        return float(w.get(name, 0.0))

    @property
    def eval_model(self) -> nn.Module:
        """The weights that are validated and kept: the EMA's when on, else the model's."""
        return self.model if self.ema is None else self.ema.module


def _epoch_batches(run: _Run, generator: np.random.Generator) -> list[np.ndarray]:
    """This epoch's global batches (identical on every rank)."""
    cfg, world = run.config, run.info.world_size
    if run.task == "survival":
        batches = sampling.stratified_event_batches(run.y_train[1], cfg.batch_size,
                                           generator=generator, min_events=cfg.min_events)
    else:
        # at least 2 rows per process: batch norm cannot normalise a batch of one
        batches = sampling.shuffled_batches(len(run.y_train), cfg.batch_size,
                                            generator=generator, min_size=2 * world)
    if min(len(b) for b in batches) < world:
        raise ValueError(f"a batch of {min(len(b) for b in batches)} rows cannot be shared "
                         f"by {world} processes: raise batch_size")
    return batches


def _train_step(run: _Run, rows: np.ndarray, means: ddp.RunningMeans, epoch: int,
                step: int) -> None:
    """One optimiser step on global batch ``rows`` (this rank's shard of it)."""
    info, cfg = run.info, run.config
    positions = ddp.shard_indices(np.arange(len(rows)), info.rank, info.world_size)
    xb, mix = run.augment.inputs(run.X_train, rows, positions, epoch=epoch, step=step,
                                 device=run.device)  # (shard, n_genes)
    with torch.autocast(run.device.type, dtype=run.amp_dtype, enabled=run.amp_dtype is not None):
        output = run.net(xb)
    out = ddp.gather_rows(output.out.float(), ddp.shard_sizes(len(rows), info.world_size), info)
    aux = {k: v.float() for k, v in output.aux_losses.items()}
    output = ModelOutput(out=out, aux_losses=aux, stats=output.stats)
    res = run.loss_fn(output, sampling.select_targets(run.y_train, rows, run.device))
    if mix is not None:  # the same output against the partners' targets
        res = mix_losses(res, run.loss_fn(output, sampling.select_targets(
            run.y_train, rows[mix.partner], run.device)), mix.lam)
    total = res.loss
    for k, v in aux.items():
        total = total + run.aux_weight(k) * v
    routing = _routing_information(run, rows, positions, mix, n_classes=out.shape[1])
    if routing is not None:  # label-aware routing: more information, lower loss
        total = total - cfg.routing_mi_weight * routing
        aux = {**aux, "routing_mi": routing.detach()}
    run.optimizer.zero_grad(set_to_none=True)
    run.scaler.scale(total).backward()
    if cfg.grad_clip is not None:
        run.scaler.unscale_(run.optimizer)
        nn.utils.clip_grad_norm_(run.model.parameters(), cfg.grad_clip)
    run.scaler.step(run.optimizer)
    run.scaler.update()
    if run.ema is not None:
        run.ema.update_parameters(run.model)
    values = {"train_loss": total, **{f"loss/{k}": v for k, v in res.components.items()},
              **{f"aux/{k}": v for k, v in aux.items()},
              **{f"stats/{k}": v for k, v in output.stats.items()}}
    means.add(len(rows), values)


def _routing_information(run: _Run, rows: np.ndarray, positions: np.ndarray, mix: Any,
                         *, n_classes: int) -> torch.Tensor | None:
    """Mean class-expert mutual information of the gates' routing of this rank's rows
    (None when ``routing_mi_weight`` is 0, the task is not classification or the model has
    no top-k gate). With mixup a row's class weights are its two classes' shares."""
    probs = take_routing_probabilities(run.model)
    if not run.config.routing_mi_weight or run.task != "classify" or not probs:
        return None

    def onehot(r: np.ndarray) -> torch.Tensor:
        y = sampling.select_targets(run.y_train, r, run.device)
        return torch.nn.functional.one_hot(y.long(), n_classes).float()
    targets = onehot(rows[positions])
    if mix is not None:
        targets = mix.lam * targets + (1 - mix.lam) * onehot(rows[mix.partner[positions]])
    return torch.stack([routing_mutual_information(p, targets) for p in probs]).mean()


def _validate(run: _Run) -> tuple[float, float]:
    """``(val_loss, val_metric)`` on the whole validation split (sharded under DDP)."""
    info = run.info
    sizes = ddp.shard_sizes(run.X_val.shape[0], info.world_size)
    start = sum(sizes[: info.rank])
    rows = sampling.row_block(run.X_val, start, start + sizes[info.rank])  # lazy stays lazy
    local = predict_tensor(run.eval_model, rows, run.config.eval_batch_size, run.device,
                           run.amp_dtype)  # (shard, n_outputs), read batch by batch
    with torch.no_grad():
        out = ddp.gather_rows(local, sizes, info)  # (n_val, n_outputs)
        try:
            val_loss = float(run.loss_fn(ModelOutput(out=out), run.y_val).loss)
        except ValueError as exc:  # e.g. a validation split without events
            logger.debug("validation loss undefined: %s", exc)
            val_loss = math.nan
    return val_loss, float(run.metric_fn(out.cpu().numpy(), run.y_val_raw))


def _epoch_record(means: dict[str, np.ndarray]) -> dict[str, Any]:
    """Scalars as floats, stat vectors as lists, plus entropy / dead count of ``...load`` stats."""
    rec: dict[str, Any] = {}
    for k, v in means.items():
        if not k.startswith("stats/"):
            rec[k] = float(v[0])
            continue
        rec[k] = v.tolist()
        if k.endswith("load") and v.size > 1 and v.sum() > 0:
            p = v / v.sum()
            nz = p[p > 0]
            rec[f"{k}_entropy"] = float(-(nz * np.log(nz)).sum())
            rec[f"{k}_dead_experts"] = int((p < DEAD_SHARE).sum())
    return rec


def _update_best(run: _Run, epoch: int, metric: float, loss: float = math.nan) -> None:
    """Keep the epoch with the best validation metric; a tie goes to the lower validation loss.

    On small validation sets a metric such as accuracy or macro-F1 saturates (e.g. 1.0 on
    37 samples) many epochs before training has converged; the validation loss still tells
    those epochs apart, so the first epoch to touch the ceiling does not win by default.
    Patience still counts from the last epoch that raised the metric itself.
    """
    cfg = run.config
    better = math.isfinite(metric) and (
        not math.isfinite(run.best_metric) or metric > run.best_metric + cfg.min_delta)
    tie = (math.isfinite(metric) and metric == run.best_metric and math.isfinite(loss)
           and (not math.isfinite(run.best_loss) or loss < run.best_loss))
    if better or not math.isfinite(run.best_metric):
        run.improved_epoch = epoch  # a tie moves the kept weights, not the patience clock
    if better or tie or not math.isfinite(run.best_metric):  # no finite metric: latest epoch
        run.best_metric = metric if math.isfinite(metric) else math.nan
        run.best_loss = loss
        run.best_epoch = epoch
        run.best_state = cpu_state_dict(run.eval_model.state_dict())


def _window_mean(run: _Run, metric: float) -> float:
    """Mean validation metric of this epoch and the ``select_window - 1`` before it; NaN
    before the first full window (those epochs are not eligible, see :func:`_update_best`).
    A run shorter than the window averages all its epochs (its last is eligible: with no
    epoch eligible, best_val_metric was NaN and the last epoch kept unsaid)."""
    w = min(run.config.select_window, run.config.epochs)
    if len(run.history) < w - 1:
        return math.nan
    values = [float(h["val_metric"]) for h in run.history[len(run.history) - (w - 1):]] + [metric]
    return float(np.mean(values))


def _run_epoch(run: _Run, epoch: int) -> dict[str, Any]:
    """Train one epoch, validate, update best/plateau state; returns the history record."""
    t0 = time.perf_counter()
    run.net.train()
    means, lr = ddp.RunningMeans(run.device), run.config.lr
    for step, rows in enumerate(_epoch_batches(run, run.generator)):
        lr = run.schedule.set_step(epoch, step)
        _train_step(run, rows, means, epoch, step)
    rec = {"epoch": epoch, "lr": lr, **{f"lr/{k}": v for k, v in run.schedule.module_lrs().items()},
           **_epoch_record(means.means(run.info))}
    if not math.isfinite(rec["train_loss"]):  # the checkpoint keeps the last sane epoch
        raise FloatingPointError(f"training diverged at epoch {epoch} (train loss "
                                 f"{rec['train_loss']}): lower lr or set grad_clip")
    rec["val_loss"], rec["val_metric"] = _validate(run)
    selected_by = rec["val_metric"]
    if run.config.select_window > 1:
        rec["val_selection"] = selected_by = _window_mean(run, rec["val_metric"])
    _update_best(run, epoch, selected_by, rec["val_loss"])
    run.schedule.epoch_end(rec["val_metric"])
    patience, stalled = run.config.patience, epoch - (run.improved_epoch or run.best_epoch or 0)
    run.stopped_early = patience is not None and stalled >= patience and epoch < run.config.epochs
    rec["seconds"] = time.perf_counter() - t0
    run.epoch = epoch
    run.history.append(rec)
    return rec


def _save(run: _Run, path: Path, meta: dict[str, Any] | None) -> None:
    """Checkpoint the run (rank 0 writes; every rank contributes its RNG state)."""
    rng = capture_rng_state(run.generator)
    ranks = ddp.gather_object({"torch": rng["torch"], "cuda": rng["cuda"]}, run.info)
    if not run.info.is_main:
        return
    rng["ranks"] = ranks
    extra = {"train_config": run.config.to_dict(), "stopped_early": run.stopped_early,
             "data": _signature(run),
             "world_size": run.info.world_size, "task": run.task,
             "scaler": run.scaler.state_dict() if run.scaler.is_enabled() else None,
             "ema": None if run.ema is None else run.ema.state_dict()}
    save_checkpoint(path, model_state=run.model.state_dict(),
                    optimizer_state=run.optimizer.state_dict(),
                    scheduler_state=run.schedule.state_dict(), epoch=run.epoch, rng_state=rng,
                    best_state=run.best_state, best_metric=run.best_metric, history=run.history,
                    meta=meta, best_epoch=run.best_epoch, extra=extra)


def _signature(run: _Run) -> str:
    """The run's data as :func:`~genemoe.train.checkpoint.data_signature` tells it."""
    return data_signature(tuple(run.X_train.shape), tuple(run.X_val.shape), run.y_train,
                          run.y_val_raw)


def _resume(run: _Run, path: Path, *, said: bool = True) -> None:
    """Continue ``run`` from the checkpoint at ``path`` (if there is one; ``said``: with
    the warning a resumed process gives)."""
    ckpt = load_checkpoint_everywhere(path, run.info)  # the newest copy any rank has
    if ckpt is None:
        return
    extra = ckpt.get("extra", {})
    check_resumable(ckpt, path=path, config=run.config.to_dict(), task=run.task,
                    may_change=_RESUMABLE_CHANGES, data=_signature(run),
                    model_state=run.model.state_dict())
    run.model.load_state_dict(ckpt["model_state"])
    run.optimizer.load_state_dict(ckpt["optimizer_state"])
    run.schedule.load_state_dict(ckpt["scheduler_state"])
    if extra.get("scaler") and run.scaler.is_enabled():
        run.scaler.load_state_dict(extra["scaler"])
    if run.ema is not None and extra.get("ema") is not None:
        run.ema.load_state_dict(extra["ema"])
    elif run.ema is not None:  # a checkpoint from before ema_decay existed
        logger.warning("%s holds no weight average: the EMA starts from its weights", path)
    run.epoch, run.history = int(ckpt["epoch"]), list(ckpt["history"])
    run.best_state, run.best_epoch = ckpt["best_state"], ckpt["best_epoch"]
    run.best_metric = ckpt["best_metric"]
    best_rec = next((h for h in run.history if h.get("epoch") == run.best_epoch), {})
    run.best_loss = float(best_rec.get("val_loss", math.nan))
    run.improved_epoch = next((h["epoch"] for h in run.history  # first to reach the best value
                               if h.get("val_selection", h.get("val_metric")) == run.best_metric),
                              run.best_epoch)
    run.stopped_early = bool(extra.get("stopped_early", False))
    restore_rng_state(ckpt["rng_state"], run.generator, rank=run.info.rank,
                      world_size=run.info.world_size)
    (logger.warning if said else logger.debug)(  # was INFO, seen only with -v: a resumed
        "resuming from %s after epoch %d (delete it to start afresh)", path, run.epoch)  # run
    #   looked fresh
    if run.epoch > run.config.epochs:  # was recorded as trained for the new, smaller --epochs
        logger.warning("%s is past the %d epochs asked now: kept as trained, %d epochs (its "
                       "record says epochs_trained); delete it to train %d", path,
                       run.config.epochs, run.epoch, run.config.epochs)


def _check_recipe(config: TrainConfig, task: Task) -> None:
    """Refuse classification-only recipe options for survival (a Cox target has no classes)."""
    for key in ("mixup_alpha", "label_smoothing"):
        if task == "survival" and getattr(config, key) > 0:
            raise input_error(f"{key}={getattr(config, key)} applies to classification only: "
                              "survival targets (time, event) cannot be mixed or smoothed",
                              where=f"train.{key}",
                              fix=f"set {key}: 0 for survival (e.g. in a train_classify: section)")


def _check_data(X_train: Any, y_train: Any, X_val: Any, y_val: Any, task: Task) -> dict[str, Any]:
    """Matrices as CPU tensors and targets as checked arrays (``y_val`` on device later)."""
    X_train, X_val = sampling.as_matrix(X_train, "X_train"), sampling.as_matrix(X_val, "X_val")
    if X_val.shape[0] == 0:
        raise ValueError("the validation split is empty: model selection needs validation rows")
    if X_val.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_val has {X_val.shape[1]} genes, X_train {X_train.shape[1]}")
    return {"X_train": X_train, "X_val": X_val, "y_val_raw": y_val,
            "y_train": sampling.as_targets(y_train, task, X_train.shape[0], name="y_train"),
            "y_val": sampling.as_targets(y_val, task, X_val.shape[0], name="y_val")}


def _setup(model: nn.Module, config: TrainConfig, task: Task, data: dict[str, Any],
           loss_fn: LossFn, metric_fn: MetricFn) -> _Run:
    """Process group, device, seeds, optimiser and schedule for a run."""
    info = ddp.init_distributed(device=config.device)
    device = ddp.resolve_device(config.device, info)
    if config.num_threads is not None:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed + info.rank)
    net = ddp.wrap_model(model, info, device=device)
    optimizer = build_optimizer(parameter_groups(model, config), config)
    amp_dtype = autocast_dtype(device, config.amp)
    data = {**data, "y_val": sampling.all_targets(data["y_val"], device)}
    run = _Run(config=config, task=task, info=info, device=device, model=model, net=net,
               optimizer=optimizer, schedule=LRSchedule(optimizer, config, 1),
               scaler=torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16),
               amp_dtype=amp_dtype, loss_fn=loss_fn, metric_fn=metric_fn,
               generator=np.random.default_rng(config.seed),
               augment=BatchAugment(noise_std=config.noise_std, mixup_alpha=config.mixup_alpha,
                                    seed=config.seed),
               ema=None if config.ema_decay is None else WeightAverage(model, config.ema_decay), **data)
    # the batch count is the same every epoch: probe it with a throwaway generator
    run.schedule.steps_per_epoch = len(_epoch_batches(run, np.random.default_rng(config.seed)))
    return run


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """``torch.set_num_threads(n)`` (process-wide; None: unchanged) for the block, and the
    caller's count back after it, as :func:`~genemoe.train.rng.keeps_global_rng` restores the
    random states (``train: {num_threads: 1}`` left a notebook on one thread). As a decorator,
    ``@torch_threads(None)``, the count at each call's start is restored at its end."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


@keeps_global_rng
@torch_threads(None)  # _setup sets the config's num_threads: the caller's restored after
def train_model(
    model: nn.Module,
    *,
    X_train: np.ndarray,
    y_train: Any,
    X_val: np.ndarray,
    y_val: Any,
    task: Task,
    config: TrainConfig | None = None,
    loss_fn: LossFn,
    metric_fn: MetricFn,
    checkpoint_path: Path | str | None = None,
    resume: bool = True,
    extra_state: dict[str, Any] | None = None,
    log_path: Path | str | None = None,
    max_epochs_this_call: int | None = None,
    on_epoch_end: Callable[[int, float], bool] | None = None,
    continuing: bool = False,
) -> TrainResult:
    """Train ``model`` on the training split, selecting and early-stopping on validation.

    Parameters
    ----------
    model
        A ``GeneModel`` (any module whose ``forward(x)`` returns a ``ModelOutput``). Seed
        before creating it: its initial weights are the caller's. Trained in place.
    X_train, X_val
        ``(n_train, n_genes)`` / ``(n_val, n_genes)`` float32, already scaled; or lazy
        :class:`~genemoe.train.scaled_rows.ScaledRows` views, read batch by batch (each
        process reads only its rows of each training batch and its validation shard).
    y_train, y_val
        Classify: int class indices ``(n,)``. Survival: ``{"time": (n,), "event": (n,)}``
        or a ``(time, event)`` pair.
    task
        ``"classify"`` or ``"survival"`` (survival batches hold ``min_events`` events each).
    config
        :class:`TrainConfig` (defaults if None).
    loss_fn
        ``loss_fn(output, targets) -> LossOutput``; ``targets`` are a LongTensor ``(batch,)``
        (classify) or a :class:`SurvivalTarget`. The trainer adds ``aux_weight × aux_losses``.
        With mixup it is called twice per step on the same output, against the rows'
        targets and their partners', and mixes the two (:func:`~genemoe.train.augment.mix_losses`).
        ``config.label_smoothing`` is the loss's to apply (the trainer only records it).
    metric_fn
        ``metric_fn(outputs (n_val, n_outputs) np.ndarray, y_val) -> float``, higher is better
        (accuracy / macro-F1 / C-index): early stopping and best-epoch selection. Its
        ``label`` attribute, where it has one (:class:`~genemoe.train.selection.NamedMetric`),
        names it on the progress bar.
    checkpoint_path
        Checkpoint written every ``config.checkpoint_every`` epochs and at the end.
    resume
        Continue from ``checkpoint_path`` when it exists (to bitwise-identical results on
        CPU, the weight average and augmentation draws included); ``False`` starts afresh
        and overwrites it.
    extra_state
        The checkpoint's self-description (stored as its ``meta``): config, gene list,
        class names, normaliser, preparation record, genemoe version, ...
    log_path
        JSON-lines log, one line per epoch (rewritten atomically each epoch).
    max_epochs_this_call
        Pause after this many epochs (``finished=False``); call again to resume.
    continuing
        The caller paused this run itself and goes on with it (the encoder unfrozen after
        its frozen epochs): the checkpoint is read as always, without the "resuming from"
        warning a new process gives (it told a run on a fresh --out to delete it).
    on_epoch_end
        ``on_epoch_end(epoch, val_metric) -> bool`` after each epoch's validation; True
        stops training there, as early stopping does (the best epoch's weights are kept).
        Hyper-parameter search prunes unpromising trials through it
        (:mod:`genemoe.train.tuning`).

    Returns
    -------
    TrainResult
        With ``config.ema_decay`` set, ``best_state`` (and the weights left in ``model``
        when training finished, with or without ``restore_best``) are the averaged ones.

    Raises
    ------
    InputError
        ``mixup_alpha`` or ``label_smoothing`` on for ``task="survival"``.
    """
    config = config or TrainConfig()
    _check_recipe(config, task)
    data = _check_data(X_train, y_train, X_val, y_val, task)
    run = _setup(model, config, task, data, loss_fn, metric_fn)
    ckpt_path = None if checkpoint_path is None else Path(checkpoint_path)
    if ckpt_path is not None and resume:
        _resume(run, ckpt_path, said=not continuing)
    finished = _fit(run, ckpt_path, extra_state, None if log_path is None else Path(log_path),
                    max_epochs_this_call, on_epoch_end)
    if run.best_state is None:  # nothing trained (epochs already done and no best recorded)
        run.best_state = cpu_state_dict(model.state_dict())
    if finished and config.restore_best:
        model.load_state_dict(run.best_state)
    elif finished and run.ema is not None:  # the last epoch's weights are its average
        model.load_state_dict(run.ema.module.state_dict())
    return TrainResult(best_epoch=run.best_epoch or run.epoch, best_val_metric=run.best_metric,
                       history=run.history, best_state=run.best_state,
                       stopped_early=run.stopped_early, epochs_run=run.epoch, finished=finished)


def _fit(run: _Run, ckpt_path: Path | None, meta: dict[str, Any] | None, log_path: Path | None,
         max_epochs_this_call: int | None,
         on_epoch_end: Callable[[int, float], bool] | None = None) -> bool:
    """The epoch loop; returns True when training is over (all epochs, or stopped early)."""
    cfg, info = run.config, run.info
    last = cfg.epochs if max_epochs_this_call is None else run.epoch + max_epochs_this_call
    last = min(cfg.epochs, last)
    with tqdm(total=cfg.epochs, initial=run.epoch, desc="train", unit="epoch",
              disable=not (cfg.progress and info.is_main)) as bar:
        while run.epoch < last and not run.stopped_early:
            rec = _run_epoch(run, run.epoch + 1)
            if on_epoch_end is not None and on_epoch_end(run.epoch, rec["val_metric"]):
                run.stopped_early = True  # asked to stop (e.g. a pruned tuning trial)
            done = run.stopped_early or run.epoch >= last
            if ckpt_path is not None and (done or run.epoch % cfg.checkpoint_every == 0):
                _save(run, ckpt_path, meta)
            if log_path is not None and info.is_main:
                write_history(log_path, run.history)
            bar.update(1)
            bar.set_postfix({"loss": f"{rec['train_loss']:.4g}",  # label: the metric's name
                             getattr(run.metric_fn, "label", "val"): f"{rec['val_metric']:.4g}"})
            if run.epoch % cfg.log_every == 0 or done:
                logger.info("epoch %d: train loss %.4g, val loss %.4g, val metric %.4g (best %.4g "
                            "@ %s)", run.epoch, rec["train_loss"], rec["val_loss"],
                            rec["val_metric"], run.best_metric, run.best_epoch)
    if run.stopped_early:
        logger.info("early stop after epoch %d: no val metric gain since epoch %s (weights of "
                    "epoch %s kept)", run.epoch, run.improved_epoch, run.best_epoch)
    return run.stopped_early or run.epoch >= cfg.epochs
