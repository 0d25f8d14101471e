"""Per-gene scaling fitted on the training split only and applied everywhere after.

The statistics live in the bundle's ``var`` (``train_mean``, ``train_std``, ``train_min``,
``train_max``) and travel in every checkpoint, so prediction scales new samples exactly
as training did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["Scaler", "fit_scaler", "global_scaler", "centred_scaler", "column_moments",
           "clip_report", "clip_summary", "clip_text", "share_text"]

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


def clip_report(X: np.ndarray, scaler: Scaler, *, rows: np.ndarray | None = None,
                genes: np.ndarray | None = None) -> dict[str, Any]:
    """What ``scaler``'s clip changes on ``X``: how many scaled values, samples and genes lie
    beyond ``±scaler.clip`` and the largest ``|scaled value|`` before clipping.

    Parameters
    ----------
    X
        ``(n_samples, n_genes)`` unscaled values, as given to :meth:`Scaler.transform`
        (or a larger matrix, a memory map too, with ``rows`` and ``genes``).
    scaler
        The fitted scaler (``clip`` None: nothing is clipped, the counts are 0).
    rows, genes
        Row indices and a gene mask (or indices) of ``X`` to read, a block of rows at a
        time (no scaled copy of the whole part); None: all.

    Returns
    -------
    dict
        ``method``, ``clip``; ``n_values``, ``n_samples``, ``n_genes`` clipped (a sample or
        gene with any value clipped); ``n_rows``, ``n_total`` (values read); ``max_abs``:
        the largest ``|(x - shift) / scale|`` before clipping (z for ``standard``).
    """
    idx = np.arange(np.shape(X)[0]) if rows is None else np.asarray(rows)
    n_genes = len(scaler.shift)
    hit = np.zeros(n_genes, bool)
    n_values = n_samples = 0
    top = 0.0
    step = max(1, MOMENTS_BLOCK // max(n_genes, 1))
    for start in range(0, len(idx), step):
        block = np.asarray(X[idx[start:start + step]])
        block = block if genes is None else block[:, genes]
        z = np.abs((block.astype(np.float32) - scaler.shift) / scaler.scale)
        if z.size and np.isfinite(z).any():
            top = max(top, float(np.nanmax(z)))
        if scaler.clip is not None:
            over = z > scaler.clip
            n_values += int(over.sum())
            n_samples += int(over.any(1).sum())
            hit |= over.any(0)
    return {"method": scaler.method, "clip": scaler.clip, "n_values": n_values,
            "n_samples": n_samples, "n_genes": int(hit.sum()), "n_rows": int(len(idx)),
            "n_total": int(len(idx)) * n_genes, "max_abs": round(top, 3)}


def clip_summary(reports: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """:func:`clip_report` s of several folds' parts summed per part.

    Parameters
    ----------
    reports
        ``{"part": part, **clip_report(...)}`` per fold and part (one per fold and input
        scaling, not one per model: models of a fold share its scaled parts).

    Returns
    -------
    dict
        ``part -> {method, clip, n_folds, n_values, n_total, n_samples, max_genes,
        max_abs}`` (``max_genes``: the most genes clipped in one fold), parts in the
        order met; empty where nothing was clipped.
    """
    out: dict[str, dict[str, Any]] = {}
    for r in reports:
        s = out.setdefault(r["part"], {"method": r["method"], "clip": r["clip"], "n_folds": 0,
                                       "n_values": 0, "n_total": 0, "n_samples": 0,
                                       "max_genes": 0, "max_abs": 0.0})
        s["n_folds"] += 1
        for k in ("n_values", "n_total", "n_samples"):
            s[k] += int(r[k])
        s["max_genes"] = max(s["max_genes"], int(r["n_genes"]))
        s["max_abs"] = max(s["max_abs"], float(r["max_abs"]))
    return out if any(s["n_values"] for s in out.values()) else {}


def clip_text(summary: dict[str, dict[str, Any]]) -> str:
    """One line saying :func:`clip_summary`'s counts ("" where nothing was clipped):
    ``inputs clipped to ±10 z, 3 folds summed: train 1,793 values (<0.1%), val 812 (0.1%),
    test 6,591 (0.2%) (up to 3,069 genes in a fold's part; largest |z| 23.2)``."""
    if not summary:
        return ""
    first = next(iter(summary.values()))
    unit = "z" if first["method"] == "standard" else f"({first['method']} scaling)"
    parts = ", ".join(f"{part} {s['n_values']:,}"
                      f"{'' if i else ' value' + ('s' if s['n_values'] != 1 else '')} "
                      f"({share_text(s['n_values'], s['n_total'])})"
                      for i, (part, s) in enumerate(summary.items()))
    folds = max(s["n_folds"] for s in summary.values())
    genes = max(s["max_genes"] for s in summary.values())
    top = max(s["max_abs"] for s in summary.values())
    over = (f", {folds} folds summed" if folds > 1 else "",  # genes: the most in one part
            f"up to {genes:,} genes in a fold's part" if folds > 1 else
            f"up to {genes:,} genes in a part" if len(summary) > 1 else
            f"{genes:,} gene{'s' if genes != 1 else ''}")  # a run's train's 180 read as its all
    return (f"inputs clipped to ±{first['clip']:g} {unit}{over[0]}: {parts} ({over[1]}; largest "
            f"{'|z|' if unit == 'z' else '|value|'} {top:.1f})")


def share_text(n: int, total: int) -> str:
    """``0.2%``; ``<0.1%`` for a small non-zero share."""
    pct = 100.0 * n / total if total else 0.0
    return "<0.1%" if 0 < pct < 0.05 else f"{pct:.1f}%"
