"""Readers of the per-sample tables: labels (sample → cancer type) and survival.

Label tables are recognised without flags when they have an obvious sample column and one
cancer-type column (``Sample_name``/``Target`` as in the GDC target files, ``sample_id``/
``cancer_type`` as in PanCanAtlas sample sheets); survival comes from the TCGA-CDR table or
a Xena ``survival.tsv``, keyed by the 12-character patient barcode.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.ids import is_sample_barcode, looks_like_samples
from genemoe.data.textio import NA_TOKENS, _check_path, _magic, _sniff, _text_stream
from genemoe.errors import input_error

__all__ = ["read_labels", "read_clinical", "normalise_label"]

logger = logging.getLogger(__name__)


def _norm_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _read_table(path: Path) -> pd.DataFrame:
    """A small delimited (or parquet) table as strings; NA tokens become NaN."""
    _check_path(path)
    if _magic(path)[:4] == b"PAR1":
        return pd.read_parquet(path).astype("string").astype(object).where(lambda d: d.notna(), np.nan)
    with _text_stream(path) as fh:
        header, first = fh.readline().rstrip("\r\n"), fh.readline().rstrip("\r\n")
    delim = _sniff(header, first, None, path)
    comp = "gzip" if _magic(path)[:2] == b"\x1f\x8b" else None
    df = pd.read_csv(path, sep=delim, dtype=str, compression=comp, na_values=NA_TOKENS,
                     keep_default_na=False, encoding="utf-8-sig")
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise input_error("the table has no data rows", path=path, fix="check the file")
    return df


_SAMPLE_NAMES = ["sampleid", "sample", "samplename", "samplebarcode", "barcode", "sampleids", "samples",
                 "aliquot", "aliquotid", "aliquotbarcode", "bcrsamplebarcode", "bcraliquotbarcode",
                 "tcgabarcode", "submitterid"]
_LABEL_TIERS = [
    {"cancertype", "cancertypeabbreviation", "acronym", "projectid", "diseasecode", "tumortype",
     "tumourtype", "target", "cohort"},
    {"cancer", "disease", "type", "label", "class", "project", "primarydisease", "cancertypes"},
]
_LABEL_WORDS = ("cancer", "acronym", "disease", "project", "tumor", "tumour")
_NOT_LABELS = {"idforstratification", "sampletype", "sampletypeid", "diseasetype"}


def _pick(df: pd.DataFrame, given: str | None, what: str, flag: str, path: Path) -> str | None:
    if given is None:
        return None
    if given not in df.columns:
        raise input_error(f"no {what} column {given!r}; columns are {list(df.columns)}",
                          path=path, fix=f"pass one of them as {flag}")
    return given


def _find_sample_column(df: pd.DataFrame, path: Path) -> str:
    keys = {c: _norm_name(c) for c in df.columns}
    for name in _SAMPLE_NAMES:
        hits = [c for c, k in keys.items() if k == name]
        if hits:
            return hits[0]
    by_value = [c for c in df.columns if looks_like_samples(df[c].dropna().astype(str).tolist()[:500])]
    if len(by_value) == 1:
        return by_value[0]
    raise input_error(
        f"cannot tell which column holds the sample ids (candidates: {by_value or list(df.columns)})",
        path=path, fix="pass it with sample_column= (CLI: --sample-column)")


def _find_label_column(df: pd.DataFrame, exclude: str, path: Path) -> str:
    cols = [c for c in df.columns if c != exclude and _norm_name(c) not in _NOT_LABELS]
    keys = {c: {_norm_name(c), _norm_name(c.split(".")[0])} for c in cols}
    for tier in _LABEL_TIERS:
        hits = [c for c in cols if keys[c] & tier]
        if len(hits) > 1:
            exact = [c for c in hits if _norm_name(c) in tier]
            hits = exact if len(exact) == 1 else hits
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise input_error(f"several columns could hold the cancer type: {hits}", path=path,
                              fix="pass the right one with label_column= (CLI: --label-column)")
    fuzzy = [c for c in cols if any(w in _norm_name(c) for w in _LABEL_WORDS)]
    if len(fuzzy) == 1:
        return fuzzy[0]
    raise input_error(
        f"cannot tell which column holds the cancer type (candidates: {fuzzy or cols})",
        path=path, fix="pass it with label_column= (CLI: --label-column)")


def normalise_label(value: Any) -> Any:
    """``'ACC (TCGA)'`` → ``'ACC'``, ``'TCGA-ACC'`` → ``'ACC'``, whitespace stripped; empty → NaN."""
    if not isinstance(value, str) or not value.strip():
        return np.nan
    s = value.strip()
    m = re.fullmatch(r"(.+?)\s*\(TCGA\)", s)
    s = m.group(1) if m else s
    m = re.fullmatch(r"TCGA[-_ ]([A-Za-z0-9]+)", s)
    return m.group(1) if m else s


def read_labels(path: Path | str, *, sample_column: str | None = None,
                label_column: str | None = None) -> pd.DataFrame:
    """Read a sample → cancer-type table.

    Parameters
    ----------
    path
        Delimited text (gzip or not) or parquet, one row per sample.
    sample_column, label_column
        Column names; detected when None (known names first, then values that look
        like sample barcodes; the one cancer-type column by known names).

    Returns
    -------
    pd.DataFrame
        Columns ``sample_id``, ``cancer_type`` (``'ACC (TCGA)'``/``'TCGA-ACC'`` → ``'ACC'``,
        NaN where empty) and ``sample_type`` when the table has one (raw text).
        ``attrs`` holds ``source_path``, the columns used and ``notes``.

    Raises
    ------
    InputError
        Unknown or ambiguous columns; a sample listed twice with different labels.
    """
    path = Path(path)
    df = _read_table(path)
    scol = _pick(df, sample_column, "sample", "--sample-column", path) or _find_sample_column(df, path)
    lcol = _pick(df, label_column, "label", "--label-column", path) or _find_label_column(df, scol, path)
    out = pd.DataFrame({"sample_id": df[scol].str.strip(), "cancer_type": df[lcol].map(normalise_label)})
    tcols = [c for c in df.columns if _norm_name(c.split(".")[0]) == "sampletype" and c not in (scol, lcol)]
    if tcols:
        out["sample_type"] = df[tcols[0]].str.strip()
    notes = [f"sample ids from column {scol!r}, cancer type from column {lcol!r}"]
    if out["sample_id"].isna().any():
        notes.append(f"dropped {int(out['sample_id'].isna().sum())} rows without a sample id")
        out = out[out["sample_id"].notna()]
    if out["cancer_type"].isna().any():
        notes.append(f"{int(out['cancer_type'].isna().sum())} samples have no cancer type (kept as NaN)")
    out = _dedupe_labels(out, path, notes).reset_index(drop=True)
    out.attrs = {"source_path": str(path), "sample_column": scol, "label_column": lcol, "notes": notes}
    for n in notes:
        logger.info("%s: %s", path.name, n)
    return out


def _dedupe_labels(out: pd.DataFrame, path: Path, notes: list[str]) -> pd.DataFrame:
    dup = out["sample_id"].duplicated(keep=False)
    if not dup.any():
        return out
    n_lab = out[dup].groupby("sample_id")["cancer_type"].nunique(dropna=False)
    conflicting = n_lab[n_lab > 1].index.tolist()
    if conflicting:
        raise input_error(
            f"{len(conflicting)} sample(s) listed with different cancer types, e.g. {conflicting[:5]}",
            path=path, fix="give each sample one cancer type")
    notes.append(f"{int(out['sample_id'].duplicated().sum())} repeated rows of the same samples "
                 "collapsed (first kept)")
    return out.drop_duplicates("sample_id", keep="first")


# ----------------------------------------------------------------------------- clinical


def _col(df: pd.DataFrame, *names: str) -> str | None:
    lookup = {c.lower(): c for c in df.columns}
    return next((lookup[n.lower()] for n in names if n.lower() in lookup), None)


def _patients(df: pd.DataFrame, path: Path) -> tuple[pd.Series, str]:
    if (c := _col(df, "bcr_patient_barcode")) is not None:
        ids, fmt = df[c], "tcga_cdr"
    elif (c := _col(df, "_PATIENT")) is not None:
        ids, fmt = df[c], "xena_survival"
    elif (c := _col(df, "sample", "sample_id", "patient_id", "patient", "case_submitter_id")) is not None:
        ids, fmt = df[c], "table"
    else:
        raise input_error(f"no patient column (columns are {list(df.columns)[:12]})", path=path,
                          fix="expected bcr_patient_barcode (TCGA-CDR) or sample/_PATIENT (Xena survival)")
    ids = ids.astype(str).str.strip().str.split("-").str[:3].str.join("-")
    bad = ids[~ids.map(is_sample_barcode)]
    if len(bad) > 0.2 * len(ids):
        raise input_error(f"column {c!r} does not hold TCGA-style barcodes (e.g. {bad.iloc[0]!r})",
                          path=path, where=f"column {c!r}", fix="point at a TCGA survival table")
    return ids, fmt


def read_clinical(path: Path | str, *, endpoints: tuple[str, ...] = ("OS", "DSS", "DFI", "PFI"),
                  ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read per-patient survival: TCGA-CDR table or Xena ``TCGA-XXX.survival.tsv``.

    Parameters
    ----------
    path
        The table; patients by ``bcr_patient_barcode`` (CDR) or ``_PATIENT``/``sample``.
    endpoints
        Endpoints to take: event column ``EP`` (1/0) and time column ``EP.time`` (days).

    Returns
    -------
    frame
        Indexed by patient id (``TCGA-XX-XXXX``): ``cancer_type`` (NaN where unknown) and
        ``<ep>_time`` (float days, NaN unknown) / ``<ep>_event`` (1.0/0.0, NaN unknown),
        lower-case, for every endpoint present.
    report
        ``format``, ``n_rows``, ``n_patients``, ``n_duplicate_rows``,
        ``n_conflicting_duplicates`` (first kept), ``endpoints`` (per endpoint:
        ``n_missing_time``, ``n_negative_time`` (set to NaN), ``n_non_numeric_time``,
        ``n_missing_event``, ``n_invalid_event`` (not 0/1, set to NaN), ``n_events``,
        ``n_usable``) and ``endpoints_absent``.
    """
    path = Path(path)
    df = _read_table(path)
    ids, fmt = _patients(df, path)
    frame = pd.DataFrame(index=pd.Index(ids.to_numpy(), name="patient_id"))
    report: dict[str, Any] = {"path": str(path), "format": fmt, "n_rows": len(df), "endpoints": {},
                              "endpoints_absent": []}
    tcol = _col(df, "acronym", "cancer_type", "cancer type abbreviation", "project_id", "type")
    from_name = re.search(r"(?:TCGA|TARGET)-([A-Z0-9]+)\.survival", path.name)
    if tcol is not None:
        frame["cancer_type"] = df[tcol].map(normalise_label).to_numpy()
    else:
        frame["cancer_type"] = from_name.group(1) if from_name else np.nan
    report["cancer_type_source"] = tcol or ("file name" if from_name else None)
    raw_time: dict[str, pd.Series] = {}
    for ep in endpoints:
        ec, tc = _col(df, ep), _col(df, f"{ep}.time", f"{ep}_time")
        if ec is None or tc is None:
            report["endpoints_absent"].append(ep)
            continue
        raw_time[ep] = df[tc].to_numpy()
        frame[f"{ep.lower()}_time"] = pd.to_numeric(df[tc], errors="coerce").to_numpy(dtype=float)
        frame[f"{ep.lower()}_event"] = pd.to_numeric(df[ec], errors="coerce").to_numpy(dtype=float)
    if not raw_time:
        raise input_error(f"none of the endpoints {list(endpoints)} found (need EP and EP.time columns)",
                          path=path, fix="expected columns like OS, OS.time (TCGA-CDR or Xena survival)")
    dup = frame.index.duplicated(keep="first")
    conflict = frame.groupby(level=0).nunique(dropna=False).gt(1).any(axis=1)
    report["n_duplicate_rows"] = int(dup.sum())
    report["n_conflicting_duplicates"] = int(conflict.sum())
    keep_rows = ~dup
    frame = frame[keep_rows]
    for ep, raw in raw_time.items():
        report["endpoints"][ep] = _clean_endpoint(frame, ep.lower(), pd.Series(raw[keep_rows]))
    report["n_patients"] = len(frame)
    logger.info("%s: %d patients, endpoints %s, %d conflicting duplicates", path.name, len(frame),
                list(raw_time), report["n_conflicting_duplicates"])
    return frame, report


def _clean_endpoint(frame: pd.DataFrame, ep: str, raw_time: pd.Series) -> dict[str, int]:
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    n_non_numeric = int((t.isna().to_numpy() & raw_time.notna().to_numpy()).sum())
    neg = t < 0
    invalid = e.notna() & ~e.isin([0.0, 1.0])
    frame.loc[neg, f"{ep}_time"] = np.nan
    frame.loc[invalid, f"{ep}_event"] = np.nan
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    return {
        "n_missing_time": int(t.isna().sum()), "n_negative_time": int(neg.sum()),
        "n_non_numeric_time": n_non_numeric, "n_missing_event": int(e.isna().sum()),
        "n_invalid_event": int(invalid.sum()), "n_events": int((e == 1).sum()),
        "n_usable": int((t.notna() & e.notna()).sum()),
    }


# ----------------------------------------------------------------------------- AnnData


