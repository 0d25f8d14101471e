"""`genemoe prepare` probed as a user would feed it (helper hO): label columns holding TCGA
sample types, a re-prepared genemoe export's own preparation, and the refusal of a count
normalisation of linear values with negatives. Synthetic files, plus the shipped real data
where it is at hand (skipped otherwise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError
from synthetic_inputs import small_counts_file

TYPES = ("ACC", "UVM", "KICH")


def _barcodes(n: int, code: str = "01") -> list[str]:
    return [f"TCGA-OR-{i:04d}-{code}A-11R-A000-07" for i in range(n)]


_counts = small_counts_file  # the same small counts file as test_prepare_labels.py


def _sample_table(path: Path, barcodes: list[str]) -> Path:
    """A PanCanAtlas-like samples table: sample_id, sample_type, cancer_type and the
    type glued to the sample type (``id_for_stratification``)."""
    types = [TYPES[i % 3] for i in range(len(barcodes))]
    pd.DataFrame({"sample_id": [b[:15] for b in barcodes],
                  "sample_type": ["Primary Solid Tumor"] * len(barcodes), "cancer_type": types,
                  "id_for_stratification": [f"{t}Primary Solid Tumor" for t in types]}
                 ).to_csv(path, sep="\t", index=False)
    return path


@pytest.mark.parametrize("column", ["sample_type", "id_for_stratification"])
def test_a_label_column_of_sample_types_is_refused_naming_the_cancer_type_column(tmp_path, column):
    """Old behaviour: `--label-column sample_type` on PanCanAtlas' samples.tsv.gz made a
    bundle of two "cancer types", 'Primary Solid Tumor' and 'Primary Blood Derived Cancer -
    Peripheral Blood' (990 samples), said only as labels "kept as given, not TCGA codes";
    `id_for_stratification` made 33 types named 'ACCPrimary Solid Tumor', ...."""
    ids = _barcodes(12)
    expr = _counts(tmp_path / "expr.tsv", ids)
    labels = _sample_table(tmp_path / "samples.tsv", ids)
    with pytest.raises(InputError) as err:
        prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[labels],
                        config=PrepareConfig(label_column=column, min_variance=0, min_mean=0))
    said = str(err.value)
    assert "samples.tsv" in said and repr(column) in said
    assert "TCGA sample types, not cancer types" in said
    assert "--label-column cancer_type" in said
    assert not (tmp_path / "b").exists()


def test_a_cancer_type_column_mentioning_a_sample_type_for_some_types_is_kept(tmp_path):
    """A column of real classes, one of which names a sample type ('Metastatic SKCM'
    beside 'ACC'), is not refused."""
    ids = _barcodes(12)
    expr = _counts(tmp_path / "expr.tsv", ids)
    pd.DataFrame({"sample_id": ids, "group": ["ACC", "Metastatic SKCM"] * 6}).to_csv(
        tmp_path / "lab.tsv", sep="\t", index=False)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[tmp_path / "lab.tsv"],
                        config=PrepareConfig(label_column="group", min_variance=0, min_mean=0))
    assert sorted(b.obs["cancer_type"].unique()) == ["ACC", "Metastatic SKCM"]


def _pancan(shared_data: Path) -> Path:
    folder = shared_data / "pancan33_random100"
    if not (folder / "samples.tsv.gz").is_file():
        pytest.skip(f"{folder} is absent (the shipped PanCanAtlas sample)")
    return folder


def test_real_pancan33_sample_type_column_is_refused(tmp_path, shared_data):
    pancan = _pancan(shared_data)
    with pytest.raises(InputError, match="--label-column cancer_type"):
        prepare_dataset([pancan / "expression.tsv.gz"], out_path=tmp_path / "b",
                        label_paths=[pancan / "samples.tsv.gz"],
                        config=PrepareConfig(label_column="sample_type"))


def test_a_count_method_of_linear_values_with_negatives_names_the_negatives(tmp_path):
    """Old behaviour: `--normalisation log2cpm` of PanCanAtlas' EB++ file was refused as
    "the values look linear", though linear values are taken as estimated counts: the 371
    negatives (down to -0.603) were the reason, unsaid; the fix offered `none`, which keeps
    the values unlogged."""
    ids = _barcodes(12)
    rng = np.random.default_rng(1)
    values = rng.gamma(2.0, 50.0, size=(40, 12)).round(2)
    values[0, :3] = [-0.25, -0.5, -0.125]
    pd.DataFrame(values, index=[f"ENSG{i:011d}" for i in range(40)], columns=ids).rename_axis(
        "gene_id").to_csv(tmp_path / "rsem.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        prepare_dataset([tmp_path / "rsem.tsv"], out_path=tmp_path / "b",
                        config=PrepareConfig(normalisation="log2cpm", cancer_type="ACC"))
    said = str(err.value)
    assert "3 values are negative (minimum -0.5" in said, said
    assert "look linear" not in said
    assert "--normalisation auto or log2p1" in said


def test_real_pancan33_count_method_names_its_negatives(tmp_path, shared_data):
    pancan = _pancan(shared_data)
    with pytest.raises(InputError, match=r"371 values are negative \(minimum -0.603"):
        prepare_dataset([pancan / "expression.tsv.gz"], out_path=tmp_path / "b",
                        label_paths=[pancan / "samples.tsv.gz"],
                        config=PrepareConfig(normalisation="log2cpm"))


def test_a_reprepared_export_keeps_its_own_preparation_in_the_record(tmp_path, caplog):
    """Old behaviour: export a bundle whose preparation dropped a normal and clipped
    negatives, prepare the .h5ad again: the same matrix, but a record and summary saying
    nothing was dropped or clipped (no warning, `dropped: {}`, `n_values_clipped: 0`), and
    the original inputs gone from the record."""
    from genemoe.data.anndata_io import write_h5ad

    ids = _barcodes(12) + ["TCGA-OR-0000-11A-11R-A000-07"]
    rng = np.random.default_rng(2)
    values = rng.gamma(2.0, 50.0, size=(40, len(ids))).round(2)
    values[0, :2] = [-0.25, -0.5]  # two negatives in tumours, clipped and kept
    pd.DataFrame(values, index=[f"ENSG{i:011d}" for i in range(40)], columns=ids).rename_axis(
        "gene_id").to_csv(tmp_path / "rsem.tsv", sep="\t")
    labels = pd.DataFrame({"sample_id": ids, "cancer_type": [TYPES[i % 3] for i in range(13)]})
    labels.to_csv(tmp_path / "lab.tsv", sep="\t", index=False)
    cfg = PrepareConfig(min_variance=0, min_mean=0)
    first = prepare_dataset([tmp_path / "rsem.tsv"], out_path=tmp_path / "b1",
                            label_paths=[tmp_path / "lab.tsv"], config=cfg)
    assert first.record["n_values_clipped"] == 2
    write_h5ad(first, tmp_path / "b1.h5ad")
    with caplog.at_level("WARNING", logger="genemoe"):
        again = prepare_dataset([tmp_path / "b1.h5ad"], out_path=tmp_path / "b2", config=cfg)
    np.testing.assert_array_equal(np.asarray(again.X), np.asarray(first.X))
    history = again.record["inputs"][0]["exported"]
    assert history["dropped"]["samples"] == first.record["dropped"]["samples"] != {}
    assert history["n_values_clipped"] == 2
    assert [i["path"] for i in history["inputs"]] == [
        str((tmp_path / "rsem.tsv").resolve()), str((tmp_path / "lab.tsv").resolve())]
    said = "b1.h5ad, before its export: dropped 1 sample, clipped 2 negatives to 0"
    assert said in again.record["warnings"] and said in again.summary["warnings"]
    assert any(r.getMessage() == said for r in caplog.records)
    assert len("warning: " + said) <= 100


@pytest.mark.parametrize("method", ["log2cpm", "fpkm_uq"])
def test_a_count_method_of_log_values_offers_a_fix_that_works(tmp_path, method):
    """Old behaviour: `--normalisation log2cpm` of log-scale values (a genemoe export, Xena's
    star_fpkm-uq) said "the values look log" and offered "log2p1 / none"; log2p1 is then
    refused in turn ("would log values that are already log")."""
    ids = _barcodes(12)
    rng = np.random.default_rng(3)
    values = np.log2(rng.gamma(2.0, 50.0, size=(40, 12)) + 1).round(4)
    pd.DataFrame(values, index=[f"ENSG{i:011d}" for i in range(40)], columns=ids).rename_axis(
        "gene_id").to_csv(tmp_path / "logs.tsv", sep="\t")
    with pytest.raises(InputError) as err:
        prepare_dataset([tmp_path / "logs.tsv"], out_path=tmp_path / "b",
                        config=PrepareConfig(normalisation=method, cancer_type="ACC"))
    said = str(err.value)
    assert "the values look log-scale" in said
    assert "log2p1" not in said and "--normalisation auto or none" in said


def test_a_normal_beside_its_patients_tumour_is_not_called_a_duplicate_profile(tmp_path):
    """Old behaviour: with `--sample-types 01,11,06` (PanCanAtlas: normals and metastases
    asked for), one profile per patient dropped 5 normals of patients with a primary
    tumour as "duplicate profile of the same patient", the reason of repeated vials and
    aliquots, beside which they were counted as one."""
    tumours = _barcodes(9)
    ids = tumours + [tumours[0].replace("-01A-11R", "-01B-11R"),  # a second vial
                     tumours[1].replace("-01A-11R", "-11A-11R"),  # the patient's normal
                     tumours[2].replace("-01A-11R", "-06A-11R"),  # and a metastasis
                     "TCGA-OR-0099-11A-11R-A000-07"]  # a normal of its own: kept
    expr = _counts(tmp_path / "expr.tsv", ids)
    b = prepare_dataset([expr], out_path=tmp_path / "b", config=PrepareConfig(
        cancer_type="ACC", sample_types=("01", "11", "06"), min_class_size=1,
        min_variance=0, min_mean=0))
    dropped = b.record["dropped"]["samples"]
    assert dropped["duplicate profile of the same patient"] == 1
    other = "another sample type of a kept patient (one profile per patient)"
    assert dropped[other] == 2
    assert sorted(b.record["dropped_sample_examples"][other]) == sorted(ids[10:12])
    assert b.summary["dropped"]["samples"][other] == 2
    assert ids[12] in set(b.obs["sample_id"])
