"""An explanation whose samples' outputs never moved from the reference (``n_measured`` 0,
545d2db) showed "median 0.00%, max 0.00%" on its report page, as if exactly complete."""

from __future__ import annotations

from genemoe.report.explanation_section import _completeness_text


def test_nothing_measured_reads_not_measured():
    conv = {"n_samples": 4, "n_measured": 0, "median_relative_delta": 0.0,
            "max_relative_delta": 0.0}
    text = _completeness_text(conv)
    assert "not measured" in text and "0.00%" not in text


def test_measured_and_older_records_keep_their_percentages():
    conv = {"n_samples": 4, "n_measured": 4, "median_relative_delta": 0.001,
            "max_relative_delta": 0.02}
    assert "median <b>0.10%</b>, max <b>2.00%</b>" in _completeness_text(conv)
    del conv["n_measured"]  # a convergence.json written before n_measured
    assert "median <b>0.10%</b>" in _completeness_text(conv)


def test_compare_table_says_not_measured_instead_of_zero():
    """``explain --compare`` printed 0.00% for a method whose outputs never moved."""
    import pandas as pd

    from genemoe.explain.compare import methods_text

    table = pd.DataFrame([{"method": "ig", "n_samples": 4, "median_relative_delta": float("nan"),
                           "max_relative_delta": float("nan"), "seconds_per_sample": 0.1},
                          {"method": "deeplift", "n_samples": 4, "median_relative_delta": 0.001,
                           "max_relative_delta": 0.002, "seconds_per_sample": 0.1}])
    text = methods_text(table)
    assert "not measured" in text and "0.10%" in text
