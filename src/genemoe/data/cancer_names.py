"""The TCGA cancer types by name: the GDC's project names and Xena's wording → the codes.

Label tables name the cancer type by its code (``ACC``), its GDC project (``TCGA-ACC``),
its TCGA study name (``Adrenocortical carcinoma``, the GDC's ``project.name``; the
TCGA study abbreviations table) or Xena's wording of it (``adrenocortical cancer``, the
PanCanAtlas phenotype's ``_primary_disease``). Names are matched case-, space- and
punctuation-insensitively (``&`` read as ``and``); genemoe labels are the codes.

Pure lookups; no I/O.
"""

from __future__ import annotations

import re

__all__ = ["TCGA_STUDY_NAMES", "XENA_PRIMARY_DISEASE", "code_of_name", "name_key"]

TCGA_STUDY_NAMES: dict[str, str] = {
    "ACC": "Adrenocortical carcinoma",
    "BLCA": "Bladder Urothelial Carcinoma",
    "BRCA": "Breast invasive carcinoma",
    "CESC": "Cervical squamous cell carcinoma and endocervical adenocarcinoma",
    "CHOL": "Cholangiocarcinoma",
    "COAD": "Colon adenocarcinoma",
    "DLBC": "Lymphoid Neoplasm Diffuse Large B-cell Lymphoma",
    "ESCA": "Esophageal carcinoma",
    "GBM": "Glioblastoma multiforme",
    "HNSC": "Head and Neck squamous cell carcinoma",
    "KICH": "Kidney Chromophobe",
    "KIRC": "Kidney renal clear cell carcinoma",
    "KIRP": "Kidney renal papillary cell carcinoma",
    "LAML": "Acute Myeloid Leukemia",
    "LGG": "Brain Lower Grade Glioma",
    "LIHC": "Liver hepatocellular carcinoma",
    "LUAD": "Lung adenocarcinoma",
    "LUSC": "Lung squamous cell carcinoma",
    "MESO": "Mesothelioma",
    "OV": "Ovarian serous cystadenocarcinoma",
    "PAAD": "Pancreatic adenocarcinoma",
    "PCPG": "Pheochromocytoma and Paraganglioma",
    "PRAD": "Prostate adenocarcinoma",
    "READ": "Rectum adenocarcinoma",
    "SARC": "Sarcoma",
    "SKCM": "Skin Cutaneous Melanoma",
    "STAD": "Stomach adenocarcinoma",
    "TGCT": "Testicular Germ Cell Tumors",
    "THCA": "Thyroid carcinoma",
    "THYM": "Thymoma",
    "UCEC": "Uterine Corpus Endometrial Carcinoma",
    "UCS": "Uterine Carcinosarcoma",
    "UVM": "Uveal Melanoma",
}
"""TCGA code → the TCGA study name of its project (as the GDC names project ``TCGA-<code>``)."""

# Xena's PanCanAtlas phenotype (TCGA_phenotype_denseDataOnlyDownload.tsv) names the
# cancer type in its own words in ``_primary_disease``.
XENA_PRIMARY_DISEASE: dict[str, str] = {
    "acute myeloid leukemia": "LAML", "adrenocortical cancer": "ACC",
    "bladder urothelial carcinoma": "BLCA", "brain lower grade glioma": "LGG",
    "breast invasive carcinoma": "BRCA", "cervical & endocervical cancer": "CESC",
    "cholangiocarcinoma": "CHOL", "colon adenocarcinoma": "COAD",
    "diffuse large b-cell lymphoma": "DLBC", "esophageal carcinoma": "ESCA",
    "glioblastoma multiforme": "GBM", "head & neck squamous cell carcinoma": "HNSC",
    "kidney chromophobe": "KICH", "kidney clear cell carcinoma": "KIRC",
    "kidney papillary cell carcinoma": "KIRP", "liver hepatocellular carcinoma": "LIHC",
    "lung adenocarcinoma": "LUAD", "lung squamous cell carcinoma": "LUSC",
    "mesothelioma": "MESO", "ovarian serous cystadenocarcinoma": "OV",
    "pancreatic adenocarcinoma": "PAAD", "pheochromocytoma & paraganglioma": "PCPG",
    "prostate adenocarcinoma": "PRAD", "rectum adenocarcinoma": "READ", "sarcoma": "SARC",
    "skin cutaneous melanoma": "SKCM", "stomach adenocarcinoma": "STAD",
    "testicular germ cell tumor": "TGCT", "thymoma": "THYM", "thyroid carcinoma": "THCA",
    "uterine carcinosarcoma": "UCS", "uterine corpus endometrioid carcinoma": "UCEC",
    "uveal melanoma": "UVM",
}  # fmt: skip
"""Xena's ``_primary_disease`` wording (lower case) → TCGA code."""


def name_key(text: str) -> str:
    """The matching key of a cancer-type name: lower case, ``&`` as ``and``, letters and
    digits only.

    >>> name_key("Head & Neck squamous cell carcinoma") == name_key("head and neck Squamous-Cell carcinoma")
    True
    """
    return re.sub(r"[^a-z0-9]", "", str(text).lower().replace("&", "and"))


_BY_KEY: dict[str, str] = {
    **{name_key(name): code for name, code in XENA_PRIMARY_DISEASE.items()},
    **{name_key(name): code for code, name in TCGA_STUDY_NAMES.items()},
}


def code_of_name(text: str) -> str | None:
    """The TCGA code a study name or Xena's wording names, or None.

    Parameters
    ----------
    text
        One label, e.g. ``"Adrenocortical carcinoma"``, ``"KIDNEY RENAL CLEAR CELL
        CARCINOMA"``, ``"adrenocortical cancer"``.

    Returns
    -------
    str or None
        The code (``"ACC"``); None for any other text (``"Glioma"``, a code itself).

    Examples
    --------
    >>> code_of_name("Adrenocortical carcinoma"), code_of_name(" uveal  melanoma ")
    ('ACC', 'UVM')
    >>> code_of_name("Glioma") is None
    True
    """
    key = name_key(text)
    return _BY_KEY.get(key) if key else None
