"""The benchmark's folds: identical, repeated, stratified; what is fitted on each fold's
training part (gene filter, scaler) and the three scaled parts.

:mod:`genemoe.workflows.benchmark` and :mod:`genemoe.workflows.ablation` deal their cells
from these plans, so every model of a comparison sees the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from genemoe.data.bundle import Bundle
from genemoe.data.prepare import fit_gene_filter
from genemoe.data.scaling import Scaler, clip_report, fit_scaler
from genemoe.data.splits import stratified_kfold, stratified_split, stratify_keys
from genemoe.errors import InputError, input_error
from genemoe.train.task_data import TaskData, task_data
from genemoe.workflows.common import (
    check_bundle_has_task,
    check_part_events,
    check_survival_parts,
    check_whole_numbers,
    patient_ids,
    with_fitted_layout,
)

__all__ = ["FoldPlan", "FoldData", "task_rows", "rows_account", "check_fold_sizes", "plan_folds",
           "fit_fold_preprocessing", "fold_preprocessing", "fold_data", "inner_plans", "check_inner_plans",
           "inner_splits", "InnerSplits", "VAL_FRACTION"]

Task = Literal["classify", "survival"]

VAL_FRACTION = 0.15  # validation share of each stratum of a fold's training part


@dataclass(frozen=True)
class FoldPlan:
    """Rows of one fold of one repeat: bundle row indices, sorted, disjoint."""

    repeat: int
    fold: int
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray



def task_rows(bundle: Bundle, task: Task) -> np.ndarray:
    """Bundle rows usable for ``task``: labelled samples (and with survival data)."""
    keep = bundle.obs["cancer_type"].notna().to_numpy()
    if task == "survival":
        keep &= bundle.obs["has_survival"].to_numpy(bool)
    return np.flatnonzero(keep)


def rows_account(bundle: Bundle, task: Task, n_folds: int) -> dict:
    """What a benchmark of ``task`` uses of ``bundle``: ``n_used`` of ``n_bundle`` samples,
    those ``left_out`` (no cancer type; no survival) and ``types_under_folds``: the types with
    fewer usable samples than folds (some test folds hold none of them; in classification a
    fold's macro metrics then average over the types it holds and those a model predicts
    there)."""
    typed = bundle.obs["cancer_type"].notna().to_numpy()
    rows = task_rows(bundle, task)
    left = {"without a cancer type": int((~typed).sum())}
    if task == "survival":
        left["without survival data"] = int(typed.sum()) - len(rows)
    counts = bundle.obs["cancer_type"].iloc[rows].astype(str).value_counts()
    small = {str(t): int(n) for t, n in counts.sort_values().items() if n < n_folds}
    return {"n_bundle": int(len(typed)), "n_used": int(len(rows)),
            "left_out": {k: v for k, v in left.items() if v}, "types_under_folds": small}


def check_fold_sizes(bundle: Bundle, task: Task, n_folds: int) -> None:
    """Refuse ``n_folds`` that leave a test part smaller than the number of cancer types.

    Such a test part can hold no more than a few of the types: each fold's macro metrics
    (classification) average over the few types it happens to hold, a survival fold's
    per-type C-index has no pair to compare in most types, and the table's mean ± sd over
    folds reads as a measurement of every type. ``--folds 200`` on the 990 primary tumours
    of 33 types gave test parts of 4-5 samples, with only a warning that types were rarer
    than the folds. At most ``n_used // n_types`` folds gives every test part at least as
    many samples as there are types (30 folds there; the usual 3-10 pass); it cannot put
    every type in every test part: a type rarer than the folds (CHOL's 4 samples there)
    still misses some, which :func:`rows_account` counts and the benchmark warns about.
    :func:`plan_folds` applies it, so the benchmark and the ablation refuse alike.

    Raises
    ------
    InputError
        Naming ``--folds``, the test parts' size, the types, and the largest count allowed.
    """
    rows = task_rows(bundle, task)
    n_types = int(bundle.obs["cancer_type"].iloc[rows].nunique())
    smallest = rows.size // n_folds
    if n_types < 2 or smallest >= n_types:
        return
    most = rows.size // n_types
    fix = (f"pass at most --folds {most} (e.g. {min(5, most)}), and --repeats for more test "
           "folds" if most >= 2 else "use a bundle with at least two samples of each type "
           "usable for this task (genemoe prepare), or fewer types")
    raise input_error(
        f"{n_folds} folds of {rows.size:,} samples usable for {task} leave test parts of about "
        f"{smallest} samples, fewer than the {n_types} cancer types: no test part can hold "
        "every type, and each fold's score rests on a handful of samples", where="--folds",
        fix=fix)


def check_val_fraction(val_fraction: float) -> None:
    """Refuse a fold's validation share outside (0, 1), naming ``val_fraction`` (a Python
    argument: 1.5 was refused naming ``--val-fraction/--test-fraction``, flags the benchmark
    lacks, and 0 as "an empty validation or test part: use fewer --folds")."""
    if not 0 < val_fraction < 1:
        raise input_error(f"must be above 0 and below 1, got {val_fraction}", where="val_fraction",
                          fix="pass the validation share of each fold's training part, e.g. "
                              f"val_fraction={VAL_FRACTION} (the default; every model chooses "
                              "its epoch, grid point or trials on that part)")


def plan_folds(bundle: Bundle, task: Task, *, n_folds: int = 3, n_repeats: int = 1, seed: int = 0,
               val_fraction: float = VAL_FRACTION) -> list[FoldPlan]:
    """The folds of every repeat, with a validation part carved from each training part.

    Parameters
    ----------
    bundle
        The prepared dataset.
    task
        ``"classify"`` (stratify by cancer type) or ``"survival"`` (type and event).
    n_folds, n_repeats
        K of the K-fold split; how many times it is redrawn (seed ``seed + repeat``).
    val_fraction
        Validation share of each stratum of a fold's training part.

    Returns
    -------
    list[FoldPlan]
        ``n_repeats * n_folds`` plans, repeat-major.
    """
    check_whole_numbers((n_folds, "--folds"), (n_repeats, "--repeats"))  # ablation's too
    check_val_fraction(val_fraction)
    check_bundle_has_task(bundle, task)
    rows = task_rows(bundle, task)
    if rows.size < 2 * n_folds:
        raise input_error(f"{rows.size} usable samples for {task}: too few for {n_folds} folds",
                          path=bundle.path, fix="use fewer --folds, or a larger bundle")
    check_fold_sizes(bundle, task, n_folds)  # benchmark and ablation: --folds 200 on 990
    keys, groups = _strata(bundle, rows, task)
    plans = _deal(bundle, rows, keys, groups, n_folds, n_repeats, seed, val_fraction)
    if task == "survival":
        _check_fold_events(bundle, rows, keys, groups, plans, n_repeats, seed, val_fraction)
    return plans


def _deal(bundle: Bundle, rows: np.ndarray, keys: np.ndarray, groups: np.ndarray, n_folds: int,
          n_repeats: int, seed: int, val_fraction: float) -> list[FoldPlan]:
    """:func:`plan_folds`' plans of ``rows`` (their strata ``keys`` and patient ``groups``)."""
    plans = []
    for r in range(n_repeats):
        folds = stratified_kfold(keys, n_folds=n_folds, seed=seed + r, groups=groups)
        for f in range(n_folds):
            rest = np.flatnonzero(folds != f)
            part = stratified_split(keys[rest], val_fraction=val_fraction, test_fraction=0.0,
                                    seed=seed + r, groups=groups[rest])
            plan = FoldPlan(r, f, np.sort(rows[rest[part == "train"]]),
                            np.sort(rows[rest[part == "val"]]), np.sort(rows[folds == f]))
            if plan.val.size == 0 or plan.test.size == 0:
                raise input_error(f"repeat {r}, fold {f} has an empty validation or test part",
                                  path=bundle.path, fix="use fewer --folds, or a larger bundle")
            plans.append(plan)
    return plans


def _part_fault(time: np.ndarray, event: np.ndarray, part: str) -> str | None:
    """Why a survival part (its ``time`` and ``event``) cannot serve a Cox model, besides
    having no event (:func:`~genemoe.workflows.common.check_part_events` says that), or
    None. A test part needs 2 events or more and a comparable pair (its C-index is not
    scored below 2 events: gdc6's DLBC alone, ``--folds 5``, left a test part of 9 patients
    and 1 event whose missing C-index the table's mean skipped unsaid); a validation part a
    comparable pair (model selection reads its C-index; one event serves)."""
    n_events = int(event.sum())
    if part == "train" or n_events == 0:
        return None
    if part == "test" and n_events < 2:
        return (f"the test part holds 1 event in {event.size} samples: its C-index cannot "
                "be scored (2 events or more are needed)")
    if not _has_comparable_pair(time, event):
        why = "its C-index cannot be scored" if part == "test" else (
            "model selection has no C-index to read")
        return (f"the {part} part has no comparable pair (no sample in it was followed "
                f"past its first event): {why}")
    return None


def _unscorable(time: np.ndarray, event: np.ndarray,
                plans: list[FoldPlan]) -> tuple[FoldPlan, str | None] | None:
    """The first plan with a part a Cox model cannot train, be selected or be scored on,
    and :func:`_part_fault`'s reason (None: a part without any event), or None."""
    parts = ("train", "val", "test")
    for p in plans:
        if not all(event[getattr(p, part)].any() for part in parts):
            return p, None
        for part in parts:
            rows = getattr(p, part)
            if (why := _part_fault(time[rows], event[rows], part)) is not None:
                return p, why
    return None


def _check_fold_events(bundle: Bundle, rows: np.ndarray, keys: np.ndarray, groups: np.ndarray,
                       plans: list[FoldPlan], n_repeats: int, seed: int,
                       val_fraction: float) -> None:
    """Refuse survival folds with a part a Cox model cannot train, be selected or be scored
    on (:func:`_unscorable`: a part without events; a test part with one event; a
    validation or test part without a comparable pair), naming the repeat, fold and part,
    before any cell trains (a test fold of gdc6 without a death stopped ``--folds 40``
    after three cells, naming neither). The fix names the most folds, below these (else
    the fewest above), whose every part serves with this seed; events cluster in some folds (each stratum is dealt
    on from where the last ended, so the few events of six types can miss a run of
    folds)."""
    time, event = bundle.survival()
    time, event = np.asarray(time, np.float64), np.asarray(event, bool)
    bad = _unscorable(time, event, plans)
    if bad is None:
        return
    n_folds = max(p.fold for p in plans) + 1
    n_events = int(event[rows].sum())
    below = range(n_folds - 1, 1, -1)  # the most below; else the fewest above (gdc6's DLBC
    above = range(n_folds + 1, max(n_folds + 1, min(10, n_events // 2) + 1))  # served 3, not 2)
    fits = next((k for k in (*below, *above) if _serves(bundle, rows, keys, groups, k,
                                                        (n_repeats, seed, val_fraction))), None)
    fix = (f"{n_events} events in {len(rows)} samples over {n_folds} folds: "
           + (f"use --folds {fits} (then every part of every repeat holds an event, every "
              "test part 2 or more), or " if fits else "") + "use a cohort with more events")
    plan, why = bad
    where = f"repeat {plan.repeat}, fold {plan.fold}"
    if why is not None:
        raise input_error(f"{where}: {why}", path=bundle.path, fix=fix)
    check_part_events({part: event[getattr(plan, part)] for part in ("train", "val", "test")},
                      where, path=bundle.path, fix=fix)


def _serves(bundle: Bundle, rows: np.ndarray, keys: np.ndarray, groups: np.ndarray,
            n_folds: int, deal: tuple[int, int, float]) -> bool:
    """Whether ``n_folds`` folds (``deal``: repeats, seed, validation share) leave every part
    of every repeat one a Cox model can train, be selected and be scored on."""
    time, event = bundle.survival()
    try:
        plans = _deal(bundle, rows, keys, groups, n_folds, *deal)
    except InputError:  # an empty part
        return False
    return _unscorable(np.asarray(time, np.float64), np.asarray(event, bool), plans) is None


def _strata(bundle: Bundle, rows: np.ndarray, task: Task) -> tuple[np.ndarray, np.ndarray]:
    """``(n,)`` stratification keys of ``rows`` (type, and event for survival) and their
    ``(n,)`` patient ids (a patient never spans parts)."""
    types = bundle.obs["cancer_type"].to_numpy(object)[rows]
    event = bundle.survival()[1][rows] if task == "survival" else None
    return stratify_keys(types, event), np.asarray(patient_ids(bundle, rows), dtype=object)


def _inner_where(plan: FoldPlan) -> tuple[str | None, str, str]:
    """Where an inner-fold refusal points, the flag that sets the count and what the inner
    folds split (with its verb): a benchmark fold's (``repeat r, fold f``, ``--tune-cv``,
    its training part) or ``genemoe tune``'s (its plan has no test part: no fold, ``--cv``,
    the training and validation splits)."""
    if plan.test.size:
        where = f"repeat {plan.repeat}, fold {plan.fold}"
        return where, "--tune-cv", "the fold's training part holds"
    return None, "--cv", "the training and validation splits hold"


def _median_class(bundle: Bundle, plan: FoldPlan) -> int:
    """Tumours in the median class of ``plan``'s training part (its train and val rows)."""
    rows = np.union1d(plan.train, plan.val)
    return int(pd.Series(bundle.obs["cancer_type"].to_numpy(object)[rows]).value_counts().median())


def _check_inner_classes(bundle: Bundle, plans: list[FoldPlan], n_folds: int) -> None:
    """Refuse more inner folds than the median class of a plan's training part has tumours:
    most validation parts would then hold none of a typical class, and each trial would fit
    ``n_folds`` models for noise (``tune --cv 500`` on pancan33 ran 282 s a trial). A rare
    class may miss some validation parts (pancan33's CHOL, 2-3 tumours in a fold's training
    part, with 3). Names the first plan over; advises the count every plan allows."""
    medians = [_median_class(bundle, p) for p in plans]
    over = next((i for i, n in enumerate(medians) if n_folds > max(n, 2)), None)
    if over is None:
        return
    where, flag, part = _inner_where(plans[over])
    limit = max(min(medians), 2)
    raise input_error(f"{n_folds} inner folds ({flag}), but {part} {medians[over]} "
                      "tumours in the median class: most validation parts would be too small "
                      "to score", path=bundle.path, where=where,
                      fix=f"use at most {limit} inner folds ({flag} {limit})"
                          + (" (3 to 5 is usual)" if limit >= 5 else ""))


def _has_comparable_pair(time: np.ndarray, event: np.ndarray) -> bool:
    """Whether Harrell's C has a pair to count: an event before another sample's time, or
    at a censored sample's (scikit-survival's pairs). The first event time decides."""
    if not event.any():
        return False
    first = time[event].min()
    return bool(np.any(time > first) or np.any((time == first) & ~event))


def _deal_inner(bundle: Bundle, plan: FoldPlan, task: Task, n_folds: int,
                seed: int) -> list[FoldPlan]:
    """:func:`inner_plans`' ``n_folds`` plans of ``plan``, unchecked."""
    rows = np.union1d(plan.train, plan.val)
    keys, groups = _strata(bundle, rows, task)
    folds = stratified_kfold(keys, n_folds=n_folds, seed=seed, groups=groups)
    empty = np.zeros(0, dtype=rows.dtype)
    return [FoldPlan(plan.repeat, plan.fold, rows[folds != k], rows[folds == k], empty)
            for k in range(n_folds)]


def _survival_fault(bundle: Bundle, plan: FoldPlan, n_folds: int, seed: int) -> str | None:
    """Why ``plan``'s ``n_folds`` inner folds cannot each fit a Cox model and score a trial
    (a training part without an event; a validation part with fewer than 2 events or no
    comparable pair), or None."""
    time, event = bundle.survival()
    time, event = np.asarray(time, np.float64), np.asarray(event, bool)
    n_events = int(event[np.union1d(plan.train, plan.val)].sum())
    if n_folds > n_events // 2:
        return f"{_inner_where(plan)[2]} {n_events} events: fewer than 2 per validation part"
    for k, p in enumerate(_deal_inner(bundle, plan, "survival", n_folds, seed)):
        held = int(event[p.val].sum())
        if not event[p.train].any():
            return f"inner fold {k}'s training part holds no event: a Cox model cannot fit"
        if held < 2:
            return (f"inner fold {k}'s validation part holds {held or 'no'} event"
                    f"{'' if held == 1 else 's'} in {p.val.size} samples: too few to score")
        if not _has_comparable_pair(time[p.val], event[p.val]):
            return (f"inner fold {k}'s validation part has no comparable pair (its events "
                    "are tied with every later sample): nothing to score")
    return None


def _most_inner_folds(bundle: Bundle, plans: list[tuple[FoldPlan, int]],
                      below: int) -> int | None:
    """The most inner folds, below ``below``, that every ``(plan, seed)`` can score (each
    validation part with 2 or more events and a comparable pair), or None under 2."""
    for k in range(below - 1, 1, -1):
        try:
            if all(_survival_fault(bundle, p, k, s) is None for p, s in plans):
                return k
        except InputError:  # more folds than patients
            continue
    return None


def _check_inner_events(bundle: Bundle, plans: list[tuple[FoldPlan, int]], n_folds: int) -> None:
    """Refuse survival inner folds a trial cannot be scored on, dealt as the cells deal them
    (``(plan, seed)`` pairs), naming the first plan and inner fold. The limit was half the
    events (gdc6: 80 events, ``--tune-cv 40`` let through parts with one event, and coxph
    fell back to its own CV without a word of which fold); the fix names the most inner
    folds every plan can score, found by dealing them."""
    for plan, seed in plans:
        fault = _survival_fault(bundle, plan, n_folds, seed)
        if fault is None:
            continue
        where, flag, _ = _inner_where(plan)
        best = _most_inner_folds(bundle, plans,
                                 min(n_folds, _fewest_events(bundle, plans) // 2 + 1))
        fix = (f"use {flag} {best} (then every inner validation part holds 2 or more events "
               "and a comparable pair)" if best else f"leave out {flag}, or use a cohort with "
               "more events")
        if flag == "--tune-cv":
            fix += ", or fewer --folds"
        raise input_error(f"{n_folds} inner folds ({flag}): {fault}", path=bundle.path,
                          where=where, fix=fix)


def _fewest_events(bundle: Bundle, plans: list[tuple[FoldPlan, int]]) -> int:
    """The fewest events in a plan's training part (its train and val rows)."""
    event = np.asarray(bundle.survival()[1], bool)
    return min(int(event[np.union1d(p.train, p.val)].sum()) for p, _ in plans)


def inner_plans(bundle: Bundle, plan: FoldPlan, task: Task, *, n_folds: int,
                seed: int) -> list[FoldPlan]:
    """``n_folds`` inner folds of ``plan``'s training part (its train and val rows together),
    for choosing hyper-parameters on more than one validation part; no test rows.

    Stratified as :func:`plan_folds` (type, and event for survival; a patient never spans
    parts). Inner plan ``k`` trains on the other inner folds and validates on fold ``k``;
    its ``test`` is empty: the outer fold's test part is not touched. A refusal names the
    outer fold (a benchmark's plan) and the flag (``--tune-cv``; ``--cv`` for
    ``genemoe tune``'s plan, which has no test part).

    Returns
    -------
    list[FoldPlan]
        ``n_folds`` plans with ``plan``'s repeat and fold numbers.

    Raises
    ------
    InputError
        More inner folds than the median class has tumours (classification); for survival,
        an inner training part without an event or a validation part with fewer than 2
        events or no comparable pair (the fix names the most inner folds that serve).
    """
    if task == "classify":
        _check_inner_classes(bundle, [plan], n_folds)
    else:
        _check_inner_events(bundle, [(plan, seed)], n_folds)
    out = _deal_inner(bundle, plan, task, n_folds, seed)
    if any(p.train.size == 0 or p.val.size == 0 for p in out):
        where, flag, _ = _inner_where(plan)
        raise input_error(f"{n_folds} inner folds ({flag}): an inner fold is empty",
                          path=bundle.path, where=where,
                          fix=f"use a smaller {flag}" + (", or fewer --folds" if plan.test.size
                                                         else ""))
    return out


def check_inner_plans(bundle: Bundle, plans: list[FoldPlan], task: Task, *, n_folds: int,
                      seed: int) -> None:
    """Deal every plan's :func:`inner_plans` (seed ``seed + repeat``, as the benchmark's
    cells do) so that a refusal comes before any cell trains or any output is touched (too
    many inner folds were refused in the first cell, after a rerun had removed the earlier
    run's summary.md, results.csv and figures). The fix names a count every plan serves."""
    if task == "classify":
        _check_inner_classes(bundle, plans, n_folds)
    else:
        _check_inner_events(bundle, [(p, seed + p.repeat) for p in plans], n_folds)
    for plan in plans:
        inner_plans(bundle, plan, task, n_folds=n_folds, seed=seed + plan.repeat)


class InnerSplits:
    """The train/val parts of :func:`inner_plans`' folds, each fold's gene filter and scaler
    fitted on its own training rows, built once per input scaling and shared by every model
    of the fold (the ``inner`` argument of :func:`genemoe.train.tuning.tune_model`, through
    :meth:`for_model`).

    Calling it, ``inner(scaling)``, gives ``[(parts, gene_variance, {}), ...]``.
    """

    def __init__(self, bundle: Bundle, plans: list[FoldPlan], task: Task,
                 class_names: list[str]) -> None:
        self.bundle, self.plans, self.task, self.class_names = bundle, plans, task, class_names
        self._built: dict[str, list[FoldData]] = {}

    def folds(self, scaling: str) -> list[FoldData]:
        """Each inner fold's :class:`FoldData` (train and val parts) under ``scaling``."""
        if scaling not in self._built:
            self._built[scaling] = [fold_data(self.bundle, p, self.task, self.class_names,
                                              scaling, parts=("train", "val"),
                                              count_clipped=False)
                                    for p in self.plans]
        return self._built[scaling]

    def __call__(self, scaling: str) -> list[tuple[dict[str, TaskData], np.ndarray, dict]]:
        return [(d.parts, d.gene_variance, {}) for d in self.folds(scaling)]

    def for_model(self, model_name: str, model_cfg: dict,
                  ) -> Callable[[str], list[tuple[dict[str, TaskData], np.ndarray, dict]]]:
        """``scaling -> splits`` for model ``model_name``: an image model whose layout is
        fitted on data (``genomic``, ``similarity``) gets, per inner fold, that layout fitted
        on the fold's own kept genes and training rows (``{"layout_state": ...}``, taken over
        the trial's options); the outer fold's layout covers other genes and saw the inner
        validation rows. Other models: the splits as they are."""
        base = {k: v for k, v in model_cfg.items() if k != "layout_state"}
        layouts: dict[int, dict] = {}

        def options(k: int, fold: FoldData) -> dict:
            if k not in layouts:  # layouts read log-expression and positions, not the scaling
                fitted = with_fitted_layout(model_name, base, self.bundle, fold.keep,
                                            self.plans[k].train)
                layouts[k] = ({"layout_state": fitted["layout_state"]}
                              if "layout_state" in fitted else {})
            return layouts[k]

        def splits(scaling: str) -> list[tuple[dict[str, TaskData], np.ndarray, dict]]:
            return [(d.parts, d.gene_variance, options(k, d))
                    for k, d in enumerate(self.folds(scaling))]

        return splits


def inner_splits(bundle: Bundle, plan: FoldPlan, task: Task, class_names: list[str], *,
                 n_folds: int, seed: int) -> InnerSplits:
    """:class:`InnerSplits` of :func:`inner_plans`' ``n_folds`` folds of ``plan``."""
    return InnerSplits(bundle, inner_plans(bundle, plan, task, n_folds=n_folds, seed=seed),
                       task, class_names)


def fit_fold_preprocessing(X_train: np.ndarray, *, min_variance: float = 0.4,
                           min_mean: float = 0.8, scaling: str = "standard",
                           ) -> tuple[np.ndarray, Scaler]:
    """Gene filter and scaler fitted on a fold's training rows only.

    Parameters
    ----------
    X_train
        ``(n_train, n_genes)`` log-scale expression of the training part.
    min_variance, min_mean
        The gene filter's thresholds (the bundle's, from its preparation record).
    scaling
        ``standard`` (per-gene z-score) or ``global`` (the image models': one shift and
        scale for every gene; see :func:`genemoe.models.image.input_scaling`).

    Returns
    -------
    tuple
        ``(n_genes,)`` bool keep mask, and the :class:`Scaler` of the kept genes.
    """
    keep, _ = fit_gene_filter(X_train, min_variance=min_variance, min_mean=min_mean)
    if not keep.any():
        raise input_error("the gene filter kept no gene on a fold's training part",
                          fix="lower --min-variance/--min-mean when preparing the bundle")
    return keep, fit_scaler(np.asarray(X_train)[:, keep], method=scaling, clip=10.0)


def fold_preprocessing(bundle: Bundle, plan: FoldPlan, scaling: str = "standard", *,
                       X_train: np.ndarray | None = None) -> tuple[np.ndarray, Scaler]:
    """:func:`fit_fold_preprocessing` on the fold's training rows, with the bundle's thresholds
    (``X_train``: those rows, when the caller has read them already)."""
    cfg = bundle.record.get("config") or {}
    X_train = np.asarray(bundle.X[plan.train]) if X_train is None else X_train
    return fit_fold_preprocessing(X_train, min_variance=float(cfg.get("min_variance", 0.4)),
                                  min_mean=float(cfg.get("min_mean", 0.8)), scaling=scaling)


@dataclass
class FoldData:
    """One fold's scaled parts and what was fitted on its training part.

    ``parts``: ``{"train", "val", "test"}`` → :class:`TaskData`; ``keep``: ``(n_genes,)``
    bool gene mask of the fold's filter; ``gene_variance``: ``(n_kept,)`` variance of each
    kept gene's unscaled training log-expression (classical survival models choose genes
    on it); ``clipped``: ``part -> clip_report`` (:func:`~genemoe.data.scaling.clip_report`:
    the values the scaler's clip changed), empty where not counted.
    """

    parts: dict[str, TaskData]
    keep: np.ndarray
    gene_variance: np.ndarray
    clipped: dict[str, dict] = field(default_factory=dict)


def fold_data(bundle: Bundle, plan: FoldPlan, task: Task, class_names: list[str],
              scaling: str = "standard", *,
              parts: tuple[str, ...] = ("train", "val", "test"),
              count_clipped: bool = True) -> FoldData:
    """The fold's gene filter and scaler, fitted on its training rows only (with the
    bundle's thresholds), applied to ``parts`` (default all three; an inner plan of
    :func:`inner_plans`: ``("train", "val")``); with ``count_clipped``, what the scaler's
    clip changed in each part (one more pass over the part's values).

    Raises
    ------
    InputError
        For survival, a training or validation part without any event (naming the fold).
    """
    X_train = np.asarray(bundle.X[plan.train])
    keep, scaler = fold_preprocessing(bundle, plan, scaling, X_train=X_train)
    parts = {part: task_data(bundle, getattr(plan, part), task, gene_mask=keep, scaler=scaler,
                             class_names=class_names) for part in parts}
    if task == "survival":
        check_survival_parts(parts, f"repeat {plan.repeat}, fold {plan.fold}", path=bundle.path,
                             fix="use fewer --folds or a larger --val-fraction (validation is "
                                 "stratified by type and event), or a cohort with more events")
    X_kept = X_train[np.isin(plan.train, parts["train"].rows)][:, keep]
    clipped = {part: clip_report(bundle.X, scaler, rows=d.rows, genes=keep)
               for part, d in parts.items()} if count_clipped else {}
    return FoldData(parts, keep, X_kept.astype(np.float64).var(0), clipped)
