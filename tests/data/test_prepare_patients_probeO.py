"""One profile per patient for sample ids that are not TCGA barcodes, and ``--endpoint``
without survival (an outside reviewer, probeO).

Old behaviour: an .h5ad whose obs named each sample's patient (``patient_id``) with ids
``S000a``, ``S000b`` kept every profile ("no sample-type filter, every profile kept"): a
patient's samples counted as several patients in every survival metric. ``--endpoint DSS``
without ``--clinical`` was accepted, ignored and recorded (0 samples with survival).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.patients import smallest_id_per_patient
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError

DUP = "duplicate profile of the same patient"
OPTS = {"normalisation": "none", "min_class_size": 1, "min_variance": 0, "min_mean": 0}


def _h5ad(path: Path, samples: list[str], patients: list[str] | None, column: str = "patient_id",
          seed: int = 0) -> Path:
    anndata = pytest.importorskip("anndata")
    n = len(samples)
    obs = pd.DataFrame({"cancer_type": [("BRCA", "LUAD")[i % 2] for i in range(n)]},
                       index=samples)
    if patients is not None:
        obs[column] = patients
    X = np.random.default_rng(seed).normal(5, 1, (n, 12)).clip(0.1).astype(np.float32)
    anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=[f"G{j}" for j in range(12)])
                    ).write_h5ad(path)
    return path


def _two_per_patient() -> tuple[list[str], list[str]]:
    """20 patients P00..P19; every even one has a second profile (``b``), listed first."""
    samples, patients = [], []
    for i in range(20):
        if i % 2 == 0:
            samples.append(f"S{i:03d}b")
            patients.append(f"P{i:02d}")
        samples.append(f"S{i:03d}a")
        patients.append(f"P{i:02d}")
    return samples, patients


def test_a_patient_column_keeps_one_profile_per_patient_the_smallest_id(tmp_path, caplog):
    samples, patients = _two_per_patient()
    h5 = _h5ad(tmp_path / "x.h5ad", samples, patients)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        b = prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(**OPTS))
    assert len(b.obs) == 20 and b.obs["patient_id"].is_unique
    assert sorted(b.obs["sample_id"]) == [f"S{i:03d}a" for i in range(20)]  # a before b
    assert b.record["dropped"]["samples"][DUP] == 10
    assert b.record["dropped_sample_examples"][DUP] == [f"S{i:03d}b" for i in range(0, 20, 2)]
    step = next(s for s in b.record["steps"] if s["step"] == "sample_types")
    assert step["duplicate_profiles_dropped"] == 10 and step["kept"] == 20
    assert ("one profile per patient (the smallest sample id of each patient kept): 10 duplicate "
            "profiles dropped, 20 kept; patients: from the files' 'patient_id' column"
            in " ".join(caplog.text.split()))  # wrapped at 100 (ae287b4)


def test_another_patient_column_name_is_used_too(tmp_path):
    samples, patients = _two_per_patient()
    h5 = _h5ad(tmp_path / "x.h5ad", samples, patients, column="donor_id")
    b = prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(**OPTS))
    assert len(b.obs) == 20 and b.record["dropped"]["samples"][DUP] == 10


def test_one_per_patient_off_keeps_every_profile(tmp_path, caplog):
    samples, patients = _two_per_patient()
    h5 = _h5ad(tmp_path / "x.h5ad", samples, patients)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        b = prepare_dataset([h5], out_path=tmp_path / "b",
                            config=PrepareConfig(one_per_patient=False, **OPTS))
    assert len(b.obs) == 30 and DUP not in b.record["dropped"]["samples"]
    assert (b.obs.groupby("patient_id")["split"].nunique() == 1).all()
    assert "every profile kept (one_per_patient off)" in caplog.text


def test_without_a_patient_column_every_sample_is_its_own_patient(tmp_path, caplog):
    samples, _ = _two_per_patient()
    h5 = _h5ad(tmp_path / "x.h5ad", samples, None)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        b = prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(**OPTS))
    assert len(b.obs) == 30 and DUP not in b.record["dropped"]["samples"]
    assert "the sample id (no patient column in the files)" in caplog.text


def test_the_rule_is_the_smallest_id_whatever_the_order():
    keep = smallest_id_per_patient(["S9", "S10", "x", "A2", "A1"], ["p", "p", "q", "r", "r"])
    assert keep.tolist() == [False, True, True, False, True]  # "S10" < "S9" as text


# ----------------------------------------------------------------------------- 2: --endpoint


def _text_inputs(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    samples = [f"S{i:03d}" for i in range(12)]
    X = np.random.default_rng(1).normal(5, 1, (12, 10)).clip(0.1)
    p = d / "expression.tsv"
    pd.DataFrame(X.T, index=pd.Index([f"G{j}" for j in range(10)], name="gene_id"),
                 columns=samples).to_csv(p, sep="\t")
    return p


def test_an_endpoint_without_survival_is_refused_before_reading(tmp_path):
    bad = tmp_path / "garbage.tsv"
    bad.write_text("not a matrix\n")  # the endpoint is refused before this is read
    with pytest.raises(InputError, match=r"--endpoint.*--endpoint DSS.*no --clinical table") as info:
        prepare_dataset([bad], out_path=tmp_path / "b",
                        config=PrepareConfig(endpoint="DSS", cancer_type="BRCA", **OPTS))
    assert "pass --clinical FILE" in str(info.value) and "or drop --endpoint" in str(info.value)


def test_an_endpoint_without_survival_is_refused_for_a_text_matrix(tmp_path):
    expr = _text_inputs(tmp_path / "in")
    with pytest.raises(InputError, match="--endpoint DSS chooses a survival endpoint"):
        prepare_dataset([expr], out_path=tmp_path / "b",
                        config=PrepareConfig(endpoint="DSS", cancer_type="BRCA", **OPTS))
    assert not (tmp_path / "b").exists()
    b = prepare_dataset([expr], out_path=tmp_path / "ok",  # the default endpoint: no survival
                        config=PrepareConfig(cancer_type="BRCA", **OPTS))
    assert not b.obs["has_survival"].any()


def test_an_endpoint_for_an_h5ad_that_is_no_export_is_refused(tmp_path):
    samples, patients = _two_per_patient()
    h5 = _h5ad(tmp_path / "x.h5ad", samples, patients)
    with pytest.raises(InputError, match="no genemoe export"):
        prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(endpoint="PFI", **OPTS))
    assert not (tmp_path / "b").exists()


def test_the_cli_refuses_an_endpoint_without_clinical(tmp_path):
    from typer.testing import CliRunner

    from genemoe.cli import app

    expr = _text_inputs(tmp_path / "in")
    res = CliRunner().invoke(app, ["prepare", "--expression", str(expr), "--cancer-type", "BRCA",
                                   "--endpoint", "DSS", "--out", str(tmp_path / "b")])
    said = res.output + str(res.exception)  # the entry point prints an InputError
    assert res.exit_code != 0 and not (tmp_path / "b").exists()
    assert "--endpoint DSS" in said and "pass --clinical FILE" in said
