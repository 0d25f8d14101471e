"""Readers of the per-sample tables: labels (sample → cancer type) and survival.

Label tables are recognised without flags when they have an obvious sample column and one
cancer-type column (``Sample_name``/``Target`` as in the GDC target files, ``sample_id``/
``cancer_type`` as in PanCanAtlas sample sheets, ``sample``/``project_id.project`` as in
Xena's ``TCGA-<P>.clinical.tsv``); survival tables are read by
:func:`genemoe.data.clinical.read_clinical` (re-exported here).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.cancer_names import XENA_PRIMARY_DISEASE, code_of_name
from genemoe.data.ids import dashed_barcode, is_sample_barcode, looks_like_samples
from genemoe.data.tcga import TCGA_PROJECTS
from genemoe.data.textio import (
    NA_TOKENS,
    _check_path,
    _magic,
    _sniff,
    _text_stream,
    binary_error,
    corrupt_error,
    reading,
)
from genemoe.errors import input_error

__all__ = ["read_labels", "read_clinical", "normalise_label", "agreeing_labels", "respellings",
           "chained_respellings", "is_missing_label", "XENA_PRIMARY_DISEASE", "names_text",
           "looks_like_matrix"]

logger = logging.getLogger(__name__)


def _norm_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _read_table(path: Path) -> pd.DataFrame:
    """A small delimited (or parquet) table as strings; NA tokens become NaN."""
    _check_path(path)
    if _magic(path)[:4] == b"PAR1":
        with reading(path):
            try:
                df = pd.read_parquet(path)
            except ValueError as exc:  # pyarrow's ArrowInvalid for a damaged file
                raise corrupt_error(path, exc) from exc
        return df.astype("string").astype(object).where(lambda d: d.notna(), np.nan)
    if (err := binary_error(path)) is not None:  # was "only one column found (wrong delimiter?)"
        raise err
    with reading(path):
        with _text_stream(path) as fh:
            header = fh.readline().rstrip("\r\n")
            first = next((ln.rstrip("\r\n") for ln in fh if ln.strip()), None)
        _refuse_rowless(header, first, path)
        delim = _sniff(header, first or "", None, path)
        with _text_stream(path) as fh:
            try:
                df = pd.read_csv(fh, sep=delim, dtype=str, na_values=NA_TOKENS, keep_default_na=False)
            except pd.errors.ParserError as exc:
                raise input_error(f"cannot parse the table ({str(exc).strip()[:200]})", path=path,
                                  fix="check the delimiter; if the file is cut short, get it again"
                                  ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["delimiter"] = delim  # ';': a European spreadsheet's, with decimal commas
    if df.empty:
        raise input_error("the table has no data rows", path=path, fix="check the file")
    return df


def _refuse_rowless(header: str, first: str | None, path: Path) -> None:
    """An empty file, or one of a header line and no rows, said so (both were "only one
    column found (wrong delimiter?)", with a fix about saving a matrix)."""
    if not header.strip() and first is None:
        raise input_error("the file is empty", path=path,
                          fix="check the path; export or copy the table again, with its rows")
    if first is None:
        cells = ", ".join(c.strip().strip('"') for c in re.split(r"[\t,;]", header.strip()))
        raise input_error(f"the file holds a header ({cells[:80]}) and no rows",
                          path=path, fix="add its rows under the header, or "
                                         "export or copy the table again whole")


def _refuse_headerless(df: pd.DataFrame, path: Path) -> None:
    """Refuse a label table whose header row is data: a sample barcode among its cells, or
    a generic sample name beside a TCGA code, each over a column of sample ids (a file
    without a header lost its first sample to the header, the type column named after it:
    "LUAD"). A header such as ``days-to-death`` is barcode-shaped, not over sample ids."""
    if "delimiter" not in df.attrs:  # parquet: its column names are names
        return
    cells = [str(c) for c in df.columns]
    over_ids = [c for c in cells if looks_like_samples([c])  # a sample id over sample ids
                and looks_like_samples(df[c].dropna().astype(str).tolist()[:500])]
    coded = any(str(normalise_label(c)).upper() in TCGA_PROJECTS for c in cells)
    if not any(is_sample_barcode(c) or coded for c in over_ids):  # 'S1' alone: a name
        return
    sep = {"\t": "<TAB>"}.get(df.attrs["delimiter"], df.attrs["delimiter"])
    raise input_error(f"the first row looks like data ({', '.join(cells[:3])}): the file has no "
                      "header", path=path, where="line 1",
                      fix=f"add a header line such as sample_id{sep}cancer_type")


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


def names_text(names: Sequence[Any], limit: int = 8) -> str:
    """``names`` as an error lists them: the first ``limit`` quoted, then how many more
    (a 301-column matrix listed all 301).

    >>> names_text(["a", "b"])
    "'a', 'b'"
    >>> names_text([f"S{i}" for i in range(10)], limit=3)
    "'S0', 'S1', 'S2' and 7 more"
    """
    shown = ", ".join(repr(str(n)) for n in list(names)[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def looks_like_matrix(df: pd.DataFrame) -> bool:
    """Whether ``df`` looks like an expression matrix rather than a per-sample table: many
    columns, most of them named as samples (genes × samples) or holding numbers (either
    way round)."""
    names = [str(c) for c in df.columns[1:]]
    if len(names) < 10:
        return False
    if looks_like_samples(names, threshold=0.5):
        return True
    cells = df.iloc[:50, 1:].stack()
    numeric = pd.to_numeric(cells, errors="coerce").notna()
    return bool(len(numeric)) and float(numeric.mean()) >= 0.9


_MATRIX = "; this looks like an expression matrix, not a labels table"
_MATRIX_FIX = ("pass the matrix as expression (Python: expression_paths=, CLI: --expression) "
               "and a sample → cancer-type table as labels (label_paths=, --labels)")


def _pick(df: pd.DataFrame, given: str | None, what: str, flag: str, path: Path) -> str | None:
    if given is None:
        return None
    if given not in df.columns:
        raise input_error(f"no {what} column {given!r}; its {len(df.columns)} columns are "
                          f"{names_text(df.columns)}", path=path,
                          fix=f"pass one of them as {flag}")
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
    if looks_like_matrix(df):  # its 301 column names were listed
        raise input_error(f"cannot tell which column holds the sample ids{_MATRIX} (columns "
                          f"{names_text(df.columns)})", path=path, fix=_MATRIX_FIX)
    raise input_error(
        f"cannot tell which column holds the sample ids (candidates: "
        f"{names_text(by_value or list(df.columns))})",
        path=path, fix="pass it with sample_column= (CLI: --sample-column)")


_ENDPOINTS = ("OS", "DSS", "DFI", "PFI")
_CBIO = ("OS", "DSS", "DFS", "PFS")


def survival_columns(columns: Sequence[Any]) -> list[str]:
    """The survival endpoint columns of a table (``OS`` and ``OS.time``, cBioPortal's
    ``OS_STATUS`` and ``OS_MONTHS``, for OS, DSS, DFI/DFS, PFI/PFS), ``[]`` without a pair.

    >>> survival_columns(["sample", "OS", "_PATIENT", "OS.time"])
    ['OS', 'OS.time']
    >>> survival_columns(["sample", "cancer type", "OS"])
    []
    """
    by = {_norm_name(c): str(c) for c in columns}
    out = []
    for ep in _ENDPOINTS:
        e = ep.lower()
        if e in by and f"{e}time" in by:
            out += [by[e], by[f"{e}time"]]
    for ep in _CBIO:
        e = ep.lower()
        if f"{e}status" in by and f"{e}months" in by:
            out += [by[f"{e}status"], by[f"{e}months"]]
    return out


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
            raise input_error(f"several columns could hold the cancer type: {names_text(hits)}",
                              path=path,
                              fix="pass the right one with label_column= (CLI: --label-column)")
    fuzzy = [c for c in cols if any(w in _norm_name(c) for w in _LABEL_WORDS)]
    if len(fuzzy) == 1:
        return fuzzy[0]
    if surv := survival_columns(df.columns):  # Xena's TCGA-*.survival.tsv given as --labels
        raise input_error(
            f"this is a survival table (columns {', '.join(surv)}), not a sample → cancer-type "
            "table", path=path,
            fix="pass it as --clinical (Python: clinical_path=); the cancer types come from a "
                "--labels table (e.g. Xena's TCGA-<TYPE>.clinical.tsv or the GDC sample sheet) "
                "or the cohort files' names")
    if looks_like_matrix(df):  # samples × genes: every gene was listed
        raise input_error(f"cannot tell which column holds the cancer type{_MATRIX} (columns "
                          f"{names_text(df.columns)})", path=path, fix=_MATRIX_FIX)
    raise input_error(
        f"cannot tell which column holds the cancer type (candidates: {names_text(fuzzy or cols)})",
        path=path, fix="pass it with label_column= (CLI: --label-column)")


# What TCGA/GDC write where a value is missing: any bracketed value ([Not Available],
# [Unknown], [Not Applicable], [Discrepancy], ...), and GDC's words (any case).
_MISSING_LABEL = re.compile(r"\[[^\]]*\]|unknown|not reported|not available|not applicable",
                            re.IGNORECASE)


def is_missing_label(value: Any) -> bool:
    """True for a label cell that says the value is missing: TCGA's bracketed ``[Not
    Available]``, ``[Unknown]``, ``[Discrepancy]``, ...; ``Unknown``, ``not reported`` (any
    case). They were taken as cancer types (a class of 'Unknown' samples).

    >>> is_missing_label("[Not Available]"), is_missing_label("Not Reported"), is_missing_label("LUAD")
    (True, True, False)
    """
    return isinstance(value, str) and _MISSING_LABEL.fullmatch(value.strip()) is not None


def normalise_label(value: Any) -> Any:
    """``'ACC (TCGA)'``, ``'TCGA-ACC'``, ``'adrenocortical cancer'`` (Xena), ``'Adrenocortical
    carcinoma'`` (the TCGA study name, any case or spacing) → ``'ACC'``; empty, or a missing
    value's word (:func:`is_missing_label`) → NaN."""
    if not isinstance(value, str) or not value.strip() or is_missing_label(value):
        return np.nan
    s = value.strip()
    m = re.fullmatch(r"(.+?)\s*\(TCGA\)", s)
    s = m.group(1) if m else s
    m = re.fullmatch(r"TCGA[-_ ]([A-Za-z0-9]+)", s)
    s = m.group(1) if m else s
    return code_of_name(s) or s


def read_labels(path: Path | str, *, sample_column: str | None = None,
                label_column: str | None = None, survival_unread: bool = False) -> pd.DataFrame:
    """Read a sample → cancer-type table.

    Parameters
    ----------
    path
        Delimited text (gzip or not) or parquet, one row per sample.
    sample_column, label_column
        Column names; detected when None (known names first, then values that look
        like sample barcodes; the one cancer-type column by known names).
    survival_unread
        No survival table is read beside it (``prepare`` without ``--clinical``): survival
        columns here (TCGA-CDR's ``OS``/``OS.time`` beside ``type``) are warned of, not
        read (the bundle had no survival, said only as "with survival: 0").

    Returns
    -------
    pd.DataFrame
        Columns ``sample_id``, ``cancer_type`` (``'ACC (TCGA)'``/``'TCGA-ACC'`` → ``'ACC'``,
        NaN where empty or a missing value's word: ``[Not Available]``, ``Unknown``) and
        ``sample_type`` when the table has one (raw text); one row per sample (a row with an
        empty type beside a typed row of its sample left out, warned). ``attrs`` holds
        ``source_path``, the columns used, ``notes``, ``respelt``, ``missing_words``
        (``{word: rows}``) and ``empty_rows_beside_typed``.

    Raises
    ------
    InputError
        Unknown or ambiguous columns; a sample listed twice with different labels; a file
        without a header line (its first row data) or without rows.
    """
    path = Path(path)
    df = _read_table(path)
    _refuse_headerless(df, path)
    scol = _pick(df, sample_column, "sample", "--sample-column", path) or _find_sample_column(df, path)
    lcol = _pick(df, label_column, "label", "--label-column", path) or _find_label_column(df, scol, path)
    if survival_unread and (surv := survival_columns(df.columns)):
        logger.warning("%s also holds survival (%s), which labels do not give: pass it as "
                       "--clinical too for the survival task", path.name, ", ".join(surv))
    out = pd.DataFrame({"sample_id": df[scol].str.strip(), "cancer_type": df[lcol].map(normalise_label)})
    respelt = respellings(df[lcol].map(lambda v: v.strip() if isinstance(v, str) else v),
                          out["cancer_type"])
    tcols = [c for c in df.columns if _norm_name(c.split(".")[0]) == "sampletype" and c not in (scol, lcol)]
    if tcols:
        out["sample_type"] = df[tcols[0]].str.strip()
    notes = [f"sample ids from column {scol!r}, cancer type from column {lcol!r}"]
    if out["sample_id"].isna().any():
        notes.append(f"dropped {int(out['sample_id'].isna().sum())} rows without a sample id")
        out = out[out["sample_id"].notna()]
    words = _missing_words(df.loc[out.index, lcol], path)
    if out["cancer_type"].isna().any():
        notes.append(f"{int(out['cancer_type'].isna().sum())} samples have no cancer type (kept as NaN)")
    out, idle = _dedupe_labels(out, path, notes)
    out.attrs = {"source_path": str(path), "sample_column": scol, "label_column": lcol, "notes": notes,
                 "respelt": dict(respelt),  # "ACC (TCGA) -> ACC": n
                 "missing_words": words,  # "[Not Available]": n, read as empty
                 "empty_rows_beside_typed": idle}  # empty-type rows of samples typed elsewhere
    for n in notes:
        logger.info("%s: %s", path.name, n)
    return out


def _conflicts(labels: pd.DataFrame, *, dropna: bool) -> list[str]:
    """The samples ``labels`` (``sample_id``, ``cancer_type``) gives different cancer types,
    compared on the dashed barcode (``TCGA.OR.A5J1.01A``, R's make.names, is
    ``TCGA-OR-A5J1-01A``: its ACC and UVM rows passed, the first row's type kept); each
    named as given, with its other spellings."""
    key = labels["sample_id"].map(dashed_barcode)
    dup = key.duplicated(keep=False)
    if not dup.any():
        return []
    rows = labels[dup]
    n_lab = rows.groupby(key[dup])["cancer_type"].nunique(dropna=dropna)
    spelt = rows.groupby(key[dup])["sample_id"].agg(lambda s: list(dict.fromkeys(s)))
    return [s[0] + (f" (also written {', '.join(s[1:])})" if len(s) > 1 else "")
            for s in spelt[n_lab[n_lab > 1].index]]


def _missing_words(raw: pd.Series, path: Path) -> dict[str, int]:
    """``{word: rows}`` of the label cells that say the type is missing (``[Not Available]``,
    ``Unknown``, ...: :func:`is_missing_label`), warned of once: they are read as empty."""
    said = raw[raw.map(is_missing_label)].map(str.strip).value_counts()
    words = {str(k): int(v) for k, v in said.items()}
    if words:
        n = sum(words.values())
        shown = ", ".join(f"{k} {v:,}" for k, v in list(words.items())[:3])
        more = f" and {len(words) - 3} more" if len(words) > 3 else ""
        logger.warning("%s: %s cancer type%s written as missing, read as empty (%s%s)",
                       path.name, f"{n:,}", "s" * (n != 1), shown, more)
    return words


def _dedupe_labels(out: pd.DataFrame, path: Path, notes: list[str]) -> tuple[pd.DataFrame, int]:
    """One row per sample: repeats collapsed; a row with an empty type beside a typed row of
    the same sample left out, warned and counted (as an empty type elsewhere, it names no
    type: it was refused as "listed with different cancer types"); different types refused.
    Returns the rows and how many empty rows were left out."""
    key = out["sample_id"].map(dashed_barcode)
    idle = out["cancer_type"].isna() & key.isin(set(key[out["cancer_type"].notna()]))
    if n_idle := int(idle.sum()):
        eg = out.loc[idle, "sample_id"].iloc[0]
        logger.warning("%s: %s row%s with an empty cancer type for a sample another row types "
                       "(e.g. %s): the typed row kept", path.name, f"{n_idle:,}",
                       "s" * (n_idle != 1), eg)
        notes.append(f"{n_idle} rows with an empty cancer type left out: another row types "
                     "their sample")
        out = out[~idle]
    if conflicting := _conflicts(out, dropna=False):
        raise input_error(
            f"{len(conflicting)} sample(s) listed with different cancer types, e.g. "
            f"{'; '.join(conflicting[:5])}", path=path, fix="give each sample one cancer type")
    if out["sample_id"].duplicated().any():
        notes.append(f"{int(out['sample_id'].duplicated().sum())} repeated rows of the same "
                     "samples collapsed (first kept)")
        out = out.drop_duplicates("sample_id", keep="first")
    return out.reset_index(drop=True), n_idle


def respellings(given: pd.Series, normalised: pd.Series) -> Counter[str]:
    """``{"ACC (TCGA) -> ACC": n}``: the labels normalising changed (``given`` and
    ``normalised`` aligned; missing on either side skipped)."""
    moved = given.notna() & normalised.notna() & (given.astype(str) != normalised.astype(str))
    return Counter((given[moved].astype(str) + " -> " + normalised[moved].astype(str)).tolist())


def chained_respellings(first: Counter[str], then: Counter[str]) -> Counter[str]:
    """Two rounds of respelling as one: a label table's ``"Acc (TCGA) -> Acc"`` (per row)
    followed by ``"Acc -> ACC"`` (per sample) reads ``"Acc (TCGA) -> ACC"``, counted once
    (summed, they counted 117 respellings of 78 rows and showed the midway spelling)."""
    after = dict(k.split(" -> ", 1) for k in then)
    out: Counter[str] = Counter()
    for key, n in first.items():
        a, b = key.split(" -> ", 1)
        if a != (c := after.get(b, b)):
            out[f"{a} -> {c}"] += n
    midway = {k.split(" -> ", 1)[1] for k in first}
    out.update({k: n for k, n in then.items() if k.split(" -> ", 1)[0] not in midway})
    return out


def agreeing_labels(tables: Sequence[pd.DataFrame], paths: Sequence[Path | str]) -> pd.DataFrame:
    """Several ``--labels`` tables as one (``sample_id``, ``cancer_type``); a sample they
    label differently is refused as one table's conflict is (the files' order decided it,
    unsaid: ACC before UVM in one order, UVM in the other)."""
    both = pd.concat(tables, ignore_index=True)
    both.attrs = {"respelt": dict(sum((Counter(t.attrs.get("respelt") or {}) for t in tables),
                                      Counter()))}  # each table's respellings, summed
    if len(tables) > 1 and (conflicting := _conflicts(both.dropna(subset=["cancer_type"]),
                                                       dropna=True)):
        raise input_error(
            f"{len(conflicting)} sample(s) labelled differently by the --labels files, e.g. "
            f"{'; '.join(conflicting[:5])}", path=", ".join(map(str, paths)),
            fix="give each sample one cancer type (correct or drop one of the files)")
    return both


# Survival tables live in genemoe.data.clinical; re-exported so one module serves all tables.
from genemoe.data.clinical import read_clinical  # noqa: E402
