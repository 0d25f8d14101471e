"""Events written with a decimal comma (European Excel's ``;`` CSV: ``1,0``) are read as
the times beside them are: as numbers, counted and said."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.data.clinical import read_clinical
from genemoe.data.prep_text import step_line


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_decimal_comma_events_of_a_semicolon_table_are_read_counted_and_said(tmp_path: Path
                                                                            ) -> None:
    p = _write(tmp_path / "eu.csv", "bcr_patient_barcode;OS;OS.time;PFI;PFI.time\n"
                                    "TCGA-OR-A5J1;1,0;942,5;0,0;445,0\n"
                                    "TCGA-OR-A5J2;0,0;1276,5;1,0;1124,0\n"
                                    "TCGA-OR-A5J3;1;300;1;200\n")
    frame, rep = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0, 1.0]  # was all 'not 0/1', survival lost
    assert frame["pfi_event"].tolist() == [0.0, 1.0, 1.0]
    assert frame["os_time"].tolist() == pytest.approx([942.5, 1276.5, 300])
    assert rep["n_decimal_comma_events"] == 4 and rep["n_decimal_comma_times"] == 4
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 0
    assert rep["endpoints"]["OS"]["n_usable"] == 3 and "OS" not in rep["event_words"]
    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 3, "n_events": 2,
                                       "n_without": 0, "clinical_report": rep})
    assert "4 events with a decimal comma (1,0 / 0,0) read as 1 / 0" in line


def test_a_comma_event_outside_a_semicolon_table_is_read_and_counted(tmp_path: Path) -> None:
    """``1,0`` cannot be a thousands separator: 1 in any table (was "not 0/1", dropped;
    probe hD)."""
    p = _write(tmp_path / "t.tsv", "bcr_patient_barcode\tOS\tOS.time\nTCGA-OR-A5J1\t1,0\t90\n"
                                   "TCGA-OR-A5J2\t1\t80\n")
    frame, rep = read_clinical(p)
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 0 and rep["n_decimal_comma_events"] == 1
    assert frame["os_event"].tolist() == [1.0, 1.0]
