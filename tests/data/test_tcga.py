"""Tests of genemoe.data.tcga: barcodes, sample types, cohort names (crafted and real)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.tcga import (
    BARCODE_COLUMNS,
    BLOOD_CANCERS,
    SAMPLE_TYPES,
    TCGA_PROJECTS,
    Barcode,
    cohort_from_path,
    filter_sample_types,
    normalise_cancer_type,
    one_per_patient,
    parse_barcode,
    parse_barcodes,
    sample_type_code,
    sample_type_codes,
    sample_type_label,
    sample_type_list,
)
from genemoe.errors import InputError

FULL = "TCGA-OR-A5J1-01A-11R-A29S-07"  # first ACC aliquot in GDC/RNAsum counts


def _header_barcodes(path: Path) -> list[str]:
    with gzip.open(path, "rt") as fh:
        return fh.readline().rstrip("\n").split("\t")[1:]


# --- constants ---------------------------------------------------------------------------


def test_projects_are_the_33_tcga_types() -> None:
    assert len(TCGA_PROJECTS) == 33
    assert len(set(TCGA_PROJECTS)) == 33
    assert list(TCGA_PROJECTS) == sorted(TCGA_PROJECTS)
    assert {"LAML", "DLBC", "UVM", "ACC"} <= set(TCGA_PROJECTS)


def test_blood_cancers_is_laml_only() -> None:
    # DLBC primaries are solid lymph-node tissue (01); LAML primaries are blood (03)
    assert BLOOD_CANCERS == ("LAML",)


def test_sample_type_table_entries() -> None:
    # GDC sample type code table (gdc.cancer.gov, "TCGA code tables: sample type codes")
    assert SAMPLE_TYPES["01"] == ("Primary Solid Tumor", "TP")
    assert SAMPLE_TYPES["03"] == ("Primary Blood Derived Cancer - Peripheral Blood", "TB")
    assert SAMPLE_TYPES["06"] == ("Metastatic", "TM")
    assert SAMPLE_TYPES["11"] == ("Solid Tissue Normal", "NT")
    assert SAMPLE_TYPES["61"] == ("Cell Line Derived Xenograft Tissue", "XCL")
    assert all(len(code) == 2 and code.isdigit() for code in SAMPLE_TYPES)


# --- sample_type_code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("01", "01"),
        (1, "01"),
        ("1", "01"),
        (np.int64(11), "11"),
        ("Primary Solid Tumor", "01"),
        ("primary solid tumor", "01"),
        ("Primary Tumor", "01"),  # PanCanAtlas / Xena phenotype spelling
        ("TP", "01"),
        ("tb", "03"),
        ("Primary Blood Derived Cancer - Peripheral Blood", "03"),
        ("Solid Tissue Normal", "11"),
        ("NT", "11"),
        ("Additional - New Primary", "05"),
        (" Metastatic ", "06"),
    ],
)
def test_sample_type_code_accepts_codes_names_letters(value: object, code: str) -> None:
    assert sample_type_code(value) == code


@pytest.mark.parametrize("value", ["Tumour-ish", "17", 42, "", True])
def test_sample_type_code_unknown_lists_known_names(value: object) -> None:
    with pytest.raises(ValueError) as err:
        sample_type_code(value)
    if not isinstance(value, bool):
        assert "Primary Solid Tumor" in str(err.value)
        assert "Solid Tissue Normal" in str(err.value)


def test_sample_type_label() -> None:
    assert sample_type_label("11") == "Solid Tissue Normal (11)"
    assert sample_type_label(None) == "no sample type in barcode"
    assert sample_type_label("17") == "unknown sample type (17)"


# --- barcodes -----------------------------------------------------------------------------


def test_parse_full_barcode() -> None:
    b = parse_barcode(FULL)
    assert b == Barcode(
        raw=FULL, project="TCGA", tss="OR", participant="A5J1", patient_id="TCGA-OR-A5J1",
        sample_code="01", vial="A", portion="11", analyte="R", plate="A29S", center="07",
    )  # fmt: skip
    assert b.sample_id == "TCGA-OR-A5J1-01A"
    assert len(b.sample_id) == 16
    assert b.is_tumour is True


@pytest.mark.parametrize(
    ("value", "sample_id", "sample_code", "vial", "is_tumour"),
    [
        ("TCGA-02-0047-01", "TCGA-02-0047-01", "01", None, True),  # PanCanAtlas row name
        ("TCGA-W5-AA2I-11A", "TCGA-W5-AA2I-11A", "11", "A", False),
        ("TCGA-AB-2803-03B-01T", "TCGA-AB-2803-03B", "03", "B", True),
        ("TCGA-OR-A5J1", "TCGA-OR-A5J1", None, None, None),
        (" tcga-or-a5j1-01a ", "TCGA-OR-A5J1-01A", "01", "A", True),
        ("TCGA-OR-A5J1-20A", "TCGA-OR-A5J1-20A", "20", "A", False),  # control analyte
    ],
)
def test_parse_short_barcodes(
    value: str, sample_id: str, sample_code: str | None, vial: str | None, is_tumour: bool | None
) -> None:
    b = parse_barcode(value)
    assert b.sample_id == sample_id
    assert b.sample_code == sample_code
    assert b.vial == vial
    assert b.is_tumour is is_tumour
    assert len(b.sample_id) == (15 if sample_code and vial is None else len(sample_id))


def test_parse_other_programs() -> None:
    syn = parse_barcode("SYN-AB-0001-01A-11R")
    assert (syn.project, syn.patient_id, syn.sample_code, syn.analyte) == (
        "SYN", "SYN-AB-0001", "01", "R",
    )  # fmt: skip
    target = parse_barcode("TARGET-10-PAKSWW-03A-01R")  # TARGET participants have 6 chars
    assert target.patient_id == "TARGET-10-PAKSWW"
    assert target.sample_id == "TARGET-10-PAKSWW-03A"


@pytest.mark.parametrize(
    "bad", ["TP53", "TCGA-OR", "TCGA-OR-A5J1-1A", "TCGA-OR-A5J1-01A-11R-A29S-07-X", "", "sample_1"]
)
def test_parse_barcode_rejects_bad_values(bad: str) -> None:
    with pytest.raises(ValueError, match=r"TCGA-XX-XXXX\[-01A") as err:
        parse_barcode(bad)
    assert repr(bad) in str(err.value)


def test_parse_barcodes_frame() -> None:
    df = parse_barcodes([FULL, "TCGA-02-0047-01", "TCGA-OR-A5J1"])
    assert list(df.columns) == list(BARCODE_COLUMNS)
    assert len(df) == 3
    assert df["sample_id"].tolist() == ["TCGA-OR-A5J1-01A", "TCGA-02-0047-01", "TCGA-OR-A5J1"]
    assert df["patient_id"].tolist() == ["TCGA-OR-A5J1", "TCGA-02-0047", "TCGA-OR-A5J1"]
    assert df.loc[1, "vial"] is None
    assert df.loc[2, "sample_code"] is None
    assert df.loc[0, "plate"] == "A29S"


def test_parse_barcodes_lists_bad_rows() -> None:
    values = [FULL, "TP53", FULL, "not-a-barcode"]
    with pytest.raises(InputError) as err:
        parse_barcodes(values)
    msg = str(err.value)
    assert "2 value(s)" in msg
    assert "row 1: 'TP53'" in msg
    assert "row 3: 'not-a-barcode'" in msg


def test_real_gdc_header_barcodes(shared_data: Path) -> None:
    # data README: CHOL 36 samples, all primary tumours (sample type 01)
    path = shared_data / "gdc_counts_6types" / "TCGA_CHOL_Counts.exp.gz"
    barcodes = _header_barcodes(path)
    assert len(barcodes) == 36
    df = parse_barcodes(barcodes)
    assert (df["sample_code"] == "01").all()
    assert (df["analyte"] == "R").all()
    assert df["patient_id"].str.len().eq(12).all()
    assert df["patient_id"].tolist() == [b[:12] for b in barcodes]
    assert df["sample_id"].tolist() == [b[:16] for b in barcodes]
    assert df.loc[0, "raw"] == "TCGA-W5-AA2G-01A-11R-A41I-07"  # first header column
    keep, dropped = filter_sample_types(barcodes)
    assert keep.all()
    assert dropped == {"no sample type in barcode": 0}
    keep, dropped = one_per_patient(barcodes)
    assert keep.all()  # one aliquot per patient in this file
    assert dropped == {"duplicate profile of the same patient": 0}


# --- filter_sample_types --------------------------------------------------------------------


def test_filter_sample_types_counts_by_name() -> None:
    ids = [
        "TCGA-AA-0001-01A", "TCGA-AA-0001-11A", "TCGA-AA-0002-11A", "TCGA-AB-2803-03A",
        "TCGA-AA-0003-06A", "TCGA-AA-0004-01", "TCGA-AA-0005-17A",
    ]  # fmt: skip
    keep, dropped = filter_sample_types(ids)
    assert keep.tolist() == [True, False, False, True, False, True, False]
    assert dropped == {
        "Solid Tissue Normal (11)": 2,
        "Metastatic (06)": 1,
        "unknown sample type (17)": 1,
        "no sample type in barcode": 0,
    }
    keep, dropped = filter_sample_types(ids, sample_types=("NT",))
    assert keep.tolist() == [False, True, True, False, False, False, False]
    assert sum(dropped.values()) == 5


def test_filter_sample_types_missing_part() -> None:
    ids = ["TCGA-AA-0001-01A", "TCGA-AA-0002"]
    with pytest.raises(InputError, match="allow_missing=True") as err:
        filter_sample_types(ids)
    assert "row 1: 'TCGA-AA-0002'" in str(err.value)
    keep, dropped = filter_sample_types(ids, allow_missing=True)
    assert keep.tolist() == [True, False]
    assert dropped == {"no sample type in barcode": 1}


def test_pancan_sample_types_all_map(shared_data: Path) -> None:
    samples = pd.read_csv(shared_data / "pancan33_random100" / "samples.tsv.gz", sep="\t")
    codes = sample_type_codes(samples["sample_type"])
    assert len(codes) == 11060  # data README: 11,060 PanCanAtlas samples
    # the named sample type agrees with the sample-type part of every barcode
    assert (codes == parse_barcodes(samples["sample_id"])["sample_code"].to_numpy()).all()
    # LAML samples are all 03 ("Primary Blood Derived Cancer - Peripheral Blood")
    assert set(codes[samples["cancer_type"].to_numpy() == "LAML"]) == {"03"}


def test_pancan_990_primary_tumours(shared_data: Path) -> None:
    folder = shared_data / "pancan33_random100"
    expr_ids = pd.read_csv(folder / "expression.tsv.gz", sep="\t", usecols=[0]).iloc[:, 0]
    samples = pd.read_csv(folder / "samples.tsv.gz", sep="\t")
    ids = samples.loc[samples["sample_id"].isin(expr_ids), "sample_id"]
    assert len(ids) == 1106
    keep, dropped = filter_sample_types(ids)
    # data README: 990 primary tumours (sample types 01 and 03) out of 1,106
    assert int(keep.sum()) == 990
    assert dropped == {
        "Solid Tissue Normal (11)": 72,
        "Metastatic (06)": 39,
        "Recurrent Solid Tumor (02)": 4,
        "Additional - New Primary (05)": 1,
        "no sample type in barcode": 0,
    }  # counted from samples.tsv.gz (sample_type column) for the 1,106 expression rows


# --- one_per_patient ------------------------------------------------------------------------


def test_one_per_patient_rule() -> None:
    ids = [
        "TCGA-AA-0001-01B-11R-A000-07",  # 0 vial B
        "TCGA-AA-0001-01A-21R-A000-07",  # 1 vial A, portion 21
        "TCGA-AA-0001-01A-11H-A000-07",  # 2 vial A, portion 11, analyte H
        "TCGA-AA-0001-01A-11R-B000-07",  # 3 vial A, portion 11, analyte R  <- kept
        "TCGA-AA-0001-11A-01R-A000-07",  # 4 normal tissue
        "TCGA-AA-0002-11A-01R-A000-07",  # 5 only profile of patient 2     <- kept
        "TCGA-AA-0003-03A-01R-A000-07",  # 6 blood tumour
        "TCGA-AA-0003-01A-01R-A000-07",  # 7 solid tumour, listed first     <- kept
        "TCGA-AA-0004-01A-11R-A29S-07",  # 8 same but plate
        "TCGA-AA-0004-01A-11R-A12Z-07",  # 9 smallest full barcode          <- kept
        "TCGA-AA-0005-01A-11H-A000-07",  # 10 vial A, portion 11, H        <- kept
        "TCGA-AA-0005-01A-21R-A000-07",  # 11 portion beats analyte
        "TCGA-AA-0006-01",  # 12 no vial
        "TCGA-AA-0006-01A",  # 13 vial A beats no vial                     <- kept
    ]
    keep, dropped = one_per_patient(ids)
    assert np.flatnonzero(keep).tolist() == [3, 5, 7, 9, 10, 13]
    assert dropped == {"duplicate profile of the same patient": 8}
    keep, _ = one_per_patient(ids, sample_types=("03", "01"))
    assert keep[6] and not keep[7]
    keep, _ = one_per_patient(ids, sample_types=("NT", "TP"))
    assert keep[4] and not keep[3]


def test_one_per_patient_is_order_independent() -> None:
    ids = ["TCGA-AA-0001-01B", "TCGA-AA-0001-01A", "TCGA-AA-0002-01A", "TCGA-AA-0002-01A"]
    keep, dropped = one_per_patient(ids)
    assert keep.tolist() == [False, True, True, False]  # exact duplicates: the first kept
    keep_rev, _ = one_per_patient(ids[::-1])
    assert np.array(ids[::-1])[keep_rev].tolist() == ["TCGA-AA-0002-01A", "TCGA-AA-0001-01A"]
    assert dropped == {"duplicate profile of the same patient": 2}


# --- cancer types and cohorts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ACC (TCGA)", "ACC"),  # TCGA_<TYPE>_Target.txt label
        ("TCGA-ACC", "ACC"),  # GDC project ID
        (" brca ", "BRCA"),
        ("tcga_laml", "LAML"),
        ("Glioma", "Glioma"),
        ("  Glioma (TCGA) ", "Glioma (TCGA)"),
        ("COADREAD", "COADREAD"),
    ],
)
def test_normalise_cancer_type(value: str, expected: str) -> None:
    assert normalise_cancer_type(value) == expected


def test_real_target_labels_normalise(shared_data: Path) -> None:
    folder = shared_data / "gdc_counts_6types"
    for path in sorted(folder.glob("TCGA_*_Target.txt.gz")):
        target = pd.read_csv(path, sep="\t")
        labels = {normalise_cancer_type(v) for v in target["Target"].unique()}
        assert labels == {cohort_from_path(path)}, path.name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("TCGA_ACC_Counts.exp.gz", "ACC"),
        ("/data/TCGA-BRCA.htseq_fpkm-uq.tsv.gz", "BRCA"),
        ("TCGA-LAML.GDC_phenotype.tsv.gz", "LAML"),
        ("tcga_ucs_target.txt.gz", "UCS"),
        ("expression.tsv.gz", None),
        ("TCGA_XYZ_Counts.exp.gz", None),  # not a TCGA type
        ("TCGA_Counts.gz", None),
    ],
)
def test_cohort_from_path(name: str, expected: str | None) -> None:
    assert cohort_from_path(name) == expected
    assert cohort_from_path(Path(name)) == expected


def test_unknown_sample_type_is_an_input_error_before_reading(tmp_path: Path) -> None:
    """``genemoe prepare --sample-types primary`` read the whole file, then ended in a
    ValueError traceback."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset

    assert sample_type_list(["01", "TB", "Solid Tissue Normal"]) == ["01", "03", "11"]
    missing = tmp_path / "not_read_yet.tsv"  # refused before any file is opened
    with pytest.raises(InputError, match=r"(?s)--sample-types.*'primary'.*fix: .*01 TP"):
        prepare_dataset([missing], out_path=tmp_path / "b",
                        config=PrepareConfig(sample_types=("01", "primary")))


def test_an_empty_sample_type_list_is_refused_before_reading():
    """Old behaviour: `--sample-types ""` kept no sample and failed later, printing the dropped
    counts as a Python dict with a fix about --min-class-size."""
    from genemoe.data.prepare import PrepareConfig
    from genemoe.errors import InputError

    with pytest.raises(InputError, match="no sample type given"):
        PrepareConfig(sample_types=())


def test_two_rounds_of_respelling_read_as_one():
    """Old behaviour: "respelt as TCGA codes: 117 labels (Acc (TCGA) -> Acc, acc (tcga) -> ACC,
    Acc -> ACC)" for 78 label rows: the table's round and prepare's summed, the midway
    spelling shown as a respelling of its own."""
    from collections import Counter

    from genemoe.data.tables import chained_respellings

    table = Counter({"Acc (TCGA) -> Acc": 40, "acc (tcga) -> ACC": 38})
    samples = Counter({"Acc -> ACC": 39, "uvm -> UVM": 2})
    assert chained_respellings(table, samples) == {"Acc (TCGA) -> ACC": 40,
                                                   "acc (tcga) -> ACC": 38, "uvm -> UVM": 2}
