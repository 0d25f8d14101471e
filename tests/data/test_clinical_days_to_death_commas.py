"""The days_to_death layout reads its follow-up and death days as the times are read: a
``;`` table's decimal commas (``567,0``), another table's thousands separators (``1,355``);
an alive patient's follow-up written so was an event NaN (probeY: 'a time but no event')."""

from __future__ import annotations

from pathlib import Path

import pytest

from genemoe.data.clinical import read_clinical


def test_decimal_comma_days_of_a_semicolon_table_keep_alive_patients(tmp_path: Path) -> None:
    p = tmp_path / "dd.csv"
    p.write_text("bcr_patient_barcode;vital_status;days_to_death;days_to_last_followup\n"
                 "TCGA-AA-0001;Dead;1234,0;\n"
                 "TCGA-AA-0002;Alive;;567,0\n"
                 "TCGA-AA-0003;Alive;;890\n"
                 "TCGA-AA-0004;1,0;100,5;\n")
    frame, rep = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0, 0.0, 1.0]  # was NaN for TCGA-AA-0002
    assert frame["os_time"].tolist() == pytest.approx([1234, 567, 890, 100.5])
    assert rep["endpoints"]["OS"]["n_usable"] == 4
    assert rep["endpoints"]["OS"]["n_missing_event"] == 0
    assert rep["n_decimal_comma_times"] == 3  # counted as any table's times


def test_decimal_comma_death_days_without_vital_status_are_events(tmp_path: Path) -> None:
    p = tmp_path / "dd.csv"
    p.write_text("bcr_patient_barcode;days_to_death;days_to_last_followup\n"
                 "TCGA-AA-0001;1234,5;\n"
                 "TCGA-AA-0002;;567,0\n")
    frame, _ = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0]  # death days were NaN: not an event
    assert frame["os_time"].tolist() == pytest.approx([1234.5, 567])


def test_thousands_separated_follow_up_of_a_tab_table_keeps_alive_patients(tmp_path: Path
                                                                           ) -> None:
    p = tmp_path / "dd.tsv"
    p.write_text("bcr_patient_barcode\tvital_status\tdays_to_death\tdays_to_last_followup\n"
                 "TCGA-AA-0001\tDead\t1,234\t\n"
                 "TCGA-AA-0002\tAlive\t\t1,355\n")
    frame, rep = read_clinical(p)
    assert frame["os_event"].tolist() == [1.0, 0.0]
    assert frame["os_time"].tolist() == pytest.approx([1234, 1355])
