"""Calibration of survival predictions: the integrated Brier score of a Cox risk.

A Cox model predicts a log-hazard ``risk``, not a survival curve. A Breslow baseline
hazard fitted on the *training* patients (scikit-survival's ``BreslowEstimator``) turns it
into one: ``S(t | x) = S0(t) ** exp(risk)``. The Brier score at ``t`` is the squared error
of ``S(t | x)`` against whether the patient was still alive at ``t``, with inverse
probability of censoring weights (Graf et al., Stat. Med. 1999); integrated over time it
is scikit-survival's ``integrated_brier_score``. Lower is better; 0.25 is what a constant
``S = 0.5`` scores, and one curve for everyone (the training patients' Nelson–Aalen
estimate, a model without covariates) is the reference the score is given with.

The times are ``N_TIMES`` points between the 10th and 90th percentiles of the evaluated
part's follow-up, cut to the training follow-up (the censoring weights and the baseline
exist only there) and before the day the training patients' censoring survival G (the
Kaplan–Meier estimate of censoring) falls below ``CENSORING_FLOOR`` (0.2, as Uno's C is
truncated: ``uno_tau``), where a patient's weight 1/G would pass 5 (DLBC alone: G 0.08
beyond day 2,000 with 2 patients at risk, weights ~12.5, and a Coxnet fold scored 1.451
against no information's 0.290). An evaluated patient followed beyond the training
follow-up is censored at its end, which changes no score at an earlier time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from numbers import Real

import numpy as np

__all__ = ["breslow_cumulative_hazard", "survival_probabilities", "integrated_brier", "N_TIMES",
           "HORIZONS_YEARS", "DAYS_PER_YEAR", "survival_at_horizons", "horizon_calibration",
           "outside_ci", "last_event_time", "time_dependent_auc", "type_only_auc", "CENSORING_FLOOR", "censoring_cut",
           "ENDPOINT_NAMES", "endpoint_name", "probability_word", "event_word", "rounded_window",
           "DAY_DECIMALS", "brier_per_patient", "ibs_intervals", "N_BOOT"]

log = logging.getLogger(__name__)

N_TIMES = 50  # evaluation times of the integrated Brier score
HORIZONS_YEARS = (1, 3, 5)  # survival probabilities given at these horizons (predict, report)
DAYS_PER_YEAR = 365.25
CENSORING_FLOOR = 0.2  # the integrated Brier score's window ends where G falls below it
ENDPOINT_NAMES = {"OS": "overall survival", "DSS": "disease-specific survival",
                  "DFI": "disease-free interval", "PFI": "progression-free interval"}


def endpoint_name(endpoint: str | None) -> str | None:
    """``PFI (progression-free interval)``: a survival endpoint in words; None if unknown."""
    if not endpoint:
        return None
    full = ENDPOINT_NAMES.get(str(endpoint).upper())
    return f"{endpoint} ({full})" if full else str(endpoint)


def probability_word(endpoint: str | None) -> str:
    """What ``S(t)`` is of an endpoint: ``survival`` for OS and an unknown endpoint (older
    runs), else ``PFI probability`` (a PFI model's curves read as overall survival)."""
    return "survival" if not endpoint or str(endpoint).upper() == "OS" else f"{endpoint} probability"


def event_word(endpoint: str | None) -> str:
    """An endpoint's event: ``death`` for OS and an unknown endpoint, else ``event``
    (a progression was called a death)."""
    return "death" if not endpoint or str(endpoint).upper() == "OS" else "event"


def breslow_cumulative_hazard(time: np.ndarray, event: np.ndarray, risk: np.ndarray
                              ) -> tuple[np.ndarray, np.ndarray, float]:
    """Breslow's cumulative baseline hazard of training ``risk`` ``(n,)``.

    Returns
    -------
    tuple
        Event times ``(k,)``, cumulative hazard ``(k,)`` at them, and the centre subtracted
        from the risks (the mean training risk, which keeps ``exp`` finite; predictions
        subtract it too).
    """
    from sksurv.linear_model.coxph import BreslowEstimator

    centre = float(np.mean(risk))
    est = BreslowEstimator().fit(np.asarray(risk, np.float64) - centre, np.asarray(event, bool),
                                 np.asarray(time, np.float64))
    return np.asarray(est.cum_baseline_hazard_.x), np.asarray(est.cum_baseline_hazard_.y), centre


def survival_probabilities(baseline: tuple[np.ndarray, np.ndarray, float], risk: np.ndarray,
                           times: np.ndarray) -> np.ndarray:
    """``S(t | x) = exp(-H0(t) * exp(risk - centre))``, ``(n, n_times)``.

    ``H0`` is a right-continuous step: 0 before the first training event, constant after
    the last.
    """
    x, h, centre = baseline
    pos = np.searchsorted(x, np.asarray(times, np.float64), side="right") - 1
    h0 = np.where(pos >= 0, h[np.clip(pos, 0, None)], 0.0)  # (n_times,)
    scale = np.exp(np.clip(np.asarray(risk, np.float64) - centre, -50, 50))  # (n,)
    return np.exp(-scale[:, None] * h0[None, :])


def censoring_cut(time_train: np.ndarray, event_train: np.ndarray,
                  floor: float = CENSORING_FLOOR) -> float | None:
    """The first training time where the censoring survival G (the Kaplan–Meier estimate of
    censoring among the training patients ``(n,)``) falls below ``floor``, or None where it
    never does."""
    from genemoe.evaluate.survival_tests import kaplan_meier

    at, g = kaplan_meier(np.asarray(time_train, np.float64), ~np.asarray(event_train, bool))
    low = g < floor
    return float(at[low][0]) if low.any() else None


def _eval_times(time: np.ndarray, time_train: np.ndarray, cut: float | None) -> np.ndarray:
    """``N_TIMES`` days from the 10th to the 90th percentile of ``time``, inside the training
    follow-up and before ``cut`` (:func:`censoring_cut`; None: no cut)."""
    lo, hi = np.percentile(time, [10, 90])
    lo = max(lo, float(time.min()), float(time_train.min()))
    hi = min(hi, np.nextafter(float(time.max()), -np.inf), float(time_train.max()),
             np.inf if cut is None else np.nextafter(cut, -np.inf))
    return np.unique(np.linspace(lo, hi, N_TIMES)) if hi > lo else np.array([])


def integrated_brier(time_train: np.ndarray, event_train: np.ndarray, risk_train: np.ndarray,
                     time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> dict | None:
    """Integrated Brier score of ``risk`` on ``(time, event)``, with its no-covariate reference.

    Parameters
    ----------
    time_train, event_train, risk_train
        ``(n_train,)`` training follow-up and the model's risk on them (the Breslow
        baseline and the censoring distribution).
    time, event, risk
        ``(n,)`` the evaluated part.

    Returns
    -------
    dict or None
        ``integrated_brier_score``, ``ibs_null_reference`` (the same score of one curve for
        everyone: the training patients' Nelson–Aalen estimate, i.e. a constant risk),
        ``ibs_times`` ([first, last] evaluation time, days: the 10th to 90th percentile of
        the part's follow-up, inside the training follow-up and before the training
        censoring survival falls below ``ibs_censoring_floor``, 0.2), ``ibs_n_times``, and
        ``ibs_censoring_cut`` (the day G fell below the floor) where that ended the window
        earlier; None (logged) when no evaluation time fits or scikit-survival refuses the
        data.
    """
    from sksurv.metrics import integrated_brier_score
    from sksurv.util import Surv

    t, e = np.asarray(time, np.float64), np.asarray(event, bool)
    tt, et = np.asarray(time_train, np.float64), np.asarray(event_train, bool)
    cut = censoring_cut(tt, et) if tt.size else None
    times = _eval_times(t, tt, cut)
    shortened = cut is not None and bool(times.size) and _eval_times(t, tt, None)[-1] >= cut
    tau = float(tt.max()) if tt.size else np.inf
    if beyond := (t > tau).any():  # scikit-survival's censoring estimate ends at the training
        #   follow-up and refuses later test times when it ends on a death (a whole
        #   benchmark fold lost its score): censored at tau. Exact: the score at a time before
        #   tau reads a patient's follow-up only up to that time
        t, e = np.minimum(t, tau), e & (t <= tau)
        times = times[times < tau]
    if times.size < 2 or not et.any():
        log.info("integrated Brier score skipped: no evaluation times inside the training "
                 "follow-up%s", "" if cut is None else
                 f" before day {cut:.0f} (training censoring survival below {CENSORING_FLOOR})")
        return None
    baseline = breslow_cumulative_hazard(tt, et, np.asarray(risk_train, np.float64))
    try:
        y_train, y_test = Surv.from_arrays(et, tt), Surv.from_arrays(e, t)
        est = survival_probabilities(baseline, risk, times)
        ibs = integrated_brier_score(y_train, y_test, est, times)
        ref_base = breslow_cumulative_hazard(tt, et, np.zeros_like(tt))  # = Nelson–Aalen
        null = survival_probabilities(ref_base, np.zeros_like(t), times)
        ref = integrated_brier_score(y_train, y_test, null, times)
        intervals = ibs_intervals(brier_per_patient(y_train, t, e, est, times),
                                  brier_per_patient(y_train, t, e, null, times))
    except ValueError as exc:
        log.warning("integrated Brier score skipped: %s", exc)
        return None
    return {"integrated_brier_score": float(ibs), "ibs_null_reference": float(ref), **intervals,
            "ibs_times": [float(times[0]), float(times[-1])], "ibs_n_times": int(times.size),
            "ibs_censoring_floor": CENSORING_FLOOR,
            **({"ibs_censoring_cut": cut} if shortened else {}),
            **({"ibs_censored_at_training_end": int((np.asarray(time) > tau).sum())} if beyond else {})}


N_BOOT = 1000  # bootstrap resamples of the integrated Brier score's patients


def brier_per_patient(y_train: np.ndarray, time: np.ndarray, event: np.ndarray,
                      estimate: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Each patient's share of the integrated Brier score: their inverse-probability-of-
    censoring weighted squared errors over ``times``, integrated (trapezoid) and divided by
    the window, so that their mean is scikit-survival's ``integrated_brier_score`` (the same
    weights: the training patients' censoring Kaplan–Meier, ``CensoringDistributionEstimator``).

    Parameters
    ----------
    y_train
        scikit-survival's structured ``(n_train,)`` array (the censoring distribution).
    time, event
        ``(n,)`` the evaluated patients (inside the training follow-up).
    estimate
        ``(n, n_times)`` their survival probabilities at ``times``.

    Returns
    -------
    numpy.ndarray
        ``(n,)``.
    """
    from sksurv.nonparametric import CensoringDistributionEstimator

    cens = CensoringDistributionEstimator().fit(y_train)
    g_t, g_y = cens.predict_proba(times), cens.predict_proba(time)
    g_t[g_t == 0], g_y[g_y == 0] = np.inf, np.inf  # as scikit-survival: no weight there
    case = (time[:, None] <= times[None, :]) & event[:, None]
    control = time[:, None] > times[None, :]
    scores = (np.square(estimate) * case / g_y[:, None]
              + np.square(1.0 - estimate) * control / g_t[None, :])
    return np.trapezoid(scores, times, axis=1) / (times[-1] - times[0])


def ibs_intervals(model: np.ndarray, null: np.ndarray, n_boot: int = N_BOOT,
                  seed: int = 0) -> dict[str, list[float]]:
    """95% percentile-bootstrap intervals over the evaluated patients (resampled with
    replacement, the censoring weights fixed): ``ibs_ci`` of the model's integrated Brier
    score and ``ibs_minus_null_ci`` of its difference from no information's on the same
    resamples (below 0 throughout: better than one curve for all). A score stood bare
    beside the reference, 0.182 against 0.190 read as better from 40 patients."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, model.size, size=(n_boot, model.size))
    ibs, diff = model[idx].mean(axis=1), (model - null)[idx].mean(axis=1)
    return {"ibs_ci": [round(float(v), 4) for v in np.percentile(ibs, [2.5, 97.5])],
            "ibs_minus_null_ci": [round(float(v), 4) for v in np.percentile(diff, [2.5, 97.5])]}


DAY_DECIMALS = 1
"""Decimals of the days metrics.json keeps of the score's window (was 2982.9999999999995: the
window ends a hair before a cut or the last follow-up, :func:`_eval_times`)."""


def rounded_window(ibs: dict) -> dict:
    """:func:`integrated_brier`'s result with its days (``ibs_times``, ``ibs_censoring_cut``)
    rounded to :data:`DAY_DECIMALS`, as metrics.json keeps them; the score is unchanged (it
    was computed on the exact times)."""
    out = dict(ibs)
    if out.get("ibs_times") is not None:
        out["ibs_times"] = [round(float(v), DAY_DECIMALS) for v in out["ibs_times"]]
    if out.get("ibs_censoring_cut") is not None:
        out["ibs_censoring_cut"] = round(float(out["ibs_censoring_cut"]), DAY_DECIMALS)
    return out


def _horizon_name(years: int) -> str:
    return f"survival_{years}y"


def last_event_time(baseline: dict | None) -> float | None:
    """The last training death of a ``survival_baseline``: its last time where the
    cumulative hazard rises. A Coxnet baseline (scikit-survival's Breslow step function)
    lists censored times too, to day 2,600 beside a last death at day 1,581, and 5-year
    survival was filled past it (0.0 for 10 of 36 patients), unsaid."""
    times = None if not baseline else baseline.get("times")
    if times is None or not len(times):
        return None
    times = np.asarray(times, np.float64)
    rises = np.flatnonzero(np.diff(np.asarray(baseline["cum_hazard"], np.float64), prepend=0.0) > 0)
    return float(times[rises[-1]]) if rises.size else None


def survival_at_horizons(baseline: dict | None, risk: np.ndarray) -> dict[str, np.ndarray]:
    """``{"survival_1y": (n,), ...}``: ``S(t | x) = S0(t) ** exp(risk - centre)`` at 1, 3
    and 5 years, from a model file's ``survival_baseline`` (the training patients' Breslow
    baseline: ``times``, ``cum_hazard``, ``centre``) and the risk on the model's (scaled)
    scale. NaN beyond the last training event (the baseline says nothing there); ``{}``
    without a baseline (model files written before it was stored)."""
    if baseline is None:
        return {}
    times = np.asarray(baseline["times"], np.float64)
    base = (times, np.asarray(baseline["cum_hazard"], np.float64), float(baseline["centre"]))
    last = last_event_time(baseline)  # not the last listed time: a censored one for Coxnet
    out = {}
    for years in HORIZONS_YEARS:
        t = years * DAYS_PER_YEAR
        p = survival_probabilities(base, np.asarray(risk, np.float64), np.array([t]))[:, 0]
        out[_horizon_name(years)] = (p if last is not None and t <= last
                                     else np.full(len(p), np.nan))
    return out


def _km_at(time: np.ndarray, event: np.ndarray, t: float) -> float:
    """The Kaplan–Meier estimate at ``t`` (1 before the first event)."""
    from genemoe.evaluate.survival import kaplan_meier

    x, y = kaplan_meier(time, event)
    return float(y[np.searchsorted(x, t, side="right") - 1]) if x.size and t >= x[0] else 1.0


def _km_ci_at(time: np.ndarray, event: np.ndarray, t: float) -> list[float]:
    """The 95 % pointwise interval of the Kaplan–Meier estimate at ``t`` (Greenwood's
    variance on the log-log scale, scikit-survival's ``conf_type="log-log"``); [1, 1]
    before the first event, NaN where undefined."""
    from sksurv.nonparametric import kaplan_meier_estimator

    if not event.any() or t < time[event].min():
        return [1.0, 1.0]
    x, _, ci = kaplan_meier_estimator(event, time, conf_type="log-log")
    i = np.searchsorted(x, t, side="right") - 1
    return [float(ci[0][i]), float(ci[1][i])] if i >= 0 else [float("nan")] * 2


def horizon_calibration(baseline: dict | None, time: np.ndarray, event: np.ndarray,
                        risk: np.ndarray) -> list[dict]:
    """Predicted against observed survival at 1, 3 and 5 years, for the patients of a part
    ``(n,)`` and the halves above and below their median risk: the mean of
    :func:`survival_at_horizons` against the Kaplan–Meier estimate, per horizon inside the
    part's follow-up, with the patients still at risk there (a group none of whose patients
    is followed to the horizon has no observed value, unless its estimate fell to 0 before:
    its last patient died), and the estimate's 95 % interval (Greenwood, log-log;
    ``<group>: observed 95% CI``). A horizon beyond the baseline's last training event keeps
    its row, its predicted values NaN (the 5-year row was dropped unsaid). ``[]`` without a
    baseline."""
    t, e, r = np.asarray(time, np.float64), np.asarray(event, bool), np.asarray(risk, np.float64)
    probs = survival_at_horizons(baseline, r)
    if not probs or not r.size:
        return []
    high = r > np.median(r)  # as the log-rank splits them (was >=: a tie at the median moved)
    rows = []
    for years in HORIZONS_YEARS:
        p, h = probs[_horizon_name(years)], years * DAYS_PER_YEAR
        if h > t.max():
            continue
        known = np.isfinite(p).all()  # NaN beyond the last training event: nothing predicted
        row: dict = {"horizon": f"{years} year{'s' if years > 1 else ''}"}
        for label, m in (("all", np.ones_like(high)), ("higher-risk half", high),
                         ("lower-risk half", ~high)):
            at_risk = int((t[m] >= h).sum())  # none followed to h: no observed value (was 0.000)
            row[f"{label}: predicted"] = float(p[m].mean()) if m.any() and known else np.nan
            # ... unless the estimate reached 0 before h (every patient left had died): 0
            gone = m.any() and _km_at(t[m], e[m], float(t[m].max())) == 0.0
            row[f"{label}: observed"] = (_km_at(t[m], e[m], h) if at_risk
                                         else 0.0 if gone else np.nan)
            row[f"{label}: observed 95% CI"] = (_km_ci_at(t[m], e[m], h) if at_risk
                                                else [np.nan, np.nan])
            row[f"{label}: at risk"] = at_risk
        rows.append(row)
    return rows


def outside_ci(value: object, ci: Sequence[float] | None) -> bool:
    """Whether ``value`` lies outside the interval ``ci`` (``[lo, hi]``), as a predicted
    survival against :func:`horizon_calibration`'s observed 95 % interval.

    Parameters
    ----------
    value : object
        The predicted value; any finite real number (numpy ``float32`` too), not a bool.
    ci : sequence of two floats or None
        The interval's bounds.

    Returns
    -------
    bool
        True where both are finite, the interval is wider than a point and ``value`` lies
        outside it; False otherwise (a missing value or a zero-width interval, before any
        event, is no interval to miss).
    """
    if not _finite_real(value) or ci is None or len(ci) != 2 or not all(map(_finite_real, ci)):
        return False
    lo, hi = float(ci[0]), float(ci[1])
    return lo < hi and not lo <= float(value) <= hi


def _finite_real(x: object) -> bool:
    """``x`` is a finite real number: int, float, numpy's (``float32`` too), not a bool."""
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)


def time_dependent_auc(time_train: np.ndarray, event_train: np.ndarray, time: np.ndarray,
                       event: np.ndarray, risk: np.ndarray) -> dict[str, float | None]:
    """Cumulative/dynamic AUC at 1, 3 and 5 years (Uno et al. 2007; scikit-survival's
    ``cumulative_dynamic_auc``, censoring weights from the training patients): how well
    ``risk`` ``(n,)`` tells the patients who died by ``t`` from those alive after it.

    Returns
    -------
    dict
        ``{"auc_1y": float, "auc_3y": ..., "auc_5y": ...}``; None at a horizon with no
        test death by it, no test patient followed beyond it, beyond the training
        follow-up (the censoring weights exist only there), or on or after the day the
        training censoring survival falls below :data:`CENSORING_FLOOR`
        (:func:`censoring_cut`, as the integrated Brier score's window ends and Uno's C is
        truncated: UVM alone, G 0.10 at 5 years with 1 test patient followed past them,
        gave a 5-year AUC on weights near 10). Beside each AUC computed, the
        test deaths by its horizon it rests on (``auc_1y_deaths``: 3 deaths gave an AUC of
        0.95 that read as firm) and the test patients followed past it, its controls
        (``auc_1y_controls``: a 5-year AUC on 2 of them read as firm too). With any AUC,
        ``auc_censoring_floor`` (:data:`CENSORING_FLOOR`): the rule it was computed under
        (an AUC without it came before the floor, and may rest on weights near 10).
    """
    from sksurv.metrics import cumulative_dynamic_auc
    from sksurv.util import Surv

    t, e, r = np.asarray(time, np.float64), np.asarray(event, bool), np.asarray(risk, np.float64)
    t_tr, e_tr = np.asarray(time_train, np.float64), np.asarray(event_train, bool)
    out: dict[str, float | None] = {}
    cut = censoring_cut(t_tr, e_tr)  # weights 1/G over 5 from this day on
    for years in HORIZONS_YEARS:
        h = years * DAYS_PER_YEAR
        out[f"auc_{years}y"] = None
        if not ((e & (t <= h)).any() and (t > h).any() and h < t_tr.max()):
            continue
        if cut is not None and h >= cut:
            log.info("time-dependent AUC at %d years skipped: the training censoring survival "
                     "is below %s from day %.0f", years, CENSORING_FLOOR, cut)
            continue
        # sksurv refuses test times beyond the training follow-up: a patient followed (or
        # dying) past it is a control at h < it whatever came later, so kept as censored there
        end = np.nextafter(t_tr.max(), 0.0)
        t_c, e_c = np.minimum(t, end), e & (t <= end)
        try:
            auc, _ = cumulative_dynamic_auc(Surv.from_arrays(e_tr, t_tr),
                                            Surv.from_arrays(e_c, t_c), r, [h])
        except ValueError as exc:  # e.g. the censoring survival reaches 0 before h
            log.info("time-dependent AUC at %d years skipped: %s", years, exc)
            continue
        out[f"auc_{years}y"] = float(auc[0])
        out[f"auc_{years}y_deaths"] = int((e & (t <= h)).sum())  # what the AUC rests on
        out[f"auc_{years}y_controls"] = int((t > h).sum())  # sksurv's controls: alive past h
        out["auc_censoring_floor"] = CENSORING_FLOOR  # the rule it was computed under
    return out


def type_only_auc(time_train: np.ndarray, event_train: np.ndarray, time: np.ndarray,
                  event: np.ndarray, type_risk: np.ndarray) -> dict[str, float | None]:
    """The time-dependent AUC of cancer type alone, the pooled AUC's reference as
    ``type_only_c_index`` is the C-index's: :func:`time_dependent_auc` of ``type_risk``
    ``(n,)``, each patient's type's training death rate
    (:func:`~genemoe.evaluate.survival.type_rate_risk`). ``{"type_only_auc_1y": ...}``, None
    where the model's AUC has none too (the same patients and horizons). Pooled over types, a
    risk that only told the types apart scored 0.8 and read as a gene signature's."""
    ref = time_dependent_auc(time_train, event_train, time, event, type_risk)
    return {f"type_only_auc_{years}y": ref[f"auc_{years}y"] for years in HORIZONS_YEARS}
