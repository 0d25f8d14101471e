"""TCGA barcodes with an AnnData uniqueness suffix (``obs_names_make_unique``:
``TCGA-OR-A5L9-01A-11R-A29S-07-1``) are read as the barcode before it (probeI): they were
"not TCGA barcodes", so normals were kept, the survival join was refused and predict counted
the model's own samples as new."""

from __future__ import annotations

import logging

import pytest

from genemoe.data.ids import is_sample_barcode, suffixed_barcodes, tcga_like, unsuffixed_barcode
from genemoe.data.tcga import filter_sample_types, one_per_patient, parse_barcode, parse_barcodes
from genemoe.workflows.model_split import model_splits


@pytest.mark.parametrize(("given", "barcode"), [
    ("TCGA-OR-A5L9-01A-11R-A29S-07-1", "TCGA-OR-A5L9-01A-11R-A29S-07"),
    ("TCGA-OR-A5L9-11A-11R-A29S-07-12", "TCGA-OR-A5L9-11A-11R-A29S-07"),
    ("TCGA-OR-A5L9-01A-1", "TCGA-OR-A5L9-01A"),
    ("TCGA-OR-A5L9-01-2", "TCGA-OR-A5L9-01"),
    ("TCGA-OR-A5L9-01A-123", "TCGA-OR-A5L9-01A"),
])
def test_a_suffix_after_a_full_or_sample_barcode_is_read_past(given, barcode):
    assert unsuffixed_barcode(given) == barcode
    assert is_sample_barcode(given) and tcga_like(given)
    b = parse_barcode(given)
    assert b.patient_id == "TCGA-OR-A5L9" and b.sample_code == barcode[13:15]
    assert b.suffix == given[len(barcode) + 1:]
    assert parse_barcodes([given])["sample_id"].iloc[0] == barcode[:16].rstrip("-")


@pytest.mark.parametrize("given", [
    "TCGA-OR-A5L9-01A-11R-A29S-07", "TCGA-OR-A5L9-01", "TCGA-OR-A5L9-01A-11",  # portion 11
    "TCGA-OR-A5L9-01A-11R-A29S",  # a plate-level barcode
])
def test_a_plain_barcode_keeps_every_part(given):
    assert unsuffixed_barcode(given) == given and parse_barcode(given).suffix is None
    assert suffixed_barcodes([given]) == {}


@pytest.mark.parametrize("given", [
    "TCGA-OR-A5L9-1",  # a patient's -10 would be sample type 10: none is taken off
    "TCGA-OR-A5L9-01A-11R-1",  # after a portion: a 4-digit suffix would be a plate
    "TCGA-OR-A5L9-01A-11R-A29S-1",  # after a plate: a 2-digit suffix would be a centre
])
def test_an_ambiguous_suffix_is_not_read_past(given):
    assert unsuffixed_barcode(given) == given and not is_sample_barcode(given)


def test_the_sample_type_filter_and_one_per_patient_read_suffixed_barcodes(caplog):
    ids = ["TCGA-OR-A5L9-01A-11R-A29S-07-1", "TCGA-OR-A5L9-11A-11R-A29S-07-1",
           "TCGA-OR-A5L9-01A-21R-A29S-07-1", "TCGA-D8-A27E-06A-11R-A29S-07-1"]
    with caplog.at_level(logging.WARNING):
        keep, dropped = filter_sample_types(ids)
    assert keep.tolist() == [True, False, True, False]
    assert dropped["Solid Tissue Normal (11)"] == 1 and dropped["Metastatic (06)"] == 1
    assert "4 sample id(s) are TCGA barcodes with a uniqueness suffix" in caplog.text
    keep1, _ = one_per_patient([ids[0], ids[2]])
    assert keep1.tolist() == [True, False]  # one patient: portion 11 before 21


def test_predicts_check_of_the_models_own_samples_reads_suffixed_barcodes(caplog):
    splits = {"train": ["TCGA-OR-A5L9-01A-11R-A29S-07"], "val": ["TCGA-D8-A27E-01"],
              "test": []}
    ids = ["TCGA-OR-A5L9-01A-11R-A29S-07-1", "TCGA-D8-A27E-01A-11R-A29S-07-1",
           "TCGA-OR-A5L9-11A-11R-A29S-07-1", "TCGA-ZZ-ZZZZ-01A-11R-A29S-07-1", "SAMPLE-1"]
    with caplog.at_level(logging.WARNING):
        found = model_splits(ids, splits)
    assert found == ["train", "val", "train patient", "new", "new"]
    assert ("4 sample id(s) are TCGA barcodes with a uniqueness suffix" in caplog.text
            and "3 of them are the model's own samples or patients" in caplog.text)


def test_prepare_drops_normals_and_joins_survival_of_suffixed_barcodes(tmp_path):
    from synthetic_inputs import prepare_renamed

    bundle = prepare_renamed(tmp_path, lambda c: f"{c}-1")  # obs_names_make_unique's way
    obs = bundle.obs
    assert len(obs) == 60 and set(obs["sample_type"]) == {"01"}  # the 5 normals dropped
    assert obs["has_survival"].all()
    said = (bundle.path / "record.json").read_text()
    assert "not TCGA barcodes" not in said  # the sample-type filter ran, and said why
    assert "65 sample id(s) are TCGA barcodes with a uniqueness suffix" in said
