"""What a pre-training run records of its values and of its calls, beside its weights.

Split out of :mod:`genemoe.train.pretrain`: the normalisation and value scale of the
bundles it trained on (``pretrained.pt``'s ``normalisation`` and ``value_scale``, which
fine-tuning checks against its own bundle), the epochs after which a later call resumed
it (``summary.json``'s ``resumed_from_epoch``) and what the scaler's clip changed of the
rows it read (each bundle's ``clipped``), in the words the terminal and report use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genemoe.data.anndata_io import value_scale
from genemoe.data.scaling import clip_summary, clip_text

__all__ = ["values_recorded", "resumed_words", "same_normalisation", "clipped_words"]


def _hashable(normalisation: Any) -> Any:
    """A record's normalisation (a method, or a list of them for a bundle of several
    files) in a form that compares and sorts alike."""
    return tuple(map(str, normalisation)) if isinstance(normalisation, list | tuple) else normalisation


def values_recorded(bundles: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``pretrained.pt``'s ``normalisation``, ``normalisations`` and ``value_scale`` of the
    bundles pre-trained on.

    Parameters
    ----------
    bundles
        ``PretrainData.bundles``: each with its ``normalisation`` (the bundle record's; None
        or absent where unknown, e.g. rows given in memory).

    Returns
    -------
    dict
        ``normalisations``: each bundle's distinct normalisation, in order ([] when any is
        unknown); ``normalisation``: the one they share (None when they differ or one is
        unknown); ``value_scale``: its words (:func:`~genemoe.data.anndata_io.value_scale`,
        joined by ``"; "`` when they differ; None when unknown).
    """
    values = [b.get("normalisation") for b in bundles]
    if not values or any(v is None for v in values):
        return {"normalisation": None, "normalisations": [], "value_scale": None}
    distinct = list({_hashable(v): v for v in values}.values())
    return {"normalisation": distinct[0] if len(distinct) == 1 else None,
            "normalisations": distinct,
            "value_scale": "; ".join(value_scale(v)[0] for v in distinct)}


def same_normalisation(normalisations: Sequence[Any], this: Any) -> bool:
    """Whether a bundle of normalisation ``this`` is one of ``normalisations`` (the
    pre-training's, :func:`values_recorded`)."""
    return _hashable(this) in {_hashable(v) for v in normalisations}


def resumed_words(summary: Mapping[str, Any]) -> str:
    """``", resumed after epoch 43"`` (``"epochs 20 and 43"`` for several calls) of a
    summary with ``resumed_from_epoch``; ``""`` without."""
    epochs = [int(e) for e in summary.get("resumed_from_epoch") or ()]
    if not epochs:
        return ""
    said = (str(epochs[0]) if len(epochs) == 1
            else ", ".join(map(str, epochs[:-1])) + f" and {epochs[-1]}")
    return f", resumed after epoch{'s' if len(epochs) > 1 else ''} {said}"


def clipped_words(bundles: Sequence[Mapping[str, Any]]) -> str:
    """What the scaler's clip changed of the rows pre-trained on and monitored, in one line
    (``""`` where nothing was clipped or nothing was counted).

    Parameters
    ----------
    bundles
        ``summary.json``'s ``bundles``: each with ``clipped`` (``part -> clip_report``,
        :func:`~genemoe.data.scaling.clip_report`) where counted.

    Returns
    -------
    str
        ``inputs clipped to ±10 z: train 188 values (<0.1%), val 29 (<0.1%) (up to 158
        genes in a part; largest |z| 15.9)``; several bundles' counts summed per part.
    """
    merged: dict[str, dict[str, Any]] = {}
    for b in bundles:
        for part, rep in (b.get("clipped") or {}).items():
            m = merged.setdefault(part, {"part": part, "method": rep.get("method"),
                                         "clip": rep.get("clip"), "n_values": 0, "n_total": 0,
                                         "n_samples": 0, "n_genes": 0, "max_abs": 0.0})
            for k in ("n_values", "n_total", "n_samples"):
                m[k] += int(rep.get(k) or 0)
            m["n_genes"] = max(m["n_genes"], int(rep.get("n_genes") or 0))
            m["max_abs"] = max(m["max_abs"], float(rep.get("max_abs") or 0.0))
    return clip_text(clip_summary(merged.values()))
