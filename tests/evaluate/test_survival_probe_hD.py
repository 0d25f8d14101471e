"""Probe hD: a C-index of exactly 0 or 1 is flagged as degenerate, not shown as a plain number.

Old: two deaths whose 53 comparable pairs were all reversed gave ``C 0.000`` with the reason
``none: every resample 0.000`` (nothing said it was degenerate, nor from how many pairs);
metrics.json had no flag to find such a split or type; and the pooled C of a split with
fewer than 10 comparable pairs got a bootstrap "95% CI" a type of the same pairs did not.
"""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.survival import c_index_by_group, survival_metrics


def _reversed_two_deaths() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    time = np.sort(rng.uniform(30, 3000, 40))
    event = np.zeros(40, bool)
    event[[0, 25]] = True
    return time, event, np.arange(40.0)  # risk rises with time: every pair reversed


def test_a_c_of_zero_is_flagged_degenerate_with_its_pairs() -> None:
    t, e, r = _reversed_two_deaths()
    m = survival_metrics(t, e, r, n_boot=100)
    assert m["c_index"] == 0.0 and np.isnan(m["c_index_ci"]).all()
    assert m["c_index_degenerate"] is True
    assert m["c_index_ci_reason"] == "degenerate: all 53 pairs discordant"
    from genemoe.evaluate.survival import comparable_pairs  # new with the flag

    assert comparable_pairs(t, e, r) == 53


def test_a_type_of_c_one_is_flagged_and_listed() -> None:
    t, e, r = _reversed_two_deaths()
    groups = np.array(["UVM"] * 20 + ["ACC"] * 20)
    r = np.where(groups == "UVM", -r, r)  # UVM perfectly in order, ACC reversed
    e[[5, 30]] = True  # UVM: deaths 0 and 5; ACC: 25 and 30
    m = survival_metrics(t, e, r, groups=groups, n_boot=100)
    by = m["c_index_by_type"]
    assert by["UVM"]["c_index"] == 1.0 and by["UVM"]["degenerate"] is True
    assert by["UVM"]["ci_reason"].startswith("degenerate: all ")
    assert by["UVM"]["ci_reason"].endswith(" pairs concordant")
    assert m["types_degenerate_c"] == ["ACC", "UVM"]
    from genemoe.evaluate.survival_flags import degenerate_groups  # new with the flag

    assert degenerate_groups(by) == ["ACC", "UVM"]


def test_a_non_degenerate_c_keeps_its_interval_and_no_flag() -> None:
    rng = np.random.default_rng(0)
    t = rng.uniform(30, 3000, 60)
    e = rng.random(60) < 0.5
    r = -t / 1000 + rng.normal(0, 1, 60)
    m = survival_metrics(t, e, r, groups=np.array(["A", "B"] * 30), n_boot=100)
    assert np.isfinite(m["c_index_ci"]).all() and "c_index_degenerate" not in m
    assert "types_degenerate_c" not in m
    assert "degenerate" not in m["c_index_by_type"]["A"]


def test_few_pairs_overall_get_no_interval_as_per_type() -> None:
    """3 comparable pairs: the type had no interval, the same pairs pooled had [0, 1]."""
    t = np.array([10.0, 20.0, 30.0, 40.0])
    e = np.array([1, 1, 0, 0], bool)
    r = np.array([0.5, 0.9, 0.1, 0.2])
    m = survival_metrics(t, e, r, groups=np.array(["CHOL"] * 4), n_boot=100)
    assert 0 < m["c_index"] < 1 and np.isnan(m["c_index_ci"]).all()
    assert m["c_index_ci_reason"] == "5 comparable pairs: too few for an interval"
    assert m["c_index_by_type"]["CHOL"]["ci_reason"] == m["c_index_ci_reason"]


def test_degenerate_text_without_a_pair_count() -> None:
    from genemoe.evaluate.survival_flags import degenerate_text  # new with the flag

    assert degenerate_text(1.0, None) == "degenerate: C 1.000"
    assert degenerate_text(0.0, 1) == "degenerate: all 1 pair discordant"
    res = c_index_by_group([10.0, 20.0, 30.0], [1, 1, 0], [1.0, 2.0, 3.0], ["X"] * 3, n_boot=10)
    assert res["X"]["degenerate"] is True and res["X"]["c_index"] == 0.0


def test_a_constant_risk_is_flagged_degenerate() -> None:
    """A Coxnet left without a gene scores everyone alike: C 0.5 from ties alone, said as
    "none: every resample the same" (nothing said the model ranked nobody)."""
    rng = np.random.default_rng(1)
    t = rng.uniform(30, 3000, 50)
    e = rng.random(50) < 0.4
    groups = np.array(["A", "B"] * 25)
    m = survival_metrics(t, e, np.full(50, 0.3), groups=groups, n_boot=50)
    assert m["c_index"] == 0.5 and np.isnan(m["c_index_ci"]).all()
    assert m["c_index_ci_reason"] == "degenerate: every risk the same"
    assert m["c_index_degenerate"] is True and m["types_degenerate_c"] == ["A", "B"]
