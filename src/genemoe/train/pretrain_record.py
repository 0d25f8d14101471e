"""What a pre-training run records of its values and of its calls, beside its weights.

Split out of :mod:`genemoe.train.pretrain`: the normalisation and value scale of the
bundles it trained on (``pretrained.pt``'s ``normalisation`` and ``value_scale``, which
fine-tuning checks against its own bundle), the epochs after which a later call resumed
it (``summary.json``'s ``resumed_from_epoch``) and what the scaler's clip changed of the
rows it read (each bundle's ``clipped``), and the loss terms with their weights
(``loss_weights``) and the validation samples recorded beside those monitored, in the
words the terminal and report use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genemoe.data.anndata_io import value_scale
from genemoe.data.scaling import clip_summary, clip_text

__all__ = ["values_recorded", "resumed_words", "same_normalisation", "clipped_words",
           "LOSS_WEIGHTS", "loss_weights", "losses_words", "validation_words"]

# The weights of eq. 11's terms and of the critic's, as summary.json's ``loss_weights``.
LOSS_WEIGHTS = ("lambda_l1", "lambda_kl", "lambda_adv", "lambda_balance", "lambda_gp", "n_critic")


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


def loss_weights(config: Mapping[str, Any]) -> dict[str, float]:
    """``summary.json``'s ``loss_weights``: the :data:`LOSS_WEIGHTS` of a run's
    ``pretrain:`` options (``PretrainConfig.to_dict``), those it has."""
    return {k: config[k] for k in LOSS_WEIGHTS if k in config}


def _num(v: Any) -> str:
    return f"{float(v):.3g}".replace("-", "−")


def losses_words(final: Mapping[str, Any], weights: Mapping[str, Any]) -> str:
    """The last epoch's loss terms, each with its weight, in one line (``""`` without the
    weights, e.g. a run of an older version).

    Parameters
    ----------
    final
        ``summary.json``'s ``final`` (``loss/<term>``: unweighted means over the batches).
    weights
        ``summary.json``'s ``loss_weights`` (:func:`loss_weights`).

    Returns
    -------
    str
        ``losses (last epoch, unweighted × weight): L1 0.748 × 20, KL 0.56 × 1, adversarial
        −0.0512 × 0.1, balance 0.169 × 10; critic: gap 0.0858, GP 0.463 × 10, 3 steps per
        generator step``; the balance term only where the model has gates.
    """
    if not weights or "loss/l1" not in final:
        return ""
    terms = [("L1", ("l1",), "lambda_l1"), ("KL", ("kl",), "lambda_kl"),
             ("adversarial", ("adv",), "lambda_adv"),
             ("balance", ("importance", "load"), "lambda_balance")]
    said = [f"{name} {_num(sum(float(final[f'loss/{k}']) for k in keys))} × {weights[w]:g}"
            for name, keys, w in terms
            if w in weights and all(f"loss/{k}" in final for k in keys)]
    critic = [f"gap {_num(final['loss/critic_gap'])}" if "loss/critic_gap" in final else "",
              f"GP {_num(final['loss/gp'])} × {weights['lambda_gp']:g}"
              if "loss/gp" in final and "lambda_gp" in weights else "",
              f"{int(weights['n_critic'])} step{'' if int(weights['n_critic']) == 1 else 's'} "
              "per generator step" if "n_critic" in weights else ""]
    return (f"losses (last epoch, unweighted × weight): {', '.join(said)}; "
            f"critic: {', '.join(c for c in critic if c)}")


def validation_words(summary: Mapping[str, Any]) -> str:
    """``"100 validation"``, or of a streamed run monitoring a subset ``"100 validation (50
    monitored)"``: every validation sample is recorded (``samples.tsv``; fine-tuning refuses
    any of them as a test sample), the summary's ``n_val`` counts those monitored (a
    streamed run said "50 validation" of 100)."""
    monitored = int(summary["n_val"])
    counts = [b.get("n_val") for b in summary.get("bundles") or []]
    total = (sum(int(n) for n in counts)
             if counts and all(isinstance(n, int) for n in counts) else monitored)
    return (f"{total:,} validation" if total == monitored
            else f"{total:,} validation ({monitored:,} monitored)")
