"""Probe hD: decimal commas in a tab-separated clinical table.

Old: an event written ``1,0`` (a decimal comma: 1.0) was "an event not 0/1" and its
patient's survival dropped; a time written ``1.355,5`` (a point between thousands, a
decimal comma: 1355.5) was "not a number" and dropped, while the warning said the column's
decimal commas were "read as a decimal point" and showed ``'1.355,5'`` as the example, and
``n_decimal_comma_times`` counted a cell that was never read. In a ``;`` table ``1.355``
beside ``365,5`` was read as 1.355 days without a word.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from genemoe.data.clinical import read_clinical
from genemoe.data.prep_text import step_line
from genemoe.errors import InputError


def _write(path: Path, rows: list[tuple[str, str, str]], sep: str = "\t") -> Path:
    lines = [sep.join(["bcr_patient_barcode", "OS", "OS.time"])]
    lines += [sep.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


_ROWS = [("TCGA-AA-0001", "1,0", "1.355,5"), ("TCGA-AA-0002", "0", "200"),
         ("TCGA-AA-0003", "1", "300,5"), ("TCGA-AA-0004", "0,0", "400")]


def test_comma_events_and_european_times_of_a_tsv_are_read_and_counted(
        tmp_path: Path, caplog) -> None:
    p = _write(tmp_path / "c.tsv", _ROWS)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0, 1.0, 0.0]  # were NaN: 'not 0/1'
    assert frame["os_time"].tolist() == pytest.approx([1355.5, 200, 300.5, 400])
    ep = rep["endpoints"]["OS"]
    assert ep["n_usable"] == 4 and ep["n_invalid_event"] == 0 and ep["n_non_numeric_time"] == 0
    assert rep["n_decimal_comma_events"] == 2
    assert rep["n_decimal_comma_times"] == 2 and rep["n_thousands_separator_times"] == 1
    assert "2 OS event(s) written with a decimal comma (e.g. '1,0')" in caplog.text
    assert "with a thousands separator (e.g. '1.355,5'), read without it" in caplog.text
    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 4, "n_events": 2,
                                       "n_without": 0, "clinical_report": rep})
    assert "2 events with a decimal comma" in line and "thousands separator" in line


def test_the_decimal_comma_warning_shows_a_decimal_comma(tmp_path: Path, caplog) -> None:
    """The example was the column's first comma cell, whatever its form."""
    p = _write(tmp_path / "d.tsv", [("TCGA-AA-0001", "1", "1.355,5"),
                                    ("TCGA-AA-0002", "0", "200,5")])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, _ = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx([1355.5, 200.5])
    said = [r.getMessage() for r in caplog.records if "decimal comma" in r.getMessage()]
    assert len(said) == 1 and "2 OS time(s)" in said[0]


def test_a_thousands_comma_event_stays_not_0_1(tmp_path: Path) -> None:
    """``1,000`` in a TSV may be 1.000 or 1000: not guessed, named as before."""
    p = _write(tmp_path / "k.tsv", [("TCGA-AA-0001", "1,000", "100"),
                                    ("TCGA-AA-0002", "1", "200")])
    _, rep = read_clinical(p)
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 1 and rep["n_decimal_comma_events"] == 0


def test_european_times_of_a_semicolon_table_are_read(tmp_path: Path) -> None:
    p = _write(tmp_path / "e.csv", [("TCGA-AA-0001", "1,0", "1.355,5"),
                                    ("TCGA-AA-0002", "0", "200,5")], sep=";")
    frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx([1355.5, 200.5])  # 1.355,5 was NaN
    assert rep["n_decimal_comma_times"] == 2 and rep["n_thousands_separator_times"] == 1


def test_a_thousands_point_beside_decimal_commas_of_a_semicolon_table_is_refused(
        tmp_path: Path) -> None:
    """Old: ``1.355`` read as 1.355 days beside ``200,5`` read as 200.5, silently."""
    p = _write(tmp_path / "f.csv", [("TCGA-AA-0001", "1", "1.355"),
                                    ("TCGA-AA-0002", "0", "200,5")], sep=";")
    with pytest.raises(InputError) as err:
        read_clinical(p)
    text = str(err.value)
    assert str(p) in text and "column 'OS.time'" in text
    assert "line 2: '1.355'" in text and "line 3: '200,5'" in text
    assert "fix:" in text and "1.355" in text


def test_months_in_a_days_column_past_a_year_are_warned(tmp_path: Path, caplog) -> None:
    """TCGA-CDR's OS.time divided by 30.4375 (median 23.5, longest 370): read as days unsaid
    (the one-year rule looked only at the longest); in days the same cohort is not warned."""
    import numpy as np

    rng = np.random.default_rng(5)
    days = np.append(rng.gamma(1.2, 700, 39).round(), 11252.0)
    for name, times, warned in (("m.tsv", days / 30.4375, True), ("d.tsv", days, False)):
        rows = [(f"TCGA-AA-{i:04d}", str(i % 2), f"{t:.1f}") for i, t in enumerate(times)]
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="genemoe"):
            _, rep = read_clinical(_write(tmp_path / name, rows))
        said = "OS times read as days, but the longest follow-up is" in caplog.text
        assert said is warned and ("longest_follow_up_days" in rep["endpoints"]["OS"]) is warned


def test_the_join_counts_why_samples_have_no_survival(survival_join) -> None:
    """``n_without`` was one number: a patient missing from the table, one whose endpoint
    cells are empty (TCGA-CDR's LAML PFI) and one with a status but no time looked alike."""
    join = survival_join
    assert join["n_with_survival"] == 2 and join["n_without"] == 3
    assert join["without"] == {"no row in the table": 1, "no time and no event": 1,
                               "time or event missing": 1}
    assert sum(join["without"].values()) == join["n_without"]
