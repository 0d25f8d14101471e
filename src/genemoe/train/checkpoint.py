"""Self-describing training checkpoints, written atomically (nanoGPT-style).

A checkpoint is one ``torch.save`` file holding a dict::

    format            "genemoe-checkpoint"
    format_version    1
    epoch             last completed epoch (1-based; 0 = none)
    model_state       state_dict after that epoch (unwrapped: no DDP "module." prefix)
    optimizer_state   optimizer state_dict
    scheduler_state   learning-rate schedule state (a plain dict)
    rng_state         {"torch": ByteTensor, "cuda": [ByteTensor] | None, "numpy": dict,
                       "ranks": [{"torch", "cuda"} of every data-parallel rank]}
    best_state        state_dict of the best epoch on the validation metric (or None)
    best_metric       its validation metric (float; NaN when no epoch improved yet)
    best_epoch        its epoch (or None)
    history           list of per-epoch dicts (see ``genemoe.train.loop.TrainResult``)
    meta              the caller's self-description: config, gene list, class names,
                      normaliser, preparation record, metrics, genemoe version, ...
    extra             trainer bookkeeping (train config, AMP scaler, finished flag)

Writes go to a temporary sibling file that is renamed over ``path`` once complete
(``os.replace`` is atomic on POSIX and Windows), so a run killed mid-write leaves the
previous checkpoint intact.

Under data parallelism (:mod:`genemoe.train.distributed`) rank 0 writes and
:func:`load_checkpoint_everywhere` gives every rank the newest copy any rank can read:
the file may sit on a shared filesystem, or on some nodes only (e.g. a copy on a node
that replaced a lost one).

Loading uses ``torch.load(weights_only=True)``: tensors and plain Python values
(dict, list, str, int, float, bool, None) load safely. Keep ``meta`` to those (convert
numpy arrays with ``.tolist()`` or ``torch.from_numpy``) or load with ``trusted=True``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genemoe.data.bundle import atomic_file, atomic_write_text
from genemoe.errors import input_error
from genemoe.train import distributed as ddp

__all__ = [
    "data_signature",
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "save_checkpoint",
    "load_checkpoint",
    "load_checkpoint_everywhere",
    "newest_copy",
    "resume_epoch_everywhere",
    "capture_rng_state",
    "restore_rng_state",
    "check_resumable",
    "write_history",
    "cpu_state_dict",
]

logger = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "genemoe-checkpoint"
CHECKPOINT_VERSION = 1


def save_checkpoint(
    path: Path | str,
    *,
    model_state: dict[str, Any],
    optimizer_state: dict[str, Any] | None,
    scheduler_state: dict[str, Any] | None,
    epoch: int,
    rng_state: dict[str, Any] | None,
    best_state: dict[str, Any] | None,
    best_metric: float,
    history: list[dict[str, Any]],
    meta: dict[str, Any] | None = None,
    best_epoch: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint to ``path`` atomically; returns the path.

    Parameters
    ----------
    path
        Destination file (its directory is created).
    model_state, optimizer_state, scheduler_state
        ``state_dict()`` of the model, optimizer and learning-rate schedule.
    epoch
        Last completed epoch (1-based).
    rng_state
        From :func:`capture_rng_state`.
    best_state, best_metric, best_epoch
        The best epoch on the validation metric so far.
    history
        Per-epoch records.
    meta
        The caller's self-description, stored as given.
    extra
        Trainer bookkeeping, stored as given.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "epoch": int(epoch),
        "model_state": model_state,
        "optimizer_state": optimizer_state,
        "scheduler_state": scheduler_state,
        "rng_state": rng_state,
        "best_state": best_state,
        "best_metric": float(best_metric),
        "best_epoch": best_epoch,
        "history": history,
        "meta": meta or {},
        "extra": extra or {},
    }
    with atomic_file(path) as tmp, open(tmp, "wb") as fh:
        torch.save(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    logger.debug("checkpoint (epoch %d) written to %s", epoch, path)
    return path


def load_checkpoint(
    path: Path | str, *, map_location: str | torch.device = "cpu", trusted: bool = False,
    mmap: bool = False,
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Parameters
    ----------
    path
        The checkpoint file.
    map_location
        Where tensors are loaded (default CPU).
    trusted
        Allow arbitrary pickled objects in ``meta`` (only for files you trust: unpickling
        can run code).
    mmap
        Map tensors from the file instead of reading them (cheap when only the epoch or
        history is wanted).

    Returns
    -------
    dict
        The keys listed in the module docstring.

    Raises
    ------
    InputError
        When the file is missing, corrupt or truncated, or not a genemoe checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise input_error("no such checkpoint file", path=path,
                          fix="train a model first (`genemoe train ... --out DIR`)")
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=not trusted, mmap=mmap)
    except pickle.UnpicklingError as exc:
        if trusted or "Unsupported global" not in str(exc):
            raise _corrupt(path, exc) from exc
        what = next((ln.strip() for ln in str(exc).splitlines() if "Unsupported global" in ln), "")
        raise input_error(
            f"checkpoint holds objects beyond tensors and plain Python values ({what})",
            path=path, fix="if you trust this file, load it with trusted=True",
        ) from exc
    except Exception as exc:  # zip/EOF/runtime errors from a truncated or garbled file
        raise _corrupt(path, exc) from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise input_error("not a genemoe checkpoint (no 'format' marker)", path=path,
                          fix="point at a file written by `genemoe train`")
    if int(ckpt.get("format_version", 0)) > CHECKPOINT_VERSION:
        raise input_error(
            f"checkpoint format version {ckpt['format_version']} is newer than this genemoe "
            f"understands ({CHECKPOINT_VERSION})", path=path, fix="upgrade genemoe",
        )
    return ckpt


def _corrupt(path: Path, exc: BaseException) -> Exception:
    return input_error(
        f"checkpoint is corrupt or truncated ({type(exc).__name__}: {str(exc)[:200]})", path=path,
        fix="delete it and train again (or resume from an older copy)",
    )


def _describe_copy(path: Path) -> dict[str, Any] | None:
    """This process's view of ``path``: None (no file), ``{"epoch", "digest"}`` or ``{"error"}``.

    The digest hashes the history, whose wall-clock seconds tell apart two runs that
    reached the same epoch.
    """
    if not path.is_file():
        return None
    try:
        ckpt = load_checkpoint(path, mmap=True)
    except Exception as exc:  # an InputError naming the problem; other ranks may do better
        return {"error": str(exc)}
    digest = hashlib.sha256(repr(ckpt.get("history")).encode()).hexdigest()
    return {"epoch": int(ckpt["epoch"]), "digest": digest}


def newest_copy(views: list[dict[str, Any] | None], path: Path) -> int | None:
    """The rank whose checkpoint copy to resume from: the newest epoch, the lowest rank on
    a tie; None when no rank has a file. ``views``: each rank's ``None`` (no file),
    ``{"epoch", "digest"}`` or ``{"error"}`` (unreadable).

    Raises
    ------
    InputError
        When some copies are unreadable and none is readable.
    """
    good = [(v["epoch"], -r) for r, v in enumerate(views) if v is not None and "error" not in v]
    if good:
        return -max(good)[1]
    errors = [f"rank {r}: {v['error']}" for r, v in enumerate(views) if v is not None]
    if errors:
        raise input_error("no rank can read the checkpoint (" + "; ".join(errors) + ")",
                          path=path, fix="delete it to start afresh, or copy a good one there")
    return None


def resume_epoch_everywhere(path: Path | str, info: ddp.DistInfo = ddp.SINGLE) -> int:
    """The epoch a run at ``path`` resumes from, the same on every rank (collective): that
    of the newest copy any rank reads (as :func:`load_checkpoint_everywhere` will load),
    0 when no rank has a file. Reads each rank's copy memory-mapped, not into memory.

    Raises
    ------
    InputError
        When some copies are unreadable and none is readable.
    """
    path = Path(path)
    views = ddp.gather_object(_describe_copy(path), info)  # [this copy's view] alone
    src = newest_copy(views, path)
    return 0 if src is None else int(views[src]["epoch"])


def load_checkpoint_everywhere(path: Path | str, info: ddp.DistInfo = ddp.SINGLE
                               ) -> dict[str, Any] | None:
    """The newest checkpoint that any rank reads at ``path``, on every rank (collective).

    Every rank looks at its own ``path`` (the same file on a shared filesystem; a node's
    own copy on local disks). When all ranks see the same checkpoint each loads it itself;
    otherwise the rank holding the newest one (lowest rank on a tie) loads it and
    broadcasts it, with a warning, so that a job whose rank 0 moved to a node without the
    file (``torchrun`` may renumber nodes after a failure) neither starts afresh nor
    resumes on mixed states.

    Returns
    -------
    dict or None
        As :func:`load_checkpoint`; None when no rank has a file at ``path``.

    Raises
    ------
    InputError
        On every rank, when some rank's file is unreadable and no rank has a readable one.
    """
    path = Path(path)
    if not info.enabled:
        return load_checkpoint(path) if path.is_file() else None
    views = ddp.gather_object(_describe_copy(path), info)
    src = newest_copy(views, path)
    if src is None:
        return None
    if all(v == views[src] for v in views):
        return load_checkpoint(path)
    logger.warning("ranks see different checkpoints at %s (epochs %s): every rank resumes from "
                   "rank %d's (epoch %d); keep the run directory on a shared filesystem",
                   path, [None if v is None else v.get("epoch", "unreadable") for v in views],
                   src, views[src]["epoch"])
    ckpt = load_checkpoint(path) if info.rank == src else None
    return ddp.broadcast_object(ckpt, info, src=src)


def cpu_state_dict(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A detached CPU copy of a ``state_dict`` (safe to keep while training goes on)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in state.items()}


def capture_rng_state(generator: np.random.Generator | None = None) -> dict[str, Any]:
    """The torch (CPU and CUDA) and numpy-generator RNG states, for :func:`restore_rng_state`."""
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    return {
        "torch": torch.get_rng_state(),
        "cuda": cuda,
        "numpy": None if generator is None else generator.bit_generator.state,
    }


def restore_rng_state(state: dict[str, Any], generator: np.random.Generator | None = None, *,
                      rank: int = 0, world_size: int = 1) -> None:
    """Set the torch RNGs and (in place) ``generator`` to ``state``.

    Under data parallelism ``state["ranks"]`` holds every rank's torch states; ``rank``
    picks its own (when the world size changed, torch RNG streams cannot be continued).
    """
    ranks = state.get("ranks") or []
    if len(ranks) == world_size:
        state = {**state, **ranks[rank]}
    elif world_size > 1:
        logger.warning("checkpoint has RNG states of %d ranks, this job %d: dropout streams "
                       "will differ from an uninterrupted run", len(ranks), world_size)
    torch.set_rng_state(state["torch"])
    cuda = state.get("cuda")
    if cuda is not None and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    if generator is not None and state.get("numpy") is not None:
        generator.bit_generator.state = state["numpy"]


def data_signature(*arrays: Any) -> str:
    """SHA-256 of the shapes and bytes of a run's matrices' shapes and targets (tensors,
    arrays, and tuples or mappings of them), told apart from another bundle's on resume."""
    h = hashlib.sha256()

    def feed(x: Any) -> None:
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        if isinstance(x, np.ndarray):
            h.update(repr((x.shape, x.dtype.str)).encode())
            h.update(np.ascontiguousarray(x).tobytes())
        elif isinstance(x, Mapping):
            for k in sorted(x, key=str):
                feed(x[k])
        elif isinstance(x, (tuple, list)):
            for v in x:
                feed(v)
        else:
            h.update(repr(x).encode())

    for a in arrays:
        feed(a)
    return h.hexdigest()


def _state_mismatch(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> str | None:
    """The first weight that differs in name or shape between two state dicts, said."""
    for k in sorted(set(mine) | set(theirs)):
        a, b = mine.get(k), theirs.get(k)
        if a is None or b is None:
            return f"weight {k} only in the {'checkpoint' if a is None else 'model'}"
        if tuple(a.shape) != tuple(b.shape):
            return f"weight {k} of shape {tuple(b.shape)} in the checkpoint, {tuple(a.shape)} here"
    return None


def check_resumable(ckpt: dict[str, Any], *, path: Path, config: dict[str, Any], task: str,
                    may_change: Collection[str] = (), data: str | None = None,
                    model_state: Mapping[str, Any] | None = None) -> None:
    """Raise when ``ckpt`` was trained with another task or config (bar ``may_change``),
    on other data (its ``data`` signature, :func:`data_signature`) or for another model
    (``model_state``'s weight names and shapes).

    Resuming a run under a different learning rate, batch size or seed would silently
    give a run that is neither the old one nor a fresh one; another --model or --data
    ended in a traceback from torch's ``load_state_dict`` (or, with as many genes, went on).
    """
    fix = ("rerun with the options it was written with to resume it, delete it to start "
           "afresh, or train into another --out")
    extra = ckpt.get("extra", {})
    if data is not None and extra.get("data") not in (None, data):
        raise input_error("the checkpoint was written for other data (other samples, genes or "
                          "targets than --data gives)", path=path, fix=fix)
    if model_state is not None and (why := _state_mismatch(model_state, ckpt["model_state"])):
        raise input_error(f"the checkpoint was written for another model or gene set ({why})",
                          path=path, fix=fix)
    saved = extra.get("train_config", {})
    diff = [f"{k}: {saved[k]!r} -> {v!r}" for k, v in config.items()
            if k in saved and k not in may_change and saved[k] != v]  # new fields: no record
    if extra.get("task", task) != task:
        diff.append(f"task: {extra.get('task')!r} -> {task!r}")
    if diff:
        raise input_error(
            f"the checkpoint was written by a different training setup ({'; '.join(diff)})",
            path=path,  # was "point --checkpoint elsewhere, or pass resume=False": no such options
            fix=fix)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def write_history(path: Path | str, history: list[dict[str, Any]]) -> None:
    """Rewrite a JSON-lines training log atomically: one line per epoch record, non-finite
    numbers as ``null``. A reader never sees a half-written line."""
    lines = [json.dumps({k: _json_safe(v) for k, v in rec.items()}, allow_nan=False)
             for rec in history]
    atomic_write_text(Path(path), "".join(line + "\n" for line in lines))
