"""Data-parallel training with PyTorch DDP, launched by ``torchrun``.

One machine, N processes (one per GPU, or N CPU processes with gloo)::

    torchrun --standalone --nproc-per-node=N -m genemoe.cli train ...

Several machines (the same command on each; docs/distributed.md has the whole recipe:
rendezvous, restarts after a failure, data on several nodes, what was tested)::

    torchrun --nnodes=2 --nproc-per-node=8 --max-restarts=3 --rdzv-backend=c10d \\
        --rdzv-endpoint=HOST:29500 --rdzv-id=JOB -m genemoe.cli train ... --out SHARED/RUN

``torchrun`` sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
``MASTER_PORT``; :func:`init_distributed` reads them (and is a no-op in a plain single
process), with backend ``nccl`` on CUDA and ``gloo`` on CPU. ``train_model`` calls it
itself, so the same code trains in one process or N.

How training is split (see ``genemoe.train.loop``):

- every rank holds the whole training split and draws the same *global* batches from an
  identically seeded generator; :func:`shard_indices` gives each rank a contiguous share
  of every global batch (shares differ by at most one row);
- the model outputs of the global batch are gathered on every rank
  (:func:`gather_rows`, differentiable) and the task loss is computed on all of them. The
  loss is therefore the single-process loss of the global batch exactly, for any loss:
  mean-reduced cross-entropy / focal loss, and the Cox partial likelihood, whose risk
  set spans the whole global batch (not the rank's shard). The backward of the gather
  sums the output gradients over ranks, and DDP averages parameter gradients over ranks,
  so each step's gradient equals the single-process gradient of the global batch (up to
  float rounding);
- auxiliary losses (e.g. load balancing) are computed per shard and their gradients are
  averaged by DDP: an approximation of the global-batch auxiliary loss (exact for means
  over samples with equal shards; close for balance losses such as CV² of expert load
  when shards are large). Logged aux values are the mean over ranks;
- validation rows are sharded too, their outputs gathered, and every rank computes the
  same metric, so every rank takes the same early-stopping decision without messages;
- only rank 0 writes checkpoints and logs; on resume every rank resumes from the newest
  checkpoint copy any rank can read (:func:`~genemoe.train.checkpoint.load_checkpoint_everywhere`):
  the same file on a shared filesystem, or the copy some node holds when rank 0 (which
  ``torchrun`` may move to another node after a failure) has none;
- a run restarted by ``torchrun --max-restarts`` joins a process group of its own attempt
  (:func:`init_distributed`), so it never reads the addresses of the dead attempt;
- each rank seeds its torch RNG (dropout) with ``seed + rank``;
- ``batch_size`` stays the GLOBAL batch: each of N ranks computes ``batch_size / N`` rows.

Callers that write their own files after training (model file, metrics, predictions)
guard them with ``get_dist_info().is_main`` and end the job with
:func:`destroy_distributed`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from genemoe.errors import input_error

__all__ = [
    "DistInfo",
    "SINGLE",
    "init_distributed",
    "dist_timeout_s",
    "get_dist_info",
    "destroy_distributed",
    "resolve_device",
    "is_device_name",
    "DEVICE_NAMES",
    "shard_indices",
    "shard_sizes",
    "wrap_model",
    "unwrap_model",
    "gather_rows",
    "all_reduce_sum",
    "gather_object",
    "broadcast_object",
    "barrier",
    "RunningMeans",
]

logger = logging.getLogger(__name__)

Backend = Literal["auto", "gloo", "nccl"]
Device = Literal["auto", "cpu", "cuda"]


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands in a data-parallel job.

    Attributes
    ----------
    rank
        Global rank, ``0 .. world_size - 1``.
    world_size
        Number of processes (1 = plain single-process training).
    local_rank
        Rank on this machine (the CUDA device index).
    is_main
        True on rank 0 (the one that writes files).
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    is_main: bool = True

    @property
    def enabled(self) -> bool:
        """True when more than one process trains."""
        return self.world_size > 1


SINGLE = DistInfo()


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


TIMEOUT_ENV = "GENEMOE_DIST_TIMEOUT_S"  # the process group's collective timeout, seconds


def dist_timeout_s(default: float = 1800.0) -> float:
    """The collective timeout: ``$GENEMOE_DIST_TIMEOUT_S`` where set, else ``default``.

    Raise it when one rank can work alone longer than that while the others wait in a
    collective (a long validation or checkpoint on rank 0, a slow shared filesystem);
    lower it to notice a dead peer sooner.
    """
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    if not value:
        return float(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not (seconds > 0 and np.isfinite(seconds)):
        raise input_error(f"{TIMEOUT_ENV}={value!r} is not a number of seconds > 0",
                          where=TIMEOUT_ENV, fix=f"export {TIMEOUT_ENV}=3600 (or unset it: "
                                                 f"{default:.0f} s)")
    return seconds


def get_dist_info() -> DistInfo:
    """The :class:`DistInfo` of the initialised process group, or :data:`SINGLE`."""
    if not (dist.is_available() and dist.is_initialized()):
        return SINGLE
    rank, world = dist.get_rank(), dist.get_world_size()
    return DistInfo(rank, world, _env_int("LOCAL_RANK", rank), rank == 0)


def init_distributed(*, device: Device = "auto", backend: Backend = "auto",
                     timeout_s: float | None = None) -> DistInfo:
    """Join the process group that ``torchrun`` describes in the environment.

    Idempotent; a no-op returning :data:`SINGLE` when ``WORLD_SIZE`` is unset or 1.
    Under ``torchrun`` with the store its agents share (the default), the group's keys are
    prefixed with the restart count: without that a restarted attempt reads the dead
    attempt's addresses and hangs (pytorch/pytorch#135712; seen with gloo on torch 2.13).

    Parameters
    ----------
    device
        The training device; ``backend="auto"`` picks ``nccl`` when it resolves to CUDA,
        else ``gloo``.
    backend
        Force a backend.
    timeout_s
        Collective timeout in seconds (None: :func:`dist_timeout_s`, 30 minutes unless
        ``$GENEMOE_DIST_TIMEOUT_S`` says otherwise).
    """
    if dist.is_available() and dist.is_initialized():
        return get_dist_info()
    world = _env_int("WORLD_SIZE", 1)
    if world <= 1:
        return SINGLE
    if not dist.is_available():
        raise RuntimeError("WORLD_SIZE > 1 but this torch build has no torch.distributed")
    local_rank = _env_int("LOCAL_RANK", 0)
    use_cuda = _wants_cuda(device)
    if backend == "auto":
        backend = "nccl" if use_cuda else "gloo"
    if use_cuda:
        torch.cuda.set_device(local_rank)
    timeout = timedelta(seconds=dist_timeout_s() if timeout_s is None else timeout_s)
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT")
    if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True" and attempt is not None:
        # torchrun's agents share one store across worker restarts: the process group of a
        # restarted attempt would read the addresses the dead attempt left there and hang
        # (pytorch/pytorch#135712); keep each attempt's keys apart
        store, rank, world = next(dist.rendezvous("env://", timeout=timeout))
        dist.init_process_group(backend=backend, store=dist.PrefixStore(
            f"genemoe/attempt_{attempt}", store), rank=rank, world_size=world, timeout=timeout)
    else:
        dist.init_process_group(backend=backend, init_method="env://", timeout=timeout)
    info = get_dist_info()
    logger.info("rank %d/%d (local %d) joined with backend %s",
                info.rank, info.world_size, info.local_rank, backend)
    return info


def destroy_distributed() -> None:
    """Leave the process group (if any); call once at the end of a torchrun job."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def _wants_cuda(device: Device | str) -> bool:
    if device == "auto":
        return torch.cuda.is_available()
    return str(device).startswith("cuda")


DEVICE_NAMES = r"auto|cpu|cuda(:\d+)?"  # --device's values: cuda:N one GPU of several


def is_device_name(value: object) -> bool:
    """Whether ``value`` is a ``--device`` value (:data:`DEVICE_NAMES`): ``auto``, ``cpu``,
    ``cuda`` or ``cuda:N`` (``cuda:0`` passed the command's check and was then refused by
    the config's as "unknown device")."""
    return isinstance(value, str) and re.fullmatch(DEVICE_NAMES, value) is not None


def resolve_device(device: Device | str | torch.device, info: DistInfo = SINGLE) -> torch.device:
    """The torch device for ``device`` (``"auto"`` = CUDA when available); under DDP on
    CUDA, this rank's GPU ``cuda:<local_rank>``."""
    if isinstance(device, torch.device):
        return device
    device = str(device)
    if not is_device_name(device):
        raise input_error(f"unknown device {device!r}", where="--device",
                          fix="use auto (CUDA when available), cpu, cuda or cuda:N")
    if _wants_cuda(device):
        if not torch.cuda.is_available():
            raise input_error(f"{device} was asked for, but this machine's torch "
                              f"sees no CUDA GPU (torch {torch.__version__})", where="--device",
                              fix="use --device auto (CUDA when available, else CPU) or cpu")
        if device.startswith("cuda:") and int(device[5:]) >= torch.cuda.device_count():
            raise input_error(f"{device}: this machine has "
                              f"{torch.cuda.device_count()} CUDA GPU(s), numbered from 0",
                              where="--device", fix="use --device cuda (the current GPU)")
        if device in ("auto", "cuda"):
            return torch.device("cuda", info.local_rank if info.enabled else torch.cuda.current_device())
        return torch.device(device)
    return torch.device("cpu")


def shard_indices(indices: np.ndarray, rank: int, world_size: int) -> np.ndarray:
    """This rank's contiguous share of a global batch ``(batch,)``.

    Shares differ in size by at most one row (the first ``len % world_size`` ranks get
    one more); concatenating the shares of ranks ``0 .. world_size-1`` gives ``indices``.
    """
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} outside 0..{world_size - 1}")
    return np.array_split(np.asarray(indices), world_size)[rank]


def shard_sizes(n: int, world_size: int) -> list[int]:
    """Sizes of the shares :func:`shard_indices` makes of ``n`` rows."""
    return [n // world_size + (r < n % world_size) for r in range(world_size)]


def wrap_model(model: nn.Module, info: DistInfo, *, device: torch.device | None = None,
               find_unused_parameters: bool = True) -> nn.Module:
    """The model, moved to ``device`` (default: this rank's ``"auto"`` device), wrapped in
    DDP when ``info.enabled``.

    ``find_unused_parameters=True`` (the default) lets models whose forward can skip
    parameters train (sparse routing that sends no sample of a batch to some expert leaves
    that expert without gradient); it costs a graph walk per step, and DDP logs a warning
    on models that never skip any.
    """
    device = resolve_device("auto", info) if device is None else device
    model.to(device)
    if not info.enabled:
        return model
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(
        model, device_ids=ids, find_unused_parameters=find_unused_parameters)


def unwrap_model(model: nn.Module) -> nn.Module:
    """The underlying module of a DDP wrapper (or the model itself)."""
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


class _GatherRows(torch.autograd.Function):
    """All-gather row shards of unequal size; backward sums gradients over ranks."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, sizes: list[int], rank: int) -> torch.Tensor:
        ctx.sizes, ctx.rank = sizes, rank
        longest = max(sizes)
        padded = x.new_zeros((longest, *x.shape[1:]))
        padded[: x.shape[0]] = x
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded.contiguous())
        return torch.cat([p[:s] for p, s in zip(parts, sizes, strict=True)])

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, None, None]:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        start = sum(ctx.sizes[: ctx.rank])
        return grad[start : start + ctx.sizes[ctx.rank]], None, None


def gather_rows(x: torch.Tensor, sizes: list[int], info: DistInfo) -> torch.Tensor:
    """Concatenate every rank's rows ``(sizes[r], ...)`` into ``(sum(sizes), ...)``.

    Differentiable: the gradient reaching this rank's rows is the sum over ranks of the
    gradients of their (identical) losses. Identity in a single process.
    """
    if not info.enabled:
        return x
    if x.shape[0] != sizes[info.rank]:
        raise ValueError(f"rank {info.rank} has {x.shape[0]} rows, expected {sizes[info.rank]}")
    return _GatherRows.apply(x, list(sizes), info.rank)


def all_reduce_sum(x: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Sum ``x`` over ranks (a new tensor; ``x`` itself is left alone)."""
    if not info.enabled:
        return x
    out = x.detach().clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out


def gather_object(obj: Any, info: DistInfo) -> list[Any]:
    """Every rank's ``obj`` (picklable), in rank order, on every rank."""
    if not info.enabled:
        return [obj]
    out: list[Any] = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def broadcast_object(obj: Any, info: DistInfo, *, src: int = 0) -> Any:
    """Rank ``src``'s ``obj`` on every rank."""
    if not info.enabled:
        return obj
    box = [obj if info.rank == src else None]
    dist.broadcast_object_list(box, src=src)
    return box[0]


def barrier(info: DistInfo) -> None:
    """Wait for every rank (no-op in a single process)."""
    if info.enabled:
        dist.barrier()


class RunningMeans:
    """Batch-size-weighted means of named scalars / vectors over an epoch's batches and ranks.

    Sums stay on the device (no host sync per step); :meth:`means` all-reduces them once.
    """

    def __init__(self, device: torch.device | str = "cpu") -> None:
        self.device = torch.device(device)  # the collective backend's device under DDP
        self.sums: dict[str, torch.Tensor] = {}
        self.n = 0

    def add(self, n: int, values: Mapping[str, Any]) -> None:
        """Add a batch of ``n`` rows: ``values`` are scalars or 1-D tensors (any device)."""
        self.n += n
        for k, v in values.items():
            v = torch.as_tensor(v).detach().to(self.device, torch.float32).reshape(-1) * n
            self.sums[k] = self.sums[k] + v if k in self.sums else v

    def means(self, info: DistInfo) -> dict[str, np.ndarray]:
        """Means over batches and ranks (every rank must hold the same keys)."""
        keys = sorted(self.sums)
        if not keys:
            return {}
        flat = all_reduce_sum(torch.cat([self.sums[k] for k in keys]), info)
        flat = (flat / (self.n * info.world_size)).cpu().numpy().astype(np.float64)
        out, start = {}, 0
        for k in keys:
            size = self.sums[k].numel()
            out[k] = flat[start : start + size]
            start += size
        return out
