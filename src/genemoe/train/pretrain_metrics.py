"""Pre-training metrics: reconstruction quality, expert utilisation and collapse checks.

Split out of :mod:`genemoe.train.pretrain` (which re-exports them): pure numpy functions
of the validation reconstructions and of a run's per-epoch history.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from genemoe.train.loop import DEAD_SHARE

__all__ = ["reconstruction_metrics", "collapse_report", "utilisation", "baseline_comparisons",
           "comparison_text", "short_collapse", "critic_note", "critic_gap_noise", "WEAK_R2",
           "CRITIC_GAP_FLOOR", "CRITIC_GAP_EPOCHS"]


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


def baseline_comparisons(last: dict[str, Any]) -> list[dict[str, Any]]:
    """Each per-gene training constant the last epoch's validation reconstruction is
    measured against: ``baseline`` (``mean``/``median``), ``measure`` (``squared error``,
    ``absolute error``), ``beaten`` and ``numbers`` (3 decimals, the compared pair alike).
    The median (the constant an L1-trained decoder aims at) only where it was recorded."""
    r2, mse, mse_base = last.get("val/r2"), last.get("val/mse"), last.get("val/mse_baseline")
    mae = last.get("val/mae")
    out = [{"baseline": "mean", "measure": "squared error", "beaten": _finite(r2) and r2 > 0,
            "numbers": f"R² {_fmt(r2)}" + (f"; MSE {_fmt(mse)} vs {_fmt(mse_base)}"
                                           if _finite(mse) and _finite(mse_base) else "")}]
    for name, key in (("mean", "val/mae_baseline"), ("median", "val/mae_median_baseline")):
        base = last.get(key)
        if _finite(base):
            out.append({"baseline": name, "measure": "absolute error",
                        "beaten": _finite(mae) and mae < base,
                        "numbers": f"MAE {_fmt(mae)} vs {_fmt(base)}"})
    return out


def comparison_text(comparisons: list[dict[str, Any]]) -> str:
    """``beats the per-gene mean by squared error (R² 0.011; MSE 6.266 vs 6.337) and by
    absolute error (MAE 1.300 vs 1.304); not the per-gene median by absolute error (MAE
    1.300 vs 1.139)``: which constants it beats, by which measure, and which not."""
    def say(group: list[dict[str, Any]], joint: str, within: str) -> str:
        by_name: dict[str, list[str]] = {}
        for c in group:
            by_name.setdefault(c["baseline"], []).append(f"by {c['measure']} ({c['numbers']})")
        return joint.join(f"the per-gene {name} " + within.join(how)
                             for name, how in by_name.items())

    beat = [c for c in comparisons if c["beaten"]]
    lost = [c for c in comparisons if not c["beaten"]]
    return "; ".join(([f"beats {say(beat, ' and ', ' and ')}"] if beat else [])
                     + ([("not " if beat else "does not beat ") + say(lost, ", nor ", " or ")]
                        if lost else []))


# The noise of the WGAN critic gap E D(real) − E D(fake) (see critic_gap_noise): its floor,
# and the last epochs whose spread it reads. A gap below 0 by more than its noise is noted.
CRITIC_GAP_FLOOR = 0.01
CRITIC_GAP_EPOCHS = 5


def critic_gap_noise(gaps: Sequence[Any]) -> float:
    """How far from 0 a last-epoch critic gap must lie to be read as more than noise.

    Parameters
    ----------
    gaps
        The per-epoch mean critic gaps (``loss/critic_gap`` of ``history.jsonl``, in epoch
        order; missing and non-finite ones are skipped).

    Returns
    -------
    float
        The larger of :data:`CRITIC_GAP_FLOOR` (0.01) and the standard deviation (ddof 1)
        of the gap over the last :data:`CRITIC_GAP_EPOCHS` (5) epochs; the floor alone with
        fewer than 2 epochs.

    Notes
    -----
    The gap is a mean over an epoch's critic steps of a difference of two batch means on
    noise-augmented inputs; its scale is the critic's own, which grows with the genes and
    the gradient penalty's weight, so no fixed threshold reads alike across runs. Its
    spread over the last epochs is on the critic's scale: a last gap within it of 0 is not
    told apart from 0 by the run's own record (a 5-epoch ``small`` run on pancan33 moved
    0.050, 0.075, 0.086, 0.051, 0.052: sd 0.017; a 2-epoch run ended at −0.0045, noise).
    The floor stands where the spread is not measured (1 epoch) or is tiny (2 epochs alike).

    Examples
    --------
    >>> critic_gap_noise([0.05])
    0.01
    >>> round(critic_gap_noise([0.9, 0.05, 0.075, 0.086, 0.051, 0.052]), 3)  # 0.9: not read
    0.017
    """
    finite = [float(g) for g in gaps if _finite(g)][-CRITIC_GAP_EPOCHS:]
    sd = float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0
    return max(CRITIC_GAP_FLOOR, sd)


def critic_note(gap: Any, noise: float = CRITIC_GAP_FLOOR) -> str | None:
    """The note on a critic that ended preferring reconstructions to real samples.

    Parameters
    ----------
    gap
        The last epoch's mean critic gap ``E D(real) − E D(fake)`` (``loss/critic_gap``,
        taken before each critic step, on the noisy inputs and their reconstructions).
    noise
        The gap's noise (:func:`critic_gap_noise` of the run's per-epoch gaps; default
        :data:`CRITIC_GAP_FLOOR`, for a run whose history is not at hand).

    Returns
    -------
    str or None
        A short note with the number and its noise when ``gap`` is below ``-noise``, else
        None (also for a missing or non-finite gap).

    Notes
    -----
    The critic is trained to make the gap large, and a constant critic scores 0, so a
    critic doing its job ends above 0. Below 0 it rates reconstructions as more real than
    real samples: the adversarial term then told the decoder nothing reliable about real
    profiles, and the reconstruction rests on the L1 and KL terms. The note fired at any gap
    at or below 0, −0.0045 included: a gap within its noise of 0 (:func:`critic_gap_noise`)
    is not told apart from a small positive one, which is not judged either (the critic's
    scale is unbounded). This is a note, not a collapse: the encoder may still be useful.

    Examples
    --------
    >>> critic_note(0.4) is None and critic_note(-0.0045) is None
    True
    >>> critic_note(-0.77)[:90]
    'the adversarial part ended with the critic preferring reconstructions to real samples (cri'
    """
    if not _finite(gap) or gap >= -noise:
        return None
    return ("the adversarial part ended with the critic preferring reconstructions to real "
            f"samples (critic gap real − fake {gap:.2g} in the last epoch, below 0 by more than "
            f"its noise {noise:.2g}), so its term told the decoder nothing reliable about real "
            "profiles; a larger n_critic or critic_lr may help")


def collapse_report(history: list[dict[str, Any]], *, kl_collapse: float) -> dict[str, Any]:
    """Collapse checks on the last epoch: dead experts, KL → 0, a reconstruction at the level
    of a per-gene training constant. ``warnings`` says each in words; ``notes`` a weak one,
    and a critic that ended preferring reconstructions to real samples beyond the gap's
    noise (:func:`critic_note`; ``critic_gap``, ``critic_gap_noise`` and ``critic_fooled``
    record it).

    ``recon_no_better_than_mean``: validation ``r2 <= 0`` (MSE no lower than the per-gene
    mean's); ``recon_beats``: each baseline and measure, beaten or not
    (:func:`baseline_comparisons`); ``recon_no_better_than_constant`` (a collapse): R² under
    ``WEAK_R2`` against the mean and an absolute error no lower than the better of the
    training mean and median (an L1-trained decoder aims at the median, so its MSE may trail
    the mean's while its absolute error beats both).
    """
    if not history:
        return {"collapsed": False, "warnings": []}
    last = history[-1]
    dead = {k[len("util/"): -len("_dead")]: v for k, v in last.items()
            if k.startswith("util/") and k.endswith("_dead") and v}
    kl = float(last["loss/kl"])
    r2 = last.get("val/r2")
    warnings = [f"{layer}: expert(s) {ids} received no samples in the last epoch"
                for layer, ids in dead.items()]
    if kl < kl_collapse:
        warnings.append(f"KL per latent dimension {kl:.2g} < {kl_collapse:g}: the latent carries "
                        "(almost) no information (posterior collapse)")
    comparisons = baseline_comparisons(last)
    said = comparison_text(comparisons)
    weak = not (_finite(r2) and r2 >= WEAK_R2)
    by_mae = [c["beaten"] for c in comparisons if c["measure"] == "absolute error"]
    near_constant = weak and not (by_mae and all(by_mae))  # and no absolute-error gain
    notes = []
    if near_constant:  # R² 0.005 with MAE 1.113 against the median's 1.015 was unflagged
        warnings.append(f"validation reconstruction is at a per-gene training constant's "
                        f"level (R² under {WEAK_R2:g}, MAE not below the best constant's): "
                        f"it {said}")
    elif weak:  # R² -0.0069 was said to "explain little beyond the mean"
        head = ("is no better than the per-gene training mean by squared error"
                if not comparisons[0]["beaten"] else
                "explains little beyond the per-gene training mean")
        notes.append(f"validation reconstruction {head}: it {said}; its reconstructions may "
                     "crowd together (`genemoe features` measures it); more epochs may help")
    elif not all(c["beaten"] for c in comparisons):
        notes.append(f"validation reconstruction {said}")
    gap = last.get("loss/critic_gap")
    noise = critic_gap_noise([r.get("loss/critic_gap") for r in history])
    if (critic := critic_note(gap, noise)) is not None:  # -0.77 at the end of a run: unsaid
        notes.append(critic)
    gated = any(k.startswith("util/") for k in last)  # a model without experts: no such row
    return {"collapsed": bool(warnings), **({"dead_experts": dead} if gated else {}),
            "kl_per_dim": kl,
            "kl_collapsed": kl < kl_collapse,
            "recon_no_better_than_mean": not comparisons[0]["beaten"],
            "recon_no_better_than_constant": near_constant, "weak_r2": WEAK_R2,
            "recon_beats": {f"{c['baseline']}_{c['measure'].split()[0]}": c["beaten"]
                            for c in comparisons},
            **({"critic_gap": gap, "critic_gap_noise": noise, "critic_fooled": critic is not None}
               if _finite(gap) else {}),
            "epoch": last["epoch"], "warnings": warnings, "notes": notes}


def _finite(v: Any) -> bool:
    return isinstance(v, int | float | np.floating) and math.isfinite(v)


def _fmt(v: Any) -> str:
    return f"{v:,.3f}" if _finite(v) else str(v)  # 3 decimals wherever numbers are compared
    #   (thousands separated: "MSE 4870787.923 vs 4272602.058" of linear-scale values)


def short_collapse(warning: str, width: int = 80) -> str:
    """A pre-training collapse warning cut to its claim: a reconstruction one ran to 330
    characters (the baselines it lost to, each with its numbers), said whole again at the
    fine-tuning in a line of 412; the run's ``summary.json`` keeps it whole.

    Over ``width`` characters, the text before its explanation (``": it ..."``, ``": the
    ..."``) is kept, without a trailing parenthesis.

    Examples
    --------
    >>> short_collapse("KL tiny")
    'KL tiny'
    >>> short_collapse("validation reconstruction is at a per-gene training constant's level "
    ...                "(R² under 0.05, MAE not below the best constant's): it does not beat "
    ...                "the per-gene mean by squared error (R² -0.002; MSE 9.015 vs 9.000)")
    "validation reconstruction is at a per-gene training constant's level"
    """
    if len(warning) <= width:
        return warning
    head = re.split(r": (?=it |the )", warning, maxsplit=1)[0]
    head = re.sub(r" \([^()]*\)$", "", head)
    return head if len(head) <= width else head[:width - 1].rsplit(" ", 1)[0] + " …"
