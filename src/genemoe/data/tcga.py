"""TCGA barcodes, sample types and cancer-type names.

A TCGA aliquot barcode reads ``TCGA-OR-A5J1-01A-11R-A29S-07``::

    TCGA   project (also TARGET, or any other upper-case program prefix)
    OR     tissue source site (TSS)
    A5J1   participant; TCGA-OR-A5J1 (the first 12 characters) is the patient
    01     sample type (see SAMPLE_TYPES); 01-09 tumour, 10-19 normal, 20+ control
    A      vial (A is the first)
    11     portion
    R      analyte (R = RNA, H = mirVana RNA, T = total RNA, D = DNA, ...)
    A29S   plate
    07     sequencing / characterisation centre

Shorter forms stop after any part: ``TCGA-OR-A5J1`` (patient), ``TCGA-OR-A5J1-01``
(sample type, no vial; used by the PanCanAtlas files), ``TCGA-OR-A5J1-01A`` (sample).
An AnnData uniqueness suffix after a full or sample-level barcode
(``TCGA-OR-A5J1-01A-11R-A29S-07-1``, :func:`~genemoe.data.ids.unsuffixed_barcode`) is
read past: the parts are the barcode's.

Pure functions of strings and arrays; no I/O.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.cancer_names import code_of_name
from genemoe.data.ids import dashed_barcode, respelt_barcodes, suffixed_barcodes, unsuffixed_barcode
from genemoe.errors import input_error

__all__ = [
    "BARCODE_COLUMNS",
    "BLOOD_CANCERS",
    "DEFAULT_SAMPLE_TYPES",
    "SAMPLE_TYPES",
    "TCGA_PROJECTS",
    "Barcode",
    "cohort_from_path",
    "table_cohorts",
    "filter_sample_types",
    "normalise_cancer_type",
    "one_per_patient",
    "parse_barcode",
    "parse_barcodes",
    "say_respelt_barcodes",
    "say_suffixed_barcodes",
    "sample_type_code",
    "sample_type_codes",
    "sample_type_list",
    "sample_type_label",
]

logger = logging.getLogger(__name__)

TCGA_PROJECTS: tuple[str, ...] = (
    "ACC", "BLCA", "BRCA", "CESC", "CHOL", "COAD", "DLBC", "ESCA", "GBM", "HNSC", "KICH",
    "KIRC", "KIRP", "LAML", "LGG", "LIHC", "LUAD", "LUSC", "MESO", "OV", "PAAD", "PCPG",
    "PRAD", "READ", "SARC", "SKCM", "STAD", "TGCT", "THCA", "THYM", "UCEC", "UCS", "UVM",
)  # fmt: skip
"""The 33 TCGA cancer types (GDC project ``TCGA-<code>``)."""

BLOOD_CANCERS: tuple[str, ...] = ("LAML",)
"""Cancer types whose primary tumours are blood samples (sample type ``"03"``).

Only LAML: its primary samples are "Primary Blood Derived Cancer - Peripheral Blood"
(03). DLBC, although a lymphoma, is sampled from solid lymph-node tissue and uses
"Primary Solid Tumor" (01); in the PanCanAtlas sample table all 48 DLBC samples are 01
and all 173 LAML samples are 03. This is why primary tumours are selected with
``sample_types=("01", "03")``.
"""

DEFAULT_SAMPLE_TYPES: tuple[str, ...] = ("01", "03")
"""Primary tumours: solid (01) and blood-derived (03, LAML)."""

SAMPLE_TYPES: dict[str, tuple[str, str]] = {
    "01": ("Primary Solid Tumor", "TP"),
    "02": ("Recurrent Solid Tumor", "TR"),
    "03": ("Primary Blood Derived Cancer - Peripheral Blood", "TB"),
    "04": ("Recurrent Blood Derived Cancer - Bone Marrow", "TRBM"),
    "05": ("Additional - New Primary", "TAP"),
    "06": ("Metastatic", "TM"),
    "07": ("Additional Metastatic", "TAM"),
    "08": ("Human Tumor Original Cells", "THOC"),
    "09": ("Primary Blood Derived Cancer - Bone Marrow", "TBM"),
    "10": ("Blood Derived Normal", "NB"),
    "11": ("Solid Tissue Normal", "NT"),
    "12": ("Buccal Cell Normal", "NBC"),
    "13": ("EBV Immortalized Normal", "NEBV"),
    "14": ("Bone Marrow Normal", "NBM"),
    "15": ("sample type 15", "15SH"),
    "16": ("sample type 16", "16SH"),
    "20": ("Control Analyte", "CELLC"),
    "40": ("Recurrent Blood Derived Cancer - Peripheral Blood", "TRB"),
    "50": ("Cell Lines", "CELL"),
    "60": ("Primary Xenograft Tissue", "XP"),
    "61": ("Cell Line Derived Xenograft Tissue", "XCL"),
    "99": ("sample type 99", "99SH"),
}
"""GDC sample type code → (name, short letter code), the GDC/TCGA code table."""

# Names other sources use for the same codes (PanCanAtlas / Xena phenotype files).
_SAMPLE_TYPE_ALIASES = {
    "primary tumor": "01",
    "primary tumour": "01",
    "primary solid tumour": "01",
    "recurrent tumor": "02",
    "recurrent tumour": "02",
    "metastasis": "06",
}

MISSING_SAMPLE_TYPE = "no sample type in barcode"
DUPLICATE_PROFILE = "duplicate profile of the same patient"
BARCODE_SHAPE = "TCGA-XX-XXXX[-01A[-11R[-A29S[-07]]]]"
BARCODE_COLUMNS = (
    "raw", "project", "tss", "participant", "patient_id", "sample_code", "vial",
    "portion", "analyte", "plate", "center", "sample_id",
)  # fmt: skip

# Participant: 4 characters in TCGA, 6 in TARGET (TARGET-10-PAKSWW-03A-01R).
_BARCODE = re.compile(
    r"^(?P<project>[A-Z][A-Z0-9]*)-(?P<tss>[A-Z0-9]{2})-(?P<participant>[A-Z0-9]{4,6})"
    r"(?:-(?P<sample_code>\d{2})(?P<vial>[A-Z])?"
    r"(?:-(?P<portion>\d{2})(?P<analyte>[A-Z])?"
    r"(?:-(?P<plate>[A-Z0-9]{4})"
    r"(?:-(?P<center>\d{2}))?)?)?)?$"
)


def _name_key(value: str) -> str:
    """Case- and punctuation-insensitive key for sample type names."""
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, (name, letters) in SAMPLE_TYPES.items():
        lookup[code] = code
        lookup[str(int(code))] = code
        lookup[_name_key(name)] = code
        lookup[letters.lower()] = code
    for alias, code in _SAMPLE_TYPE_ALIASES.items():
        lookup[_name_key(alias)] = code
    return lookup


_LOOKUP = _build_lookup()


def sample_type_code(value: str | int) -> str:
    """Two-digit GDC sample type code of a code, name or letter code.

    Parameters
    ----------
    value
        ``"01"``, ``1``, ``"1"``, ``"Primary Solid Tumor"`` (any case), ``"Primary Tumor"``
        (the PanCanAtlas / Xena spelling), ``"TP"``.

    Returns
    -------
    str
        The code, e.g. ``"01"``.

    Raises
    ------
    ValueError
        For an unknown value; the message lists the known names.

    Examples
    --------
    >>> sample_type_code("Primary Tumor"), sample_type_code(11), sample_type_code("tb")
    ('01', '11', '03')
    """
    if isinstance(value, bool):
        raise ValueError(f"sample type {value!r} is not a code or name")
    raw = str(value).strip()
    key = str(int(raw)) if raw.isdigit() else _name_key(raw)
    if key in _LOOKUP:
        return _LOOKUP[key]
    known = ", ".join(f"{c} {n!r} ({s})" for c, (n, s) in SAMPLE_TYPES.items())
    raise ValueError(f"unknown sample type {value!r}; known sample types: {known}")


def sample_type_codes(values: Iterable[str | int]) -> np.ndarray:
    """Vectorised :func:`sample_type_code` (each distinct value is looked up once).

    Returns
    -------
    numpy.ndarray
        Object array of two-digit codes, shape ``(n_values,)``.
    """
    vals = pd.Series(list(values), dtype=object)
    uniques = {v: sample_type_code(v) for v in pd.unique(vals)}
    return vals.map(uniques).to_numpy(dtype=object)


def sample_type_label(code: str | None) -> str:
    """Human label of a code for count reports, e.g. ``"Solid Tissue Normal (11)"``."""
    if code is None:
        return MISSING_SAMPLE_TYPE
    if code in SAMPLE_TYPES:
        return f"{SAMPLE_TYPES[code][0]} ({code})"
    return f"unknown sample type ({code})"


@dataclass(frozen=True)
class Barcode:
    """One parsed TCGA-style barcode; parts absent from a short barcode are None."""

    raw: str
    project: str
    tss: str
    participant: str
    patient_id: str
    sample_code: str | None = None
    vial: str | None = None
    portion: str | None = None
    analyte: str | None = None
    plate: str | None = None
    center: str | None = None
    suffix: str | None = None
    """The AnnData uniqueness suffix after the barcode (``"1"`` of ``...-A29S-07-1``)."""

    @property
    def sample_id(self) -> str:
        """``TCGA-OR-A5J1-01A`` (16 characters), ``TCGA-OR-A5J1-01`` without a vial,
        or the patient ID when the barcode has no sample part."""
        if self.sample_code is None:
            return self.patient_id
        return f"{self.patient_id}-{self.sample_code}{self.vial or ''}"

    @property
    def is_tumour(self) -> bool | None:
        """True for tumour sample types (01-09), False otherwise, None without a type."""
        if self.sample_code is None:
            return None
        return 1 <= int(self.sample_code) <= 9


def parse_barcode(value: str) -> Barcode:
    """Parse one barcode of the shape ``TCGA-XX-XXXX[-01A[-11R[-A29S[-07]]]]``.

    Other program prefixes (``TARGET``, ``SYN``, ...) are accepted with the same shape
    (participant of 4-6 characters, as TARGET uses 6). Case is ignored. A TCGA or TARGET
    barcode written with ``.`` or ``_`` for its dashes (``TCGA.OR.A5J1.01A``, as R's
    ``make.names`` writes it) is read as the dashed one: its ``patient_id`` and
    ``sample_id`` are dashed, ``raw`` is the value as given. An AnnData uniqueness suffix
    (``TCGA-OR-A5J1-01A-11R-A29S-07-1``) is read past and kept as ``suffix``.

    Raises
    ------
    ValueError
        (an :class:`~genemoe.errors.InputError`) naming the value and the shape.
    """
    dashed = dashed_barcode(str(value)).strip()
    plain = unsuffixed_barcode(dashed)
    m = _BARCODE.match(plain.upper())
    if m is None:
        raise input_error(
            f"{value!r} is not a sample barcode of the shape {BARCODE_SHAPE}",
            fix="give sample IDs such as TCGA-OR-A5J1-01A-11R-A29S-07 or TCGA-OR-A5J1-01",
        )
    parts = m.groupdict()
    patient = f"{parts['project']}-{parts['tss']}-{parts['participant']}"
    suffix = dashed[len(plain) + 1:] if plain != dashed else None
    return Barcode(raw=str(value), patient_id=patient, suffix=suffix, **parts)


def parse_barcodes(values: Iterable[str]) -> pd.DataFrame:
    """Parse many barcodes at once.

    Parameters
    ----------
    values
        Barcodes, shape ``(n_values,)``.

    Returns
    -------
    pandas.DataFrame
        One row per value (default integer index) with columns :data:`BARCODE_COLUMNS`
        (``raw``, the parts of :class:`Barcode`, and ``sample_id``); absent parts are None.
        Barcodes written with ``.`` or ``_`` for the dashes are read as the dashed ones
        (:func:`parse_barcode`), and one with an AnnData uniqueness suffix as the barcode
        before it; ``raw`` keeps them as given.

    Raises
    ------
    ValueError
        (an :class:`~genemoe.errors.InputError`) listing up to five bad values with their
        row numbers (0-based).
    """
    raw = pd.Series(list(values), dtype=object)
    dashed = raw.astype(str).map(dashed_barcode).str.strip().map(unsuffixed_barcode)
    parts = dashed.str.strip().str.upper().str.extract(_BARCODE)
    bad = parts["project"].isna() | raw.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        shown = ", ".join(f"row {i}: {raw.iloc[i]!r}" for i in rows[:5])
        raise input_error(
            f"{len(rows)} value(s) are not sample barcodes of the shape {BARCODE_SHAPE}",
            where=shown + (" ..." if len(rows) > 5 else ""),
            fix="give sample IDs such as TCGA-OR-A5J1-01A-11R-A29S-07 or TCGA-OR-A5J1-01",
        )
    parts = parts.astype(object).where(parts.notna(), None)
    parts.insert(0, "raw", raw.to_numpy())
    patient = parts["project"] + "-" + parts["tss"] + "-" + parts["participant"]
    parts.insert(4, "patient_id", patient)
    sample = patient + "-" + parts["sample_code"].fillna("") + parts["vial"].fillna("")
    parts["sample_id"] = np.where(parts["sample_code"].isna(), patient, sample)
    return parts[list(BARCODE_COLUMNS)]


def sample_type_list(sample_types: Sequence[str | int]) -> list[str]:
    """The codes of ``sample_types`` as given to --sample-types (``["01", "TB"]`` →
    ``["01", "03"]``); an unknown one is an input error listing the codes."""
    if not len(sample_types):  # kept no sample, then "dropped: {...}" as a Python dict
        raise input_error("no sample type given", where="--sample-types",
                          fix="give codes or short names, e.g. 01,03 (primary tumours, the default)")
    codes = []
    for t in sample_types:
        try:
            codes.append(sample_type_code(t))
        except ValueError:
            known = ", ".join(f"{c} {short}" for c, (_, short) in SAMPLE_TYPES.items())
            raise input_error(f"unknown sample type {str(t)!r}", where="--sample-types",
                              fix=f"give codes or short names, e.g. 01,03 (primary tumours, the "
                                  f"default) or TP,NT; known: {known}") from None
    return codes


def filter_sample_types(
    sample_ids: Iterable[str],
    *,
    sample_types: Sequence[str | int] = DEFAULT_SAMPLE_TYPES,
    allow_missing: bool = False,
) -> tuple[np.ndarray, dict[str, int]]:
    """Keep the samples whose barcode has one of ``sample_types``.

    Parameters
    ----------
    sample_ids
        Barcodes, shape ``(n_samples,)``.
    sample_types
        Codes, names or letter codes to keep (default primary tumours, 01 and 03).
    allow_missing
        A barcode without a sample-type part (``TCGA-OR-A5J1``) is an error unless True;
        then it is dropped and counted under ``"no sample type in barcode"``.

    Returns
    -------
    keep : numpy.ndarray
        Boolean mask, shape ``(n_samples,)``.
    dropped : dict[str, int]
        Samples dropped per sample type label (``"Solid Tissue Normal (11)": 12``), plus
        ``"no sample type in barcode"`` (always present, possibly 0).
    """
    wanted = sample_type_list(sample_types)
    parsed = parse_barcodes(sample_ids)
    say_respelt_barcodes(parsed["raw"])
    say_suffixed_barcodes(parsed["raw"])
    code = parsed["sample_code"]
    missing = code.isna().to_numpy()
    if missing.any() and not allow_missing:
        rows = np.flatnonzero(missing)
        shown = ", ".join(f"row {i}: {parsed['raw'].iloc[i]!r}" for i in rows[:5])
        raise input_error(
            f"{len(rows)} sample ID(s) have no sample-type part, so tumour and normal "
            "samples cannot be told apart",
            where=shown,
            fix="give full barcodes (TCGA-OR-A5J1-01A...) or pass allow_missing=True",
        )
    keep = code.isin(wanted).to_numpy() & ~missing
    dropped_codes = code[~keep & ~missing].value_counts()
    dropped = {sample_type_label(str(c)): int(n) for c, n in dropped_codes.items()}
    dropped[MISSING_SAMPLE_TYPE] = int(missing.sum())
    logger.info(
        "sample types %s: kept %d of %d; dropped %s", wanted, keep.sum(), len(keep), dropped
    )
    return keep, dropped


def say_respelt_barcodes(sample_ids: Iterable[str]) -> dict[str, str]:
    """Warn of the sample ids that are barcodes written with ``.`` or ``_`` for the dashes
    (R's ``make.names``: ``TCGA.OR.A5J1.01A``), read as the dashed ones.

    Parameters
    ----------
    sample_ids
        Sample ids as given, shape ``(n_samples,)``.

    Returns
    -------
    dict[str, str]
        ``{as given: dashed}`` (:func:`~genemoe.data.ids.respelt_barcodes`); ``{}``, and
        nothing said, when none is written so.
    """
    respelt = respelt_barcodes(sample_ids)
    if respelt:
        given, dashed = next(iter(respelt.items()))
        logger.warning("%d sample id(s) are TCGA barcodes written with '.' or '_' for '-' (as "
                       "R's make.names writes them), e.g. %r: read as %r for the sample type "
                       "and the patient; the sample ids are kept as given", len(respelt),
                       given, dashed)
    return respelt


def say_suffixed_barcodes(sample_ids: Iterable[str]) -> dict[str, str]:
    """Warn of the sample ids that are barcodes with an AnnData uniqueness suffix
    (``obs_names_make_unique``: ``TCGA-OR-A5L9-01A-11R-A29S-07-1``; R's ``make.unique``:
    ``TCGA.OR.A5L9.01A.11R.A29S.07.1``), read as the barcode
    before it.

    Parameters
    ----------
    sample_ids
        Sample ids as given, shape ``(n_samples,)``.

    Returns
    -------
    dict[str, str]
        ``{as given: barcode}`` (:func:`~genemoe.data.ids.suffixed_barcodes`); ``{}``, and
        nothing said, when none has such a suffix.
    """
    suffixed = suffixed_barcodes(sample_ids)
    if suffixed:
        given, plain = next(iter(suffixed.items()))
        logger.warning("%d sample id(s) are TCGA barcodes with a uniqueness suffix (as AnnData's "
                       "obs_names_make_unique or R's make.unique adds), e.g. %r: read as %r for the sample type "
                       "and the patient; the sample ids are kept as given", len(suffixed),
                       given, plain)
    return suffixed


def one_per_patient(
    sample_ids: Iterable[str],
    *,
    sample_types: Sequence[str | int] = DEFAULT_SAMPLE_TYPES,
) -> tuple[np.ndarray, dict[str, int]]:
    """Keep one expression profile per patient, chosen by a fixed rule.

    Among the samples of one patient (same first three barcode parts), the kept one is
    the first after sorting by, in order:

    1. sample type: the position of its code in ``sample_types`` (earlier wins); types
       not listed, and barcodes without a type, come after all listed ones;
    2. vial letter, lowest first (A before B); no vial last;
    3. portion number, lowest first; no portion last;
    4. analyte ``R`` before any other (H, T, ...);
    5. the full barcode, lexicographically smallest.

    The plate is not used: plate IDs are not ordered in time. This function does not
    drop samples for their type: filter with :func:`filter_sample_types` first.

    Parameters
    ----------
    sample_ids
        Barcodes, shape ``(n_samples,)``.
    sample_types
        Sample type preference, most preferred first.

    Returns
    -------
    keep : numpy.ndarray
        Boolean mask, shape ``(n_samples,)``; exactly one True per patient.
    dropped : dict[str, int]
        ``{"duplicate profile of the same patient": n}``.
    """
    wanted = sample_type_list(sample_types)
    p = parse_barcodes(sample_ids)
    n_types = len(wanted)
    order = pd.DataFrame(
        {
            "patient": p["patient_id"],
            "type": p["sample_code"].map({c: i for i, c in enumerate(wanted)}).fillna(n_types),
            "vial": p["vial"].fillna("~"),  # '~' sorts after every upper-case letter
            "portion": pd.to_numeric(p["portion"]).fillna(np.inf),
            "analyte": (p["analyte"] != "R").astype(int),
            "raw": p["raw"].astype(str),
        }
    )
    ranked = order.sort_values(
        ["patient", "type", "vial", "portion", "analyte", "raw"], kind="stable"
    )
    first = ~ranked["patient"].duplicated(keep="first")
    keep = first.sort_index().to_numpy()
    n_dropped = int((~keep).sum())
    if n_dropped:
        logger.info("one profile per patient: dropped %d duplicate profiles", n_dropped)
    return keep, {DUPLICATE_PROFILE: n_dropped}


def normalise_cancer_type(value: str) -> str:
    """Canonical TCGA code of a cancer-type label (a code, the GDC project, the TCGA study
    name or Xena's wording of it, :mod:`genemoe.data.cancer_names`); other labels are only
    stripped.

    Examples
    --------
    >>> normalise_cancer_type("ACC (TCGA)"), normalise_cancer_type("TCGA-ACC")
    ('ACC', 'ACC')
    >>> normalise_cancer_type(" brca "), normalise_cancer_type("Glioma")
    ('BRCA', 'Glioma')
    >>> normalise_cancer_type("Adrenocortical carcinoma")
    'ACC'
    """
    text = str(value).strip()
    key = text.upper()
    key = re.sub(r"\s*\(TCGA\)$", "", key)
    key = re.sub(r"^TCGA[-_ ]", "", key).strip()
    if key in TCGA_PROJECTS:
        return key
    return code_of_name(re.sub(r"\s*\(TCGA\)$", "", text, flags=re.IGNORECASE)) or text


_COHORT_IN_NAME = re.compile(
    r"(?:^|[^A-Za-z0-9])TCGA[-_]([A-Za-z]{2,4})(?=[^A-Za-z0-9]|$)", re.IGNORECASE
)


def cohort_from_path(path: str | Path) -> str | None:
    """TCGA cohort named in a file name, or None.

    Examples
    --------
    >>> cohort_from_path("TCGA_ACC_Counts.exp.gz"), cohort_from_path("TCGA-BRCA.htseq_fpkm-uq.tsv.gz")
    ('ACC', 'BRCA')
    >>> cohort_from_path("expression.tsv.gz") is None
    True
    """
    m = _COHORT_IN_NAME.search(Path(path).name)
    if m is None:
        return None
    code = m.group(1).upper()
    return code if code in TCGA_PROJECTS else None


def table_cohorts(table: Any) -> Any:
    """The cohort of each sample of an expression table: a genemoe export's own ``cohort``
    column (``obs``; re-preparing an export of three cohorts left every ``cohort`` empty,
    unsaid), else the cohort its file name gives (:func:`cohort_from_path`), or None.
    """
    meta = getattr(table, "sample_meta", None)
    if getattr(table, "from_export", False) and meta is not None and "cohort" in meta.columns:
        cohorts = meta["cohort"].astype(object).reindex(table.sample_ids.astype(str))
        return cohorts.where(cohorts.notna(), None).to_numpy(object)
    return cohort_from_path(table.source_path)
