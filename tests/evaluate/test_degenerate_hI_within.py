"""A within-type C-index of exactly 0 or 1, or of risks all the same, is flagged degenerate in
metrics.json as the pooled C is (probe hI): it stood there plain, 1.0 beside a flagged C."""

from __future__ import annotations

import numpy as np

from genemoe.evaluate.survival import survival_metrics

TIME = np.array([1.0, 2.0, 3.0, 1.5, 2.5, 3.5])
EVENT = np.ones(6)
GROUPS = np.array(["A"] * 3 + ["B"] * 3)


def test_a_within_type_c_of_one_is_flagged():
    """Each type ranked perfectly, the types against each other not: pooled C below 1."""
    risk = np.array([3.0, 2.0, 1.0, 0.3, 0.2, 0.1])
    m = survival_metrics(TIME, EVENT, risk, groups=GROUPS, n_boot=20)
    assert m["within_type_c_index"] == 1.0 and m["c_index"] < 1.0
    assert m["within_type_c_index_degenerate"] is True
    assert m["within_type_c_index_reason"] == "degenerate: C 1.000"


def test_constant_risks_flag_the_within_type_c_too():
    m = survival_metrics(TIME, EVENT, np.zeros(6), groups=GROUPS, n_boot=20)
    assert m.get("c_index_degenerate") is True
    assert m["within_type_c_index_degenerate"] is True
    assert m["within_type_c_index_reason"] == "degenerate: every risk the same"


def test_a_plain_within_type_c_is_not_flagged():
    from genemoe.evaluate.survival_flags import within_flags

    risk = np.array([3.0, 1.0, 2.0, 0.3, 0.1, 0.2])
    m = survival_metrics(TIME, EVENT, risk, groups=GROUPS, n_boot=20)
    assert 0 < m["within_type_c_index"] < 1 and "within_type_c_index_degenerate" not in m
    assert within_flags(None) == {} and within_flags(None, True) == {}
    assert within_flags(0.0)["within_type_c_index_reason"] == "degenerate: C 0.000"
