"""Pre-training metrics: reconstruction quality, expert utilisation and collapse checks.

Split out of :mod:`genemoe.train.pretrain` (which re-exports them): pure numpy functions
of the validation reconstructions and of a run's per-epoch history.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from genemoe.train.loop import DEAD_SHARE

__all__ = ["reconstruction_metrics", "collapse_report", "utilisation"]


def _rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of each row of ``a`` with the same row of ``b`` (NaN where constant)."""
    a = a - a.mean(1, keepdims=True)
    b = b - b.mean(1, keepdims=True)
    den = np.sqrt((a * a).sum(1) * (b * b).sum(1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (a * b).sum(1) / np.where(den > 0, den, 1), np.nan)


def reconstruction_metrics(x: np.ndarray, recon: np.ndarray, baseline: np.ndarray,
                           median: np.ndarray | None = None) -> dict[str, float]:
    """Reconstruction quality of ``recon`` vs ``x`` ``(n, n_genes)`` and of ``baseline``.

    ``baseline`` is the per-gene training mean, ``(n_genes,)`` or one row per sample
    ``(n, n_genes)`` (several bundles, each in its own units).

    ``r_gene``: mean over genes (constant ones skipped) of the Pearson r across samples;
    ``r_sample``: mean over samples of the Pearson r across genes, and the same for the
    per-gene baseline (``r_sample_baseline``; a per-gene constant has no r across samples,
    so the gene-wise baseline is 0 by construction); ``mse``, ``mse_baseline``, ``mae``,
    ``mae_baseline`` and ``r2 = 1 - mse / mse_baseline`` (≤ 0: no better than the mean);
    with ``median`` (the per-gene training median, shaped as ``baseline``: the constant an
    L1-trained decoder aims at) ``mae_median_baseline``.
    """
    x, recon = x.astype(np.float64), recon.astype(np.float64)
    base = np.broadcast_to(baseline.astype(np.float64), x.shape)
    mse, mse_base = float(((recon - x) ** 2).mean()), float(((base - x) ** 2).mean())
    mae, mae_base = float(np.abs(recon - x).mean()), float(np.abs(base - x).mean())
    r_gene = _rowwise_pearson(x.T, recon.T) if x.shape[0] > 1 else np.array([np.nan])
    return {"r_gene": float(np.nanmean(r_gene)) if np.isfinite(r_gene).any() else math.nan,
            "r_sample": float(np.nanmean(_rowwise_pearson(x, recon))),
            "r_sample_baseline": float(np.nanmean(_rowwise_pearson(x, base))),
            "mse": mse, "mse_baseline": mse_base, "mae": mae, "mae_baseline": mae_base,
            "r2": 1.0 - mse / mse_base if mse_base > 0 else math.nan,
            **({} if median is None else {"mae_median_baseline": float(np.abs(np.broadcast_to(
                median.astype(np.float64), x.shape) - x).mean())})}


def utilisation(stats: dict[str, np.ndarray]) -> dict[str, Any]:
    """Per-layer expert utilisation (share of routed slots), its entropy and dead experts."""
    out: dict[str, Any] = {}
    for name, v in stats.items():
        p = v / v.sum() if v.sum() > 0 else v
        nz = p[p > 0]
        out[f"util/{name}"] = p.tolist()
        out[f"util/{name}_entropy"] = float(-(nz * np.log(nz)).sum())
        out[f"util/{name}_dead"] = [int(i) for i in np.flatnonzero(p < DEAD_SHARE)]
    return out


WEAK_R2 = 0.05  # a validation R² (against the per-gene mean) below which it is said


def collapse_report(history: list[dict[str, Any]], *, kl_collapse: float) -> dict[str, Any]:
    """Collapse checks on the last epoch: dead experts, KL → 0, reconstruction no better
    than the per-gene training mean (validation ``r2 <= 0``). ``warnings`` says each in words."""
    if not history:
        return {"collapsed": False, "warnings": []}
    last = history[-1]
    dead = {k[len("util/"): -len("_dead")]: v for k, v in last.items()
            if k.startswith("util/") and k.endswith("_dead") and v}
    kl = float(last["loss/kl"])
    r2 = last.get("val/r2")
    mae, mae_base, base_name = last.get("val/mae"), last.get("val/mae_baseline"), "mean"
    median = last.get("val/mae_median_baseline")  # the median, the constant L1 aims at,
    if _finite(median) and median < mae_base:  # beat 1.736 with 1.619
        mae_base, base_name = median, "median"
    warnings = [f"{layer}: expert(s) {ids} received no samples in the last epoch"
                for layer, ids in dead.items()]
    if kl < kl_collapse:
        warnings.append(f"KL per latent dimension {kl:.2g} < {kl_collapse:g}: the latent carries "
                        "(almost) no information (posterior collapse)")
    # An L1-trained decoder aims at the median, so its MSE may trail the mean's while its
    # absolute error beats it: "no better" means no better by either measure (the absolute
    # error against the better of the training mean and median, where the median is known).
    no_better = not (_finite(r2) and r2 > 0) and not (
        _finite(mae) and _finite(mae_base) and mae < mae_base)
    if no_better:
        other = (f", the mean's {_fmt(last.get('val/mae_baseline'))}" if base_name == "median"
                 else "")  # "MAE 1.21 vs 1.09" named neither (the files held the mean's 1.19)
        warnings.append(f"validation reconstruction is no better than a per-gene training "
                        f"constant (R² {_fmt(r2)} against the mean; MAE {_fmt(mae)} vs the "
                        f"per-gene {base_name}'s {_fmt(mae_base)}{other})")
    notes = ([f"validation reconstruction explains little beyond the per-gene training mean "
              f"(R² {_fmt(r2)}): its reconstructions may crowd together (`genemoe features` "
              "measures it); more epochs may help"]
             if not no_better and _finite(r2) and r2 < WEAK_R2 else [])  # R² 0.026: unsaid
    return {"collapsed": bool(warnings), "dead_experts": dead, "kl_per_dim": kl,
            "kl_collapsed": kl < kl_collapse, "recon_no_better_than_mean": no_better,
            "epoch": last["epoch"], "warnings": warnings, "notes": notes}


def _finite(v: Any) -> bool:
    return v is not None and math.isfinite(v)


def _fmt(v: Any) -> str:
    return f"{v:#.3g}" if _finite(v) else str(v)  # 1.10 beside 1.13 (was 1.1)
