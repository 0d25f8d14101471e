"""A lazy, scaled view of some rows of a bundle's memory-mapped matrix.

:class:`ScaledRows` stands where a task's ``(n, n_genes)`` float32 matrix would: it holds
only row indices, and each indexing reads just the rows asked for from the bundle's
``X.npy`` (in increasing row order), keeps the genes in use and applies the fitted
scaler, giving exactly the values of the eager path
(:func:`genemoe.train.task_data.task_data` with ``lazy=False``). Under data-parallel
training each process then reads only its share of every global batch, instead of
holding the whole split.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from genemoe.data.scaling import Scaler

__all__ = ["ScaledRows"]

logger = logging.getLogger(__name__)


class ScaledRows:
    """Rows ``rows`` of ``source``, genes ``gene_mask``, scaled by ``scaler``, read on demand.

    Parameters
    ----------
    source
        ``(n_samples, n_all_genes)`` matrix, usually the bundle's read-only memmap; only
        ``shape`` and row indexing with a sorted int array are used.
    rows
        ``(n,)`` row indices into ``source``, in the order of this view's rows.
    gene_mask
        ``(n_all_genes,)`` bool: the genes in use (or column indices).
    scaler
        The fitted scaler, applied to each row read.
    chunk_rows
        Most rows read from ``source`` at once (all genes of a row are read before the
        genes in use are kept: this bounds that temporary copy).

    Attributes
    ----------
    shape
        ``(n, n_genes)``.
    """

    ndim = 2
    dtype = np.dtype(np.float32)

    def __init__(self, source: Any, rows: np.ndarray, gene_mask: np.ndarray, scaler: Scaler,
                 *, chunk_rows: int = 256) -> None:
        self.source, self.scaler = source, scaler
        self.rows = np.asarray(rows, dtype=np.int64).ravel()
        self.gene_mask = np.asarray(gene_mask)
        self.chunk_rows = int(chunk_rows)
        n_genes = len(np.arange(source.shape[1])[self.gene_mask])
        self.shape = (len(self.rows), n_genes)

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"ScaledRows(shape={self.shape}, lazy view of {type(self.source).__name__})"

    def _bundle_rows(self, idx: Any) -> np.ndarray:
        if isinstance(idx, tuple):
            raise TypeError("ScaledRows takes row indices only (read the rows, then index genes)")
        if hasattr(idx, "numpy") and not isinstance(idx, np.ndarray):  # a torch tensor
            idx = idx.detach().cpu().numpy()
        return self.rows[idx]  # numpy checks bounds; slices, negatives, bool masks work

    def __getitem__(self, idx: Any) -> np.ndarray:
        """The scaled rows ``idx`` (positions in this view).

        Parameters
        ----------
        idx
            An int, a slice, an int or bool array (a torch tensor too).

        Returns
        -------
        np.ndarray
            ``(len(idx), n_genes)`` float32 (``(n_genes,)`` for an int), C-contiguous.
        """
        wanted = self._bundle_rows(idx)
        if wanted.ndim == 0:
            return self.read(wanted[None])[0]
        return self.read(wanted)

    def read(self, bundle_rows: np.ndarray) -> np.ndarray:
        """Scaled rows of ``source`` given by *bundle* row indices ``(k,)`` → ``(k, n_genes)``."""
        uniq, inverse = np.unique(bundle_rows, return_inverse=True)  # sorted positional reads
        out = np.empty((len(uniq), self.shape[1]), np.float32)
        for i in range(0, len(uniq), self.chunk_rows):
            block = np.asarray(self.source[uniq[i : i + self.chunk_rows]])
            out[i : i + len(block)] = self.scaler.transform(block[:, self.gene_mask])
        if len(uniq) == len(bundle_rows) and np.array_equal(uniq, bundle_rows):
            return out
        return out[inverse.ravel()]

    def subset(self, idx: Any) -> ScaledRows:
        """A lazy view of rows ``idx`` of this view (nothing is read)."""
        return ScaledRows(self.source, self._bundle_rows(idx).reshape(-1), self.gene_mask,
                          self.scaler, chunk_rows=self.chunk_rows)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """Every row, read into memory (``np.asarray(view)``): what the lazy path avoids."""
        logger.debug("reading all %d rows of a lazy view into memory", len(self))
        out = self[:]
        return out if dtype is None else out.astype(dtype, copy=False)
