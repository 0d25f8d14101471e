"""Survival metrics against lifelines 0.30 and scikit-survival 0.28 on fixed and random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test as ll_logrank
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import concordance_index as ll_cindex
from sksurv.compare import compare_survival
from sksurv.metrics import concordance_index_censored, concordance_index_ipcw
from sksurv.nonparametric import kaplan_meier_estimator
from sksurv.util import Surv

from genemoe.errors import InputError
from genemoe.evaluate.survival import (
    TIED_TOL,
    _harrell_counts,
    _tie_ranks,
    bootstrap_c_index,
    c_index_by_group,
    concordance_index,
    kaplan_meier,
    logrank_test,
    median_split_logrank,
    survival_metrics,
    uno_c_index,
)

# Small fixed cohort with tied times (8, 15), tied risks (1.5, 1.0) and censoring.
TIME = np.array([5.0, 8, 8, 12, 15, 15, 20, 22, 30, 31])
EVENT = np.array([1, 1, 0, 1, 1, 1, 0, 1, 0, 1], dtype=bool)
RISK = np.array([2.0, 1.5, 1.5, 0.3, 1.0, 1.0, 0.1, -0.5, 0.0, -1.0])


def _cohort(n: int, seed: int, *, ties: bool = True) -> tuple[np.ndarray, ...]:
    """Exponential survival with risk-dependent hazard, random censoring; rounded -> ties."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    t_event = rng.exponential(100 * np.exp(-risk))
    t_cens = rng.exponential(120, n)
    time = np.minimum(t_event, t_cens)
    risk_obs = risk + rng.normal(scale=1.0, size=n)
    if ties:
        time, risk_obs = np.ceil(time / 10), np.round(risk_obs, 1)
    return time, t_event <= t_cens, risk_obs


def _tied(seed: int, *, near: bool = True) -> tuple[np.ndarray, ...]:
    """Heavy ties: times in 0..5 (events and censored tied), risks in {0, 1, 2}; with
    ``near``, some risks moved by 1e-10 (tied for sksurv, distinct when compared exactly)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    time = rng.integers(1, 6, n).astype(float)
    event = rng.random(n) < 0.5
    event[0], time[0] = True, 0.0  # guarantees a comparable pair
    risk = rng.integers(0, 3, n).astype(float)
    if near:
        risk += 1e-10 * rng.integers(0, 2, n)
    return time, event, risk


def _brute_force_c(time, event, risk):
    num = den = 0.0
    for i in np.flatnonzero(event):
        comp = (time[i] < time) | ((time[i] == time) & ~event)
        den += comp.sum()
        num += (risk[i] > risk[comp]).sum() + 0.5 * (risk[i] == risk[comp]).sum()
    return num / den


# ----------------------------------------------------------------------------- Harrell's C
def test_c_index_fixed_reference():
    # lifelines 0.30 concordance_index(TIME, -RISK, EVENT) = 0.8939393939393939 and
    # sksurv 0.28 concordance_index_censored(EVENT, TIME, RISK) = (0.8939..., 29, 3, 1, 1):
    # (29 concordant + 1 tied / 2) / 33 comparable pairs.
    assert concordance_index(TIME, EVENT, RISK) == pytest.approx(29.5 / 33, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_c_index_matches_lifelines_and_sksurv(seed):
    time, event, risk = _cohort(400, seed)
    c = concordance_index(time, event, risk)
    assert c == pytest.approx(ll_cindex(time, -risk, event), abs=1e-12)
    assert c == pytest.approx(concordance_index_censored(event, time, risk)[0], abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_c_index_matches_brute_force_with_heavy_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 40))
    time = rng.integers(1, 6, n).astype(float)
    event = rng.random(n) < 0.5
    event[0] = True
    time[0] = 0.0  # guarantees a comparable pair
    risk = rng.integers(0, 3, n).astype(float)
    assert concordance_index(time, event, risk) == pytest.approx(
        _brute_force_c(time, event, risk), abs=1e-12
    )


def test_c_index_near_tied_risks_are_ties_as_in_sksurv():
    # Fails on the hand-written count used before the library (exact risk comparison gave
    # 1.0 here, as lifelines does); sksurv 0.28 counts |risk_i - risk_j| <= 1e-8 as a tie.
    time, event, risk = [1.0, 2.0], [True, False], [1.0 + 1e-10, 1.0]
    assert concordance_index(time, event, risk) == 0.5
    assert concordance_index_censored(np.array(event), np.array(time), np.array(risk))[0] == 0.5
    assert concordance_index(time, event, [1.0 + 1e-7, 1.0]) == 1.0  # beyond TIED_TOL


@pytest.mark.parametrize("seed", range(40))
def test_fast_count_equals_sksurv_on_tied_data(seed):
    # The bootstrap's hand-written count against the library, ties in time (events with
    # events, events with censored), exact and near ties in risk.
    time, event, risk = _tied(seed, near=seed % 2 == 0)
    score, n_pairs = _harrell_counts(time, event, _tie_ranks(risk))
    ref = concordance_index_censored(event, time, risk)
    assert score / n_pairs == pytest.approx(ref[0], abs=1e-12)
    assert n_pairs == ref[1] + ref[2] + ref[3]  # concordant + discordant + tied risk
    assert concordance_index(time, event, risk) == pytest.approx(ref[0], abs=1e-12)


def test_tie_ranks_groups_within_tolerance_and_refuses_chains():
    ranks = _tie_ranks(np.array([2.0, 1.0, 1.0 + TIED_TOL / 2, 3.0, 1.0]))
    np.testing.assert_array_equal(ranks, [1, 0, 0, 2, 0])
    # 0 ~ 0.6e-8 ~ 1.2e-8 but 0 !~ 1.2e-8: no ranking reproduces the pairwise rule.
    assert _tie_ranks(np.array([0.0, 0.6e-8, 1.2e-8])) is None


@pytest.mark.parametrize("seed", range(4))
def test_bootstrap_fast_equals_sksurv_engine(seed):
    time, event, risk = _tied(seed + 100)
    fast = bootstrap_c_index(time, event, risk, n_boot=40, seed=seed)
    lib = bootstrap_c_index(time, event, risk, n_boot=40, seed=seed, engine="sksurv")
    np.testing.assert_allclose(fast, lib, rtol=0, atol=1e-12)
    # A chain of near-ties: the fast engine falls back to the library.
    risk_chain = risk + np.where(risk == 1, 0.6e-8 * (np.arange(risk.size) % 3), 0.0)
    assert _tie_ranks(risk_chain) is None
    fast = bootstrap_c_index(time, event, risk_chain, n_boot=20, seed=seed)
    lib = bootstrap_c_index(time, event, risk_chain, n_boot=20, seed=seed, engine="sksurv")
    np.testing.assert_allclose(fast, lib, rtol=0, atol=1e-12)
    with pytest.raises(InputError, match="engine"):
        bootstrap_c_index(time, event, risk, engine="lifelines")


def test_c_index_perfect_reversed_constant():
    time, event, _ = _cohort(200, 0, ties=False)
    assert concordance_index(time, event, -time) == 1.0
    assert concordance_index(time, event, time) == 0.0
    assert concordance_index(time, event, np.zeros_like(time)) == 0.5


@pytest.mark.parametrize(
    ("time", "event", "risk", "match"),
    [
        ([1.0, 2.0], [True, False], [0.1], "risk has 1"),
        ([1.0, 2.0], [True], [0.1, 0.2], "event has 1"),
        ([1.0, np.nan], [True, False], [0.1, 0.2], "NaN"),
        ([1.0, 2.0], [True, False], [0.1, np.inf], "NaN or infinite"),
        ([1.0, 2.0], [False, False], [0.1, 0.2], "all samples are censored"),
        ([1.0, 1.0], [True, True], [0.1, 0.2], "no comparable pairs"),
        ([1.0, -2.0], [True, False], [0.1, 0.2], "negative"),
        ([1.0, 2.0], [2, 0], [0.1, 0.2], "boolean"),
    ],
)
def test_c_index_input_checks(time, event, risk, match):
    with pytest.raises(InputError, match=match):
        concordance_index(time, event, risk)


# ----------------------------------------------------------------------------- Uno, bootstrap
def test_uno_matches_sksurv():
    # sksurv 0.28 concordance_index_ipcw(train=all 10, test=first 8) = 0.870863599677159
    assert uno_c_index(TIME, EVENT, TIME[:8], EVENT[:8], RISK[:8]) == pytest.approx(
        0.870863599677159, abs=1e-12
    )
    time, event, risk = _cohort(300, 1)
    ref = concordance_index_ipcw(
        Surv.from_arrays(event[:200], time[:200]),
        Surv.from_arrays(event[200:], time[200:]),
        risk[200:],
        tau=20,
    )[0]
    got = uno_c_index(time[:200], event[:200], time[200:], event[200:], risk[200:], tau=20)
    assert got == pytest.approx(ref)


def test_uno_beyond_training_follow_up_is_input_error():
    with pytest.raises(InputError, match="tau"):
        uno_c_index(TIME[:5], EVENT[:5], TIME, EVENT, RISK)


def test_bootstrap_contains_estimate_and_narrows():
    widths = []
    for n in (100, 1600):
        time, event, risk = _cohort(n, 3)
        lo, hi = bootstrap_c_index(time, event, risk, n_boot=300, seed=0)
        assert lo <= concordance_index(time, event, risk) <= hi
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 2  # width ~ 1/sqrt(n): 4x fewer -> ~1/4 the width


def test_bootstrap_is_seeded_and_skips_degenerate_resamples():
    time, event, risk = _cohort(80, 4)
    a = bootstrap_c_index(time, event, risk, n_boot=50, seed=7)
    assert a == bootstrap_c_index(time, event, risk, n_boot=50, seed=7)
    # One event at the last time: most resamples have no comparable pair and are skipped.
    lo, hi = bootstrap_c_index([1.0, 2.0, 3.0], [False, False, True], [0.0, 1.0, 2.0], n_boot=20)
    assert np.isnan(lo) and np.isnan(hi)
    with pytest.raises(InputError, match="n_boot"):
        bootstrap_c_index(time, event, risk, n_boot=0)


def test_c_index_by_group():
    time, event, risk = _cohort(300, 5)
    groups = np.array(["BRCA", "LUAD", "GBM"])[np.arange(300) % 3]
    event[groups == "GBM"] = False
    event[np.flatnonzero(groups == "GBM")[0]] = True  # a single GBM event
    res = c_index_by_group(time, event, risk, groups, n_boot=50)
    assert list(res) == ["BRCA", "GBM", "LUAD"]
    m = groups == "BRCA"
    assert res["BRCA"]["c_index"] == pytest.approx(concordance_index(time[m], event[m], risk[m]))
    assert res["BRCA"]["n"] == m.sum() and res["BRCA"]["n_events"] == event[m].sum()
    lo, hi = res["BRCA"]["ci"]
    assert lo <= res["BRCA"]["c_index"] <= hi and res["BRCA"]["reason"] is None
    assert np.isnan(res["GBM"]["c_index"]) and "fewer than 2 events" in res["GBM"]["reason"]


def test_a_group_of_few_comparable_pairs_gets_no_interval():
    """4 patients with 2 events (3 comparable pairs) got C 0.0 with a "95% CI" of [0.0, 0.0]:
    every resample of 3 pairs gives the same value, which is no interval."""
    time = np.array([10.0, 20.0, 30.0, 40.0, 5.0, 6.0, 7.0, 8.0, 9.0, 11.0, 12.0, 13.0])
    event = np.array([1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1], bool)
    risk = np.array([0.1, 0.2, 0.9, 0.8, 3.0, 2.5, 2.0, 1.0, 1.5, 0.5, 0.7, 0.3])
    groups = np.array(["CHOL"] * 4 + ["UCS"] * 8)
    res = c_index_by_group(time, event, risk, groups, n_boot=50)
    assert res["CHOL"]["c_index"] == 0.0 and np.isnan(res["CHOL"]["ci"]).all()
    assert res["CHOL"]["ci_reason"] == "degenerate: all 5 pairs discordant"  # probe hD
    assert res["CHOL"]["reason"] is None  # the C-index itself stands
    assert np.isfinite(res["UCS"]["ci"]).all() and "ci_reason" not in res["UCS"]


# ----------------------------------------------------------------------------- KM, log-rank
def test_kaplan_meier_fixed_reference():
    # lifelines 0.30 KaplanMeierFitter().fit(TIME, EVENT).survival_function_ at event times
    times, surv = kaplan_meier(TIME, EVENT)
    np.testing.assert_array_equal(times, [5, 8, 12, 15, 22, 31])
    np.testing.assert_allclose(surv, [0.9, 0.8, 0.68571429, 0.45714286, 0.3047619, 0.0], atol=1e-8)


@pytest.mark.parametrize("seed", range(3))
def test_kaplan_meier_matches_lifelines(seed):
    time, event, _ = _cohort(250, seed)
    times, surv = kaplan_meier(time, event)
    ref = KaplanMeierFitter().fit(time, event).survival_function_at_times(times).to_numpy()
    np.testing.assert_allclose(surv, ref, atol=1e-12)
    empty_t, empty_s = kaplan_meier(time, np.zeros_like(event))
    assert empty_t.size == empty_s.size == 0


@pytest.mark.parametrize("seed", range(10))
def test_kaplan_meier_and_logrank_match_both_libraries_on_tied_data(seed):
    time, event, _ = _tied(seed)
    times, surv = kaplan_meier(time, event)
    all_t, all_s = kaplan_meier_estimator(event, time)
    np.testing.assert_allclose(surv, all_s[np.isin(all_t, times)], rtol=0, atol=1e-12)
    ref = KaplanMeierFitter().fit(time, event).survival_function_at_times(times).to_numpy()
    np.testing.assert_allclose(surv, ref, rtol=0, atol=1e-12)
    groups = np.arange(time.size) % 3
    res = logrank_test(time, event, groups)
    chisq, p = compare_survival(Surv.from_arrays(event, time), groups)
    assert res["statistic"] == pytest.approx(chisq, rel=1e-10, abs=1e-12)
    assert res["p_value"] == pytest.approx(p, rel=1e-10, abs=1e-12)


def test_logrank_fixed_reference():
    g2 = np.arange(10) % 2
    # lifelines 0.30 logrank_test(TIME[g2==0], TIME[g2==1], ...): 0.3657748182901264, p 0.5453
    res = logrank_test(TIME, EVENT, g2)
    assert res["statistic"] == pytest.approx(0.3657748182901264)
    assert res["p_value"] == pytest.approx(0.5453164104905903)
    assert res["df"] == 1
    g3 = np.arange(10) % 3
    # lifelines 0.30 multivariate_logrank_test(TIME, g3, EVENT): 1.140400960045179, p 0.5654
    res = logrank_test(TIME, EVENT, g3)
    assert res["statistic"] == pytest.approx(1.140400960045179)
    assert res["p_value"] == pytest.approx(0.5654120735109192)


@pytest.mark.parametrize("seed", range(3))
def test_logrank_matches_lifelines(seed):
    time, event, risk = _cohort(300, seed)
    high = risk > np.median(risk)
    ref = ll_logrank(time[high], time[~high], event[high], event[~high])
    res = logrank_test(time, event, high)
    assert res["statistic"] == pytest.approx(ref.test_statistic)
    assert res["p_value"] == pytest.approx(ref.p_value)
    groups = np.random.default_rng(seed).integers(0, 4, time.size)
    ref = multivariate_logrank_test(time, groups, event)
    res = logrank_test(time, event, groups)
    assert res["statistic"] == pytest.approx(ref.test_statistic)
    assert res["p_value"] == pytest.approx(ref.p_value)
    assert res["df"] == 3


def test_logrank_needs_two_groups_and_events():
    with pytest.raises(InputError, match="at least 2 groups"):
        logrank_test(TIME, EVENT, np.zeros(10))
    with pytest.raises(InputError, match="all samples are censored"):
        logrank_test(TIME, np.zeros(10, bool), np.arange(10) % 2)


def test_median_split_logrank():
    time, event, risk = _cohort(300, 6)
    res = median_split_logrank(time, event, risk)
    high = risk > np.median(risk)
    assert res["threshold"] == pytest.approx(np.median(risk))
    assert res["n_high"] == high.sum() and res["n_low"] == (~high).sum()
    assert res["p_value"] == pytest.approx(logrank_test(time, event, high)["p_value"])
    assert res["p_value"] < 0.01  # the risk is informative by construction
    with pytest.raises(InputError, match="all risks are equal"):
        median_split_logrank(time, event, np.ones_like(risk))


# ----------------------------------------------------------------------------- summary
def test_survival_metrics_keys_and_values():
    time, event, risk = _cohort(300, 7)
    groups = np.array(["A", "B"])[np.arange(300) % 2]
    # Censoring weights from the whole cohort, so every test time is inside training follow-up.
    res = survival_metrics(
        time[100:],
        event[100:],
        risk[100:],
        groups=groups[100:],
        time_train=time,
        event_train=event,
        n_boot=50,
    )
    assert set(res) == {
        "c_index",
        "c_index_ci",
        "c_index_by_type",
        "uno_c_index",
        "uno_tau",
        "logrank_p",
        "logrank_high_died_sooner",
        "within_type_c_index",
        "logrank_p_within_type",
        "logrank_within_type_high_died_sooner",
        "auc_1y",
        "auc_3y",
        "auc_5y",
        "n",
        "n_events",
    }
    # every test time inside training follow-up, but the censoring survival G falls below 0.2
    # at day 21 (of 44): deaths from there on weigh over 25, so it truncates there
    at, g = kaplan_meier(time, ~event)
    assert res["uno_tau"] == at[g < 0.2][0] == 21.0
    assert res["c_index"] == pytest.approx(concordance_index(time[100:], event[100:], risk[100:]))
    assert res["c_index_ci"][0] <= res["c_index"] <= res["c_index_ci"][1]
    assert set(res["c_index_by_type"]) == {"A", "B"}
    assert res["uno_c_index"] == pytest.approx(
        uno_c_index(time, event, time[100:], event[100:], risk[100:], tau=21.0)
    )
    assert res["n"] == 200 and res["n_events"] == event[100:].sum()


def test_survival_metrics_without_training_or_groups(caplog):
    time, event, risk = _cohort(120, 8)
    res = survival_metrics(time, event, risk, n_boot=20)
    assert res["uno_c_index"] is None and res["c_index_by_type"] is None
    # Training follow-up shorter than the test's: Uno fails, is logged, and is None.
    res = survival_metrics(
        time, event, risk, time_train=time[:5] * 0 + 1, event_train=np.ones(5, bool), n_boot=20
    )
    assert res["uno_c_index"] is None
    assert "Uno's C-index skipped" in caplog.text
    res = survival_metrics(time, event, np.ones_like(risk), n_boot=20)
    assert np.isnan(res["logrank_p"]) and res["c_index"] == 0.5


def test_one_event_gives_no_pooled_c_index_as_per_type():
    """One event in 4 patients (a validation split): the pooled C-index was 1.000 with the
    interval [1.000, 1.000], while the per-type entry for the same patients said "fewer than
    2 events". Both follow the one rule now, and the run table says why."""
    from genemoe.report.terminal import run_table

    t, e, r = [100.0, 200.0, 300.0, 400.0], [1, 0, 0, 0], [2.0, 1.0, 0.5, 0.1]
    m = survival_metrics(t, e, r, groups=["ACC"] * 4, time_train=[50, 500, 600],
                         event_train=[1, 1, 0])
    assert np.isnan(m["c_index"]) and all(np.isnan(m["c_index_ci"])) and m["uno_c_index"] is None
    assert m["c_index_reason"] == "fewer than 2 events (1)"
    assert m["c_index_by_type"]["ACC"]["reason"] == "fewer than 2 events (1)"
    assert "fewer than 2 events (1)" in run_table({"val": m}, task="survival", title="t")
    two = survival_metrics([100.0, 200.0, 300.0, 400.0], [1, 1, 0, 0], r)
    assert two["c_index"] == 1.0 and "c_index_reason" not in two


def test_horizons_end_at_the_last_training_death_and_groups_followed_to_them():
    """A Coxnet baseline lists censored times (to day 2,600 beside a last death at day
    1,581): 5-year survival was filled past the last death (0.0 for 10 of 36 patients) and
    predict did not say the column is empty. A risk half none of whose patients is followed
    to 5 years showed "observed 0.000"."""
    from genemoe.evaluate.brier import horizon_calibration, last_event_time, survival_at_horizons

    base = {"times": [100.0, 900.0, 1581.0, 2000.0, 2600.0],
            "cum_hazard": [0.1, 0.3, 0.6, 0.6, 0.6], "centre": 0.0}
    assert last_event_time(base) == 1581.0
    probs = survival_at_horizons(base, np.zeros(3))
    assert np.isfinite(probs["survival_1y"]).all() and np.isnan(probs["survival_5y"]).all()
    long = {**base, "times": [100.0, 900.0, 1581.0, 2000.0], "cum_hazard": [0.1, 0.3, 0.6, 0.9]}
    time = np.array([400.0, 800.0, 1200.0, 1500.0, 1900.0, 1950.0])  # the high half ends early
    event = np.array([1, 1, 0, 0, 1, 0], bool)  # ... censored (had it died, its estimate is 0)
    risk = np.array([3.0, 2.0, 1.5, 1.0, -1.0, -2.0])
    rows = {r["horizon"]: r for r in horizon_calibration(long, time, event, risk)}
    r5 = rows["5 years"]
    assert r5["higher-risk half: at risk"] == 0 and np.isnan(r5["higher-risk half: observed"])
    assert r5["lower-risk half: at risk"] == 2 and np.isfinite(r5["lower-risk half: observed"])


def test_uno_is_truncated_where_the_censoring_weights_are_still_sane():
    """Test follow-up beyond the training's: Uno's C was truncated just below the largest
    training time, where the training censoring survival G was 0.048, and one death there
    (weight 1/G² ≈ 430) set the score: 0.239 beside Harrell's 0.664. The truncation now keeps
    G at least 0.2, and its day is recorded."""
    rng = np.random.default_rng(3)
    n = 300
    risk = rng.normal(size=n)
    event_time = rng.exponential(1500 * np.exp(-risk))
    censor = rng.uniform(0, 3000, n)
    time, event = np.minimum(event_time, censor), event_time <= censor
    tr, te = np.arange(n) < 200, np.arange(n) >= 200
    t_te = time[te].copy()
    t_te[0] = time[tr].max() + 500  # a test patient followed beyond every training one
    res = survival_metrics(t_te, event[te], risk[te], time_train=time[tr],
                           event_train=event[tr], n_boot=20)
    at, g = kaplan_meier(time[tr], ~event[tr])
    assert res["uno_tau"] is not None  # where G falls below 0.2: deaths before weigh <= 25
    assert g[np.searchsorted(at, res["uno_tau"], side="left") - 1] >= 0.2 > g[at == res["uno_tau"]][0]
    assert abs(res["uno_c_index"] - res["c_index"]) < 0.1  # both read the same ordering


def test_perfect_order_gets_no_zero_width_interval():
    """8 patients, 2 deaths, 13 comparable pairs all in order (a probe's validation split):
    every resample gave 1.000, and the run said "1.000 [1.000, 1.000]", certainty from 2
    deaths. No percentile interval is given then, and the table says why."""
    from genemoe.report.terminal import run_table

    t = [100.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0]
    e = [1, 1, 0, 0, 0, 0, 0, 0]
    r = [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0]
    m = survival_metrics(t, e, r, groups=["ACC"] * 8, n_boot=200)
    assert m["c_index"] == 1.0 and np.isnan(m["c_index_ci"]).all()
    assert m["c_index_ci_reason"] == "degenerate: all 13 pairs concordant"  # probe hD
    assert m["c_index_by_type"]["ACC"]["ci_reason"] == "degenerate: all 13 pairs concordant"
    assert "degenerate: all 13 pairs concordant" in run_table({"val": m}, task="survival",
                                                              title="t")
    r[2], r[0] = r[0], r[2]  # one pair out of order: an interval again
    lo, hi = survival_metrics(t, e, r, n_boot=200)["c_index_ci"]
    assert lo < hi


def test_the_median_split_says_its_direction_and_its_halves_are_the_log_ranks():
    """A model ranking backwards has as small a two-sided log-rank p as one ranking well:
    the benchmark counted "3/3 < 0.05" with a fold whose lower-risk half died sooner, and
    the run said only the p. The split records its direction, the run table says
    "(backwards)", the benchmark counts those folds apart. The survival-by-risk-half table
    put a patient at the median risk in the higher half (>=), the log-rank in the lower (>)."""
    from genemoe.evaluate.benchmark_tables import summary_table
    from genemoe.evaluate.brier import horizon_calibration
    from genemoe.evaluate.survival import median_split_logrank
    from genemoe.evaluate.survival_tests import observed_minus_expected
    from genemoe.report.terminal import run_table

    rng = np.random.default_rng(0)
    risk = rng.normal(size=80)
    time = rng.exponential(1000 * np.exp(-risk))
    event = np.ones(80, bool)
    right = median_split_logrank(time, event, risk)
    wrong = median_split_logrank(time, event, -risk)
    assert right["p_value"] < 0.05 and wrong["p_value"] < 0.05
    assert right["high_died_sooner"] and not wrong["high_died_sooner"]
    # O - E of one group: lifelines' logrank statistic is (O - E)^2 / V of the same sum
    high = risk > np.median(risk)
    assert observed_minus_expected(time, event, high) == pytest.approx(
        -observed_minus_expected(time, event, ~high))
    m = survival_metrics(time, event, -risk, n_boot=20)
    assert m["logrank_high_died_sooner"] is False
    assert "(backwards)" in run_table({"test": m}, task="survival", title="t")
    results = pd.DataFrame({"model": ["a"] * 3, "repeat": 0, "fold": [0, 1, 2],
                            "c_index": [0.7, 0.6, 0.4], "logrank_p": [0.01, 0.02, 0.03],
                            "logrank_high_died_sooner": [True, True, False]})
    cell = summary_table(results, "survival")["logrank_p"].iloc[0]
    assert "3/3 < 0.05, 1 of them backwards" in cell
    base = {"times": [50.0, 5000.0], "cum_hazard": [0.01, 0.5], "centre": 0.0}
    r = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # the median, 3.0, is one patient's
    rows = horizon_calibration(base, np.full(5, 4000.0), np.zeros(5, bool), r)
    assert rows[0]["higher-risk half: at risk"] == 2  # as the log-rank's n_high
    assert median_split_logrank([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], r)["n_high"] == 2


def test_the_c_index_within_types_and_of_type_alone():
    """A pooled C of 0.761 was 0.654 from the cancer type alone (a probe on ACC, UVM, UCS):
    nothing said how much of the headline the types gave. The metrics give the C over pairs
    of one type (a stratified C) and the C of the types' training death rates."""
    from sksurv.metrics import concordance_index_censored as cic

    from genemoe.evaluate.survival import type_rate_risk, within_group_c_index

    rng = np.random.default_rng(4)
    n = 240
    g = np.array(["A", "B", "C"])[np.arange(n) % 3]
    base = np.select([g == "A", g == "B"], [2.0, 0.0], -2.0)  # the types differ in hazard
    noise = rng.normal(size=n)
    t = rng.exponential(500 * np.exp(-(base + 0.5 * noise)))
    e = rng.random(n) < 0.8
    tr = np.arange(n) < 160
    # reference: the counts sksurv gives each type, summed (concordant + ties / 2 over pairs)
    counts = [cic(e[~tr & (g == k)], t[~tr & (g == k)], noise[~tr & (g == k)])[1:4] for k in "ABC"]
    ref = sum(c + 0.5 * tie for c, _, tie in counts) / sum(sum(c) for c in counts)
    assert within_group_c_index(t[~tr], e[~tr], noise[~tr], g[~tr]) == pytest.approx(ref)
    by_type = type_rate_risk(t[tr], e[tr], g[tr], g[~tr])
    rank = {k: by_type[g[~tr] == k][0] for k in "ABC"}
    assert rank["A"] > rank["B"] > rank["C"]  # the deadliest type has the highest risk
    assert within_group_c_index(t[~tr], e[~tr], by_type, g[~tr]) == 0.5  # all tied in a type
    m = survival_metrics(t[~tr], e[~tr], base[~tr] + 0.5 * noise[~tr], groups=g[~tr], n_boot=20,
                         time_train=t[tr], event_train=e[tr], groups_train=g[tr])
    assert m["type_only_c_index"] == pytest.approx(concordance_index(t[~tr], e[~tr], by_type))
    assert 0.6 < m["type_only_c_index"] < m["c_index"]  # the types give much of the pooled C
    assert m["within_type_c_index"] < m["c_index"]
    assert type_rate_risk(t[tr], e[tr], g[tr], np.array(["Z"]))[0] == pytest.approx(
        np.log(e[tr].sum() / t[tr].sum()))  # a type the training lacks: the overall rate


def test_uno_is_truncated_where_censoring_weights_grow_inside_training_follow_up():
    """The G >= 0.2 truncation applied only when test follow-up outlasted the training's:
    a test death at day 2,680, inside it, where the training censoring survival G was 0.131
    (weight 1/G² = 58) counted fully (a probe: Uno 0.802, 0.751 truncated, Harrell 0.761)."""
    rng = np.random.default_rng(7)
    n = 400
    risk = rng.normal(size=n)
    event_time = rng.exponential(1500 * np.exp(-risk))
    censor = rng.uniform(0, 3000, n)  # heavy censoring late: G falls below 0.2
    time, event = np.minimum(event_time, censor), event_time <= censor
    tr, te = np.arange(n) < 250, np.arange(n) >= 250
    t_te, e_te = time[te].copy(), event[te].copy()
    keep = t_te < time[tr].max()  # every test time inside the training follow-up
    t_te, e_te, r_te = t_te[keep], e_te[keep], risk[te][keep]
    at, g = kaplan_meier(time[tr], ~event[tr])
    assert (g < 0.2).any() and (e_te & (t_te > at[g < 0.2][0])).any()  # deaths there
    res = survival_metrics(t_te, e_te, r_te, time_train=time[tr], event_train=event[tr], n_boot=20)
    tau = res["uno_tau"]
    assert tau == at[g < 0.2][0] and g[np.searchsorted(at, tau, side="left") - 1] >= 0.2
    from sksurv.metrics import concordance_index_ipcw
    from sksurv.util import Surv

    ref = concordance_index_ipcw(Surv.from_arrays(event[tr], time[tr]),
                                 Surv.from_arrays(e_te, t_te), r_te, tau=tau)[0]
    assert res["uno_c_index"] == pytest.approx(ref)


def test_a_half_whose_estimate_fell_to_zero_is_observed_zero_at_later_horizons():
    """Old behaviour: the higher-risk half, whose last patient died at 1,677 days, showed "–"
    (no observed value) at 5 years; its Kaplan–Meier estimate is 0 from that death on."""
    from genemoe.evaluate.brier import horizon_calibration

    baseline = {"times": [100.0, 900.0, 1581.0, 2000.0], "cum_hazard": [0.1, 0.3, 0.6, 0.9],
                "centre": 0.0}
    time = np.array([300.0, 900.0, 1677.0, 400.0, 2000.0, 2500.0])
    event = np.array([1, 1, 1, 0, 0, 1], bool)  # higher half: all died, last at 1,677 days
    risk = np.array([2.0, 1.8, 1.5, -1.0, -1.2, -0.8])
    row = {r["horizon"]: r for r in horizon_calibration(baseline, time, event, risk)}["5 years"]
    assert row["higher-risk half: at risk"] == 0 and row["higher-risk half: observed"] == 0.0
    assert row["lower-risk half: at risk"] == 2


def test_stratified_logrank_by_hand_and_against_lifelines():
    """The stratified log-rank (R's survdiff(... + strata(type))): per stratum O - E and
    hypergeometric V summed. By hand: stratum A (times 1, 2, 3+; group T, F, T) gives
    O - E = 1/3 - 1/2, V = 2/9 + 1/4; stratum B (1, 2; F, T) O - E = -1/2, V = 1/4 (+ 0 at
    one at risk); chi2 = (2/3)^2 / (13/18) = 8/13. With one stratum it is lifelines' test."""
    from scipy.stats import chi2

    from genemoe.evaluate.survival_tests import stratified_logrank

    res = stratified_logrank([1, 2, 3, 1, 2], [1, 1, 0, 1, 1], [1, 0, 1, 0, 1],
                             ["A", "A", "A", "B", "B"])
    assert res["statistic"] == pytest.approx(8 / 13)
    assert res["p_value"] == pytest.approx(chi2.sf(8 / 13, 1))
    assert res["observed_minus_expected"] == pytest.approx(-2 / 3)
    time, event, _ = _tied(1)
    group = np.random.default_rng(0).random(time.size) < 0.5
    ref = ll_logrank(time[group], time[~group], event[group], event[~group])
    one = stratified_logrank(time, event, group, np.zeros(time.size))
    assert one["statistic"] == pytest.approx(ref.test_statistic, rel=1e-10)
    two = stratified_logrank(np.r_[time, time], np.r_[event, event], np.r_[group, group],
                             np.r_[np.zeros(time.size), np.ones(time.size)])
    assert two["statistic"] == pytest.approx(2 * one["statistic"], rel=1e-10)


def test_a_split_that_only_knows_the_types_is_not_significant_within_them():
    """Old behaviour: summary.md's logrank_p split the patients at one median over every
    type pooled: a risk that knows only each type's death rate passed it (p < 1e-6 here)
    and nothing said how much was the types. logrank_p_within_type splits each type at its
    own median and stratifies by type."""
    rng = np.random.default_rng(3)
    types = np.repeat(["A", "B", "C"], 120)
    rate = np.repeat([1 / 200, 1 / 900, 1 / 3000], 120)
    time = np.ceil(rng.exponential(1 / rate))
    cens = rng.uniform(100, 4000, time.size)
    event, time = time <= cens, np.minimum(time, np.ceil(cens))
    risk = np.log(rate) + rng.normal(0, 0.01, time.size)  # the type, plus noise
    m = survival_metrics(time, event, risk, groups=types)
    assert m["logrank_p"] < 1e-6
    assert m["logrank_p_within_type"] > 0.01
    assert isinstance(m["logrank_within_type_high_died_sooner"], bool)


def test_the_km_curve_runs_to_the_last_follow_up():
    """Old behaviour: the report's KM curves stopped at the last death (ACC's at day 2,400
    with follow-up to 4,673), hiding the patients censored after it."""
    from genemoe.evaluate.survival_tests import kaplan_meier_curve

    t, s = kaplan_meier_curve(TIME, EVENT)
    assert t[-1] == TIME.max() and t.size == np.unique(TIME).size
    dead_t, dead_s = kaplan_meier(TIME, EVENT)
    np.testing.assert_allclose(s[np.isin(t, dead_t)], dead_s)
    t2, s2 = kaplan_meier_curve([5, 8, 40, 60], [1, 1, 0, 0])
    assert t2[-1] == 60 and s2[-1] == pytest.approx(0.5)


def test_the_survival_legend_names_both_log_rank_splits_and_unos_truncation():
    """Old behaviour: the legend had nothing on logrank_p (pooled over types) and called
    Uno's C "weighted by the inverse probability of censoring", though folds were truncated
    at different days (2,703, none and 2,023 in a probe)."""
    from genemoe.evaluate.benchmark_tables import METRICS, null_brier_text

    text = null_brier_text(pd.DataFrame({"c_index": [0.6]}))
    assert "uno_tau in results.csv" in text and "it can differ by fold" in text
    assert "types pooled" in text and "logrank_p_within_type: each type split" in text
    assert "logrank_p_within_type" in METRICS["survival"]


def test_time_dependent_auc_is_scikit_survivals_at_1_3_5_years():
    """Old behaviour: no time-dependent AUC anywhere (a reviewer computed Gene-MOE's 1-year
    AUC, 0.66-0.73, by hand). Reference: sksurv 0.28 cumulative_dynamic_auc directly, on a
    cohort whose test times lie inside the training follow-up; a patient followed past it
    counts as a control (kept, censored there); no death by a horizon: None."""
    from sksurv.metrics import cumulative_dynamic_auc

    from genemoe.evaluate.brier import time_dependent_auc

    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    t = np.ceil(rng.exponential(900 * np.exp(-x)))
    c = np.ceil(rng.uniform(0, 4000, 400))
    e, t = t <= c, np.minimum(t, c)
    tr, te = slice(0, 200), slice(200, 400)
    inside = t[te] < t[tr].max()
    got = time_dependent_auc(t[tr], e[tr], t[te][inside], e[te][inside], x[te][inside])
    for years in (1, 3, 5):
        ref, _ = cumulative_dynamic_auc(Surv.from_arrays(e[tr], t[tr]),
                                        Surv.from_arrays(e[te][inside], t[te][inside]),
                                        x[te][inside], [years * 365.25])
        assert got[f"auc_{years}y"] == pytest.approx(ref[0], rel=1e-12)
    late = time_dependent_auc(t[tr], e[tr], t[te] + 2000, e[te], x[te])  # no death by 1 year
    assert late["auc_1y"] is None
    assert time_dependent_auc(t[tr], e[tr], t[te], e[te], -x[te])["auc_1y"] < 0.4
