"""An ``.h5ad`` whose patient column holds ``"nan"`` (or ``"NaN"``, ``"None"``, ``"NA"``) where
no patient is known: an ``obs`` written after ``astype(str)`` keeps the words as text.

Old behaviour: the word was taken as a patient id, so every such sample was one patient
``"nan"``: all of them but one dropped as duplicate profiles (one fold, one survival subject
with one-per-patient off). The text readers read these words as missing
(:data:`genemoe.data.textio.NA_TOKENS`); so does the patient column now, each such sample its
own patient, or the patient of a TCGA barcode in its row; counted in the record, warned (the
summary's warnings), naming the file, the column and the rows.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset

DUP = "duplicate profile of the same patient"
OPTS = {"normalisation": "none", "min_class_size": 1, "min_variance": 0, "min_mean": 0}
WORDS = ["nan", "NaN", "None", "NA", "nan", "nan"]


def _h5ad(path: Path, obs_columns: dict[str, list], n: int = 20) -> Path:
    anndata = pytest.importorskip("anndata")
    samples = [f"S{i:03d}" for i in range(n)]
    obs = pd.DataFrame({"cancer_type": [("BRCA", "LUAD")[i % 2] for i in range(n)],
                        **obs_columns}, index=samples)
    X = np.random.default_rng(7).normal(5, 1, (n, 12)).clip(0.1).astype(np.float32)
    anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=[f"G{j}" for j in range(12)])
                    ).write_h5ad(path)
    return path


def _step(bundle) -> dict:
    return next(s for s in bundle.record["steps"] if s["step"] == "sample_types")


def test_nan_words_are_missing_each_sample_its_own_patient(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    patients = [f"P{i:02d}" for i in range(14)] + WORDS  # rows 15-20 name no patient
    h5 = _h5ad(tmp_path / "x.h5ad", {"patient_id": patients})
    with caplog.at_level(logging.INFO, logger="genemoe"):
        b = prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(**OPTS))
    assert len(b.obs) == 20 and DUP not in b.record["dropped"]["samples"]  # were 4 dropped
    assert b.obs["patient_id"].is_unique
    assert "nan" not in set(b.obs["patient_id"].str.lower())
    step = _step(b)
    assert step["n_missing_word_patient_cells"] == 6 and step["n_own_patient"] == 6
    assert step["n_patients_from_barcode"] == 0 and step["n_empty_patient_cells"] == 0
    warned = [w for w in b.record["warnings"] if "obs['patient_id']" in w]
    assert warned and warned == [w for w in b.summary["warnings"] if "obs['patient_id']" in w]
    assert "x.h5ad" in warned[0] and "obs rows 15, 16, 17, 18, 19, ... (6 in all): read as" in warned[0]
    assert "'nan'" in warned[0] and "each sample its own patient" in warned[0]
    assert all(len(line) <= 100 for line in warned[0].splitlines())
    assert "'nan' or another missing-value word there" in caplog.text


def test_one_per_patient_off_deals_them_apart_too(tmp_path: Path) -> None:
    """With every profile kept, the 'nan' samples were one survival subject, one fold."""
    patients = [f"P{i:02d}" for i in range(14)] + WORDS
    h5 = _h5ad(tmp_path / "x.h5ad", {"patient_id": patients})
    b = prepare_dataset([h5], out_path=tmp_path / "b",
                        config=PrepareConfig(one_per_patient=False, **OPTS))
    assert b.obs["patient_id"].nunique() == 20


def test_a_tcga_barcode_in_the_row_gives_the_patient(tmp_path: Path) -> None:
    """As the clinical reader fills an empty ``_PATIENT`` from the row's ``sample``."""
    patients = [f"P{i:02d}" for i in range(16)] + ["nan", "nan", "None", ""]
    barcodes = ["x"] * 16 + ["TCGA-OR-A5J1-01A", "TCGA-OR-A5J1-02A", "TCGA-OR-A5J2-01A", "y"]
    h5 = _h5ad(tmp_path / "x.h5ad", {"patient_id": patients, "sample": barcodes})
    b = prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(**OPTS))
    assert b.record["dropped"]["samples"][DUP] == 1  # S017: TCGA-OR-A5J1's second profile
    kept = dict(zip(b.obs["sample_id"], b.obs["patient_id"], strict=True))
    assert kept["S016"] == "TCGA-OR-A5J1" and kept["S018"] == "TCGA-OR-A5J2"
    assert kept["S019"] == "S019"  # empty, no barcode: its own patient
    step = _step(b)
    assert step["n_patients_from_barcode"] == 3 and step["n_missing_word_patient_cells"] == 3
    assert step["n_empty_patient_cells"] == 1 and step["n_own_patient"] == 1
