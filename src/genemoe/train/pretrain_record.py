"""What a pre-training run records of its values and of its calls, beside its weights.

Split out of :mod:`genemoe.train.pretrain`: the normalisation and value scale of the
bundles it trained on (``pretrained.pt``'s ``normalisation`` and ``value_scale``, which
fine-tuning checks against its own bundle) and the epochs after which a later call resumed
it (``summary.json``'s ``resumed_from_epoch``), in the words the terminal and report use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genemoe.data.anndata_io import value_scale

__all__ = ["values_recorded", "resumed_words", "same_normalisation"]


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
