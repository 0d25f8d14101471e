"""Fine-tuning refuses a pre-trained run that used another sample of a test patient."""

from __future__ import annotations

import logging

import pytest
import torch

from genemoe.errors import InputError
from genemoe.models.registry import create_model
from genemoe.train.finetune import load_pretrained_encoder
from genemoe.train.pretrain import PRETRAINED_FORMAT
from tiny_configs import TINY_GENEMOE

GENES = [f"G{i}" for i in range(12)]


def _run(tmp_path, *, patients: dict[str, str] | None, train=("TCGA-AA-0001-01A", "S7"),
         val=("TCGA-AA-0002-01A",)):
    """A pre-trained run file with only what the leak check reads (weights come after)."""
    payload = {"format": PRETRAINED_FORMAT, "model_name": "genemoe", "gene_ids": GENES,
               "samples": {"train": list(train), "val": list(val)}, "state_dict": {}}
    if patients is not None:
        payload["sample_patients"] = patients
    path = tmp_path / "pretrained.pt"
    torch.save(payload, path)
    return path


def _model():
    return create_model("genemoe", n_genes=len(GENES), n_outputs=3, task="classify", **TINY_GENEMOE)


def test_another_sample_of_a_test_patient_is_refused(tmp_path):
    run = _run(tmp_path, patients={"TCGA-AA-0001-01A": "TCGA-AA-0001", "S7": "P7",
                                   "TCGA-AA-0002-01A": "TCGA-AA-0002"})
    # the test sample is the patient's other (metastatic) sample: not a test *sample* leak
    with pytest.raises(InputError, match=r"1 patient\(s\) this run tests on: patient TCGA-AA-0001 "
                                         r"\(pre-trained on sample TCGA-AA-0001-01A\)"):
        load_pretrained_encoder(_model(), run, gene_ids=GENES, test_sample_ids=["TCGA-AA-0001-06A"])
    # patients given by the caller (non-TCGA ids): the recorded patient of S7 is P7
    with pytest.raises(InputError, match="patient P7 .pre-trained on sample S7"):
        load_pretrained_encoder(_model(), run, gene_ids=GENES, test_sample_ids=["S8"],
                                test_patient_ids=["P7"])
    with pytest.raises(InputError, match="pre-training used 1 sample"):  # the sample check stays
        load_pretrained_encoder(_model(), run, gene_ids=GENES, test_sample_ids=["S7"])


def test_unrelated_test_patients_pass_the_check(tmp_path):
    run = _run(tmp_path, patients={"TCGA-AA-0001-01A": "TCGA-AA-0001", "S7": "P7",
                                   "TCGA-AA-0002-01A": "TCGA-AA-0002"})
    with pytest.raises(InputError) as err:  # past the leak check, the empty state fails later
        load_pretrained_encoder(_model(), run, gene_ids=GENES,
                                test_sample_ids=["TCGA-AA-0003-01A", "S8"],
                                test_patient_ids=["TCGA-AA-0003", "P8"])
    assert "tests on" not in str(err.value) and "does not fit" in str(err.value)


def test_older_runs_derive_patients_from_barcodes(tmp_path, caplog):
    run = _run(tmp_path, patients=None)
    with caplog.at_level(logging.INFO, logger="genemoe.train.finetune"), \
            pytest.raises(InputError, match="patient TCGA-AA-0002 .pre-trained on sample TCGA-AA-0002-01A"):
        load_pretrained_encoder(_model(), run, gene_ids=GENES, test_sample_ids=["TCGA-AA-0002-01B"])
    assert "records no patient for 3 sample(s)" in caplog.text and "first 12 characters" in caplog.text
