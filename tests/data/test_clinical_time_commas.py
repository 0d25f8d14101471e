"""Survival times written with a comma in a tab- or comma-separated clinical table (outside
probe JJ, defect 1). Old: decimal commas were read only in a ``;`` table, so a TSV whose
every OS.time was ``1355,5`` gave no patient OS (refused as "--endpoint: ... choose an
endpoint these patients have: PFI"); a column mixing ``1,355`` and ``365,5`` kept the long
times as thousands and dropped the short ones (most deaths) with only a warning; and times
written ``1355 days`` got the same wrong "--endpoint" fix."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.clinical import attach_survival, read_clinical
from genemoe.data.prep_text import step_line
from genemoe.errors import InputError

_RNG = np.random.default_rng(7)
_TIMES = np.round(_RNG.uniform(30, 3000, 12), 1)  # some over 1,000 days, some under


def _table(path: Path, os_time: list[str], sep: str = "\t", quote: bool = False) -> Path:
    """A TCGA-CDR-like table: OS / OS.time as given, PFI / PFI.time as plain numbers."""
    q = '"' if quote else ""
    rows = [sep.join(["bcr_patient_barcode", "OS", "OS.time", "PFI", "PFI.time"])]
    for i, t in enumerate(os_time):
        rows.append(sep.join([f"TCGA-AA-{i:04d}", str(i % 2), f"{q}{t}{q}", "1", "100"]))
    path.write_text("\n".join(rows) + "\n")
    return path


def _decimal_comma(t: float) -> str:
    return f"{t:.1f}".replace(".", ",")


@pytest.mark.parametrize(("name", "sep", "quote"), [("c.tsv", "\t", False),
                                                    ("c.csv", ",", True)])
def test_decimal_comma_times_of_a_tab_or_comma_table_are_read_counted_and_said(
        tmp_path: Path, caplog, name: str, sep: str, quote: bool) -> None:
    p = _table(tmp_path / name, [_decimal_comma(t) for t in _TIMES], sep, quote)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == pytest.approx(_TIMES.tolist())  # was all NaN
    assert rep["n_decimal_comma_times"] == len(_TIMES) and rep["n_thousands_separator_times"] == 0
    assert rep["endpoints"]["OS"]["n_usable"] == len(_TIMES)
    assert f"{name}: {len(_TIMES)} OS time(s) written with a decimal comma" in caplog.text
    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": len(_TIMES),
                                       "n_events": 6, "n_without": 0, "clinical_report": rep})
    assert f"{len(_TIMES)} times with a decimal comma read as a point" in line


@pytest.mark.parametrize(("name", "sep", "quote"), [("m.tsv", "\t", False),
                                                    ("m.csv", ",", True)])
def test_a_time_column_of_thousands_separators_and_decimal_commas_is_refused(
        tmp_path: Path, name: str, sep: str, quote: bool) -> None:
    """Old: 46 of 79 patients kept, the short times (most deaths) dropped, one warning."""
    times = ["1,355", "365,5", "2,001", "120,25", "30"]
    p = _table(tmp_path / name, times, sep, quote)
    with pytest.raises(InputError) as err:
        read_clinical(p)
    text = str(err.value)
    assert str(p) in text and "column 'OS.time'" in text
    assert "line 3: '365,5'" in text and "line 2: '1,355'" in text  # each form, its row
    assert "decimal comma" in text and "thousands separator" in text
    assert "fix: rewrite the times with decimal points" in text
    assert "remove the thousands separators" in text and "--endpoint" not in text


def test_a_european_thousands_point_beside_decimal_commas_is_refused(tmp_path: Path) -> None:
    """``1.355`` beside ``365,5``: 1355 to the writer, 1.355 days as read."""
    p = _table(tmp_path / "e.tsv", ["1.355", "365,5", "30"])
    with pytest.raises(InputError, match="line 2: '1.355'"):
        read_clinical(p)


def test_an_ambiguous_column_of_another_endpoint_is_left_unread_and_said(tmp_path: Path,
                                                                        caplog) -> None:
    """The endpoint in use reads; another's ambiguous times are not guessed: left unread
    (counted "not a number") and said."""
    p = tmp_path / "o.tsv"
    p.write_text("bcr_patient_barcode\tOS\tOS.time\tPFI\tPFI.time\n"
                 "TCGA-AA-0001\t1\t100\t1\t1,355\nTCGA-AA-0002\t0\t200\t1\t365,5\n"
                 "TCGA-AA-0003\t1\t300\t0\t40\n")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, rep = read_clinical(p)
    assert frame["os_time"].tolist() == [100, 200, 300]
    assert np.isnan(frame["pfi_time"].iloc[:2]).all() and frame["pfi_time"].iloc[2] == 40
    assert rep["endpoints"]["PFI"]["n_non_numeric_time"] == 2
    assert "column 'PFI.time'" in caplog.text and "left unread" in caplog.text


@pytest.mark.parametrize(("cells", "fix"), [
    (["1355 days", "20 days", "400 days"], "without its unit (1355, not '1355 days')"),
    (["~1355", "~2001", ">3000"], "a plain number of days with a decimal point"),
])
def test_times_none_of_which_is_a_number_name_the_column_and_the_format(
        tmp_path: Path, cells: list[str], fix: str) -> None:
    """Old: each patient "a time that is not a number", then "--endpoint: ... choose an
    endpoint these patients have: PFI (3)"."""
    p = _table(tmp_path / "u.tsv", cells)
    with pytest.raises(InputError) as err:
        read_clinical(p, said_on_join=True)
    text = str(err.value)
    assert str(p) in text and "column 'OS.time'" in text and repr(cells[0]) in text
    assert "none of its 3 OS time(s) is a number" in text and fix in text
    assert "--endpoint" not in text and "choose an endpoint" not in text


def test_the_datas_patients_with_unreadable_times_are_refused_at_the_join(tmp_path: Path
                                                                        ) -> None:
    """A table of two cohorts, one written with units: the data's patients have none of
    them a number. The refusal names the column and the format, not --endpoint."""
    p = tmp_path / "two.tsv"
    p.write_text("bcr_patient_barcode\tOS\tOS.time\tPFI\tPFI.time\n"
                 "TCGA-AA-0001\t1\t100\t1\t50\nTCGA-AA-0002\t0\t200\t1\t60\n"
                 "TCGA-BB-0001\t1\t1355 days\t1\t70\nTCGA-BB-0002\t0\t20 days\t1\t80\n")
    clinical, rep = read_clinical(p, said_on_join=True)
    obs = pd.DataFrame({"patient_id": ["TCGA-BB-0001", "TCGA-BB-0002"]})
    with pytest.raises(InputError) as err:
        attach_survival(obs, clinical, rep, "OS")
    text = str(err.value)
    assert "two.tsv" in text and "column 'OS.time'" in text and "'1355 days'" in text
    assert "none of these patients' 2 OS time(s) is a number" in text
    assert "--endpoint" not in text and "without its unit" in text
