"""An empty patient id in a survival table (probe HH, D3): Xena's ``_PATIENT`` is taken from
the row's ``sample`` barcode; a row naming no patient at all is dropped, counted; never the
patient "NAN" (an empty cell read as the string "nan", then upper-cased)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from genemoe.data.clinical import read_clinical

_HEAD = "sample\tOS\t_PATIENT\tOS.time\n"


def _xena(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "TCGA-ACC.survival.tsv"  # the hub's name and columns
    path.write_text(_HEAD + "".join(r + "\n" for r in rows))
    return path


def test_empty_patient_taken_from_sample_barcode(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    path = _xena(tmp_path, ["TCGA-OR-A5J1-01A\t1\tTCGA-OR-A5J1\t1355",
                            "TCGA-OR-A5J2-01A\t0\t\t2000",
                            "TCGA-OR-A5J3-01A\t1\tTCGA-OR-A5J3\t300"])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, report = read_clinical(path)
    assert frame.index.tolist() == ["TCGA-OR-A5J1", "TCGA-OR-A5J2", "TCGA-OR-A5J3"]
    assert "NAN" not in frame.index
    assert frame.loc["TCGA-OR-A5J2", "os_time"] == 2000
    assert report["n_patients_from_sample"] == 1
    assert report["n_barcodes_uppercased"] == 0  # was 1: "nan" read upper-cased
    assert "1 empty _PATIENT taken from its sample barcode" in caplog.text


def test_row_without_patient_or_sample_is_dropped_counted(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _xena(tmp_path, ["TCGA-OR-A5J1-01A\t1\tTCGA-OR-A5J1\t1355",
                            "\t0\t\t2000",
                            "TCGA-OR-A5J3-01A\t1\tTCGA-OR-A5J3\t300"])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        frame, report = read_clinical(path)
    assert frame.index.tolist() == ["TCGA-OR-A5J1", "TCGA-OR-A5J3"]
    assert report["n_rows_without_patient"] == 1 and report["n_rows"] == 2
    assert "1 row(s) without a patient or sample id (line 3)" in caplog.text


@pytest.mark.parametrize(("header", "row"), [
    ("bcr_patient_barcode\tOS\tOS.time", "\t1\t50"),  # TCGA-CDR
    ("sample\ttime\tstatus", "  \t1\t50"),  # a generic table of non-barcode ids
])
def test_empty_id_never_becomes_a_patient(tmp_path: Path, header: str, row: str) -> None:
    first = "TCGA-OR-A5J1\t1\t1355" if header.startswith("bcr") else "S1\t1355\t1"
    path = tmp_path / "t.tsv"
    path.write_text(f"{header}\n{first}\n{row}\n")
    frame, report = read_clinical(path)
    assert len(frame) == 1 and not any(str(p).lower() in ("nan", "") for p in frame.index)
    assert report["n_rows_without_patient"] == 1


def test_empty_patient_cell_in_file_metadata_is_not_one_patient() -> None:
    """An .h5ad's obs with empty patient cells: each such sample is its own patient (the
    empty cells were one patient "", and all of its samples but one were dropped)."""
    from types import SimpleNamespace

    import pandas as pd

    from genemoe.data.patients import file_patients, smallest_id_per_patient

    meta = pd.DataFrame({"patient_id": ["P1", "", None, "P1"]}, index=["a", "b", "c", "d"])
    table = SimpleNamespace(sample_meta=meta, source_path=Path("x.h5ad"))
    obs = pd.DataFrame({"sample_id": ["a", "b", "c", "d"], "source": "x.h5ad"})
    patients, col, n_blank = file_patients(obs, [table])
    assert patients.tolist() == ["P1", "b", "c", "P1"] and col == "patient_id"
    assert n_blank == 2
    assert smallest_id_per_patient(obs["sample_id"].tolist(), patients.tolist()).tolist() == [
        True, True, True, False]


def test_prepare_survival_line_says_both_counts() -> None:
    """The counts were in the record only; prepare's survival line said neither."""
    from genemoe.data.prep_text import step_line

    line = step_line("join_survival", {"endpoint": "OS", "n_with_survival": 10, "n_events": 3,
                                  "n_without": 0, "clinical_report": {
                                      "n_patients_from_sample": 1, "n_rows_without_patient": 2}})
    assert "1 empty _PATIENT taken from the sample barcode" in line
    assert "2 row(s) naming no patient dropped" in line
