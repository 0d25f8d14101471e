"""A survival run's terminal Brier column (an outside probe, hAX): "worse" where the
gap's interval held 0, beside "not told apart from none" on the line below."""

from __future__ import annotations

from genemoe.report.terminal import run_table


def _brier_rows(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines()
            if line.split()[:1] in (["val"], ["test"]) and line.split()[1].isdigit()}


def test_the_brier_column_says_worse_only_where_the_gaps_interval_is_above_0():
    """A real survival train: "val ... 0.256 (0.255) worse" with the gap's interval -0.016
    to +0.020, and "test Brier minus none: ... not told apart from none" under it."""
    metrics = {"val": {"c_index": 0.51, "n": 20, "n_events": 13, "integrated_brier_score": 0.2564,
                       "ibs_null_reference": 0.2550, "ibs_minus_null_ci": [-0.0162, 0.0196]},
               "test": {"c_index": 0.61, "n": 40, "n_events": 26, "integrated_brier_score": 0.2010,
                        "ibs_null_reference": 0.1960, "ibs_minus_null_ci": [-0.003, 0.012]}}
    out = run_table(metrics, task="survival", title="fcn · survival")
    rows = _brier_rows(out)
    assert "worse" not in rows["val"] and "worse" not in rows["test"], out
    assert "not told apart from none" in out
    # an interval above 0 is "worse" in the column and in the line below alike
    metrics["test"]["ibs_minus_null_ci"] = [0.001, 0.009]
    out = run_table(metrics, task="survival", title="fcn · survival")
    assert _brier_rows(out)["test"].split()[-1] == "worse" and "worse than none" in out
    # an older run without the interval: no verdict from a point gap alone
    del metrics["test"]["ibs_minus_null_ci"]
    assert "worse" not in _brier_rows(run_table(metrics, task="survival", title="t"))["test"]
    assert max(map(len, out.splitlines())) <= 100
