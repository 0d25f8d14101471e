"""Classify and normalise gene and sample identifiers.

Used by the readers to detect a matrix's orientation and by the annotation to map
identifiers. Pure functions of strings; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

__all__ = [
    "IdKind",
    "classify_id",
    "detect_id_kind",
    "is_sample_barcode",
    "tcga_like",
    "dashed_barcode",
    "respelt_barcodes",
    "unsuffixed_barcode",
    "suffixed_barcodes",
    "off_kind_ids",
    "looks_like_genes",
    "looks_like_samples",
    "strip_version",
    "split_firehose",
    "gene_names",
    "sample_numbers",
    "decimal_entrez",
    "whole_entrez",
    "spreadsheet_dates",
]

IdKind = Literal["ensembl", "ensembl_versioned", "entrez", "firehose", "symbol", "unknown"]

_ENSEMBL = re.compile(r"^ENS[A-Z]*G\d{6,}$")
_ENSEMBL_V = re.compile(r"^ENS[A-Z]*G\d{6,}\.\d+(_PAR_Y)?$")
_ENTREZ = re.compile(r"^\d{1,9}$")
_FIREHOSE = re.compile(r"^[^|\s]*\|\d+$")  # 'TP53|7157', '?|100130426'
_SYMBOL = re.compile(r"^[A-Za-z][A-Za-z0-9\-\.@_/]{0,30}$")
# TCGA-XX-XXXX, optionally -01, -01A, -01A-11R-A29S-07; also TARGET-/other projects
_BARCODE = re.compile(r"^[A-Z0-9]+-[A-Z0-9]{2}-[A-Z0-9]{4,6}(-\d{2}[A-Z]?(-\d{2}[A-Z]?(-[A-Z0-9]{4}(-\d{2})?)?)?)?$")
# The same barcode with '.' or '_' for its dashes (R's make.names writes TCGA-OR-A5J1-01A as
# TCGA.OR.A5J1.01A): TCGA and TARGET only, so that no other dotted name reads as a barcode.
# R's make.unique then numbers a repeated name: TCGA.OR.A5J1.01A.1 (the trailing number).
_OTHER_SEPARATORS = re.compile(r"^(?:TCGA|TARGET)[._-][A-Z0-9]{2}[._-][A-Z0-9]{4,6}([._-][A-Z0-9]{2,4})*"
                               r"([._-]\d+)?$",
                               re.IGNORECASE)
# A barcode made unique by AnnData / scanpy (obs_names_make_unique, concat's index_unique)
# ends in -<n>; taken off only where no barcode part can be read so: after a full aliquot
# barcode (no part follows the centre) or a sample-level one (a portion has 2 digits, so a
# -12 there stays a portion, of the same patient and sample type).
_TRAILING_NUMBER = re.compile(r"^(?P<barcode>.+)-(?P<n>\d+)$")
_ALIQUOT = re.compile(r"^[A-Z0-9]+-[A-Z0-9]{2}-[A-Z0-9]{4,6}-\d{2}[A-Z]?-\d{2}[A-Z]?-[A-Z0-9]{4}-\d{2}$")
_SAMPLE_LEVEL = re.compile(r"^[A-Z0-9]+-[A-Z0-9]{2}-[A-Z0-9]{4,6}-\d{2}[A-Z]?$")
_GENERIC_SAMPLE = re.compile(r"^(sample|patient|cell|s)[_\-]?\d+$", re.IGNORECASE)


def classify_id(value: str) -> IdKind:
    """Return the kind of one gene identifier.

    Examples
    --------
    >>> classify_id("ENSG00000141510.16"), classify_id("7157"), classify_id("TP53|7157")
    ('ensembl_versioned', 'entrez', 'firehose')
    """
    v = value.strip()
    if _ENSEMBL.match(v):
        return "ensembl"
    if _ENSEMBL_V.match(v):
        return "ensembl_versioned"
    if _ENTREZ.match(v):
        return "entrez"
    if _FIREHOSE.match(v):
        return "firehose"
    if _SYMBOL.match(v) and not is_sample_barcode(v):
        return "symbol"
    return "unknown"


def detect_id_kind(values: Iterable[str], *, sample: int = 2000) -> IdKind:
    """Dominant identifier kind among ``values`` (a majority over a sample of them).

    Returns ``"unknown"`` when no kind covers at least 80% of the looked-at values.
    Versioned and unversioned Ensembl IDs count together (kind ``ensembl_versioned`` if
    any carries a version).
    """
    vals = [str(v) for v in list(values)[:sample]]
    if not vals:
        return "unknown"
    kinds = [classify_id(v) for v in vals]
    n = len(kinds)
    n_ens = sum(k in ("ensembl", "ensembl_versioned") for k in kinds)
    if n_ens >= 0.8 * n:
        return "ensembl_versioned" if "ensembl_versioned" in kinds else "ensembl"
    for kind in ("entrez", "firehose", "symbol"):
        if sum(k == kind for k in kinds) >= 0.8 * n:
            return kind  # type: ignore[return-value]
    return "unknown"


_PATTERN_KINDS = {"ensembl": re.compile(r"^ENS[A-Z]*G[R0-9]\d{5,}(\.\d+)?(_PAR_Y)?$"),
                  "entrez": _ENTREZ, "firehose": _FIREHOSE}
_PATTERN_KINDS["ensembl_versioned"] = _PATTERN_KINDS["ensembl"]


def off_kind_ids(values: Sequence[str], kind: IdKind) -> list[str]:
    """The identifiers among ``values`` that are not of ``kind``, the matrix's own kind
    (``score`` or ``ERCC-00002`` among Ensembl ids); ``[]`` for symbols and unknown kinds,
    whose pattern does not tell a gene from another name.

    Examples
    --------
    >>> off_kind_ids(["ENSG00000141510.16", "ENSGR0000000000", "score"], "ensembl_versioned")
    ['score']
    """
    pattern = _PATTERN_KINDS.get(kind)
    if pattern is None:
        return []
    return [str(v) for v in values if not pattern.match(str(v).strip())]


def dashed_barcode(value: str) -> str:
    """A TCGA or TARGET barcode written with ``.`` or ``_`` for its dashes, in its dashed
    form (stripped); any other value as given.

    A trailing number R's ``make.unique`` adds to a repeated name
    (``TCGA.OR.A5L9.01A.11R.A29S.07.1``) is kept, dashed, for :func:`unsuffixed_barcode` to
    take off by the same rule as AnnData's suffix.

    Examples
    --------
    >>> dashed_barcode("TCGA.OR.A5L9.01A.11R.A29S.07"), dashed_barcode("TCGA_OR_A5L9")
    ('TCGA-OR-A5L9-01A-11R-A29S-07', 'TCGA-OR-A5L9')
    >>> dashed_barcode("TCGA-OR-A5L9-01A"), dashed_barcode("RP11-34P13.7")
    ('TCGA-OR-A5L9-01A', 'RP11-34P13.7')
    >>> dashed_barcode("TCGA.OR.A5L9.01A.11R.A29S.07.1"), dashed_barcode("TCGA.OR.A5L9.01.1")
    ('TCGA-OR-A5L9-01A-11R-A29S-07-1', 'TCGA-OR-A5L9-01-1')
    """
    v = str(value).strip()
    if ("." not in v and "_" not in v) or not _OTHER_SEPARATORS.match(v):
        return value
    dashed = re.sub(r"[._]", "-", v)
    if _BARCODE.match(dashed.upper()) or _BARCODE.match(unsuffixed_barcode(dashed).upper()):
        return dashed
    return value


def respelt_barcodes(values: Iterable[object]) -> dict[str, str]:
    """The values that are barcodes written with ``.`` or ``_`` for their dashes, each with
    its dashed form (:func:`dashed_barcode`), in order of first appearance.

    Parameters
    ----------
    values
        Ids, shape ``(n_values,)``.

    Returns
    -------
    dict[str, str]
        ``{as given: dashed}``; ``{}`` when none is written so.
    """
    out: dict[str, str] = {}
    for v in map(str, values):
        if v not in out and (d := dashed_barcode(v)) != v:
            out[v] = d
    return out


def unsuffixed_barcode(value: str) -> str:
    """A TCGA-style barcode without the ``-<n>`` AnnData / scanpy add to make ids unique
    (``obs_names_make_unique``: ``TCGA-OR-A5L9-01A-11R-A29S-07-1``); any other value as
    given.

    The suffix is taken off only where it cannot be a part of the barcode: after a full
    aliquot barcode (centre included), or after a sample-level one (``TCGA-OR-A5L9-01A-1``,
    ``-123``; a ``-12`` there reads as portion 12, of the same patient and sample type).
    A patient barcode's ``-10`` would be sample type 10, so none is taken off a patient's.

    Examples
    --------
    >>> unsuffixed_barcode("TCGA-OR-A5L9-01A-11R-A29S-07-1"), unsuffixed_barcode("TCGA-OR-A5L9-01-2")
    ('TCGA-OR-A5L9-01A-11R-A29S-07', 'TCGA-OR-A5L9-01')
    >>> unsuffixed_barcode("TCGA-OR-A5L9-01A-11"), unsuffixed_barcode("TCGA-OR-A5L9-1")
    ('TCGA-OR-A5L9-01A-11', 'TCGA-OR-A5L9-1')
    """
    v = str(value).strip()
    if _BARCODE.match(v.upper()) or (m := _TRAILING_NUMBER.match(v)) is None:
        return value
    head = m["barcode"].upper()
    return m["barcode"] if _ALIQUOT.match(head) or _SAMPLE_LEVEL.match(head) else value


def suffixed_barcodes(values: Iterable[object]) -> dict[str, str]:
    """The values that are barcodes with an AnnData uniqueness suffix, each without it
    (:func:`unsuffixed_barcode`; dotted ones read dashed first), in order of first appearance.

    Parameters
    ----------
    values
        Ids, shape ``(n_values,)``.

    Returns
    -------
    dict[str, str]
        ``{as given: barcode}``; ``{}`` when none has such a suffix.
    """
    out: dict[str, str] = {}
    for v in map(str, values):
        if v not in out and (u := unsuffixed_barcode(d := dashed_barcode(v))) != d:
            out[v] = u
    return out


def is_sample_barcode(value: str) -> bool:
    """True for TCGA-style barcodes (``TCGA-OR-A5J1``, ``TCGA-OR-A5J1-01A-11R-A29S-07``),
    also written with ``.`` or ``_`` for the dashes (``TCGA.OR.A5J1.01A``) or with an AnnData
    uniqueness suffix (``TCGA-OR-A5J1-01A-11R-A29S-07-1``, :func:`unsuffixed_barcode`)."""
    v = unsuffixed_barcode(dashed_barcode(value)).strip()
    return bool(_BARCODE.match(v.upper())) and "-" in v


def looks_like_samples(values: Sequence[str], *, threshold: float = 0.8) -> bool:
    """True when most ``values`` are sample barcodes or generic sample names."""
    vals = [str(v) for v in values[:2000]]
    if not vals:
        return False
    hits = sum(is_sample_barcode(v) or bool(_GENERIC_SAMPLE.match(v)) for v in vals)
    return hits >= threshold * len(vals)


def looks_like_genes(values: Sequence[str], *, threshold: float = 0.8) -> bool:
    """True when most ``values`` are gene identifiers of a recognisable, non-symbol kind.

    Gene symbols alone are too easily confused with other names, so a symbol-only axis
    counts as genes only when the other axis looks like samples (the readers decide).
    """
    kind = detect_id_kind(values)
    return kind in ("ensembl", "ensembl_versioned", "entrez", "firehose")


def sample_numbers(values: Sequence[str]) -> bool:
    """True when ``values`` are the run ``1, 2, ..., n`` (or ``0, ..., n - 1``), n >= 2:
    samples numbered in order, not Entrez ids (Entrez has no genes 4 to 8, and no gene panel
    is the first n Entrez ids). Such a header was read as the genes: symbols × numbered
    samples came out as 30 "genes" × 405 "samples".

    Examples
    --------
    >>> sample_numbers(["1", "2", "3"]), sample_numbers(["7157", "672"]), sample_numbers(["1"])
    (True, False, False)
    """
    vals = [str(v).strip() for v in values]
    if len(vals) < 2 or not all(v.isdigit() and len(v) <= 9 for v in vals):
        return False
    first = int(vals[0])
    return first in (0, 1) and [int(v) for v in vals] == list(range(first, first + len(vals)))


_WHOLE_DECIMAL = re.compile(r"^\d{1,9}\.0+$")


def decimal_entrez(values: Sequence[str], *, threshold: float = 0.8) -> bool:
    """True when most ``values`` are whole numbers written as decimals (``613037.0``: Entrez
    ids a spreadsheet or pandas turned into floats).

    Examples
    --------
    >>> decimal_entrez(["613037.0", "7157.0"]), decimal_entrez(["7157", "1.5"])
    (True, False)
    """
    vals = [str(v).strip() for v in values[:2000]]
    return bool(vals) and sum(bool(_WHOLE_DECIMAL.match(v)) for v in vals) >= threshold * len(vals)


def whole_entrez(value: str) -> str:
    """``"613037.0"`` → ``"613037"``; any other id as it is."""
    v = str(value).strip()
    return v.split(".")[0] if _WHOLE_DECIMAL.match(v) else str(value)


_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# What a spreadsheet shows for a symbol it took for a date: SEPT1 -> 1-Sep, MARCH1 -> 1-Mar,
# DEC1 -> 1-Dec (Zeeberg et al. 2004; Ziemann et al. 2016), in other locales Sep-01 or a
# full date (2021-09-01, 9/1/2021, 01.09.2021).
_SPREADSHEET_DATE = re.compile(
    rf"^(\d{{1,2}}-({_MONTHS})(-\d{{2,4}})?|({_MONTHS})-\d{{1,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"( 00:00(:00)?)?|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})$", re.IGNORECASE)


def spreadsheet_dates(values: Sequence[str]) -> np.ndarray:
    """Positions of the ids among ``values`` that read as dates a spreadsheet made of gene
    symbols (``1-Sep``, ``1-Mar``, ``Dec-01``, ``2021-09-01``); no gene is named so.

    Examples
    --------
    >>> spreadsheet_dates(["TP53", "1-Sep", "1-Mar", "SEPTIN2", "2-dec"]).tolist()
    [1, 2, 4]
    """
    return np.flatnonzero([bool(_SPREADSHEET_DATE.match(str(v).strip())) for v in values])


def strip_version(ids: Iterable[str]) -> np.ndarray:
    """Drop Ensembl version suffixes: ``ENSG00000141510.16`` → ``ENSG00000141510``.

    ``_PAR_Y`` genes keep a ``_PAR_Y`` suffix so they stay distinct from their X copies.
    """
    out = []
    for v in ids:
        s = str(v)
        if s.startswith("ENS") and "." in s:
            base, _, rest = s.partition(".")
            s = base + ("_PAR_Y" if rest.endswith("_PAR_Y") else "")
        out.append(s)
    return np.asarray(out, dtype=object)


def split_firehose(value: str) -> tuple[str | None, str]:
    """Split a Firehose ``SYMBOL|ENTREZ`` identifier; a ``?`` symbol becomes None."""
    sym, _, entrez = value.partition("|")
    return (None if sym in ("", "?") else sym), entrez


# Text a table writes for "no name" (pandas' NaN as "nan", R's NA, a GTF's "."): no gene
# symbol is spelt so, so a cell holding it is a missing name, not a gene called "nan".
_NO_NAME = frozenset({"", "na", "n/a", "#n/a", "nan", "-nan", "null", "none", "."})


def gene_names(values: Iterable[object]) -> tuple[np.ndarray, dict[str, int]]:
    """Gene names as an object array with None where a cell is empty or holds a missing-value
    marker (``nan``, ``NA``, ``.``, ...), and how often each marker was written as text.

    Examples
    --------
    >>> names, markers = gene_names(["TP53", "", " ", "nan", None, float("nan"), "NA"])
    >>> names.tolist(), markers
    (['TP53', None, None, None, None, None, None], {'nan': 1, 'NA': 1})
    """
    out: list[str | None] = []
    markers: dict[str, int] = {}
    for v in values:
        s = "" if v is None or (isinstance(v, float) and v != v) else str(v)  # None, NaN
        if (t := s.strip()).lower() in _NO_NAME:
            if t:
                markers[t] = markers.get(t, 0) + 1
            out.append(None)
        else:
            out.append(s)  # as written
    return np.asarray(out, dtype=object), markers


def tcga_like(sample_id: str) -> bool:
    """True when ``sample_id`` parses as a TCGA-style barcode with a sample part (dashed,
    or with ``.`` / ``_`` for the dashes: ``TCGA.OR.A5J1.01A``; an AnnData uniqueness suffix,
    ``-1``, is not a part)."""
    v = unsuffixed_barcode(dashed_barcode(sample_id))
    return is_sample_barcode(v) and v.count("-") >= 3
