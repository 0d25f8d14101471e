"""Cancer types named by their TCGA study / GDC project name are read as the codes.

Old behaviour (an outside probe): ``Adrenocortical carcinoma``, the TCGA study name of
ACC (the GDC's ``project.name``), stayed a type of its own: ``predict --labels`` counted
27 such samples as a type the model never saw, and ``prepare`` made a class of them beside
``ACC``. Only Xena's wording (``adrenocortical cancer``) was known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.cancer_names import TCGA_STUDY_NAMES, code_of_name
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.tables import normalise_label, read_labels
from genemoe.data.tcga import TCGA_PROJECTS, normalise_cancer_type
from genemoe.workflows.predict_score import match_labels

GDC_NAMES = {  # the GDC's TCGA project names, as written there
    "ACC": "Adrenocortical Carcinoma", "KIRC": "Kidney Renal Clear Cell Carcinoma",
    "KIRP": "Kidney Renal Papillary Cell Carcinoma",
    "CESC": "Cervical Squamous Cell Carcinoma and Endocervical Adenocarcinoma",
    "HNSC": "Head and Neck Squamous Cell Carcinoma",
    "DLBC": "Lymphoid Neoplasm Diffuse Large B-cell Lymphoma",
    "PCPG": "Pheochromocytoma and Paraganglioma", "TGCT": "Testicular Germ Cell Tumors",
    "UCEC": "Uterine Corpus Endometrial Carcinoma", "BRCA": "Breast Invasive Carcinoma",
    "GBM": "Glioblastoma Multiforme", "LGG": "Brain Lower Grade Glioma",
    "LAML": "Acute Myeloid Leukemia", "THYM": "Thymoma", "UVM": "Uveal Melanoma",
}  # fmt: skip


def test_every_tcga_project_has_its_study_name():
    assert sorted(TCGA_STUDY_NAMES) == sorted(TCGA_PROJECTS)
    for code, name in TCGA_STUDY_NAMES.items():
        assert code_of_name(name) == code
        assert normalise_label(name) == code and normalise_cancer_type(name) == code


@pytest.mark.parametrize(("code", "name"), sorted(GDC_NAMES.items()))
def test_study_names_in_any_case_or_spacing_are_codes(code, name):
    for text in (name, name.upper(), name.lower(), f"  {name.replace(' ', '  ')} ", f"{name} (TCGA)"):
        assert normalise_label(text) == code, text
        assert normalise_cancer_type(text) == code, text


def test_xena_wording_and_other_labels_as_before():
    assert normalise_label("adrenocortical cancer") == "ACC"
    assert normalise_label("Head & Neck squamous cell carcinoma") == "HNSC"
    assert normalise_cancer_type("Glioma") == "Glioma" and normalise_label("Glioma") == "Glioma"
    assert normalise_cancer_type("COADREAD") == "COADREAD"


def _counts(path: Path, barcodes: list[str], seed: int) -> Path:
    rng = np.random.default_rng(seed)
    genes = [f"ENSG{i:011d}" for i in range(40)]
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(40, len(barcodes))), index=genes,
                 columns=barcodes).rename_axis("gene_id").to_csv(path, sep="\t")
    return path


def test_prepare_reads_study_names_as_the_codes_and_counts_the_respelling(tmp_path):
    """A label table naming ACC half by code, half by study name: one class, not two."""
    acc = [f"TCGA-OR-{i:04d}-01A-11R-A000-07" for i in range(12)]
    uvm = [f"TCGA-V4-{i:04d}-01A-11R-A000-07" for i in range(12)]
    expr = _counts(tmp_path / "expr.tsv", acc + uvm, 0)
    types = ["ACC"] * 6 + ["Adrenocortical carcinoma"] * 6 + ["UVEAL MELANOMA"] * 12
    pd.DataFrame({"sample": acc + uvm, "cancer_type": types}).to_csv(
        tmp_path / "lab.tsv", sep="\t", index=False)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[tmp_path / "lab.tsv"],
                        config=PrepareConfig(min_variance=0, min_mean=0))
    assert b.obs["cancer_type"].value_counts().to_dict() == {"ACC": 12, "UVM": 12}
    step = next(s for s in b.record["steps"] if s["step"] == "labels")
    assert step["respelt"] == {"Adrenocortical carcinoma -> ACC": 6, "UVEAL MELANOMA -> UVM": 12}
    assert step["not_tcga_codes"] == []


def test_prepare_reads_a_study_name_given_as_cancer_type(tmp_path):
    expr = _counts(tmp_path / "expr.tsv", [f"S{i}" for i in range(12)], 1)
    b = prepare_dataset([expr], out_path=tmp_path / "b", config=PrepareConfig(
        min_variance=0, min_mean=0, cancer_type="Adrenocortical carcinoma"))
    assert set(b.obs["cancer_type"]) == {"ACC"}


def test_predict_matches_study_names_as_the_model_classes(tmp_path):
    ids = [f"TCGA-OR-{i:04d}-01A-11R-A000-07" for i in range(4)]
    pd.DataFrame({"sample": ids, "cancer_type": ["Adrenocortical carcinoma"] * 4}).to_csv(
        tmp_path / "lab.tsv", sep="\t", index=False)
    given, counts = match_labels(ids, read_labels(tmp_path / "lab.tsv"), tmp_path / "lab.tsv")
    assert given.tolist() == ["ACC"] * 4
    assert counts["respelt"] == {"Adrenocortical carcinoma -> ACC": 4}
