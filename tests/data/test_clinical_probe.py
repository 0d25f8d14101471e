"""An outside probe of ``prepare --clinical``: event codings, implausible times, months-named
columns, lower-case barcodes, missing-value words, duplicate rows, thousands separators,
a missing header line. Each test names the old behaviour it guards against."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.clinical import attach_survival, parse_events, read_clinical
from genemoe.errors import InputError


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_r_1_2_coding_is_read_despite_a_missing_cell(tmp_path: Path, caplog) -> None:
    """Old: one '[Not Available]' among 1/2 events (read as -1) kept the 1/2 coding from being
    seen: every censored patient (1) became a death and every death (2) was dropped."""
    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\t100\t2\nS2\t200\t1\nS3\t50\t1\n"
                                   "S4\t70\t[Not Available]\nS5\t80\tmaybe\n")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame["os_event"].iloc[:3].tolist() == [1.0, 0.0, 0.0]
    assert frame["os_event"].iloc[3:].isna().all()
    assert rep["endpoints"]["OS"]["n_recoded_from_1_2"] == 3
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 1  # 'maybe', not the missing word
    # the recoding names its file (it was the one clinical warning that did not)
    assert "c.tsv: OS events coded 1/2: read as R's Surv() coding" in caplog.text


def test_each_file_is_read_by_its_own_event_coding(tmp_path: Path, caplog) -> None:
    """Old: ACC coded 1/2 beside UVM coded 0/1 were judged together: ACC's 1s (censored) all
    read as deaths, its 2s (deaths) dropped, said only as "events not 0/1"."""
    a = _write(tmp_path / "a.tsv", "sample\tOS\tOS.time\nA1\t1\t100\nA2\t2\t200\nA3\t1\t300\n")
    b = _write(tmp_path / "b.tsv", "sample\tOS\tOS.time\nB1\t0\t100\nB2\t1\t200\n")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical([a, b])
    assert frame["os_event"].tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    assert rep["event_coding"]["OS"] == {"a.tsv": "1/2", "b.tsv": "0/1"}
    assert rep["endpoints"]["OS"]["n_invalid_event"] == 0
    assert "code OS events differently (a.tsv 1/2, b.tsv 0/1): each file read by its own" in caplog.text
    # a file of only 1s beside a 1/2 file: its 1s could be either; refused
    ones = _write(tmp_path / "ones.tsv", "sample\tOS\tOS.time\nC1\t1\t100\nC2\t1\t200\n")
    with pytest.raises(InputError, match="OS events of ones.tsv are all 1") as err:
        read_clinical([a, ones])
    assert "recode the events of each file to 0/1" in str(err.value)


def test_infinite_and_absurd_times_are_named_and_left_out(tmp_path: Path, caplog) -> None:
    """Old: 'Inf' and 1e9 days were taken as times; `train --task survival` then failed
    "time must be finite" naming no sample."""
    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\tInf\t1\nS2\t1e9\t0\nS3\t400\t1\n")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame["os_time"].iloc[:2].isna().all() and frame["os_time"].iloc[2] == 400
    assert rep["endpoints"]["OS"]["n_implausible_time"] == 2
    assert rep["endpoints"]["OS"]["n_usable"] == 1
    assert ("c.tsv: 2 patient(s) with a time not finite or over 100 years (e.g. S1 ('Inf'), "
            "S2 ('1e9')): no OS for them") in caplog.text


def test_a_months_named_time_beside_other_endpoints_is_read(tmp_path: Path) -> None:
    """Old: renaming OS.time to OS_MONTHS (as the months-as-days warning advises) in a table
    with DSS/DSS.time gave "the clinical table has no OS / OS.time columns ... choose an
    endpoint the table has (OS, DSS, DFI, PFI)": it has OS, and no file was named."""
    p = _write(tmp_path / "c.tsv", "bcr_patient_barcode\tOS\tOS_MONTHS\tDSS\tDSS.time\n"
                                   "TCGA-OR-A5J1\t1\t12\t1\t365\nTCGA-OR-A5J2\t0\t24\t0\t730\n")
    frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx([365.25, 730.5])
    assert rep["time_units"]["OS"] == "OS_MONTHS: months × 30.4375 → days"
    q = _write(tmp_path / "dss.tsv", "bcr_patient_barcode\tDSS\tDSS.time\nTCGA-OR-A5J1\t1\t365\n")
    frame, rep = read_clinical(q)
    obs = pd.DataFrame({"patient_id": ["TCGA-OR-A5J1"]})
    with pytest.raises(InputError) as err:
        attach_survival(obs, frame, rep, "OS")
    text = str(err.value)
    assert "dss.tsv" in text and "no OS time and event columns (it has DSS)" in text
    assert "choose an endpoint the table has (DSS)" in text and "(OS, DSS, DFI, PFI)" not in text


def test_lower_case_barcodes_join_and_are_counted(tmp_path: Path, caplog) -> None:
    """Old: 'tcga-or-a5j1' was recognised as a barcode but kept lower case, so no patient
    joined ("none of its 2 patients is one of the expression's")."""
    p = _write(tmp_path / "c.tsv", "bcr_patient_barcode\tOS\tOS.time\ntcga-or-a5j1\t1\t10\n"
                                   "TCGA-OR-A5J2\t0\t20\n")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame.index.tolist() == ["TCGA-OR-A5J1", "TCGA-OR-A5J2"]
    assert rep["n_barcodes_uppercased"] == 1
    assert "c.tsv: 1 barcode(s) written in lower case (e.g. 'tcga-or-a5j1'), read upper-cased" in caplog.text
    obs = pd.DataFrame({"patient_id": ["TCGA-OR-A5J1"]})
    assert attach_survival(obs, frame, rep, "OS")["n_with_survival"] == 1
    from genemoe.data.prep_text import step_line

    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 1, "n_events": 1,
                                       "n_without": 0, "clinical_report": rep})
    assert "1 barcode in lower case read upper-cased" in line  # the summary too


def test_missing_value_words_are_missing_not_unreadable(tmp_path: Path, caplog) -> None:
    """Old: '[Not Available]', '[Discrepancy]' and GDC's "'--" in the event column were
    "not 0/1" ("a word not read as 0/1"), and "'--" times "not a number"."""
    assert parse_events(pd.Series(["[Not Available]", "'--", "[Discrepancy]", "Dead"])
                        ).iloc[:3].isna().all()
    p = _write(tmp_path / "c.tsv", "sample\ttime\tstatus\nS1\t10\t[Discrepancy]\nS2\t'--\t1\n"
                                   "S3\t30\t'--\nS4\t40\tDead\n")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        frame, rep = read_clinical(p)
    ep = rep["endpoints"]["OS"]
    assert ep["n_invalid_event"] == 0 and ep["n_non_numeric_time"] == 0
    assert rep["event_words"]["OS"] == {"'-- -> missing": 1, "Dead -> 1": 1,
                                        "[Discrepancy] -> missing": 1}
    assert "S1 (time 10, event '[Discrepancy]')" in caplog.text
    assert "an event status but no time (e.g. S2 (status 1, time empty))" in caplog.text
    assert "not 0/1" not in caplog.text


def test_duplicate_rows_prefer_a_complete_row_and_count_the_endpoint_in_use(
        tmp_path: Path, caplog) -> None:
    """Old: an empty first row was kept over a complete later one; conflicts were judged
    over every column (a DSS or cancer-type difference counted for an OS run) and counted
    patients not in the data."""
    p = _write(tmp_path / "c.tsv", "bcr_patient_barcode\tOS\tOS.time\tDSS\tDSS.time\ttype\n"
                                   "TCGA-OR-A5J1\t\t\t1\t10\tACC\n"
                                   "TCGA-OR-A5J1\t1\t100\t1\t10\tACC\n"
                                   "TCGA-OR-A5J2\t0\t200\t0\t20\tACC\n"
                                   "TCGA-OR-A5J2\t0\t200\t1\t30\tUVM\n"
                                   "TCGA-OR-A5J3\t1\t300\t\t\tACC\n"
                                   "TCGA-OR-A5J3\t0\t900\t\t\tACC\n")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        frame, rep = read_clinical(p, said_on_join=True)
        assert frame.loc["TCGA-OR-A5J1", ["os_time", "os_event"]].tolist() == [100, 1.0]
        assert frame.loc["TCGA-OR-A5J3", "os_time"] == 300  # both complete: the first
        assert rep["n_conflicting_duplicates"] == 1 and rep["n_duplicate_rows"] == 3
        obs = pd.DataFrame({"patient_id": ["TCGA-OR-A5J1", "TCGA-OR-A5J2"]})
        joined = attach_survival(obs, frame, rep, "OS")
    assert joined["clinical_report"]["n_conflicting_duplicates"] == 0  # none in this data
    assert "WARNING" not in caplog.text
    assert ("1 patient(s) with rows that disagree, none of them in this data (e.g. "
            "TCGA-OR-A5J3 (300/1 vs 900/0))") in caplog.text


def test_thousands_separators_are_read_and_said(tmp_path: Path, caplog) -> None:
    """Old: '1,355' in a tab-separated table was "a time that is not a number", with no fix."""
    p = _write(tmp_path / "c.tsv", 'sample\ttime\tstatus\nS1\t1,355\t1\nS2\t12,000.5\t0\nS3\t30\t1\n')
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == [1355, 12000.5, 30]
    assert rep["n_thousands_separator_times"] == 2
    assert "c.tsv: 2 OS time(s) written with a thousands separator (e.g. '1,355')" in caplog.text
    from genemoe.data.prep_text import step_line

    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 3, "n_events": 2,
                                       "n_without": 0, "clinical_report": rep})
    assert "2 times with a thousands separator read without it" in line  # the summary too


def test_a_table_without_a_header_line_says_so(tmp_path: Path) -> None:
    """Old: "no patient or sample column (columns are ['TCGA-OR-A5J1', 'ACC', ...])"."""
    p = _write(tmp_path / "c.tsv", "TCGA-OR-A5J1\tACC\t1\t1355\nTCGA-OR-A5J2\tACC\t0\t2000\n")
    with pytest.raises(InputError, match="the file has no header line") as err:
        read_clinical(p)
    assert "c.tsv" in str(err.value) and "the first row looks like data (TCGA-OR-A5J1" in str(err.value)
    assert "add a header line such as bcr_patient_barcode<TAB>OS<TAB>OS.time" in str(err.value)


def test_event_words_count_patients_not_rows(tmp_path: Path) -> None:
    """Old: GDC's layout (a row per diagnosis, 2 per case) counted "Alive -> 0 4" for 2
    patients."""
    p = _write(tmp_path / "TCGA-ACC.clinical.tsv",
               "sample\tvital_status.demographic\tdays_to_death.demographic\t"
               "days_to_last_follow_up.diagnoses\n"
               "TCGA-OR-A5J1-01A\tAlive\t\t100\nTCGA-OR-A5J1-01A\tAlive\t\t100\n"
               "TCGA-OR-A5J2-01A\tAlive\t\t200\nTCGA-OR-A5J2-01A\tAlive\t\t200\n"
               "TCGA-OR-A5J3-01A\tDead\t50\t\n")
    frame, rep = read_clinical(p)
    assert len(frame) == 3 and rep["event_words"]["OS"] == {"Alive -> 0": 2, "Dead -> 1": 1}
    assert not np.isnan(frame["os_time"]).any()


def test_disagreeing_rows_in_the_data_are_warned_with_the_count_in_it(tmp_path: Path, caplog) -> None:
    """The warning and the record count the patients of this data (was: the table's)."""
    p = _write(tmp_path / "c.tsv", "bcr_patient_barcode\tOS\tOS.time\nTCGA-OR-A5J3\t1\t300\n"
                                   "TCGA-OR-A5J3\t0\t900\nTCGA-OR-A5J4\t1\t5\nTCGA-OR-A5J4\t1\t6\n")
    frame, rep = read_clinical(p, said_on_join=True)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        joined = attach_survival(pd.DataFrame({"patient_id": ["TCGA-OR-A5J3"]}), frame, rep, "OS")
    assert ("c.tsv: 2 patient(s) with rows that disagree, 1 of them in this data (e.g. "
            "TCGA-OR-A5J3 (300/1 vs 900/0)): the first complete row of each kept") in caplog.text
    assert joined["clinical_report"]["n_conflicting_duplicates"] == 1
    assert joined["clinical_report"]["n_conflicting_duplicates_in_table"] == 2


def test_an_os_time_months_column_is_found_and_the_advice_names_the_endpoint(
        tmp_path: Path, caplog) -> None:
    """Old: ``patient, OS_time_months, vital_status`` was refused ("none of the endpoints"),
    and the months-as-days advice put ``time_months`` first for a table of OS/OS.time pairs
    (where it is not read as OS)."""
    p = _write(tmp_path / "g.tsv", "patient\tOS_time_months\tvital_status\nA\t12\tDead\nB\t24\tAlive\n")
    frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx([365.25, 730.5])
    assert frame["os_event"].tolist() == [1.0, 0.0] and rep["time_units"]["OS"]
    rows = "".join(f"TCGA-OR-A{i:03d}\t{i % 2}\t{10 + 5 * i}\n" for i in range(25))
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        read_clinical(_write(tmp_path / "d.tsv", "bcr_patient_barcode\tOS\tOS.time\n" + rows))
    assert "name the column so (OS_MONTHS, time_months, survival_years)" in caplog.text
