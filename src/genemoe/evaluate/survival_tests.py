"""Survival input checks, the Kaplan–Meier estimate and log-rank tests.

:func:`check_survival` validates follow-up, events and same-length arrays (one clear error
each); :func:`kaplan_meier` and :func:`logrank_test` wrap scikit-survival's and lifelines'
estimators; :func:`median_split_logrank` splits patients at the median risk;
:func:`stratified_logrank` and :func:`within_strata_logrank` test within strata (cancer
types), each with its own baseline hazard and its own median.
:mod:`genemoe.evaluate.survival` builds the concordance metrics on them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genemoe.errors import input_error

__all__ = ["as_1d", "check_survival", "check_groups", "kaplan_meier", "kaplan_meier_curve",
           "logrank_test", "median_split_logrank", "observed_minus_expected", "stratified_logrank",
           "within_strata_logrank"]

ArrayLike = np.ndarray | Sequence[float]


# --------------------------------------------------------------------------- input checks
def as_1d(x: ArrayLike, name: str, *, dtype: type = np.float64) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise input_error(f"{name} must be 1-D, got shape {arr.shape}", where=name)
    if dtype is bool:
        if arr.dtype != bool:
            if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isin(arr, (0, 1))):
                raise input_error(f"{name} must be boolean (True = event) or 0/1", where=name)
        return arr.astype(bool)
    arr = arr.astype(dtype)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise input_error(
            f"{name} contains {bad.size} NaN or infinite value(s), first at position {bad[0]}",
            where=name,
            fix="drop samples without follow-up or prediction",
        )
    return arr


def check_survival(
    time: ArrayLike, event: ArrayLike, *others: tuple[ArrayLike, str], need_event: bool = True
) -> tuple[np.ndarray, ...]:
    """Validate ``time``, ``event`` and same-length ``others``; return them as arrays."""
    t = as_1d(time, "time")
    e = as_1d(event, "event", dtype=bool)
    rest = [as_1d(x, name) for x, name in others]
    names = ["event"] + [name for _, name in others]
    for arr, name in zip([e, *rest], names, strict=True):
        if arr.size != t.size:
            raise input_error(f"time has {t.size} samples but {name} has {arr.size}", where=name)
    if t.size == 0:
        raise input_error("no samples", where="time")
    if np.any(t < 0):
        raise input_error("time contains negative values", where="time")
    if need_event and not e.any():
        raise input_error(
            "all samples are censored",
            where="event",
            fix="survival metrics need at least one observed event",
        )
    return (t, e, *rest)


def check_groups(groups: ArrayLike, n: int) -> np.ndarray:
    g = np.asarray(groups)
    if g.ndim != 1 or g.size != n:
        raise input_error(
            f"groups must be 1-D with {n} entries, got shape {g.shape}", where="groups"
        )
    if g.dtype.kind == "f" and np.any(np.isnan(g)):
        raise input_error("groups contains NaN", where="groups")
    return g


# --------------------------------------------------------------------------- KM, log-rank
def kaplan_meier(time: ArrayLike, event: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier estimate of the survival function.

    Parameters
    ----------
    time, event
        ``(n_samples,)`` follow-up and event indicator.

    Returns
    -------
    times
        ``(n_event_times,)`` distinct event times, ascending.
    survival
        ``(n_event_times,)`` S(t) just after each event time: a right-continuous step
        function, 1 before ``times[0]``. Both empty when no event was observed.
    """
    from sksurv.nonparametric import kaplan_meier_estimator

    t, e = check_survival(time, event, need_event=False)
    if not e.any():
        return np.empty(0), np.empty(0)
    all_times, survival = kaplan_meier_estimator(e, t)  # at every distinct time
    keep = np.isin(all_times, t[e])
    return np.asarray(all_times[keep], dtype=float), np.asarray(survival[keep], dtype=float)


def kaplan_meier_curve(time: ArrayLike, event: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier estimate at every distinct follow-up time, censorings included: a
    plotted curve runs to the last follow-up (:func:`kaplan_meier` stops at the last death,
    hiding the patients followed beyond it), and S at a censoring time places its tick.

    Returns
    -------
    times, survival
        ``(n_distinct_times,)`` ascending, and S(t) just after each (empty without samples).
    """
    from sksurv.nonparametric import kaplan_meier_estimator

    t, e = check_survival(time, event, need_event=False)
    if not t.size:
        return np.empty(0), np.empty(0)
    all_times, survival = kaplan_meier_estimator(e, t)
    return np.asarray(all_times, dtype=float), np.asarray(survival, dtype=float)


def stratified_logrank(time: ArrayLike, event: ArrayLike, group: ArrayLike,
                       strata: ArrayLike) -> dict:
    """Two-group log-rank test stratified by ``strata`` (R's ``survdiff(... + strata(s))``).

    Each stratum has its own baseline hazard: observed minus expected deaths of ``group``
    and their hypergeometric variances are summed over the strata's death times, and
    ``(sum O - E)^2 / sum V`` is chi-square with 1 degree of freedom. With one stratum it
    is the ordinary log-rank test.

    Parameters
    ----------
    time, event
        ``(n,)`` follow-up and event indicator.
    group
        ``(n,)`` bool: the group tested (e.g. the higher-risk half).
    strata
        ``(n,)`` stratum labels (e.g. cancer types).

    Returns
    -------
    dict
        ``p_value``, ``statistic``, ``observed_minus_expected`` (of ``group``; > 0: it died
        sooner than one curve per stratum predicts).
    """
    from scipy.stats import chi2

    t, e = check_survival(time, event, need_event=False)
    g, st = np.asarray(group, bool), np.asarray(strata, dtype=object).astype(str)
    o_e = var = 0.0
    for s in np.unique(st):
        m = st == s
        ts, es, gs = t[m], e[m], g[m]
        for d_t in np.unique(ts[es]):
            at = ts >= d_t
            n, n1 = at.sum(), (at & gs).sum()
            d = ((ts == d_t) & es).sum()
            o_e += ((ts == d_t) & es & gs).sum() - d * n1 / n
            var += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1) if n > 1 else 0.0
    if var <= 0:
        raise input_error("no stratum has deaths in both groups' risk sets: the stratified "
                          "log-rank test is undefined", where="risk groups")
    stat = o_e ** 2 / var
    return {"p_value": float(chi2.sf(stat, 1)), "statistic": float(stat),
            "observed_minus_expected": float(o_e)}


def within_strata_logrank(time: ArrayLike, event: ArrayLike, risk: ArrayLike,
                          strata: ArrayLike) -> dict:
    """Each stratum split at its own median risk, then :func:`stratified_logrank`: the risk
    split's survival difference within cancer types (the pooled median split also carries
    the types' own differences). ``p_value``, ``statistic``, ``high_died_sooner``."""
    t, e, r = check_survival(time, event, (risk, "risk"))
    st = np.asarray(strata, dtype=object).astype(str)
    med = {s: np.median(r[st == s]) for s in np.unique(st)}
    high = r > np.array([med[s] for s in st])
    res = stratified_logrank(t, e, high, st)
    return {"p_value": res["p_value"], "statistic": res["statistic"],
            "high_died_sooner": bool(res["observed_minus_expected"] > 0)}


def logrank_test(time: ArrayLike, event: ArrayLike, groups: ArrayLike) -> dict:
    """Log-rank test that two or more groups share one survival function.

    Parameters
    ----------
    time, event
        ``(n_samples,)`` follow-up and event indicator.
    groups
        ``(n_samples,)`` group labels (at least two distinct).

    Returns
    -------
    dict
        ``statistic`` (chi-square, df = n_groups - 1), ``p_value``, ``df``, from
        ``lifelines.statistics.multivariate_logrank_test``.
    """
    from lifelines.statistics import multivariate_logrank_test

    t, e = check_survival(time, event)
    labels, codes = np.unique(check_groups(groups, t.size), return_inverse=True)
    if labels.size < 2:
        raise input_error(f"log-rank needs at least 2 groups, got {labels.size}", where="groups")
    res = multivariate_logrank_test(t, codes.reshape(-1), e)
    df = labels.size - 1
    return {"statistic": float(res.test_statistic), "p_value": float(res.p_value), "df": int(df)}


def median_split_logrank(time: ArrayLike, event: ArrayLike, risk: ArrayLike) -> dict:
    """Log-rank test between samples above the median risk and the rest.

    Returns
    -------
    dict
        ``p_value``, ``statistic``, ``threshold`` (the median risk), ``n_high`` (risk >
        threshold), ``n_low``, ``high_died_sooner``: whether the higher-risk half had more
        deaths than expected under one shared survival curve (the two-sided p says nothing
        of the direction: a model ranking backwards has a small p too).
    """
    t, e, r = check_survival(time, event, (risk, "risk"))
    threshold = float(np.median(r))
    high = r > threshold
    if high.all() or not high.any():
        raise input_error("all risks are equal: the median split leaves one group", where="risk")
    res = logrank_test(t, e, high)
    return {
        "p_value": res["p_value"],
        "statistic": res["statistic"],
        "threshold": threshold,
        "n_high": int(high.sum()),
        "n_low": int((~high).sum()),
        "high_died_sooner": bool(observed_minus_expected(t, e, high) > 0),
    }


def observed_minus_expected(time: np.ndarray, event: np.ndarray, group: np.ndarray) -> float:
    """Deaths in ``group`` minus those expected were every patient on one survival curve
    (the log-rank's O − E, summed over the distinct death times); all ``(n,)``."""
    t, e, g = np.asarray(time, np.float64), np.asarray(event, bool), np.asarray(group, bool)
    deaths = np.unique(t[e])
    at_risk = t[None, :] >= deaths[:, None]  # (n_death_times, n)
    died = (t[None, :] == deaths[:, None]) & e[None, :]
    expected = died.sum(1) * (at_risk & g).sum(1) / at_risk.sum(1)
    return float((died & g).sum() - expected.sum())
