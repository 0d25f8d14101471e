"""The preparation summary says why samples have no survival (probe hI): '20 without' did
not tell 17 LAML patients with PFI empty in the table from 3 events without a time."""

from __future__ import annotations

from genemoe.data.prep_text import step_line

JOIN = {"endpoint": "PFI", "n_with_survival": 9980, "n_events": 3000, "n_without": 20,
        "n_table_patients_without_sample": 0}


def test_the_survival_line_breaks_the_samples_without_down():
    line = step_line("join_survival", {**JOIN, "without": {"no time and no event": 17,
                                                           "time or event missing": 3}})
    assert line.endswith("; 20 without (17 empty, 3 incomplete)"), line
    assert len(line) <= 100
    line = step_line("join_survival", {**JOIN, "without": {"no row in the table": 20}})
    assert "; 20 without (20 no table row)" in line


def test_an_older_record_without_the_breakdown_reads_as_before():
    line = step_line("join_survival", JOIN)
    assert line.endswith("; 20 without")


def test_the_joins_own_record_is_said(survival_join):
    """The words follow the join's reasons (a renamed reason would show as is)."""
    line = step_line("join_survival", survival_join)
    assert "3 without (1 no table row, 1 empty, 1 incomplete)" in line, line
