"""The GDC portal route: a directory of per-sample STAR files plus the portal's sample sheet.

What gdc-client (or the portal cart) gives: one ``<uuid>.rna_seq.augmented_star_gene_counts.tsv``
per aliquot, usually in a folder named by the file id, each with a comment line
(``# gene-model: GENCODE v36``), a header ``gene_id, gene_name, gene_type, unstranded,
stranded_first, stranded_second, tpm_unstranded, fpkm_unstranded, fpkm_uq_unstranded``,
four ``N_*`` summary rows, then one row per gene. The sample sheet
(``gdc_sample_sheet.<date>.tsv``: ``File ID, File Name, ..., Project ID, Case ID, Sample ID,
Sample Type``) or the cart's metadata JSON (``metadata.cart.<date>.json``) maps file
names to barcodes and projects.

:func:`assemble_gdc_dir` writes one genes × samples matrix and a label table (sample →
project) that ``genemoe prepare`` then reads like any cohort file.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from genemoe.data.bundle import atomic_file, file_sha256
from genemoe.data.ids import gene_names
from genemoe.data.prep_text import warnings_said
from genemoe.data.tables import _read_table, normalise_label
from genemoe.data.textio import _text_stream, reading
from genemoe.errors import input_error

__all__ = ["GDC_VALUE_COLUMNS", "STAR_SUFFIX", "assemble_gdc_dir", "read_sample_sheet",
           "read_star_file", "star_gene_info"]

logger = logging.getLogger(__name__)

STAR_SUFFIX = ".rna_seq.augmented_star_gene_counts.tsv"
GDC_VALUE_COLUMNS = {"counts": "unstranded", "tpm": "tpm_unstranded",
                     "fpkm": "fpkm_unstranded", "fpkm_uq": "fpkm_uq_unstranded"}
GdcValues = Literal["counts", "tpm", "fpkm", "fpkm_uq"]
_SHEET_FIX = ("pass the portal's sample sheet (gdc_sample_sheet.<date>.tsv, from the cart's "
              "'Sample Sheet' button) or its metadata.cart.<date>.json")


def _sheet_from_json(path: Path) -> pd.DataFrame:
    with reading(path), _text_stream(path) as fh:
        try:
            entries = json.load(fh)
        except json.JSONDecodeError as exc:
            raise input_error(f"not valid JSON ({exc})", path=path, fix=_SHEET_FIX) from exc
    rows = []
    for e in entries if isinstance(entries, list) else []:
        ent = (e.get("associated_entities") or [{}])[0]
        case = (e.get("cases") or [{}])[0]
        sample = ((case.get("samples") or [{}])[0]).get("submitter_id")
        aliquot = ent.get("entity_submitter_id") or sample
        rows.append({"file_name": e.get("file_name"), "sample_id": aliquot,
                     "sample": sample or (_sample_of(aliquot) if aliquot else None),
                     "project": (case.get("project") or {}).get("project_id")})
    if not rows or any(r["file_name"] is None or r["sample_id"] is None for r in rows):
        raise input_error("no file_name / associated_entities.entity_submitter_id entries",
                          path=path, fix=_SHEET_FIX)
    return pd.DataFrame(rows)


_TCGA_ALIQUOT = re.compile(r"^(TCGA-[A-Z0-9]{2}-[A-Z0-9]{4}-\d{2}[A-Z])-", re.IGNORECASE)


def _sample_of(barcode: str) -> str:
    """The sample a TCGA aliquot barcode belongs to (its first 16 characters,
    ``TCGA-OR-A5J1-01A``); any other id is its own sample."""
    match = _TCGA_ALIQUOT.match(barcode)
    return match.group(1) if match else barcode


def read_sample_sheet(path: Path | str) -> pd.DataFrame:
    """``file_name``, ``sample_id`` (barcode), ``sample`` (the sample it is of), ``project``
    (``TCGA-ACC`` or None) per file.

    The sheet's ``Sample ID`` is its own sample; the cart JSON names the aliquot
    (``sample_id``) and its sample (``cases[0].samples[0].submitter_id``, else the aliquot
    barcode's first 16 characters), so two aliquots of one sample are told as repeats in
    both forms (the JSON's were not, and ``prepare`` then kept either). A sheet row naming
    several samples (``"TCGA-A, TCGA-B"``) keeps the first.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return _sheet_from_json(path)
    df = _read_table(path)
    cols = {c.lower().replace("_", " ").strip(): c for c in df.columns}
    missing = [c for c in ("File Name", "Sample ID") if c.lower() not in cols]  # the portal's
    if missing:  # spelling ("Sample Id" was said)
        raise input_error(f"no {', '.join(map(repr, missing))} column (columns are "
                          f"{list(df.columns)[:10]})", path=path, fix=_SHEET_FIX)
    project = df[cols["project id"]] if "project id" in cols else None
    sample_id = df[cols["sample id"]].str.split(",").str[0].str.strip()
    return pd.DataFrame({
        "file_name": df[cols["file name"]].str.strip(), "sample_id": sample_id,
        "sample": sample_id,
        "project": project.str.split(",").str[0].str.strip() if project is not None else None,
    })


def _is_star_file(path: Path, gdc_dir: Path) -> bool:
    """A counts file itself (``*.tsv`` or ``*.tsv.gz``), not what gdc-client writes beside it.

    gdc-client writes ``<File ID>/<file name>`` (``<file name>.partial`` while it downloads),
    its state as ``<File ID>/logs/<file name>.parcel`` and a case's ``annotations.txt``; the
    portal's cart tarball adds ``MANIFEST.txt``. Only the first is a counts file.
    """
    return (path.name.endswith((STAR_SUFFIX, f"{STAR_SUFFIX}.gz")) and path.is_file()
            and "logs" not in path.relative_to(gdc_dir).parts[:-1])


def _star_files(gdc_dir: Path) -> dict[str, Path]:
    """``{file name (without .gz): path}`` of the counts files under ``gdc_dir``."""
    found: dict[str, Path] = {}
    for p in sorted(gdc_dir.rglob(f"*{STAR_SUFFIX}*")):
        if _is_star_file(p, gdc_dir):
            found.setdefault(p.name.removesuffix(".gz"), p)
    return found


def _deepest(paths: list[Path]) -> dict[str, Any]:
    """Of several files of one sample (two aliquots, or a rerun), the one with the most
    unstranded gene counts (the deeper library; ties: the first by file name), and each
    file's total: ``{"kept", "kept_path", "counts": {file name: total}}``."""
    totals = {p: float(read_star_file(p, "unstranded").sum())
              for p in sorted(paths, key=lambda p: p.name)}
    best = max(totals, key=lambda p: totals[p])  # the first of equal totals
    return {"kept": best.name, "kept_path": str(best), "rule": "most unstranded gene counts",
            "counts": {p.name: int(round(t)) for p, t in totals.items()}}


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _damaged(path: Path) -> str:
    """The fix for a damaged file: fetch it again, by its File ID (the folder gdc-client
    put it in) where that is known."""
    file_id = path.parent.name if _UUID.match(path.parent.name) else "<its File ID>"
    return f"the file looks damaged: download it again (gdc-client download {file_id})"


def _read_star_table(path: Path, columns: tuple[str, ...],
                     optional: tuple[str, ...] = ()) -> tuple[pd.DataFrame, int]:
    """The file's ``gene_id``, ``columns`` and those of ``optional`` it has, as text (``N_*``
    rows kept), and the number of lines before its header (the ``# gene-model`` comment)."""
    if path.stat().st_size == 0:
        raise input_error("empty file (0 bytes)", path=path, fix=_damaged(path))
    if path.suffix != ".gz":  # a value cut to its first digits would pass as a number
        with path.open("rb") as fh:
            fh.seek(-1, 2)
            if fh.read(1) != b"\n":
                raise input_error("the last line has no line end (the file was cut mid-row)",
                                  path=path, fix=_damaged(path))
    with reading(path), _text_stream(path) as fh:
        skip = 1 if fh.readline().startswith("#") else 0
    with reading(path), _text_stream(path) as fh:
        try:
            df = pd.read_csv(fh, sep="\t", skiprows=skip, dtype=str, keep_default_na=False,
                             usecols=lambda c: c in ("gene_id", *columns, *optional))
        except pd.errors.EmptyDataError as exc:
            raise input_error("no header and no rows (the file is empty after its comment line)",
                              path=path, fix=_damaged(path)) from exc
    if "gene_id" not in df.columns or not set(columns) <= set(df.columns):
        with reading(path), _text_stream(path) as fh:
            cells = [fh.readline() for _ in range(skip + 1)][-1].rstrip("\r\n").split("\t")
        binary = any(not c.isprintable() for c in "".join(cells))  # random bytes: damage
        raise input_error(f"not a STAR gene-counts file: no gene_id / {' / '.join(columns)} "
                          f"column (columns are {cells[:10]})", path=path,
                          fix=_damaged(path) if binary else
                          "point --gdc-dir at the folder of *.augmented_star_gene_counts.tsv")
    return df, skip


def _line(df: pd.DataFrame, i: int, skip: int) -> int:
    """The file line of ``df``'s ``i``-th row (1-based: comment, header, then rows)."""
    return skip + 2 + int(df.index[i])


def _check_ids(df: pd.DataFrame, skip: int, path: Path) -> None:
    dup = df["gene_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        first, second = np.flatnonzero(dup)[:2]
        raise input_error(f"gene {df['gene_id'].iloc[first]!r} appears twice (lines "
                          f"{_line(df, first, skip)} and {_line(df, second, skip)})",
                          path=path, fix=_damaged(path))


def _summary_totals(df: pd.DataFrame, skip: int, path: Path, column: str) -> dict[str, float]:
    """The reads of each ``N_*`` row (``N_unmapped``, ``N_multimapping``, ...) in ``column``
    of ``df`` (the file's rows as text); a non-numeric one is refused with its line."""
    rows = df[df["gene_id"].str.startswith("N_")]
    values = pd.to_numeric(rows[column].str.strip(), errors="coerce")
    if values.isna().any():
        i = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise input_error(f"non-numeric {column} value {rows[column].iloc[i]!r} in a summary row",
                          path=path, where=f"line {_line(rows, i, skip)} "
                                           f"({rows['gene_id'].iloc[i]})", fix=_damaged(path))
    return {str(n): float(v) for n, v in zip(rows["gene_id"], values, strict=True)}


def read_star_file(path: Path, column: str) -> pd.Series:
    """One per-sample STAR file's ``column``, indexed by gene id (``N_*`` rows dropped).

    The ``N_*`` rows' reads (the ``unstranded`` column's, else ``column``'s: the TPM and
    FPKM columns leave them empty) are kept as ``attrs["summary_rows"]``
    (``{"N_unmapped": 1234567.0, ...}``).

    Raises
    ------
    InputError
        An empty file, no ``gene_id`` / ``column`` column, a gene id twice, or a missing
        or non-numeric value (the message names the line, the gene and the text found).
    """
    df, skip = _read_star_table(path, (column,), optional=("unstranded",))
    reads = "unstranded" if "unstranded" in df.columns else column
    summary_rows = _summary_totals(df, skip, path, reads)
    df = df[~df["gene_id"].str.startswith("N_")]
    _check_ids(df, skip, path)
    raw = df[column]
    values = pd.to_numeric(raw.str.strip(), errors="coerce")
    if values.isna().any():
        i = int(np.flatnonzero(values.isna().to_numpy())[0])
        text = raw.iloc[i]
        what = (f"missing {column} value (an empty cell, or the row ends early: cut mid-row?)"
                if pd.isna(text) or not text.strip() else f"non-numeric {column} value {text!r}")
        raise input_error(what, path=path, where=f"line {_line(df, i, skip)} (gene "
                                           f"{df['gene_id'].iloc[i]!r})", fix=_damaged(path))
    out = pd.Series(values.to_numpy(np.float64), index=df["gene_id"].to_numpy(), name=path.name)
    out.attrs["summary_rows"] = summary_rows  # N_unmapped, N_multimapping, ...: left out
    out.attrs["summary_rows_column"] = reads
    return out


def star_gene_info(path: Path) -> pd.DataFrame | None:
    """The file's own ``gene_name`` and ``gene_type`` per gene id (``N_*`` rows dropped), or
    None for a file without them."""
    with reading(path), _text_stream(path) as fh:
        header = fh.readline()
        header = fh.readline() if header.startswith("#") else header
    if not {"gene_name", "gene_type"} <= set(header.rstrip("\r\n").split("\t")):
        return None
    df, _ = _read_star_table(path, ("gene_name", "gene_type"))
    return df[~df["gene_id"].str.startswith("N_")].set_index("gene_id")


def _with_gene_info(matrix: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, dict]:
    """``matrix`` with the file's ``gene_name`` and ``gene_type`` columns before the samples
    (``prepare`` takes the first as the genes' symbols) and what they hold: gene types
    counted, duplicated names (PAR genes, some lncRNAs; the genes stay keyed by gene id)
    counted with examples. Unchanged, ``{}``: a file without them."""
    info = star_gene_info(path)
    if info is None:
        return matrix, {}
    info = info.reindex(matrix.index).fillna("")
    named, markers = gene_names(info["gene_name"])  # an empty cell, or "nan" / "NA" written
    info["gene_name"] = [n or "" for n in named]  # written empty: read back as no name
    names = info["gene_name"][info["gene_name"] != ""]
    if markers:
        logger.warning("%d gene name(s) in %s are written as a missing-value marker (%s): "
                       "taken as no name, not as a gene called so", sum(markers.values()),
                       path.name, ", ".join(f"{k!r} {v}x" for k, v in markers.items()))
    dup = names[names.duplicated(keep=False)]
    if len(dup):
        logger.warning("%d gene name(s) are shared by several gene ids in %s (e.g. %s: %s); the "
                       "genes stay keyed by gene id", dup.nunique(), path.name, dup.iloc[0],
                       ", ".join(dup.index[dup == dup.iloc[0]][:3]))
    out = pd.concat([info[["gene_name", "gene_type"]], matrix], axis=1)
    out.index.name = matrix.index.name
    return out, {"source": path.name, "with_name": len(names),
                 "without_name": len(info) - len(names), "missing_name_markers": markers,
                 "duplicated_names": int(dup.nunique()),
                 "duplicated_examples": {n: list(dup.index[dup == n][:3])
                                         for n in dup.drop_duplicates()[:5]},
                 "gene_types": {str(k): int(v) for k, v in info["gene_type"].value_counts().items()}}


def _matched(gdc_dir: Path, sheet: pd.DataFrame,
             sheet_path: Path) -> Iterator[tuple[str, str, Path | None, str | None]]:
    """(sample, its sheet id, file, project) of every sheet row: the folder's files, then the
    sheet's files absent from the folder (file None)."""
    files = _star_files(gdc_dir)
    if not files:
        raise input_error(f"no *{STAR_SUFFIX} files under the directory", path=gdc_dir,
                          fix="point --gdc-dir at the folder gdc-client downloaded into")
    known = sheet.drop_duplicates("file_name").set_index("file_name")
    unlisted = [n for n in files if n not in known.index]
    if unlisted:
        raise input_error(f"{len(unlisted)} STAR file(s) are not in the sample sheet, e.g. "
                          f"{unlisted[:2]}", path=sheet_path,
                          fix="pass the sample sheet of this download (same cart)")
    for name, path in files.items():
        row = known.loc[name]
        yield str(row["sample"]), str(row["sample_id"]), path, row["project"]
    for name in known.index[~known.index.isin(list(files))]:
        if _is_star_name(name):  # another data type's file (a mixed cart) is not "absent"
            yield str(known.loc[name, "sample"]), str(known.loc[name, "sample_id"]), None, None


def _is_star_name(name: str) -> bool:
    """Whether a sample sheet's ``File Name`` is a STAR gene-counts file's."""
    return str(name).removesuffix(".gz").endswith(STAR_SUFFIX)


def _other_files(sheet: pd.DataFrame, sheet_path: Path) -> list[str]:
    """The sheet's files of other data types (a cart with miRNA, methylation or clinical
    files too), said once and returned: they were taken for STAR files missing from the
    folder, "an incomplete download", and counted as samples dropped so in the bundle."""
    names = sorted({str(n) for n in sheet["file_name"].dropna() if not _is_star_name(n)})
    if names:
        logger.warning("%s: %d of its files are not STAR gene counts (e.g. %s): passed over",
                       sheet_path.name, len(names), names[0])
    return names


def _same_genes(s: pd.Series, path: Path, first: pd.Series, first_path: Path) -> pd.Series:
    """``s`` in the genes' order of ``first`` (the first file joined), or an error saying
    which file is short (damaged: download it again) or whether the gene sets differ
    (another GENCODE release)."""
    if s.index.equals(first.index):
        return s
    mine, theirs = set(s.index), set(first.index)
    if mine == theirs:
        return s.reindex(first.index)
    short, other, lost = ((path, first_path, theirs - mine) if mine < theirs else
                          (first_path, path, mine - theirs) if theirs < mine else (None, None, ()))
    if short is not None:
        raise input_error(f"{len(lost)} gene(s) fewer than {other.name} (e.g. {sorted(lost)[0]!r}): "
                          "the file was cut short", path=short, fix=_damaged(short))
    raise input_error(f"its genes differ from {first_path.name}'s ({len(mine - theirs)} not "
                      f"there, e.g. {sorted(mine - theirs)[0]!r}; another GENCODE release?)",
                      path=path, fix="download files of one GDC data release together")


def _no_project(sheet: pd.DataFrame, sheet_path: Path, sheet_ids: list[str]) -> list[str]:
    """Warn of the joined samples the sheet gives no project (an empty ``Project ID`` cell,
    or no such column), naming the sheet, its column and lines; returns their ids.

    ``prepare`` then refused "labels.tsv: 1 sample with no cancer-type label", naming the
    join's own label table, not the sheet cell that was empty.
    """
    if not sheet_ids:
        return []
    n, example = len(sheet_ids), sheet_ids[0]
    if sheet["project"].isna().all() and sheet_path.suffix.lower() != ".json":
        logger.warning("%s has no 'Project ID' column: none of its %d sample(s) gets a cancer "
                       "type from it (e.g. %s)\n  fix: pass the portal's sample sheet as "
                       "downloaded, or the types with --labels / --clinical", sheet_path, n,
                       example)
        return sheet_ids
    rows = [int(i) for i in sheet.index[sheet["sample_id"].isin(sheet_ids)][:3]]
    where = (", ".join(f"line {i + 2}" for i in rows) if sheet_path.suffix.lower() != ".json"
             else ", ".join(f"entry {i + 1}" for i in rows))
    more = f" and {n - len(rows)} more" if n > len(rows) else ""
    column = "cases.project.project_id" if sheet_path.suffix.lower() == ".json" else "Project ID"
    logger.warning("%s: %d sample(s) have an empty %r (%s%s; e.g. %s): no cancer type from the "
                   "sheet\n  fix: fill it in (TCGA-<TYPE>), or give the type with --labels / "
                   "--clinical, or --drop-unlabelled", sheet_path, n, column, where, more, example)
    return sheet_ids


def assemble_gdc_dir(gdc_dir: Path | str, sample_sheet: Path | str, out_dir: Path | str, *,
                     values: GdcValues = "counts") -> tuple[Path, Path, dict]:
    """Join a portal download into ``out_dir/expression.tsv.gz`` and ``out_dir/labels.tsv``.

    Parameters
    ----------
    gdc_dir
        Folder searched recursively for ``*.rna_seq.augmented_star_gene_counts.tsv[.gz]``.
    sample_sheet
        The portal's sample sheet (TSV) or metadata cart JSON.
    out_dir
        Where the joined files are written (created).
    values
        ``counts`` (``unstranded``; default, what ``prepare`` normalises), ``tpm``, ``fpkm``
        or ``fpkm_uq`` (the GDC's own per-file columns).

    Returns
    -------
    tuple
        The genes × samples matrix (columns: sample barcodes; several files of one sample:
        the deepest library kept, :func:`_deepest`), the label table (``sample_id``, ``cancer_type``) and
        the join's record (also written as ``joined.json`` beside them; its ``warnings``:
        every warning said on the way, as a bundle's record keeps prepare's). The sheet's
        files of other data types (a mixed cart's miRNA or clinical files) are passed over,
        said and listed (``sheet_files_not_star``), not taken for missing STAR files; its
        samples with no ``Project ID`` are said with their lines
        (``sheet_samples_without_project``).
    """
    if values not in GDC_VALUE_COLUMNS:
        raise input_error(f"unknown value column {values!r}", where="--gdc-values",
                          fix=f"use one of {', '.join(GDC_VALUE_COLUMNS)}")
    gdc_dir, sheet_path, out_dir = Path(gdc_dir), Path(sample_sheet), Path(out_dir)
    said: list[str] = []  # the join's warnings, kept in joined.json and so in the bundle's record
    with warnings_said(said):  # (printed, they were not in summary.json's warnings)
        sheet = read_sample_sheet(sheet_path)
        cols: dict[str, pd.Series] = {}
        labels: dict[str, str | None] = {}
        files: dict[str, list[Path]] = {}  # by sample: its aliquots' files
        ids: dict[Path, str] = {}  # the sheet's id of each file (a column's name, if kept)
        projects: dict[str, str | None] = {}
        absent: list[tuple[str, str]] = []
        for sample, sheet_id, path, project in _matched(gdc_dir, sheet, sheet_path):
            if path is None:
                absent.append((sample, sheet_id))
                continue
            files.setdefault(sample, []).append(path)
            ids[path], projects[sample] = sheet_id, project
        repeats = {sample: _deepest(paths) for sample, paths in files.items() if len(paths) > 1}
        kept: dict[str, str] = {}
        summary: dict[str, float] = {}  # each N_ row's reads, summed over the samples kept
        for sample, paths in files.items():
            path = Path(repeats[sample]["kept_path"]) if sample in repeats else paths[0]
            s = read_star_file(path, GDC_VALUE_COLUMNS[values])
            for name, reads in s.attrs["summary_rows"].items():  # summed over the samples,
                summary[name] = summary.get(name, 0.0) + reads  # as --quant-dir's join does
            if cols:
                first_sample, first = next(iter(cols.items()))
                s = _same_genes(s, path, first, gdc_dir / kept[first_sample])
            column = ids[path]
            cols[column], kept[column] = s, str(path.relative_to(gdc_dir))
            labels[column] = projects[sample]
        repeated = [name for r in repeats.values() for name in r["counts"] if name != r["kept"]]
        if repeats:  # was "the first by file name" kept, and the first by folder (file id) was
            sample, r = next(iter(repeats.items()))
            logger.warning("%d file(s) repeat a sample (another aliquot or run of it): the deepest "
                           "library kept (most unstranded gene counts), e.g. %s: kept %s (%s counts)"
                           " over %s (all in joined.json)", len(repeated), sample, r["kept"],
                           f"{r['counts'][r['kept']]:,}", ", ".join(  # was "A of B (n), A (m)"
                               f"{n} ({c:,})" for n, c in r["counts"].items() if n != r["kept"]))
        for r in repeats.values():
            del r["kept_path"]
        other_files = _other_files(sheet, sheet_path)
        no_project = _no_project(sheet, sheet_path, [
            c for c, v in labels.items() if not isinstance(v, str) or not v.strip()])
        absent = sorted({sheet_id for sample, sheet_id in absent if sample not in files})
        if absent:  # an incomplete download (gdc-client stopped, a file failed): said, counted
            logger.warning("%d sample(s) of the sample sheet have no file in %s (e.g. %s): left out "
                           "(an incomplete download? run gdc-client again to finish it)",
                           len(absent), gdc_dir, absent[0])
        matrix = pd.DataFrame(cols)
        matrix.index.name = "gene_id"
        out_dir.mkdir(parents=True, exist_ok=True)
        expr_path, label_path = out_dir / "expression.tsv.gz", out_dir / "labels.tsv"
        if values == "counts" and np.array_equal(flat := matrix.to_numpy(), np.rint(flat)):
            matrix = matrix.astype(np.int64)  # written by pandas' C writer, not a float format
        n_genes = matrix.shape[0]
        if cols:
            matrix, gene_info = _with_gene_info(matrix, gdc_dir / next(iter(kept.values())))
        else:
            gene_info = {}
        with atomic_file(expr_path) as tmp, gzip.open(tmp, "wt", compresslevel=3) as fh:
            matrix.to_csv(fh, sep="\t", float_format="%.10g" if values != "counts" else "%.0f")
        with atomic_file(label_path) as tmp:
            pd.DataFrame({"sample_id": list(labels),
                          "cancer_type": [normalise_label(v) if v else "" for v in labels.values()]}
                         ).to_csv(tmp, sep="\t", index=False)
        record = {"tool": "GDC portal STAR", "values": f"{GDC_VALUE_COLUMNS[values]} column",
                  "gdc_dir": str(gdc_dir.resolve()), "sample_sheet": str(sheet_path.resolve()),
                  "sample_sheet_sha256": file_sha256(sheet_path), "samples": kept,
                  "genes": int(n_genes), "gene_info": gene_info, "repeated_files_left_out": repeated,
                  "repeated_samples": repeats,
                  "sheet_samples_without_file": absent,
                  "sheet_samples_without_project": no_project,
                  "sheet_files_not_star": other_files,
                  "summary_rows": summary, "summary_rows_column": next(iter(
                      cols.values())).attrs["summary_rows_column"] if cols else None}
    record["warnings"] = said
    with atomic_file(out_dir / "joined.json") as tmp:  # the bundle's record keeps it
        tmp.write_text(json.dumps(record, indent=1) + "\n")
    logger.debug("assembled %s STAR files (%s) into %s: %s genes × %s samples",  # said once
                 f"{len(cols):,}", values, expr_path, f"{n_genes:,}", f"{len(cols):,}")  # (-v)
    return expr_path, label_path, record
