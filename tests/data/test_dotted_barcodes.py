"""TCGA barcodes written with '.' or '_' for '-' (R's make.names: TCGA.OR.A5L9.01A.11R.A29S.07).

Old behaviour (an outside probe): such ids were "not TCGA barcodes": no sample-type filter (a
normal entered the bundle as a tumour), patients not grouped (one patient's samples on both
sides of the split), nothing in summary.json's warnings; a dotted survival table was refused
with its column named twice ("column 'bcr_patient_barcode': column 'bcr_patient_barcode' does
not hold ...").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner
from xena_files import gene_table, raw_counts

from genemoe.cli import app
from genemoe.data.bundle import load_bundle
from genemoe.data.clinical import read_clinical
from genemoe.data.ids import (
    classify_id,
    dashed_barcode,
    is_sample_barcode,
    respelt_barcodes,
    tcga_like,
)
from genemoe.data.tcga import filter_sample_types, parse_barcode, parse_barcodes
from genemoe.errors import InputError


@pytest.mark.parametrize(("given", "dashed"), [
    ("TCGA.OR.A5L9.01A.11R.A29S.07", "TCGA-OR-A5L9-01A-11R-A29S-07"),
    ("TCGA.OR.A5L9.01A-11R-A29S-07", "TCGA-OR-A5L9-01A-11R-A29S-07"),
    ("TCGA_OR_A5L9_01", "TCGA-OR-A5L9-01"),
    ("TARGET.10.PAKSWW.03A.01R", "TARGET-10-PAKSWW-03A-01R"),
])
def test_dotted_barcodes_read_as_the_dashed_ones(given, dashed):
    assert dashed_barcode(given) == dashed
    assert is_sample_barcode(given) and tcga_like(given) and classify_id(given) == "unknown"
    b, d = parse_barcode(given), parse_barcode(dashed)
    assert b.raw == given and (b.patient_id, b.sample_id) == (d.patient_id, d.sample_id)


@pytest.mark.parametrize("other", ["RP11-34P13.7", "S_01_0001", "TCGA.ACC", "AC004.1",
                                   "sample.01.0001", "TCGA-OR-A5L9-01A"])
def test_other_dotted_names_are_left_as_given(other):
    assert dashed_barcode(other) == other and respelt_barcodes([other]) == {}


def test_parsed_dotted_barcodes_keep_the_raw_id_and_dash_the_patient(caplog):
    ids = ["TCGA.OR.A5L9.01A.11R.A29S.07", "TCGA.OR.A5L9.11A.11R.A29S.07", "TCGA-OR-A5J1-01A"]
    p = parse_barcodes(ids)
    assert p["raw"].tolist() == ids
    assert p["patient_id"].tolist() == ["TCGA-OR-A5L9", "TCGA-OR-A5L9", "TCGA-OR-A5J1"]
    assert p["sample_id"].tolist() == ["TCGA-OR-A5L9-01A", "TCGA-OR-A5L9-11A", "TCGA-OR-A5J1-01A"]
    with caplog.at_level("WARNING", logger="genemoe"):
        keep, dropped = filter_sample_types(ids)
    assert keep.tolist() == [True, False, True]
    assert "2 sample id(s) are TCGA barcodes written with '.' or '_' for '-'" in caplog.text


def _dotted_cohort(tmp_path: Path) -> tuple[Path, Path]:
    """ACC counts with dotted ids: 6 tumours, a second tumour vial of patient 1001 and the
    normal of patient 1000; the label table names every sample, dotted."""
    counts = raw_counts("ACC", gene_table(30), 6, seed=0)
    counts["TCGA-OR-1001-01B"] = counts["TCGA-OR-1001-01A"] + 1
    counts = pd.concat([counts, raw_counts("UVM", gene_table(30), 6, seed=1)], axis=1)
    counts.columns = [c.replace("-", ".") for c in counts.columns]
    counts.index.name = "gene_id"
    expr = tmp_path / "dotted.tsv"
    counts.to_csv(expr, sep="\t")
    labels = tmp_path / "labels.tsv"
    pd.DataFrame({"sample": counts.columns,
                  "cancer_type": ["ACC" if c.startswith("TCGA.OR") else "UVM" for c in counts.columns]}
                 ).to_csv(labels, sep="\t", index=False)
    return expr, labels


def _prepare(*args: object) -> None:
    res = CliRunner().invoke(app, ["prepare", *map(str, args), "--min-variance", "0",
                                   "--min-mean", "0", "--min-class-size", "2"])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 0, res.output


def test_a_dotted_cohort_is_filtered_and_grouped_by_patient_and_says_so(tmp_path):
    expr, labels = _dotted_cohort(tmp_path)
    clinical = tmp_path / "clinical.tsv"
    patients = [f"TCGA.OR.{1000 + i}" for i in range(6)] + [f"TCGA.V4.{1000 + i}" for i in range(6)]
    pd.DataFrame({"bcr_patient_barcode": patients, "OS": [1, 0] * 6,
                  "OS.time": np.arange(100, 1300, 100)}).to_csv(clinical, sep="\t", index=False)
    _prepare("--expression", expr, "--labels", labels, "--clinical", clinical,
             "--out", tmp_path / "b")
    b = load_bundle(tmp_path / "b")
    obs = b.obs
    assert "TCGA.OR.1000.11A" not in set(obs["sample_id"])  # the normal: dropped
    assert b.record["dropped"]["samples"]["Solid Tissue Normal (11)"] == 2
    assert b.record["dropped"]["samples"]["duplicate profile of the same patient"] == 1
    assert obs["sample_id"].str.startswith("TCGA.").all()  # the ids as given
    assert obs["patient_id"].str.fullmatch(r"TCGA-[A-Z0-9]{2}-\d{4}").all()
    assert obs.groupby("patient_id")["split"].nunique().max() == 1
    assert obs["has_survival"].all()  # the dotted survival table joined
    said = [w for w in b.summary["warnings"] if "written with '.' or '_' for '-'" in w]
    assert len(said) == 1 and said[0].startswith("15 sample id(s)")
    step = next(s for s in b.record["steps"] if s["step"] == "join_survival")
    assert step["clinical_report"]["n_barcodes_respelt"] == 12


def test_a_dotted_survival_table_joins_and_a_table_of_other_ids_is_named_once(tmp_path):
    path = tmp_path / "cdr.tsv"
    pd.DataFrame({"bcr_patient_barcode": ["TCGA.OR.A5J8", "TCGA.OR.A5JB"], "OS": [1, 0],
                  "OS.time": [579, 551]}).to_csv(path, sep="\t", index=False)
    frame, report = read_clinical(path)
    assert frame.index.tolist() == ["TCGA-OR-A5J8", "TCGA-OR-A5JB"]
    assert report["n_barcodes_respelt"] == 2
    pd.DataFrame({"bcr_patient_barcode": ["P1", "P2"], "OS": [1, 0], "OS.time": [5, 6]}
                 ).to_csv(path, sep="\t", index=False)
    with pytest.raises(InputError) as err:
        read_clinical(path)
    text = str(err.value)
    assert text.count("bcr_patient_barcode") == 1 and "'P1'" in text and "TCGA-OR-A5J8" in text
