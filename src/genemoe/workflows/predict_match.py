"""``genemoe predict --labels``: the label tables read and matched to the scored samples.

Label tables (sample → cancer type; several files as ``prepare --labels`` takes them) are
read as prepare reads them (:func:`~genemoe.data.tables.read_labels`: the same columns
found, ``'ACC (TCGA)'`` → ``'ACC'``; :func:`~genemoe.data.tables.agreeing_labels` refuses a
sample two files type differently) and matched to the scored samples by prepare's rules:
the exact sample id, then (TCGA barcodes) the 15-character sample id, then the
12-character patient barcode, all in the dashed form (R's ``TCGA.OR.A5J1`` is
``TCGA-OR-A5J1``; one sample typed differently in its two spellings is refused, and so is
a scored sample whose label rows under the rule that decides it give different types: two
aliquots of one sample typed ACC and UVM met under its 15-character id). A table naming no
scored sample is refused, and so is one of several files naming none, as prepare refuses
them. The scores are :mod:`~genemoe.workflows.predict_score`'s.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.ids import dashed_barcode, respelt_barcodes, tcga_like
from genemoe.data.prepare_labels import label_marks, label_rows_naming_no_sample
from genemoe.data.tables import agreeing_labels, chained_respellings, read_labels, respellings
from genemoe.data.tcga import normalise_cancer_type
from genemoe.errors import input_error

__all__ = ["MATCH_RULES", "read_cohort_labels", "match_labels", "patient_keys"]

MATCH_RULES = ("sample id", "15-character sample id", "patient barcode")


def _label_paths(paths: Path | str | Sequence[Path | str]) -> list[Path]:
    """One path or several, as paths (a str is one path, not its characters)."""
    many = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not many:
        raise input_error("no label table given", where="--labels",
                          fix="pass one or more label tables, or omit --labels")
    return [Path(p) for p in many]


def _check_label_column(table: pd.DataFrame, path: Path) -> None:
    """Refuse a label column that is the sample column or holds barcodes, not types."""
    scol, lcol = table.attrs.get("sample_column"), table.attrs.get("label_column")
    types = table["cancer_type"].dropna().astype(str)
    barcodes = int(types.map(tcga_like).sum())
    if scol == lcol or (len(types) and barcodes >= max(1, len(types) // 2)):
        why = ("it is the sample column too" if scol == lcol else
               f"{barcodes:,} of its {len(types):,} values are TCGA barcodes, e.g. "
               f"{types[types.map(tcga_like)].iloc[0]!r}")
        raise input_error(f"the cancer-type column {lcol!r} holds sample ids, not types: "
                          f"{why}", path=path, where="--label-column",
                          fix="name the column of cancer types (e.g. --label-column Target), "
                              "or omit --label-column to have it found")


def _dashed(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The table with dashed sample ids; one sample typed differently in its two spellings
    (``TCGA-OR-A5J1-01A`` ACC, ``TCGA.OR.A5J1.01A`` UVM) refused as one spelling is."""
    out = table.assign(sample_id=table["sample_id"].astype(str).map(dashed_barcode))
    n_types = out.dropna(subset=["cancer_type"]).groupby("sample_id")["cancer_type"].nunique()
    if len(bad := n_types[n_types > 1].index.tolist()):
        eg = table.loc[out["sample_id"] == bad[0], ["sample_id", "cancer_type"]]
        shown = ", ".join(f"{i} {t}" for i, t in eg.itertuples(index=False))
        raise input_error(f"{len(bad)} sample(s) listed with different cancer types once "
                          f"'.' in barcodes is read as '-', e.g. {shown}", path=path,
                          fix="give each sample one cancer type")
    out.attrs = dict(table.attrs)
    return out


def read_cohort_labels(paths: Path | str | Sequence[Path | str], *,
                       sample_column: str | None = None, label_column: str | None = None
                       ) -> pd.DataFrame:
    """The label tables at ``paths``, read as ``genemoe prepare --labels`` reads them.

    Parameters
    ----------
    paths
        One label file or several (``--labels a.tsv b.tsv``, a glob).
    sample_column, label_column
        Their columns (found when None), as prepare's options.

    Returns
    -------
    pandas.DataFrame
        ``(n_rows, 2+)``: ``sample_id`` (dashed: R's ``TCGA.OR.A5J1`` read as
        ``TCGA-OR-A5J1``), ``cancer_type`` (NaN where empty); ``attrs``: ``files``,
        ``respelt`` (``{"ACC (TCGA) -> ACC": n}``, table rows included),
        ``barcodes_respelt`` (ids read from dotted form), ``barcode_separators`` (the
        characters seen for their dashes: ``['.', '_']``), ``rows_without_type``,
        ``label_columns`` (per file) and ``file_rows`` (rows per file, in order).

    Raises
    ------
    InputError
        A label column that is the sample column or holds barcodes; a sample typed
        differently within a file (in either spelling) or by two files.
    """
    files = _label_paths(paths)
    tables, dotted, respelt = [], 0, {}
    for path in files:
        t = read_labels(path, sample_column=sample_column, label_column=label_column)
        _check_label_column(t, path)
        respelt |= (r := respelt_barcodes(t["sample_id"].dropna()))
        dotted += len(r)
        tables.append(_dashed(t, path))
    both = agreeing_labels(tables, files)
    both.attrs.update(files=[str(f) for f in files], file_rows=[len(t) for t in tables],
                      barcodes_respelt=dotted,
                      barcode_separators=_separators(respelt),
                      rows_without_type=int(both["cancer_type"].isna().sum()),
                      label_columns={f.name: t.attrs.get("label_column")
                                     for f, t in zip(files, tables, strict=True)},
                      na_marks={f.name: m for f, t in zip(files, tables, strict=True)
                                if t["cancer_type"].isna().any()
                                and (m := label_marks(f, t.attrs.get("label_column")))},
                      **{key: {f.name: t.attrs[key] for f, t in zip(files, tables, strict=True)
                               if t.attrs.get(key)}  # warned by the reader, not recorded
                         for key in ("missing_words", "empty_rows_beside_typed")})
    return both


def _separators(respelt: dict[str, str]) -> list[str]:
    """The characters barcodes were written with for their dashes (``['.']``, ``['_']``)."""
    return sorted(set("._") & set("".join(respelt)))


def _patient(sample_id: str) -> str | None:
    """The 12-character patient barcode of a TCGA sample id, else None."""
    return sample_id[:12].upper() if tcga_like(sample_id) else None


def _short(sample_id: str) -> str | None:
    """The 15-character sample id of a TCGA sample id, else None."""
    return sample_id[:15].upper() if tcga_like(sample_id) else None


def _row_files(labels: pd.DataFrame, path: Path | str) -> list[str]:
    """Each row's file name (``file_rows`` of :func:`read_cohort_labels`), else ``path``'s."""
    sizes = labels.attrs.get("file_rows") or []
    files = labels.attrs.get("files") or []
    if len(sizes) == len(files) > 1 and sum(sizes) == len(labels):
        return [Path(f).name for f, n in zip(files, sizes, strict=True) for _ in range(n)]
    return [Path(str(path)).name] * len(labels)


def _refuse_ambiguous(sample_ids: Sequence[str], keys: list[pd.Series], rule: pd.Series,
                      table: pd.DataFrame, table_keys: list[pd.Series], row_file: list[str],
                      path: Path | str) -> None:
    """Refuse a scored sample whose label rows disagree under the rule that decided it.

    Two aliquots of one sample (``TCGA-OR-A5J1-01A-11R`` ACC, ``-01A-21R`` UVM) met under
    the 15-character id of a third, and the first row's type was taken, unsaid. Rows no
    scored sample is matched by are not checked (they decide nothing).

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids, as given.
    keys, table_keys
        Per rule of :data:`MATCH_RULES`: ``(n_samples,)`` the samples' keys and
        ``(n_rows,)`` the table rows' keys.
    rule
        ``(n_samples,)`` the rule that labelled each sample ("" none).
    table
        ``(n_rows, 2+)`` the label rows (``sample_id``, ``cancer_type``), typed rows first.
    row_file
        ``(n_rows,)`` each row's file name.
    """
    typed = table["cancer_type"].map(lambda v: normalise_cancer_type(v)
                                     if isinstance(v, str) and v.strip() else np.nan)
    for name, key, tkey in zip(MATCH_RULES, keys, table_keys, strict=True):
        decided = (rule == name).to_numpy()
        if not decided.any():
            continue
        rows = typed.notna() & tkey.isin(set(key[decided]))
        n_types = typed[rows].groupby(tkey[rows]).nunique()
        bad = decided & key.isin(set(n_types[n_types > 1].index)).to_numpy()
        if not bad.any():
            continue
        first = int(np.flatnonzero(bad)[0])
        hit = np.flatnonzero((rows & (tkey == key.iloc[first])).to_numpy())
        several = len(set(row_file)) > 1
        shown = ", ".join(f"{table['sample_id'].iloc[i]} {typed.iloc[i]}"
                          + (f" ({row_file[i]})" if several else "") for i in hit[:4])
        more = int(bad.sum()) - 1
        sample = sample_ids[first]
        raise input_error(
            f"its label is ambiguous: by its {name} ({key.iloc[first]}) it matches "
            f"{len(hit)} rows of different cancer types: {shown}"
            + ("" if len(hit) <= 4 else ", ...")
            + (f"; {more:,} more scored sample{'s' * (more != 1)} alike" if more else ""),
            path=", ".join(dict.fromkeys(row_file[i] for i in hit)) if several else path,
            where=f"sample {sample}",
            fix=f"list the exact sample ids: add a row {sample} with its cancer type (the "
                "exact id decides first), or remove the row of the wrong type")


def _refuse_idle_file(ids: pd.Series, labels: pd.DataFrame) -> None:
    """Refuse one of several label files none of whose rows names a scored sample, as
    ``prepare --labels`` refuses it (:func:`~genemoe.data.prepare_labels.label_rows_naming_no_sample`):
    CHOL's table beside ACC's for ACC counts was taken, "43 table rows name no sample
    here". Ids are compared in upper case, as the barcode rules match them here."""
    sizes = labels.attrs.get("file_rows") or []
    files = labels.attrs.get("files") or []
    if len(files) < 2 or len(sizes) != len(files) or sum(sizes) != len(labels):
        return
    upper = labels["sample_id"].astype(str).map(dashed_barcode).str.upper()
    ends = np.cumsum([0, *sizes])
    tables = [labels.iloc[a:b].assign(sample_id=upper.iloc[a:b].to_numpy())
              for a, b in zip(ends[:-1], ends[1:], strict=True)]
    obs = pd.DataFrame({"sample_id": ids.str.upper().to_numpy(),
                        "patient_id": [_patient(s) or s.upper() for s in ids]})
    label_rows_naming_no_sample([Path(f) for f in files], tables, obs)


def match_labels(sample_ids: Sequence[str], labels: pd.DataFrame, path: Path | str
                 ) -> tuple[pd.Series, dict[str, Any]]:
    """Each sample's given cancer type, by prepare's rules, on dashed barcodes.

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids.
    labels
        From :func:`read_cohort_labels` (or any ``sample_id``, ``cancer_type`` table).
    path
        The label file(s), named in the error and the counts.

    Returns
    -------
    tuple
        ``(n_samples,)`` object Series of TCGA-normalised types (NaN: no label), and the
        counts: ``file``, ``files``, ``n_rows``, ``matched_by`` (per rule of
        :data:`MATCH_RULES`), ``rows_naming_no_sample``, ``samples_with_empty_type``
        (matched to a row whose type is empty: unlabelled), ``respelt``
        (``{"ACC (TCGA) -> ACC": n}``, table rows included), ``barcodes_respelt`` (label
        ids read from dotted form), ``expression_barcodes_respelt`` and
        ``barcode_separators`` (the characters seen for the dashes, ``['.', '_']``).

    Raises
    ------
    InputError
        None of the table's ids names a sample (another cohort's table, ids in another
        form), or none of one file's when several are given (as ``prepare`` refuses it);
        one sample typed differently in its dashed and dotted spellings; a scored
        sample whose label rows (two aliquots under its 15-character id) give different
        types.
    """
    ids = pd.Series([dashed_barcode(s) for s in sample_ids], dtype=object)  # R's make.names
    table = _dashed(labels, Path(str(path)))
    typed_first = np.argsort(table["cancer_type"].isna().to_numpy(), kind="stable")
    row_file = list(np.asarray(_row_files(labels, path), dtype=object)[typed_first])
    table = table.iloc[typed_first].reset_index(drop=True)  # a typed row before an empty one
    exact = table.drop_duplicates("sample_id").set_index("sample_id")["cancer_type"]
    upper = table.assign(k=table["sample_id"].str.upper())
    short = upper.assign(k=upper["k"].str[:15]).drop_duplicates("k").set_index("k")["cancer_type"]
    by_patient = upper.drop_duplicates("k").set_index("k")["cancer_type"]
    keys = [ids, ids.map(_short), ids.map(_patient)]
    found = pd.Series(np.nan, index=ids.index, dtype=object)
    rule = pd.Series("", index=ids.index, dtype=object)
    named = pd.Series(False, index=ids.index)
    for name, key, lookup in zip(MATCH_RULES, keys, [exact, short, by_patient], strict=True):
        hit = key.notna() & key.isin(lookup.index)
        named |= hit
        got = key.map(lookup).where(hit)
        fill = found.isna() & got.notna()  # an empty type falls through, as at prepare
        found[fill], rule[fill] = got[fill], name
    if len(table) and not named.any():
        raise input_error(
            f"none of its {len(table):,} sample ids names a sample of the expression (it has "
            f"{table['sample_id'].iloc[0]!r}; the expression {ids.iloc[0] if len(ids) else ''!r})",
            path=path, fix="pass the label table of these samples, or name its sample column "
                           "with --sample-column")
    _refuse_idle_file(ids, labels)  # one of several files naming none: refused as at prepare
    _refuse_ambiguous(list(sample_ids), keys, rule, table,
                      [table["sample_id"], upper["k"].str[:15], upper["k"]], row_file, path)
    given = found.map(lambda v: normalise_cancer_type(v) if isinstance(v, str) and v.strip()
                      else np.nan)
    respelt = chained_respellings(Counter(labels.attrs.get("respelt") or {}),
                                  respellings(found, given))
    used = set(ids) | {k for k in keys[1] if k} | {k for k in keys[2] if k}
    unused = ~(table["sample_id"].isin(used) | upper["k"].str[:15].isin(used)
               | upper["k"].isin(used))
    files = labels.attrs.get("files") or [str(path)]
    seen = respelt_barcodes(sample_ids)
    separators = sorted({*(labels.attrs.get("barcode_separators") or []), *_separators(seen)})
    return given, {"file": ", ".join(files), "files": files, "n_rows": len(table),
                   "matched_by": {r: int((rule == r).sum()) for r in MATCH_RULES},
                   "rows_naming_no_sample": int(unused.sum()),
                   "samples_with_empty_type": int((named & given.isna()).sum()),
                   "label_columns": labels.attrs.get("label_columns") or {},
                   "na_marks": labels.attrs.get("na_marks") or {},  # '#N/A' cells, read empty
                   "respelt": dict(respelt),
                   "barcodes_respelt": int(labels.attrs.get("barcodes_respelt") or 0),
                   "expression_barcodes_respelt": len(seen), "barcode_separators": separators,
                   "missing_words": labels.attrs.get("missing_words") or {},
                   "empty_rows_beside_typed": labels.attrs.get("empty_rows_beside_typed") or {}}


def patient_keys(sample_ids: Sequence[str]) -> pd.Series:
    """Each sample's patient, for the intervals of
    :func:`~genemoe.workflows.predict_score.score_predictions`.

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids.

    Returns
    -------
    pandas.Series
        ``(n_samples,)``: the 12-character patient barcode of a TCGA barcode (dashed, upper
        case: ``TCGA-OR-A5J1-01A`` and ``TCGA.OR.A5J1.01B`` are one patient), None for
        another id (a patient of its own).
    """
    return pd.Series([_patient(dashed_barcode(str(s))) for s in sample_ids], dtype=object)
