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
references, so the jump is that of the mean (gaps of opposite sign partly cancel).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from torch import nn

from genemoe.train.inference import predict_outputs

__all__ = ["JUMP_WARN", "live_change", "live_outputs", "routing_jump", "routing_warning",
           "sign_flipped"]

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


def _moved(move: np.ndarray) -> np.ndarray:
    """Samples whose live output moved: at least 1e-3 and 5% of the median move ``(n,)``."""
    return move >= max(1e-3, 0.05 * float(np.median(move))) if len(move) else np.zeros(0, bool)


def routing_jump(model: nn.Module, X: np.ndarray, attr: np.ndarray, delta: np.ndarray, *,
                 target: np.ndarray | None, references: np.ndarray,
                 live: np.ndarray | None = None) -> dict[str, Any]:
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

    Returns
    -------
    dict
        Absolute (median, max) and relative jumps, the latter over ``|f(x) - f(baseline)|``
        of the live model, for the samples whose output moved (at least 1e-3 and 5% of the
        median move, as the completeness numbers); ``n_sign_flipped``: of those, the samples
        whose attributions' sum has the other sign than the live change.
    """
    n = len(X)
    if live is None:
        live = live_change(model, X, target=target, references=references)
    attributed = np.asarray(attr, np.float64).sum(1)  # (n,)
    # f_frozen(baseline) = f(x) - (Σ attr - delta): the jump is the attributed change's miss
    jump = np.abs((attributed - np.asarray(delta, np.float64)) - live)
    move = np.abs(live)
    moved = _moved(move)
    rel = jump[moved] / move[moved]
    return {"what": "|f(baseline) - f_frozen(baseline)|: the live model's output at the "
                    "reference(s) against the frozen routing's, per sample (train_ig: of the "
                    "mean over its references); relative to |f(x) - f(baseline)|, routing live",
            "median_abs": float(np.median(jump)) if n else 0.0,
            "max_abs": float(jump.max()) if n else 0.0,
            "median_relative": float(np.median(rel)) if len(rel) else 0.0,
            "max_relative": float(rel.max()) if len(rel) else 0.0,
            "n_relative": int(moved.sum()),
            "n_sign_flipped": int(sign_flipped(attributed, live).sum())}


def sign_flipped(attributed: np.ndarray, live: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: the attributions' sum ``(n,)`` has the other sign than the live change
    ``(n,)``, among the samples whose live output moved (a change of ~0 has no sign)."""
    attributed, live = np.asarray(attributed, np.float64), np.asarray(live, np.float64)
    return _moved(np.abs(live)) & (np.sign(attributed) != np.sign(live))


def routing_warning(jump: dict[str, Any], sample_ids: np.ndarray, attributed: np.ndarray,
                    live: np.ndarray) -> str | None:
    """The warning a large routing jump earns: a median jump above :data:`JUMP_WARN` of the
    live change, or any sample (named, counted) whose attributions' sum ``(n,)`` has the
    other sign than its live change ``(n,)``; None otherwise."""
    flipped = np.asarray(sample_ids).astype(str)[sign_flipped(attributed, live)]
    big = jump["median_relative"] > JUMP_WARN
    if not big and not len(flipped):
        return None
    parts = [f"the routing jump the attributions leave out is {jump['median_relative']:.0%} "
             f"of the live change in the median sample (at most {jump['max_relative']:.0%})"
             ] if big else []
    if len(flipped):
        names = ", ".join(flipped[:5]) + (f" +{len(flipped) - 5} more" if len(flipped) > 5 else "")
        parts.append(f"for {len(flipped)} of {len(live)} samples ({names}) the attributions' sum "
                     "has the other sign than the live change")
    return ("; ".join(parts) + ": they explain each sample's own experts, not the live model "
            "(samples.tsv: output_change, live_change)")
