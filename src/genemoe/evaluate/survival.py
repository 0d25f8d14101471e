"""Survival metrics: concordance, Kaplan–Meier and log-rank, as plain functions of arrays.

The statistics come from the field's libraries; this module checks inputs at the edge
(one clear message per mistake) and returns plain floats, arrays and dicts.

=====================  =======================================================
Harrell's C            ``sksurv.metrics.concordance_index_censored``
Uno's C                ``sksurv.metrics.concordance_index_ipcw``
Kaplan–Meier           ``sksurv.nonparametric.kaplan_meier_estimator``
log-rank               ``lifelines.statistics.multivariate_logrank_test``
bootstrap of Harrell   a hand-written pair count (below), equal to sksurv to 1e-12
=====================  =======================================================

Why these: scikit-survival's Kaplan–Meier is plain numpy (lifelines' fitter builds pandas
frames for the same numbers). For the log-rank test lifelines inverts the covariance with a
pseudo-inverse, so a group without anyone at risk at the event times gives a statistic
instead of a ``LinAlgError`` (sksurv's ``compare_survival`` uses ``solve``); both use the
same hypergeometric variance for tied event times and agree to 1e-14 on tied data.

Sign convention
---------------
``risk`` is a log-hazard: **higher risk = shorter survival**. This is what scikit-survival
expects (``concordance_index_censored(event, time, risk)``); lifelines'
``concordance_index(time, score, event)`` expects a *survival* score, so the same number
comes out of ``lifelines.utils.concordance_index(time, -risk, event)`` (except for risks
closer than 1e-8, below).

``time`` is in days (any positive unit works), ``event`` is True for an observed death /
event and False for a censored sample.

Harrell's C counts, over comparable pairs, how often the sample that failed first had the
higher risk. A pair ``(i, j)`` is comparable when ``i`` had an event and ``time[i] <
time[j]``, or ``time[i] == time[j]`` and ``j`` is censored (the event is taken to come
first). Two events at the same time are not comparable. Tied risks count 1/2, and risks
within ``TIED_TOL`` = 1e-8 of each other are tied (scikit-survival's ``tied_tol``; lifelines
and this module before it used the library compare risks exactly, so ``[1 + 1e-10, 1]``
counted as concordant there and counts as a tie here).

Bootstrap fast path
-------------------
:func:`bootstrap_c_index` recomputes Harrell's C on each of ``n_boot`` (1,000) resamples,
for every benchmark cell and every cancer type. sksurv's count loops in Python over event
samples: ``benchmarks/bench_survival.py`` measured one 1,000-resample bootstrap at
4.9–5.2 × (n = 120: 1.7 s vs 0.34 s) and 6.5–8.9 × (n = 1,000: 11 s vs 1.2 s) the time of
the vectorised O(n log² n) count kept here, with identical intervals (benchmarks/README.md).
Through the library, a cell of 2,000 test samples over 33 cancer types would spend about
1.5 minutes on intervals (37 s at n = 2,000, 1–2 s per type), against about 20 s. The
count uses sksurv's
tie rule (risks grouped by ``TIED_TOL``) and is tested equal to sksurv to 1e-12 on data
with tied times, tied risks and censored ties; where grouping by ``TIED_TOL`` is not
transitive (a chain of risks each within 1e-8 of the next but spanning more), the bootstrap
calls sksurv instead. ``engine="sksurv"`` always calls the library.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np

from genemoe.errors import input_error
from genemoe.evaluate.survival_flags import (  # ci_reason: re-exported, as before
    DEGENERATE_TIES,
    MIN_CI_PAIRS,
    ci_reason,
    degenerate_groups,
    is_degenerate,
    within_flags,
)
from genemoe.evaluate.survival_tests import (
    check_groups,
    check_survival,
    kaplan_meier,
    logrank_test,
    median_split_logrank,
    within_strata_logrank,
)

__all__ = [
    "concordance_index",
    "uno_c_index",
    "bootstrap_c_index",
    "ci_reason",
    "comparable_pairs",
    "c_index_by_group",
    "within_group_c_index",
    "type_rate_risk",
    "kaplan_meier",
    "logrank_test",
    "median_split_logrank",
    "survival_metrics",
]

log = logging.getLogger(__name__)

ArrayLike = np.ndarray | Sequence[float]

TIED_TOL = 1e-8
"""Risks closer than this are tied (``tied_tol`` of sksurv's ``concordance_index_censored``)."""


# --------------------------------------------------------------------------- Harrell's C
def _run_position(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted so equal ``keys`` rows are contiguous: index within run, run length."""
    n = keys.shape[0]
    new = np.ones(n, dtype=bool)
    new[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    starts = np.flatnonzero(new)
    lengths = np.diff(np.append(starts, n))
    run = np.cumsum(new) - 1
    return np.arange(n) - starts[run], lengths[run]


def _count_later(rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per position ``p``: #{q > p: rank[q] < rank[p]} and #{q > p: rank[q] == rank[p]}.

    Bottom-up merge counting: at each level, every element of a left block is compared
    with the sorted right block of the same pair, all pairs at once via one searchsorted.
    """
    n = rank.size
    m = int(rank.max()) + 1 if n else 1
    less = np.zeros(n, np.int64)
    equal = np.zeros(n, np.int64)
    pos = np.arange(n)
    width = 1
    while width < n:
        pair = pos // (2 * width)
        right = (pos // width) % 2 == 1
        right_keys = np.sort(pair[right] * m + rank[right])
        left = np.flatnonzero(~right)
        key = pair[left] * m + rank[left]
        lo = np.searchsorted(right_keys, key, "left")
        hi = np.searchsorted(right_keys, key, "right")
        less[left] += lo - np.searchsorted(right_keys, pair[left] * m, "left")
        equal[left] += hi - lo
        width *= 2
    return less, equal


def _tie_ranks(risk: np.ndarray, tol: float = TIED_TOL) -> np.ndarray | None:
    """Integer rank of each risk, equal exactly where sksurv counts a tie (``|a - b| <= tol``).

    Sorted distinct risks are grouped where neighbours are within ``tol``. That equals the
    pairwise rule when every group spans at most ``tol``; otherwise None (not transitive).
    """
    values, inverse = np.unique(risk, return_inverse=True)
    new = np.ones(values.size, dtype=bool)
    new[1:] = np.abs(values[1:] - values[:-1]) > tol
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], values.size) - 1
    if np.any(np.abs(values[ends] - values[starts]) > tol):
        return None
    return group[inverse.reshape(-1)]


def _harrell_counts(time: np.ndarray, event: np.ndarray, rank: np.ndarray) -> tuple[float, int]:
    """(concordant + ties / 2, number of comparable pairs) for validated arrays.

    ``rank`` is ``(n_samples,)`` integer risk ranks from :func:`_tie_ranks` (equal = tied).
    """
    # Sort by time ascending, events before censored at the same time, risk descending.
    order = np.lexsort((-rank, ~event, time))
    t, e, r = time[order], event[order], rank[order]
    less, equal = _count_later(r)
    comparable = (t.size - 1 - np.arange(t.size)).astype(np.int64)
    # Events tied in time are not comparable: remove the later ones in the same
    # (time, event) run; within it risks descend, so they have lower or equal risk.
    k, g = _run_position(np.column_stack([t, e]))
    k_eq, g_eq = _run_position(np.column_stack([t, e, r]))
    later_tied = g - 1 - k
    later_tied_equal = g_eq - 1 - k_eq
    less -= later_tied - later_tied_equal
    equal -= later_tied_equal
    comparable -= later_tied
    score = float(np.sum(less[e]) + 0.5 * np.sum(equal[e]))
    return score, int(np.sum(comparable[e]))


def concordance_index(time: ArrayLike, event: ArrayLike, risk: ArrayLike) -> float:
    """Harrell's concordance index of ``risk`` (higher = shorter survival).

    Parameters
    ----------
    time
        ``(n_samples,)`` follow-up times.
    event
        ``(n_samples,)`` bool, True where the event was observed.
    risk
        ``(n_samples,)`` predicted risk (log-hazard).

    Returns
    -------
    float
        In [0, 1]; 0.5 is random, 1 a perfect ranking:
        ``sksurv.metrics.concordance_index_censored(event, time, risk)[0]`` (risks within
        ``TIED_TOL`` count as tied).

    Raises
    ------
    InputError
        Lengths differ, NaN values, all samples censored, or no comparable pair.
    """
    t, e, r = check_survival(time, event, (risk, "risk"))
    value = _sksurv_c(t, e, r)
    if value is None:
        raise input_error(
            "no comparable pairs (every event is tied with every later sample)",
            where="time",
            fix="the C-index needs an event before another time",
        )
    return value


def _sksurv_c(t: np.ndarray, e: np.ndarray, r: np.ndarray) -> float | None:
    """sksurv's Harrell's C of validated arrays; None without a comparable pair."""
    from sksurv.exceptions import NoComparablePairException
    from sksurv.metrics import concordance_index_censored

    if t.size < 2 or not e.any():  # sksurv raises for these; neither has a comparable pair
        return None
    try:
        # Events tied only with each other: sksurv divides 0 by 0 pairs (NaN, a warning).
        with np.errstate(invalid="ignore", divide="ignore"):
            value = float(concordance_index_censored(e, t, r, tied_tol=TIED_TOL)[0])
    except NoComparablePairException:
        return None
    return value if np.isfinite(value) else None


def within_group_c_index(time: ArrayLike, event: ArrayLike, risk: ArrayLike,
                         groups: ArrayLike) -> float | None:
    """Harrell's C over the comparable pairs of one group only (a stratified C-index):
    concordant pairs (ties in risk half) of every group over their comparable pairs. Pooled
    over cancer types, a risk that only tells the types apart scores well; within them it
    scores 0.5. None without a comparable pair within a group. All ``(n_samples,)``."""
    from sksurv.exceptions import NoComparablePairException
    from sksurv.metrics import concordance_index_censored

    t, e, r = check_survival(time, event, (risk, "risk"), need_event=False)
    g = check_groups(groups, t.size)
    score = pairs = 0.0
    for label in np.unique(g):
        m = g == label
        if m.sum() < 2 or not e[m].any():
            continue
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                _, conc, disc, tied, _ = concordance_index_censored(e[m], t[m], r[m], tied_tol=TIED_TOL)
        except NoComparablePairException:
            continue
        score, pairs = score + conc + 0.5 * tied, pairs + conc + disc + tied
    return float(score / pairs) if pairs else None


def type_rate_risk(time_train: ArrayLike, event_train: ArrayLike, groups_train: ArrayLike,
                   groups: ArrayLike) -> np.ndarray:
    """The risk of cancer type alone ``(n_samples,)``: each type's training death rate
    (deaths per day of follow-up, log), the training's overall rate for a type it lacks."""
    t, e = check_survival(time_train, event_train, need_event=False)
    g_tr = check_groups(groups_train, t.size)
    overall = max(e.sum(), 0.5) / t.sum()
    rate = {label: max(e[g_tr == label].sum(), 0.5) / max(t[g_tr == label].sum(), 1.0)
            for label in np.unique(g_tr)}  # 0.5: a type without deaths still ranks lowest
    return np.log([rate.get(label, overall) for label in np.asarray(groups)])


def uno_c_index(time_train: ArrayLike, event_train: ArrayLike, time: ArrayLike, event: ArrayLike,
                risk: ArrayLike, *, tau: float | None = None) -> float:
    """Uno's IPCW concordance index (censoring weights estimated on the training data).

    Parameters
    ----------
    time_train, event_train
        ``(n_train,)`` training follow-up, used to estimate the censoring distribution.
    time, event, risk
        ``(n_samples,)`` test follow-up and predicted risk (higher = worse).
    tau
        Truncation time: only pairs with the earlier time below ``tau`` count. Needed when
        test times exceed the largest training time.

    Returns
    -------
    float
        ``sksurv.metrics.concordance_index_ipcw(...)[0]``.
    """
    from sksurv.metrics import concordance_index_ipcw
    from sksurv.util import Surv

    t_tr, e_tr = check_survival(time_train, event_train)
    t, e, r = check_survival(time, event, (risk, "risk"))
    try:
        return float(
            concordance_index_ipcw(
                Surv.from_arrays(e_tr, t_tr), Surv.from_arrays(e, t), r, tau=tau
            )[0]
        )
    except (ValueError, ZeroDivisionError) as exc:
        raise input_error(
            f"Uno's C-index failed: {exc}",
            where="time",
            fix="pass tau below the largest training follow-up time",
        ) from exc


def _uno_truncated(time_train: ArrayLike, event_train: ArrayLike, t: np.ndarray, e: np.ndarray,
                   r: np.ndarray) -> tuple[float | None, float | None]:
    """Uno's C and its truncation time (None: none needed). Deaths where the training
    censoring survival G is below 0.2 weigh over 25 (1/G²): truncate where G falls below 0.2
    (only deaths before it count) when a test death lies there or beyond, or when test
    follow-up outlasts the training's (at the last training time before the largest if G
    never falls so low). Just below the largest training time, the rule
    before, a death where G was 0.048 weighed about 430 and set the whole score (0.239 beside
    Harrell's 0.664); the rule applied only beyond the training follow-up, so a death at day
    2,680 where G was 0.131 (weight 58) still counted fully (a probe: 0.802, 0.751
    truncated). None if it fails."""
    t_tr, e_tr = check_survival(time_train, event_train)
    at, g = kaplan_meier(t_tr, ~e_tr)  # the censoring distribution, as sksurv weighs by it
    low = g < 0.2
    if low.any():  # deaths before this time weigh at most 25
        tau: float | None = float(at[low][0])
    else:
        ok, times = at[at < t_tr.max()], np.unique(t_tr)
        tau = float(ok[-1]) if ok.size else float(times[-2]) if len(times) > 1 else None
    heavy = bool(low.any()) and bool((e & (t >= tau)).any())
    if not heavy:
        try:
            return uno_c_index(time_train, event_train, t, e, r), None
        except ValueError:  # InputError is a ValueError: test follow-up beyond training
            pass
    try:
        value = uno_c_index(time_train, event_train, t, e, r, tau=tau)
        log.info("Uno's C-index truncated at tau=%.0f days (%s)", tau,
                 "the training censoring survival below 0.2 after it" if heavy
                 else "test follow-up beyond training")
        return value, tau
    except ValueError as exc:
        log.warning("Uno's C-index skipped: %s", exc)
        return None, None


def bootstrap_c_index(
    time: ArrayLike,
    event: ArrayLike,
    risk: ArrayLike,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    engine: Literal["fast", "sksurv"] = "fast",
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of Harrell's C.

    Parameters
    ----------
    time, event, risk
        ``(n_samples,)`` as in :func:`concordance_index`.
    n_boot
        Number of resamples (with replacement, same size). Resamples without a comparable
        pair are skipped.
    seed
        Seed of the resampling.
    alpha
        The interval covers ``1 - alpha``.
    engine
        ``"fast"``: the vectorised pair count (equal to sksurv to 1e-12, 5–9 × faster; see
        the module docstring), falling back to sksurv where risks form a chain of near-ties;
        ``"sksurv"``: ``concordance_index_censored`` on every resample.

    Returns
    -------
    (lo, hi)
        NaN, NaN when no resample had a comparable pair, or when every resample gave the
        same C (perfect order in a few pairs: 8 patients, 2 deaths gave "1.000 [1.000,
        1.000]", an interval of zero width claiming certainty); :func:`ci_reason` says which.
    """
    t, e, r = check_survival(time, event, (risk, "risk"))
    if n_boot < 1 or not 0 < alpha < 1:
        raise input_error(
            f"need n_boot >= 1 and 0 < alpha < 1, got {n_boot}, {alpha}", where="bootstrap_c_index"
        )
    if engine not in ("fast", "sksurv"):
        raise input_error(
            f"unknown engine {engine!r}", where="bootstrap_c_index", fix="use 'fast' or 'sksurv'"
        )
    rank = _tie_ranks(r) if engine == "fast" else None
    if engine == "fast" and rank is None:
        log.info("risks form a chain of near-ties (within %g): bootstrap through sksurv", TIED_TOL)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, t.size, t.size)
        if rank is None:
            value = _sksurv_c(t[idx], e[idx], r[idx])
        else:
            score, n_pairs = _harrell_counts(t[idx], e[idx], rank[idx])
            value = score / n_pairs if n_pairs else None
        if value is not None:
            values.append(value)
    if not values or np.ptp(values) == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def comparable_pairs(time: ArrayLike, event: ArrayLike, risk: ArrayLike) -> int | None:
    """How many comparable pairs Harrell's C of ``risk`` counts (all ``(n_samples,)``);
    None where the risks form a chain of near-ties (the fast count does not apply)."""
    t, e, r = check_survival(time, event, (risk, "risk"), need_event=False)
    ranks = _tie_ranks(r)
    return None if ranks is None else _harrell_counts(t, e, ranks)[1]


def _c_interval(t: np.ndarray, e: np.ndarray, r: np.ndarray, c: float, n_boot: int, seed: int,
                alpha: float = 0.05) -> tuple[list[float], str | None]:
    """The bootstrap interval of an observed C of ``c``, or NaNs and why there is none: a
    degenerate C (0 or 1: no resample differs; every risk the same, a model that learnt
    nothing: 0.5 from ties alone), fewer than :data:`MIN_CI_PAIRS` pairs, or every resample
    the same."""
    if np.ptp(r) <= TIED_TOL:  # a Coxnet without a gene: was "none: every resample the same"
        return [float("nan")] * 2, DEGENERATE_TIES
    pairs = comparable_pairs(t, e, r)
    if is_degenerate(c) or (pairs is not None and pairs < MIN_CI_PAIRS):
        return [float("nan")] * 2, ci_reason(c, pairs)
    ci = list(bootstrap_c_index(t, e, r, n_boot=n_boot, seed=seed, alpha=alpha))
    return ci, ci_reason(c, pairs) if np.isnan(ci[0]) else None


def c_index_by_group(time: ArrayLike, event: ArrayLike, risk: ArrayLike, groups: ArrayLike, *,
                     n_boot: int = 1000, seed: int = 0, alpha: float = 0.05) -> dict:
    """Harrell's C within each group (e.g. cancer type), with a bootstrap interval where the
    group has :data:`MIN_CI_PAIRS` comparable pairs (4 patients, 3 pairs: "0.0 [0.0, 0.0]").

    Parameters
    ----------
    time, event, risk
        ``(n_samples,)`` as in :func:`concordance_index`.
    groups
        ``(n_samples,)`` group label of each sample.
    n_boot, seed, alpha
        As in :func:`bootstrap_c_index`.

    Returns
    -------
    dict
        ``{group: {"c_index", "n", "n_events", "ci": [lo, hi], "reason"}}`` in sorted group
        order. Groups with fewer than 2 events (or no comparable pair) get NaN and a
        ``reason``; otherwise ``reason`` is None. Too few pairs for an interval, or a C of
        exactly 0 or 1 or of risks all the same (also ``"degenerate": True``): ``ci`` NaN,
        ``ci_reason`` says why.
    """
    t, e, r = check_survival(time, event, (risk, "risk"), need_event=False)
    g = check_groups(groups, t.size)
    out: dict = {}
    for label in np.unique(g):
        m = g == label
        key = label.item() if hasattr(label, "item") else label
        n_events = int(e[m].sum())
        entry = {
            "c_index": float("nan"),
            "n": int(m.sum()),
            "n_events": n_events,
            "ci": [float("nan"), float("nan")],
            "reason": None,
        }
        value = _sksurv_c(t[m], e[m], r[m]) if n_events >= 2 else None
        if n_events < 2:
            entry["reason"] = f"fewer than 2 events ({n_events})"
        elif value is None:
            entry["reason"] = "no comparable pairs"
        else:  # few pairs: resamples of them are degenerate; a C of 0 or 1 is (ci_reason)
            entry["c_index"] = value
            entry["ci"], why = _c_interval(t[m], e[m], r[m], value, n_boot, seed, alpha)
            if why is not None:
                entry["ci_reason"] = why
            if why is not None and why.startswith("degenerate"):
                entry["degenerate"] = True
        out[key] = entry
    return out


# --------------------------------------------------------------------------- summary
def survival_metrics(
    time: ArrayLike,
    event: ArrayLike,
    risk: ArrayLike,
    *,
    groups: ArrayLike | None = None,
    time_train: ArrayLike | None = None,
    event_train: ArrayLike | None = None,
    risk_train: ArrayLike | None = None,
    groups_train: ArrayLike | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """Every survival metric of a risk prediction, as one JSON-ready dict.

    Parameters
    ----------
    time, event, risk
        ``(n_samples,)`` test follow-up and predicted risk (higher = worse).
    groups
        Optional ``(n_samples,)`` cancer type (or other group) per sample.
    time_train, event_train
        Optional ``(n_train,)`` training follow-up, for Uno's C-index.
    risk_train
        Optional ``(n_train,)`` the model's training risk: with the training follow-up,
        adds the integrated Brier score (:func:`genemoe.evaluate.brier.integrated_brier`).
    groups_train
        Optional ``(n_train,)`` training cancer types: with ``groups`` of two types or more,
        adds ``within_type_c_index`` (:func:`within_group_c_index`; where degenerate also
        ``within_type_c_index_degenerate`` and ``_reason``: ``survival_flags.within_flags``) and
        ``type_only_c_index``, the C-index of cancer type alone (:func:`type_rate_risk`):
        how much of the pooled C the types give.
    n_boot, seed
        Bootstrap resamples and seed for the confidence intervals.

    Returns
    -------
    dict
        ``c_index`` (Harrell's), ``c_index_ci`` ([lo, hi], 95 %; NaN with
        ``c_index_ci_reason`` where every resample gave one value, or fewer than
        :data:`MIN_CI_PAIRS` pairs, as per type), ``c_index_degenerate`` (True where the C
        is exactly 0 or 1, or every risk the same) and ``types_degenerate_c`` (such types), ``c_index_by_type`` (see
        :func:`c_index_by_group`; None without ``groups``), ``uno_c_index`` (None without
        training data or when it fails; the reason is logged), ``logrank_p`` (median risk
        split over the types pooled; NaN when all risks are equal), ``logrank_high_died_sooner``
        (the split's direction; None without a split); with ``groups`` of two types or more
        ``logrank_p_within_type`` (each type split at its own median, log-rank stratified by
        type: :func:`~genemoe.evaluate.survival_tests.within_strata_logrank`) and
        ``logrank_within_type_high_died_sooner``; ``n``, ``n_events`` (below 2: C-index NaN,
        no interval, no Uno's C, and ``c_index_reason`` says why); with the training
        follow-up ``auc_1y``, ``auc_3y``, ``auc_5y`` (cumulative/dynamic AUC,
        :func:`~genemoe.evaluate.brier.time_dependent_auc`; None where undefined; with
        ``type_only_c_index`` also ``type_only_auc_1y`` etc.); with ``risk_train``
        also ``integrated_brier_score`` (None when it cannot be computed) and its
        ``ibs_null_reference``, ``ibs_times`` (days to 0.1), ``ibs_n_times``, ``ibs_censoring_floor``
        (the window ends before the training censoring survival falls below it) and
        ``ibs_censoring_cut`` where that ended it earlier.
    """
    t, e, r = check_survival(time, event, (risk, "risk"))
    # as per type, no C below 2 events: one gave 1.000 [1.000, 1.000] (a resample holds that
    # event, then C = 1, or none, then no C at all)
    few = f"fewer than 2 events ({int(e.sum())})" if e.sum() < 2 else None
    uno, tau = None, None
    if time_train is None or event_train is None:
        log.info("Uno's C-index skipped: no training follow-up given")
    elif few is None:
        uno, tau = _uno_truncated(time_train, event_train, t, e, r)
    try:
        split = median_split_logrank(t, e, r)
        logrank_p, sooner = split["p_value"], split["high_died_sooner"]
    except ValueError as exc:
        log.warning("median-split log-rank skipped: %s", exc)
        logrank_p, sooner = float("nan"), None
    c = float("nan") if few else concordance_index(t, e, r)
    ci, why = ([float("nan")] * 2, None) if few else _c_interval(t, e, r, c, n_boot, seed)
    out = {
        "c_index": c,
        "c_index_ci": ci,
        "c_index_by_type": None if groups is None else c_index_by_group(t, e, r, groups,
                                                                        n_boot=n_boot, seed=seed),
        "uno_c_index": uno, "uno_tau": tau,  # the truncation day, where one was needed
        "logrank_p": logrank_p,
        "logrank_high_died_sooner": sooner,  # the two-sided p has no direction
        "n": int(t.size),
        "n_events": int(e.sum()),
    } | ({"c_index_reason": few} if few else {}) | (
        {"c_index_ci_reason": why} if why else {}) | (
        {"c_index_degenerate": True} if why and why.startswith("degenerate") else {})
    if degenerate := degenerate_groups(out["c_index_by_type"]):  # C 0 or 1: flagged, not plain
        out["types_degenerate_c"] = degenerate
    if groups is not None and len(set(np.asarray(groups).tolist())) > 1 and not few:
        out["within_type_c_index"] = within = within_group_c_index(t, e, r, groups)
        out.update(within_flags(within, why == DEGENERATE_TIES))  # 0, 1 or risks tied: flagged
        try:  # the pooled split also carries the types' own survival differences
            split = within_strata_logrank(t, e, r, groups)
            out["logrank_p_within_type"] = split["p_value"]
            out["logrank_within_type_high_died_sooner"] = split["high_died_sooner"]
        except ValueError as exc:
            log.warning("within-type log-rank skipped: %s", exc)
        if groups_train is not None and time_train is not None and event_train is not None:
            by_type = type_rate_risk(time_train, event_train, groups_train, groups)
            out["type_only_c_index"] = _sksurv_c(t, e, by_type)
    if time_train is not None and event_train is not None and not few:
        from genemoe.evaluate.brier import time_dependent_auc, type_only_auc

        out.update(time_dependent_auc(time_train, event_train, t, e, r))
        if "type_only_c_index" in out:  # the types' own share, as for the C (type_only_auc_1y)
            out.update(type_only_auc(time_train, event_train, t, e, by_type))
    if risk_train is not None and time_train is not None and event_train is not None:
        from genemoe.evaluate.brier import integrated_brier, rounded_window

        ibs = integrated_brier(time_train, event_train, risk_train, t, e, r)
        out.update(rounded_window(ibs) if ibs else {"integrated_brier_score": None})  # days 0.1
    return out
