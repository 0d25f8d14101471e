"""How far freezing the routing moves the reference: the *routing jump* of an explanation.

With the routing frozen at each sample's own experts (``frozen_ig``, ``train_ig`` and
``deeplift`` on sparse models, :func:`genemoe.models.moe.frozen_routing`), the
attributions add up to ``f(x) - f_frozen(baseline)``: the reference output is that of the
sample's experts at the baseline, not the live model's, which routes the baseline to its
own experts. Their gap ``f(baseline) - f_frozen(baseline)`` is what the attributions leave
out of the live model's change ``f(x) - f(baseline)``.

``f_frozen(baseline)`` needs no extra pass: completeness gives it from the attributions and
their delta, ``f_frozen(baseline) = f(x) - (Σ attributions - delta)``. Only the live
model's outputs at ``x`` and at the references are computed (one forward pass each, no
gradients). For ``train_ig`` the reference output is the mean over the sample's training
references, so the jump is that of the mean (gaps of opposite sign partly cancel: a 4.4%
median hid per-reference jumps 8 times as large); with the per-reference attributed
changes at hand (no extra gradient pass) the mean over references of each reference's
|jump| is recorded beside it (``*_per_reference``) and warned of by the same rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from torch import nn

from genemoe.explain.integrated_gradients import barely_moved, moved_cutoff
from genemoe.train.inference import predict_outputs

__all__ = ["JUMP_WARN", "live_change", "live_changes_per_reference", "live_outputs",
           "routing_jump", "routing_warning", "sign_flipped"]

JUMP_WARN = 0.10  # a median routing jump above this share of the live change is warned of


def live_outputs(model: nn.Module, X: np.ndarray, *, batch_size: int = 1024) -> np.ndarray:
    """The model's explained outputs at ``X`` ``(n, n_genes)``, routing live: ``(n, n_outputs)``
    logits, or ``(n, 1)`` risk; an ensemble's the mean of its members' (as its attributions)."""
    members = getattr(model, "members", None)
    if isinstance(members, nn.ModuleList):
        return np.mean([live_outputs(m, X, batch_size=batch_size) for m in members], axis=0)
    device = next(model.parameters()).device  # train's batched eval-mode forward
    out = predict_outputs(model, np.asarray(X, np.float32), batch_size=batch_size, device=device)
    return out.reshape(len(X), -1).astype(np.float64)


def _pick(out: np.ndarray, target: np.ndarray | None) -> np.ndarray:
    """Each row's explained output: column ``target[i]`` (classify) or the risk column."""
    if target is None:
        return out[:, 0]
    return out[np.arange(len(out)), np.asarray(target, np.int64)]


def live_change(model: nn.Module, X: np.ndarray, *, target: np.ndarray | None,
                references: np.ndarray) -> np.ndarray:
    """The live model's change ``f(x) - f(baseline)`` ``(n,)``, routing live at both ends
    (``train_ig``: ``f(baseline)`` the mean over its ``(m, n_genes)`` references)."""
    n = len(X)
    fx = _pick(live_outputs(model, X), target)  # (n,)
    ref_out = live_outputs(model, references)  # (m, n_outputs)
    f_ref = (np.repeat(ref_out[:, :1].mean(0), n) if target is None  # (n,) mean over refs
             else ref_out.mean(0)[np.asarray(target, np.int64)])
    return fx - f_ref


def live_changes_per_reference(model: nn.Module, X: np.ndarray, *, target: np.ndarray | None,
                               references: np.ndarray) -> np.ndarray:
    """The live model's change from each reference, ``f(x_i) - f(r_j)`` ``(n, m)``, routing
    live at both ends (:func:`live_change` is its mean over the ``m`` references)."""
    fx = _pick(live_outputs(model, X), target)  # (n,)
    ref_out = live_outputs(model, references)  # (m, n_outputs)
    f_ref = (np.broadcast_to(ref_out[:, 0], (len(X), len(references))) if target is None
             else ref_out[:, np.asarray(target, np.int64)].T)  # (n, m)
    return fx[:, None] - f_ref


def _moved(move: np.ndarray) -> np.ndarray:
    """Samples whose live output moved: at least 1e-3 and 5% of the median move ``(n,)``."""
    return move >= max(1e-3, 0.05 * float(np.median(move))) if len(move) else np.zeros(0, bool)


def routing_jump(model: nn.Module, X: np.ndarray, attr: np.ndarray, delta: np.ndarray, *,
                 target: np.ndarray | None, references: np.ndarray,
                 live: np.ndarray | None = None,
                 per_reference: np.ndarray | None = None) -> dict[str, Any]:
    """``convergence.json``'s ``routing_jump``: ``f(baseline) - f_frozen(baseline)`` per sample.

    Parameters
    ----------
    model
        The explained model (an ensemble: its members' mean, as the attributions).
    X
        ``(n, n_genes)`` the explained samples, scaled.
    attr, delta
        ``(n, n_genes)`` attributions and ``(n,)`` completeness deltas against
        ``f_frozen(baseline)``.
    target
        ``(n,)`` explained class per sample; None for a survival model's risk.
    references
        ``(m, n_genes)`` the references every sample was attributed from (``train_ig``'s
        training tumours; one row for a fixed baseline): the reference output is their mean.
    live
        ``(n,)`` :func:`live_change` where already computed (else computed here).
    per_reference
        ``(n, m)`` the attributed change from each reference, ``Σ attributions - delta``
        (``train_ig``): adds the mean per-reference |jump| (``*_per_reference``), which
        the jump of the mean lets cancel.

    Returns
    -------
    dict
        Absolute (median, max) and relative jumps, the latter over ``|f(x) - f(baseline)|``
        of the live model (at least the cutoff), for the samples completeness counts: those
        whose attributed change moved by :func:`~genemoe.explain.integrated_gradients.moved_cutoff`
        or more (``n_relative``, as completeness's); ``n_sign_flipped``: the samples whose
        attributions' sum has the other sign than the live change.
    """
    n = len(X)
    if live is None:
        live = live_change(model, X, target=target, references=references)
    attributed = np.asarray(attr, np.float64).sum(1)  # (n,)
    # f_frozen(baseline) = f(x) - (Σ attr - delta): the jump is the attributed change's miss
    jump = np.abs((attributed - np.asarray(delta, np.float64)) - live)
    cutoff = moved_cutoff(attr, delta)  # completeness's samples and rule (two rules: 10 vs 9)
    moved = ~barely_moved(attr, delta)
    move = np.maximum(np.abs(live), cutoff)  # a live change of ~0 under a large jump: bounded
    rel = jump[moved] / move[moved]
    return {"what": "|f(baseline) - f_frozen(baseline)|: the live model's output at the "
                    "reference(s) against the frozen routing's, per sample (train_ig: of the "
                    "mean over its references, where opposite jumps cancel; "
                    "*_per_reference: the mean over its references of each one's |jump|); "
                    "relative to |f(x) - f(baseline)|, routing live",
            "median_abs": float(np.median(jump)) if n else 0.0,
            "max_abs": float(jump.max()) if n else 0.0,
            "median_relative": float(np.median(rel)) if len(rel) else 0.0,
            "max_relative": float(rel.max()) if len(rel) else 0.0,
            "n_relative": int(moved.sum()),
            "n_sign_flipped": int(sign_flipped(attributed, live).sum()),
            **_per_reference(model, X, target=target, references=references, moved=moved,
                             move=move, changes=per_reference)}


def _per_reference(model: nn.Module, X: np.ndarray, *, target: np.ndarray | None,
                   references: np.ndarray, moved: np.ndarray, move: np.ndarray,
                   changes: np.ndarray | None) -> dict[str, Any]:
    """``routing_jump``'s per-reference numbers: each sample's mean over its references of
    ``|f(r_j) - f_frozen(r_j)|``, absolute and over the live change ``|f(x) - f(baseline)|``
    (the same denominator and samples as the jump of the mean); {} without ``changes``."""
    if changes is None or len(references) < 2:
        return {}
    live = live_changes_per_reference(model, X, target=target, references=references)
    jump = np.abs(np.asarray(changes, np.float64) - live).mean(1)  # (n,) mean |jump_ij|
    rel = jump[moved] / move[moved]
    return {"median_abs_per_reference": float(np.median(jump)) if len(jump) else 0.0,
            "median_relative_per_reference": float(np.median(rel)) if len(rel) else 0.0,
            "max_relative_per_reference": float(rel.max()) if len(rel) else 0.0}


def sign_flipped(attributed: np.ndarray, live: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: the attributions' sum ``(n,)`` has the other sign than the live change
    ``(n,)``, among the samples whose live output moved (a change of ~0 has no sign)."""
    attributed, live = np.asarray(attributed, np.float64), np.asarray(live, np.float64)
    return _moved(np.abs(live)) & (np.sign(attributed) != np.sign(live))


def routing_warning(jump: dict[str, Any], sample_ids: np.ndarray, attributed: np.ndarray,
                    live: np.ndarray) -> str | None:
    """The warning a large routing jump earns: a median jump above :data:`JUMP_WARN` of the
    live change (that of the mean over train_ig's references, or the mean per-reference
    one, which does not cancel), or any sample (named, counted) whose attributions' sum
    ``(n,)`` has the other sign than its live change ``(n,)``; None otherwise."""
    flipped = np.asarray(sample_ids).astype(str)[sign_flipped(attributed, live)]
    big = jump["median_relative"] > JUMP_WARN
    each = ("median_relative_per_reference" in jump  # train_ig's only
            and jump["median_relative_per_reference"] > JUMP_WARN)
    if not big and not each and not len(flipped):
        return None
    parts = [f"the routing jump the attributions leave out is {jump['median_relative']:.0%} "
             f"of the live change in the median sample (at most {jump['max_relative']:.0%})"
             ] if big else []
    if each:
        parts.append(f"{'the routing jump the attributions leave out is ' * (not big)}"
                     f"{jump['median_relative_per_reference']:.0%} of the live change per "
                     f"reference (the mean |jump| in the median sample; at most "
                     f"{jump['max_relative_per_reference']:.0%}), which the mean over the "
                     "references lets cancel")
    if len(flipped):
        names = ", ".join(flipped[:5]) + (f" +{len(flipped) - 5} more" if len(flipped) > 5 else "")
        parts.append(f"for {len(flipped)} of {len(live)} samples ({names}) the attributions' sum "
                     "has the other sign than the live change")
    return ("; ".join(parts) + ": they explain each sample's own experts, not the live model "
            "(samples.tsv: output_change, live_change)")
