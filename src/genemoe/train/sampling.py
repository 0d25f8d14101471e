"""Mini-batches of row indices for one epoch (``BatchSampler``-style, numpy-seeded).

Every sampler takes an explicit :class:`numpy.random.Generator`: the trainer owns one,
seeded from ``TrainConfig.seed`` and saved in checkpoints, so an epoch's batches are a
pure function of the seed and the epoch number (no global RNG). Under data-parallel
training every rank draws the same *global* batches from identically seeded generators
and then keeps its own shard of each (:func:`genemoe.train.distributed.shard_indices`).

``batch_size=None`` (or ``batch_size >= n``) gives one full batch of all rows.

The targets of a batch are checked once (:func:`as_targets`) and cut per batch
(:func:`select_targets`): a LongTensor of class indices, or a :class:`SurvivalTarget`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import torch

from genemoe.errors import input_error
from genemoe.train.scaled_rows import ScaledRows

__all__ = [
    "shuffled_batches",
    "stratified_event_batches",
    "n_batches",
    "SurvivalTarget",
    "as_targets",
    "select_targets",
    "all_targets",
    "as_matrix",
    "row_block",
]


def n_batches(n: int, batch_size: int | None) -> int:
    """Number of batches that :func:`shuffled_batches` makes of ``n`` rows (before merging)."""
    if n <= 0:
        return 0
    if batch_size is None or batch_size >= n:
        return 1
    return -(-n // batch_size)


def _check(n: int, batch_size: int | None) -> None:
    if n <= 0:
        raise ValueError(f"cannot make batches of {n} rows")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be >= 1 or None (full batch), got {batch_size}")


def shuffled_batches(
    n: int,
    batch_size: int | None,
    *,
    generator: np.random.Generator,
    min_size: int = 1,
) -> list[np.ndarray]:
    """Shuffle ``range(n)`` and cut it into batches of ``batch_size`` rows.

    Parameters
    ----------
    n
        Number of rows.
    batch_size
        Rows per batch; ``None`` or ``>= n`` gives one full batch.
    generator
        Source of the permutation (advanced by one draw, even for a full batch, so that
        the stream does not depend on the batch size).
    min_size
        A last batch smaller than this is merged into the one before it (e.g. the number
        of data-parallel ranks, so that no rank gets an empty shard).

    Returns
    -------
    list of np.ndarray
        int64 row indices, each ``(batch_size,)`` except perhaps the last.
    """
    _check(n, batch_size)
    perm = generator.permutation(n).astype(np.int64)
    if batch_size is None or batch_size >= n:
        return [perm]
    batches = [perm[i : i + batch_size] for i in range(0, n, batch_size)]
    if len(batches) > 1 and len(batches[-1]) < min_size:
        last = batches.pop()
        batches[-1] = np.concatenate([batches[-1], last])
    return batches


def stratified_event_batches(
    event: np.ndarray,
    batch_size: int | None,
    *,
    generator: np.random.Generator,
    min_events: int = 2,
) -> list[np.ndarray]:
    """Batches for Cox training in which every batch holds at least ``min_events`` events.

    The Cox partial likelihood of a batch without events is undefined (and with one event
    it is very noisy), so events are spread evenly: the number of batches is
    ``ceil(n / batch_size)``, lowered where needed to ``n_events // min_events``; batch
    sizes differ by at most one, event counts per batch differ by at most one, and the
    rows inside each batch (and the batch order) are shuffled.

    Parameters
    ----------
    event
        ``(n_samples,)`` bool: True where the event (death) was observed.
    batch_size
        Target rows per batch; ``None`` or ``>= n`` gives one full batch.
    generator
        Source of randomness.
    min_events
        Least number of events per batch.

    Returns
    -------
    list of np.ndarray
        int64 row indices; together they cover every row exactly once.

    Raises
    ------
    InputError
        When the data hold fewer than ``min_events`` events.
    """
    event = np.asarray(event).astype(bool).ravel()
    n = int(event.size)
    _check(n, batch_size)
    n_events = int(event.sum())
    if n_events < min_events:
        raise input_error(
            f"the training data hold {n_events} events (observed deaths) but Cox training "
            f"needs at least {min_events} per batch",
            where="event",
            fix="use more samples with survival data, or lower min_events",
        )
    k = min(n_batches(n, batch_size), n_events // min_events)
    ev = generator.permutation(np.flatnonzero(event)).astype(np.int64)
    cens = generator.permutation(np.flatnonzero(~event)).astype(np.int64)
    if k == 1:
        return [generator.permutation(np.concatenate([ev, cens]))]
    sizes = np.array([len(a) for a in np.array_split(np.arange(n), k)])
    ev_parts = np.array_split(ev, k)  # sizes differ by <= 1 and never exceed ``sizes``
    cuts = np.cumsum(sizes - np.array([len(p) for p in ev_parts]))[:-1]
    cens_parts = np.split(cens, cuts)
    batches = [generator.permutation(np.concatenate([e, c]))
               for e, c in zip(ev_parts, cens_parts, strict=True)]
    order = generator.permutation(k)
    return [batches[i] for i in order]


# --------------------------------------------------------------------------- targets


class SurvivalTarget(NamedTuple):
    """Targets of a survival batch: ``time`` (days, float32) and ``event`` (bool), ``(batch,)``.

    Reads as a pair (``time, event = target``), by attribute, or by key like the dict a
    caller passes (``target["time"]``).
    """

    time: torch.Tensor
    event: torch.Tensor

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return getattr(self, key)
        return tuple.__getitem__(self, key)


def as_targets(y: Any, task: Literal["classify", "survival"], n: int, *, name: str = "y") -> Any:
    """Check targets once: class indices ``(n,)`` int64, or ``(time (n,) float32, event (n,) bool)``.

    ``y`` is an int array for ``"classify"``; for ``"survival"`` a mapping with ``"time"``
    and ``"event"`` or a ``(time, event)`` pair.
    """
    if task == "classify":
        out = np.asarray(y).astype(np.int64).ravel()
        if out.size != n:
            raise ValueError(f"{name} has {out.size} labels for {n} rows")
        return out
    if isinstance(y, Mapping):
        time_, event = y["time"], y["event"]
    elif isinstance(y, Sequence) and len(y) == 2:
        time_, event = y
    else:
        raise TypeError(f"{name} for survival must be a dict with 'time' and 'event' or a "
                        f"(time, event) pair, got {type(y).__name__}")
    time_ = np.asarray(time_, dtype=np.float32).ravel()
    event = np.asarray(event).astype(bool).ravel()
    if time_.size != n or event.size != n:
        raise ValueError(f"{name} has {time_.size} times / {event.size} events for {n} rows")
    if not np.isfinite(time_).all():
        raise ValueError(f"{name} has non-finite survival times: drop those samples first")
    return time_, event


def select_targets(targets: Any, rows: np.ndarray, device: torch.device | str) -> Any:
    """Targets (from :func:`as_targets`) of ``rows`` as tensors on ``device``."""
    if isinstance(targets, tuple):
        t, e = targets
        return SurvivalTarget(torch.from_numpy(t[rows]).to(device),
                              torch.from_numpy(e[rows]).to(device))
    return torch.from_numpy(targets[rows]).to(device)


def all_targets(targets: Any, device: torch.device | str) -> Any:
    """Every row's targets as tensors on ``device``."""
    n = len(targets[0]) if isinstance(targets, tuple) else len(targets)
    return select_targets(targets, np.arange(n), device)


def as_matrix(X: Any, name: str = "X") -> torch.Tensor | ScaledRows:
    """``(n_samples, n_genes)`` float32 CPU tensor (a memmap is read into memory).

    A lazy :class:`~genemoe.train.scaled_rows.ScaledRows` view stays lazy: it is returned
    as it is, and its rows are read when a batch indexes them.
    """
    if isinstance(X, ScaledRows):
        return X
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_genes), got shape {X.shape}")
    return torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))


def row_block(X: torch.Tensor | ScaledRows, start: int, stop: int) -> torch.Tensor | ScaledRows:
    """Rows ``start:stop`` of a matrix from :func:`as_matrix`, without reading a lazy one."""
    return X.subset(slice(start, stop)) if isinstance(X, ScaledRows) else X[start:stop]
