"""Per-gene scaling fitted on the training split only and applied everywhere after.

The statistics live in the bundle's ``var`` (``train_mean``, ``train_std``, ``train_min``,
``train_max``) and travel in every checkpoint, so prediction scales new samples exactly
as training did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["Scaler", "fit_scaler", "global_scaler", "centred_scaler", "column_moments"]

ScaleMethod = Literal["standard", "minmax", "global", "centred", "none"]


@dataclass
class Scaler:
    """Per-gene affine scaling ``(x - shift) / scale``, then optional clipping.

    Attributes
    ----------
    shift, scale
        ``(n_genes,)`` float32 arrays.
    method
        ``"standard"`` (z-score), ``"minmax"`` (to [-1, 1], as the Gene-MOE paper),
        ``"global"`` (one shift and scale for every gene: the genes keep their relative
        expression levels, as the pixels of an expression image do), ``"centred"`` (each
        gene minus its training mean, one scale for every gene: the genes keep their
        relative spread, so a marker that varies 10-fold stays 10 times brighter than a
        gene that barely moves) or ``"none"``.
    clip
        Values are clipped to ``[-clip, clip]`` after scaling (None: no clipping).
    train_mean
        ``(n_genes,)`` per-gene training mean on the input scale, kept where it does not
        scale to 0 (``global``); ``None`` otherwise. See :meth:`mean_profile`.
    """

    shift: np.ndarray
    scale: np.ndarray
    method: ScaleMethod = "standard"
    clip: float | None = 10.0
    train_mean: np.ndarray | None = None

    def mean_profile(self) -> np.ndarray:
        """The training split's mean profile in scaled space, ``(n_genes,)`` float32.

        Zero for the per-gene methods (``standard``); for ``global`` the scaled per-gene
        training mean. The ``train_mean`` baseline of Integrated Gradients.
        """
        if self.train_mean is None:
            return np.zeros(len(self.shift), np.float32)
        return self.transform(np.asarray(self.train_mean, np.float32)[None, :])[0]

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Scale ``X`` ``(n_samples, n_genes)`` → float32 of the same shape."""
        out = (np.asarray(X, dtype=np.float32) - self.shift) / self.scale
        if self.clip is not None:
            np.clip(out, -self.clip, self.clip, out=out)
        return out

    def to_dict(self) -> dict:
        out = {"shift": self.shift.tolist(), "scale": self.scale.tolist(),
               "method": self.method, "clip": self.clip}
        if self.train_mean is not None:
            out["train_mean"] = np.asarray(self.train_mean).tolist()
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Scaler:
        mean = d.get("train_mean")
        return cls(np.asarray(d["shift"], np.float32), np.asarray(d["scale"], np.float32),
                   d.get("method", "standard"), d.get("clip", 10.0),
                   None if mean is None else np.asarray(mean, np.float32))


def global_scaler(gene_mean: np.ndarray, gene_std: np.ndarray, *,
                  clip: float | None = 10.0) -> Scaler:
    """The ``global`` scaler from per-gene training moments (``(n_genes,)`` each).

    With equally many training rows per gene, the pooled mean is the mean of the gene
    means and the pooled variance the mean of ``std² + mean²`` minus its square, so the
    bundle's stored statistics give the exact pooled moments of the training matrix.
    """
    m = np.asarray(gene_mean, np.float64)
    sd = np.asarray(gene_std, np.float64)
    mu = m.mean()
    var = float(np.mean(sd ** 2 + m ** 2) - mu ** 2)
    scale = np.sqrt(var) if var > 1e-12 else 1.0
    n = len(m)
    return Scaler(np.full(n, mu, np.float32), np.full(n, scale, np.float32), "global", clip,
                  m.astype(np.float32))


def centred_scaler(gene_mean: np.ndarray, gene_std: np.ndarray, *,
                   clip: float | None = 10.0) -> Scaler:
    """The ``centred`` scaler from per-gene training moments (``(n_genes,)`` each).

    Shift: each gene's training mean (the average tumour maps to 0, as with z-scores).
    Scale: one value for every gene, the pooled within-gene standard deviation
    ``sqrt(mean(std²))``, so the scaled matrix has unit mean variance while every gene keeps
    its spread relative to the others.
    """
    m = np.asarray(gene_mean, np.float64)
    var = float(np.mean(np.asarray(gene_std, np.float64) ** 2))
    scale = np.sqrt(var) if var > 1e-12 else 1.0
    return Scaler(m.astype(np.float32), np.full(len(m), scale, np.float32), "centred", clip)


MOMENTS_BLOCK = 2**22  # values per float64 block of column_moments (32 MB)


def column_moments(X: np.ndarray, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-gene ``mean``, ``var`` (ddof 0), ``min``, ``max`` and ``nonzero`` (any value not
    0) of ``X`` ``(n_samples, n_genes)``, or of its ``rows`` (indices or a bool mask), in
    float64, a block of genes at a time: the same numbers as over the whole matrix, but a
    float64 copy of one block, not of the training rows (1.4x the float32 bundle each, in
    the gene filter, the scaler and the bundle's statistics).
    """
    X = np.asarray(X)  # no copy: a memory map's pages are read block by block
    idx = None if rows is None else (np.flatnonzero(rows) if np.asarray(rows).dtype == bool
                                     else np.asarray(rows))
    n_rows = X.shape[0] if idx is None else len(idx)
    n_genes = X.shape[1]
    out = {k: np.empty(n_genes) for k in ("mean", "var", "min", "max")}
    out["nonzero"] = np.empty(n_genes, bool)
    step = max(1, MOMENTS_BLOCK // max(n_rows, 1))
    for c in range(0, n_genes, step):
        block = X[:, c:c + step] if idx is None else X[idx, c:c + step]
        b = np.asarray(block, dtype=np.float64)
        out["mean"][c:c + step], out["var"][c:c + step] = b.mean(0), b.var(0)
        out["min"][c:c + step], out["max"][c:c + step] = b.min(0), b.max(0)
        out["nonzero"][c:c + step] = (b != 0).any(0)
    return out


def fit_scaler(X_train: np.ndarray, *, method: ScaleMethod = "standard",
               clip: float | None = 10.0, eps: float = 1e-6) -> Scaler:
    """Fit per-gene scaling on training rows ``X_train`` ``(n_train, n_genes)``.

    Constant genes get scale 1 (they map to 0 instead of dividing by zero).
    """
    n_genes = np.shape(X_train)[1]
    m = column_moments(X_train) if method != "none" else {}
    if method == "standard":
        shift, scale = m["mean"], np.sqrt(m["var"])
    elif method == "minmax":
        lo, hi = m["min"], m["max"]
        shift, scale = (hi + lo) / 2, (hi - lo) / 2
    elif method == "global":
        return global_scaler(m["mean"], np.sqrt(m["var"]), clip=clip)
    elif method == "centred":
        return centred_scaler(m["mean"], np.sqrt(m["var"]), clip=clip)
    elif method == "none":
        shift, scale = np.zeros(n_genes), np.ones(n_genes)
    else:
        raise ValueError(f"unknown scaling method {method!r}")
    scale = np.where(scale < eps, 1.0, scale)
    return Scaler(shift.astype(np.float32), scale.astype(np.float32), method,
                  clip if method != "minmax" else None)
