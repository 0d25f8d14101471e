"""How far an ensemble's members agree on the genes its explanation ranks.

An ensemble (``genemoe train --ensemble K``) is explained by the mean of its members'
attributions (:func:`~genemoe.explain.methods.attribute_with`). A mean can hide members
that disagree: three members each ranking other genes first give a mean ranking none of
them holds. The agreement, per class (survival: the one risk group), is the share of the
top genes two members' own rankings have in common, over every pair of members; it was
neither recorded nor said, only the mean. A linear ensemble (``coxnet``, ``logreg``, ...)
is attributed in one pass; its members' exact attributions are taken apart here
(:func:`linear_members`): it recorded no agreement. A median class under half is warned of
(:func:`agreement_warning`): it was said, never warned.
"""

from __future__ import annotations

import logging
from itertools import combinations
from typing import Any

import numpy as np

from genemoe.data.scaling import Scaler
from genemoe.explain.integrated_gradients import baseline_vector
from genemoe.explain.linear import LinearScore, member_attributions
from genemoe.explain.references import STEADY
from genemoe.text_wrap import warning_text

__all__ = ["member_agreement", "agreement_text", "agreement_warning", "with_agreement",
           "linear_members"]

log = logging.getLogger(__name__)

TOP = 10  # the top genes compared, as the reference draw's stability compares them


def _top_set(attr: np.ndarray, mask: np.ndarray | None, *, survival: bool, top: int) -> set[int]:
    """The ``top`` genes of one member's attributions ``(n, genes)`` of one group, ranked as
    the explanation ranks them (survival by mean |attribution|, else by mean attribution),
    among the genes ``mask`` keeps (all where None) and the member moves (a gene a linear
    member gives no weight has attributions of exactly 0: not one of its top genes)."""
    score = np.abs(attr).mean(0) if survival else attr.mean(0)
    moved = (attr != 0).any(0)
    if mask is not None:
        moved &= np.asarray(mask, bool)
    score = np.where(moved, score, -np.inf)
    order = np.argsort(-score, kind="stable")[:top]
    return {int(i) for i in order if np.isfinite(score[i])}


def member_agreement(each: list[np.ndarray], groups: np.ndarray, *, survival: bool,
                     keep: Any = None, top: int = TOP) -> dict[str, Any]:
    """The members' agreement on each group's top genes.

    Parameters
    ----------
    each
        One ``(n, genes)`` attribution array per member (their mean is the explanation's).
    groups
        ``(n,)`` each sample's group (predicted or labelled class; survival: ``risk``).
    survival
        Rank by mean |attribution| (survival) rather than by mean attribution.
    keep
        The genes ranked: None (all), one ``(genes,)`` mask, or a mask per group.
    top
        How many top genes are compared.

    Returns
    -------
    dict
        ``{"members_agreement": {...}}`` with ``top``, ``n_members``, ``by_class`` (each
        group's mean pairwise top-gene overlap, 0..1), ``median`` and ``text``; ``{}``
        with fewer than two members.
    """
    if len(each) < 2:
        return {}
    groups = np.asarray(groups).astype(str)
    by_class: dict[str, float] = {}
    for g in sorted(set(groups)):
        rows = groups == g
        mask = keep.get(g) if isinstance(keep, dict) else keep
        tops = [_top_set(a[rows], mask, survival=survival, top=top) for a in each]
        shares = [len(p & q) / max(1, min(len(p), len(q))) for p, q in combinations(tops, 2)]
        by_class[g] = round(float(np.mean(shares)), 3)
    rec = {"top": top, "n_members": len(each), "by_class": by_class,
           "median": round(float(np.median(list(by_class.values()))), 3),
           "measure": "share of top genes two members' own rankings have in common, "
                      "mean over member pairs"}
    rec["text"] = agreement_text(rec)
    return {"members_agreement": rec}


def agreement_text(rec: dict[str, Any]) -> str:
    """``the members' own top-10 genes agree 60% (two members' shared share, median over 25
    classes; least: KIRC 20%, LUAD 30%)``; survival's one group says its share alone."""
    by, top = rec["by_class"], rec["top"]
    if len(by) == 1:
        return (f"the members' own top-{top} genes agree {rec['median']:.0%} (shared by two "
                "members, mean over pairs)")
    least = sorted(by.items(), key=lambda kv: (kv[1], kv[0]))[:3]
    named = ", ".join(f"{c} {v:.0%}" for c, v in least)
    return (f"the members' own top-{top} genes agree {rec['median']:.0%} (shared by two members, "
            f"median over {len(by)} classes; least: {named})")


def with_agreement(conv: dict[str, Any], each: list[np.ndarray], groups: np.ndarray, *,
                   survival: bool, keep: Any = None) -> dict[str, Any]:
    """convergence.json's entries for an ensemble's members' agreement: ``members_agreement``
    (:func:`member_agreement`) and ``ensemble`` with the agreement said after the mean
    (the terminal and the page print it); ``{}`` where the members' attributions were not
    kept (a linear ensemble is explained in one pass: its members' are not apart)."""
    rec = member_agreement(each, groups, survival=survival, keep=keep)
    if not rec:
        return {}
    said = conv.get("ensemble")
    text = rec["members_agreement"]["text"]
    if warning := agreement_warning(rec["members_agreement"]):  # said, never warned
        rec["members_warning"] = warning  # the page's banner shows every *_warning
        log.warning("%s", warning_text(warning))
    return {**rec, **({"ensemble": f"{said}; {text}"} if said else {})}


def agreement_warning(rec: dict[str, Any]) -> str | None:
    """A warning when the members share less than half their own top genes in the median
    class (:func:`member_agreement`'s record); None otherwise.

    The threshold is the reference draw's (:data:`~genemoe.explain.references.STEADY`,
    0.5): there two halves of one draw, here two members, each rank the top genes of a
    class; sharing under half of them means most of a top list is one ranker's alone, so
    the mean's top genes are not what the rankers hold in common. The median class is
    judged (not the least one): a few classes with few samples disagree by chance, while a
    median under half says the explanation as a whole rests on which members were fitted.
    """
    if rec["median"] >= STEADY:
        return None
    return (f"the ensemble's {rec['n_members']} members share < {STEADY:.0%} of their own "
            f"top-{rec['top']} genes in the median class ({rec['median']:.0%}): the mean ranks "
            "genes the members disagree on (each class's share: convergence.json "
            "members_agreement); a single model (train without --ensemble) explained shows one "
            "model's own ranking; more data or epochs steady the members")


def linear_members(model: Any, X: np.ndarray, *, target: np.ndarray | None,
                   baseline: Any, scaler: Scaler | None) -> list[np.ndarray]:
    """A linear ensemble's members' own attributions from ``baseline`` (as
    :func:`~genemoe.explain.methods.attribute_with` resolves it), for :func:`with_agreement`:
    :func:`~genemoe.explain.linear.member_attributions`; ``[]`` for any other model (a
    neural ensemble's members' are kept as they are attributed)."""
    if not isinstance(model, LinearScore) or model.n_members < 2:
        return []
    reference = baseline_vector(baseline, X.shape[1], scaler=scaler).astype(np.float64)
    return member_attributions(model, X, target=target, reference=reference)
