"""TCGA barcodes as R writes a repeated column name: ``make.names`` dots the dashes and
``make.unique`` numbers the repeat (``TCGA.OR.A5L9.01A.11R.A29S.07.1``). They were "not TCGA
barcodes", so a re-sequenced aliquot counted as another patient (both sides of a split) and
its normals were kept; now they are read as the barcode before the number, by the same rule
as AnnData's ``-1`` suffix (note50's list)."""

from __future__ import annotations

import pytest

from genemoe.data.ids import dashed_barcode, is_sample_barcode, suffixed_barcodes
from genemoe.data.tcga import one_per_patient, parse_barcode


@pytest.mark.parametrize(("given", "barcode"), [
    ("TCGA.OR.A5L9.01A.11R.A29S.07.1", "TCGA-OR-A5L9-01A-11R-A29S-07"),
    ("TCGA_OR_A5L9_01A_11R_A29S_07_2", "TCGA-OR-A5L9-01A-11R-A29S-07"),
    ("TCGA.OR.A5L9.01.1", "TCGA-OR-A5L9-01"),
    ("TCGA.OR.A5L9.01A.123", "TCGA-OR-A5L9-01A"),
])
def test_a_make_unique_number_is_read_past(given, barcode):
    assert is_sample_barcode(given)
    assert suffixed_barcodes([given]) == {given: barcode}
    b = parse_barcode(given)
    assert b.patient_id == "TCGA-OR-A5L9" and b.sample_code == barcode[13:15]


@pytest.mark.parametrize("given", [
    "TCGA.OR.A5L9.1",  # after a patient barcode a number would be a sample type
    "TCGA.OR.A5L9.01A.11R.1",  # after a portion it could be a plate
    "RP11.34P13.7",  # not a TCGA/TARGET name at all
])
def test_an_ambiguous_or_foreign_number_is_not_read_past(given):
    assert not is_sample_barcode(given) and suffixed_barcodes([given]) == {}


def test_a_dotted_portion_stays_a_portion():
    assert dashed_barcode("TCGA.OR.A5L9.01.12") == "TCGA-OR-A5L9-01-12"
    assert suffixed_barcodes(["TCGA.OR.A5L9.01.12"]) == {}


def test_one_per_patient_sees_the_repeat_as_the_same_patient():
    keep, _ = one_per_patient(["TCGA.OR.A5L9.01A.11R.A29S.07", "TCGA.OR.A5L9.01A.11R.A29S.07.1"])
    assert keep.tolist() == [True, False]


def test_prepare_drops_normals_and_joins_survival_of_r_numbered_barcodes(tmp_path):
    from synthetic_inputs import prepare_renamed

    bundle = prepare_renamed(tmp_path, lambda c: f"{c.replace('-', '.')}.1", tcga=True)  # R's
    obs = bundle.obs
    assert len(obs) == 60 and set(obs["sample_type"]) == {"01"}  # the 5 normals dropped
    assert obs["has_survival"].all()
    said = (bundle.path / "record.json").read_text()
    assert "not TCGA barcodes" not in said
