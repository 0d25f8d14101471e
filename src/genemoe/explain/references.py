"""``train_ig``'s reference draw, recorded and checked (convergence.json's ``references``,
``reference_warning``, ``reference_stability`` and ``stability_warning``).

``train_ig`` integrates every explained sample from the same few training tumours (8 by
default), drawn once with ``--seed``: explaining more samples does not average the draw's
luck out. On a fully trained MLP a redraw (``--seed 1``) moved 80-90% of a class's top 10
genes; a draw holding 5 ACC tumours of 8 sank ACC's adrenal markers (STAR 125th, 3rd under
the other seed); ``--n-draws 32`` held them. Nothing here changes the draw: it is named,
a lopsided one is warned of, and where the per-reference attributions are at hand (no extra
model pass) the two halves of the draw are compared class by class.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from genemoe.explain.methods import reference_rows
from genemoe.text_wrap import warning_text

__all__ = ["POOL", "training_pool", "reference_draw", "lopsided_warning", "split_half_stability",
           "stability_warning", "note_references", "warnings_named", "single_reference_warning"]

log = logging.getLogger(__name__)

POOL = 200  # training rows the references are drawn from (explain's _train_rows)
STEADY = 0.5  # the least top-10 overlap of the two halves not warned of


def training_pool(train: np.ndarray, seed: int, n: int = POOL) -> np.ndarray:
    """The training rows ``train_ig`` and GradientSHAP draw from: ``train`` ``(m,)`` bundle
    rows, or ``n`` of them (seeded, sorted) when more; the rule of explain's training rows."""
    if len(train) > n:
        return np.sort(np.random.default_rng(seed).choice(train, n, replace=False))
    return np.asarray(train)


def reference_draw(sample_ids: np.ndarray, cancer_types: np.ndarray, *, n_draws: int,
                   seed: int) -> dict[str, Any]:
    """The references ``train_ig`` integrates from, by name.

    Parameters
    ----------
    sample_ids, cancer_types
        ``(m,)`` of the pool's rows (:func:`training_pool`), in its order.
    n_draws, seed
        As given to :func:`genemoe.explain.methods.train_references`.

    Returns
    -------
    dict
        ``n``, ``sample_ids`` and ``cancer_types`` in draw order (halves: the first and the
        last ``n // 2``), ``by_cancer_type`` (counts, most first), ``pool`` (m) and
        ``pool_types`` (the cancer types in the pool).
    """
    picked = reference_rows(len(sample_ids), n_draws, seed)
    types = [str(t) for t in np.asarray(cancer_types, object)[picked]]
    names, counts = np.unique(types, return_counts=True)
    order = sorted(zip(names.tolist(), counts.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
    return {"n": len(picked), "sample_ids": [str(s) for s in np.asarray(sample_ids)[picked]],
            "cancer_types": types, "by_cancer_type": {str(t): int(c) for t, c in order},
            "pool": len(sample_ids),
            "pool_types": len(set(map(str, np.asarray(cancer_types, object))))}


def lopsided_warning(draw: dict[str, Any], classes: np.ndarray | list[str]) -> str | None:
    """A warning when one cancer type holds more than half of the references (the probe's
    ACC 5 of 8): an explained class of that type is then integrated mostly from its own
    kind, and its markers sink. None for a balanced draw, or a pool of one type (a model
    trained on ACC alone: no other draw is possible, and the advice to draw more was void)."""
    n, counts = draw["n"], draw["by_cancer_type"]
    if draw.get("pool_types") == 1 or n < 2:  # one tumour: single_reference_warning says it
        return None
    top, most = next(iter(counts.items()), ("", 0))
    if 2 * most <= n:
        return None
    said = ", ".join(f"{t} {c}" for t, c in counts.items())
    why = (f"{top} tumours integrated mostly from {top}" if top in set(map(str, classes))
           else f"{top} holds most")
    return (f"train_ig's {n} references are lopsided: {said} ({why}); rankings may move "
            f"with --seed: {_more_draws(n, draw.get('pool'))}")


def single_reference_warning(draw: dict[str, Any]) -> str | None:
    """A warning when ``train_ig`` integrates from one training tumour (``--n-draws 1``):
    every ranking rests on it and its two halves cannot be compared (it said "1 references
    are lopsided: UCS 1 (UCS holds most)" and left the unchecked stability unsaid); None
    for two or more."""
    if draw["n"] != 1:
        return None
    kind, name = (draw.get("cancer_types") or ["?"])[0], (draw.get("sample_ids") or ["?"])[0]
    return (f"train_ig integrates every sample from 1 training tumour ({kind}, {name}): "
            "each ranking rests on that one "
            "tumour, and no split-half stability can be checked (it needs 2 references or "
            f"more); {_more_draws(1, draw.get('pool'))}")


def _more_draws(n: int, pool: int | None) -> str:
    """The advice after a lopsided or unsteady draw of ``n`` references from ``pool``: it
    said "pass --n-draws 32" to a draw of 83, the whole pool, which more draws cannot help."""
    if n < 32 and (pool is None or pool > n):  # never more than the pool holds (it said
        #   32 to a pool of 20)
        return f"pass --n-draws {32 if pool is None else min(32, pool)} (or another --seed)"
    if pool is not None and n < pool:
        return f"pass --n-draws {min(pool, 2 * n)} (or another --seed)"
    return ("every training sample of the pool is a reference already: more draws cannot "
            "help (a pool of other types needs a bundle with more of them)")


def _group_means(a: np.ndarray, groups: np.ndarray, order: str) -> dict[str, np.ndarray]:
    """``(n_genes,)`` per group: the mean attribution, or the mean |attribution|."""
    a = np.abs(a) if order == "mean_abs" else a
    return {str(g): a[groups == g].mean(0) for g in np.unique(groups)}


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    c = np.corrcoef(rx, ry)[0, 1]
    return float(c) if np.isfinite(c) else float("nan")


def split_half_stability(halves: list[tuple[np.ndarray, np.ndarray]], groups: np.ndarray, *,
                         top: int = 10, order: str = "mean") -> dict[str, Any] | None:
    """How far each class's ranking rests on the references drawn: the ranking from the
    first half of the references against the one from the second half.

    Parameters
    ----------
    halves
        ``(first, second)`` pairs of ``(n, n_genes)`` means over each half of the
        references, one pair per ensemble member (averaged).
    groups
        ``(n,)`` each sample's class (or group) as ranked.
    top, order
        The top genes compared; ``mean`` (signed, as classes rank) or ``mean_abs``.

    Returns
    -------
    dict or None
        ``top``, ``by_class`` (``top_overlap``: shared share of the two top lists;
        ``spearman`` over all genes), ``median_top_overlap``; None without halves.
    """
    if not halves:
        return None
    first = np.mean([h[0] for h in halves], 0)
    second = np.mean([h[1] for h in halves], 0)
    groups = np.asarray(groups).astype(str)
    ma, mb = _group_means(first, groups, order), _group_means(second, groups, order)
    k = min(top, first.shape[1])
    by_class = {}
    for g in ma:
        ta, tb = set(np.argsort(-ma[g])[:k]), set(np.argsort(-mb[g])[:k])
        by_class[g] = {"top_overlap": round(len(ta & tb) / k, 2),
                       "spearman": round(_spearman(ma[g], mb[g]), 3)}
    return {"top": k, "order": order, "by_class": by_class, "median_top_overlap": round(
        float(np.median([v["top_overlap"] for v in by_class.values()])), 2)}


def stability_warning(stability: dict[str, Any] | None, n: int,
                      pool: int | None = None) -> str | None:
    """A warning naming the classes whose two half-draw top lists share less than half."""
    if not stability:
        return None
    low = sorted((v["top_overlap"], g) for g, v in stability["by_class"].items()
                 if v["top_overlap"] < STEADY)
    if not low:
        return None
    k = stability["top"]
    said = ", ".join(f"{g} {o:.0%}" for o, g in low[:5]) + (", ..." if len(low) > 5 else "")
    return (f"the two halves of train_ig's {n} references share < {STEADY:.0%} of the "
            f"top-{k} genes in {len(low)} of {len(stability['by_class'])} classes ({said}): "
            f"rankings rest on the draw; {_more_draws(n, pool)}")


def note_references(conv: dict[str, Any], draw: dict[str, Any], *, classes: np.ndarray,
                    groups: np.ndarray, halves: list | None = None, order: str = "mean") -> None:
    """Add the draw, its stability and any warnings to ``conv`` and log the warnings.

    ``classes``: ``(n,)`` the explained samples' cancer types (predicted, or true for
    survival); ``groups``: ``(n,)`` the groups ranked; ``halves``: as
    :func:`split_half_stability` (an empty list or None: not checked).
    """
    conv["references"] = draw
    if warning := lopsided_warning(draw, classes) or single_reference_warning(draw):
        conv["reference_warning"] = warning
        log.warning("%s", warning_text(warning))  # wrapped as predict's lines (177 wide)
    stability = split_half_stability(halves or [], groups, order=order)
    if stability is not None:
        stability["halves"] = f"references 1-{draw['n'] // 2} against {draw['n'] // 2 + 1}-{draw['n']}"
        conv["reference_stability"] = stability
        if warning := stability_warning(stability, draw["n"], draw.get("pool")):
            conv["stability_warning"] = warning
            log.warning("%s", warning_text(warning))


class _Named(logging.Filter):
    """Starts each warning of this module with ``context``, wrapped again."""

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            text = " ".join(record.getMessage().split())  # unwrapped
            record.msg, record.args = "%s", (warning_text(self.context + text),)
        return True


@contextmanager
def warnings_named(context: str) -> Iterator[None]:
    """Within it, the draw's warnings (lopsided, split halves) start with ``context``:
    ``explain --compare``'s ``train_ig (--other RUN2): ``, as its routing-jump warnings do
    (the halves' warning of either run was said alike, without naming the run)."""
    named = _Named(context)
    log.addFilter(named)
    try:
        yield
    finally:
        log.removeFilter(named)
