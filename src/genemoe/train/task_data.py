"""A task's scaled arrays for one split or fold part, cut from a bundle.

Everything the fitting code (:mod:`genemoe.train.fit`) receives is arrays: a
:class:`TaskData` per part (``train``, ``val``, ``test``), already restricted to the
genes in use and scaled with statistics of the training part only. With ``lazy=True``
the matrix is a :class:`~genemoe.train.scaled_rows.ScaledRows` view that reads and scales
rows from the bundle's memory map only when indexed (data-parallel training: each process
reads only its share of each batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from genemoe.data.bundle import Bundle
from genemoe.data.scaling import Scaler, centred_scaler, global_scaler
from genemoe.train.scaled_rows import ScaledRows

__all__ = ["TaskData", "Task", "task_data", "bundle_scaler", "ScaledRows"]

Task = Literal["classify", "survival"]


@dataclass
class TaskData:
    """Scaled matrices and targets of one split for one task.

    ``X``: ``(n, n_genes)`` float32 (an array, or a lazy :class:`ScaledRows` view whose
    indexing gives one); ``y``: ``(n,)`` class index (classify) or ``None``;
    ``time``/``event``: ``(n,)`` (survival); ``rows``: row indices in the bundle;
    ``groups``: ``(n,)`` cancer type of each row.
    """

    X: np.ndarray | ScaledRows
    rows: np.ndarray
    y: np.ndarray | None
    time: np.ndarray | None
    event: np.ndarray | None
    groups: np.ndarray

    def targets(self, task: Task) -> Any:
        return self.y if task == "classify" else {"time": self.time, "event": self.event}


def bundle_scaler(bundle: Bundle, gene_mask: np.ndarray, *, clip: float = 10.0,
                  method: str = "standard") -> Scaler:
    """The scaler of the bundle's training-split statistics: per-gene z-score (``standard``)
    one shift and scale for all genes (``global``) or per-gene centring with one scale
    (``centred``, the image models')."""
    var = bundle.var.loc[gene_mask]
    if method == "global":
        return global_scaler(var["train_mean"].to_numpy(), var["train_std"].to_numpy(), clip=clip)
    if method == "centred":
        return centred_scaler(var["train_mean"].to_numpy(), var["train_std"].to_numpy(), clip=clip)
    std = var["train_std"].to_numpy(np.float32)
    return Scaler(var["train_mean"].to_numpy(np.float32), np.where(std < 1e-6, 1, std).astype(np.float32),
                  "standard", clip)


def task_data(bundle: Bundle, rows: np.ndarray, task: Task, *, gene_mask: np.ndarray,
              scaler: Scaler, class_names: list[str], lazy: bool = False) -> TaskData:
    """Scaled data of ``rows`` for ``task`` (survival keeps rows with survival data).

    Parameters
    ----------
    bundle
        The bundle (its ``X`` memory-mapped).
    rows
        ``(n,)`` bundle rows of the split or fold part.
    task
        ``"classify"`` or ``"survival"``.
    gene_mask
        ``(n_all_genes,)`` bool: the genes in use.
    scaler
        Fitted on the training part.
    class_names
        Class order of ``y``.
    lazy
        False: ``X`` is an ``(n, n_genes)`` float32 array read now. True: ``X`` is a
        :class:`ScaledRows` view reading rows when indexed (bit-identical values).
    """
    rows = np.asarray(rows)
    if task == "survival":
        rows = rows[bundle.obs["has_survival"].to_numpy(bool)[rows]]
    if lazy:
        X: np.ndarray | ScaledRows = ScaledRows(bundle.X, rows, gene_mask, scaler)
    else:
        X = scaler.transform(np.asarray(bundle.X[rows][:, gene_mask]))
    time_, event = bundle.survival()
    return TaskData(
        X=X, rows=rows, y=bundle.labels(class_names)[rows] if task == "classify" else None,
        time=time_[rows] if task == "survival" else None,
        event=event[rows] if task == "survival" else None,
        groups=bundle.obs["cancer_type"].to_numpy(object)[rows],
    )
