"""Readers for the expression, label, clinical and AnnData formats users really have.

* :func:`read_expression`: delimited text (``.tsv/.txt/.csv/.exp/.tab``, gzipped or
  not), ``.parquet`` and ``.h5ad``, either orientation, held samples × genes float32.
  Text is parsed by pyarrow in chunks of whole lines straight to float32 pieces that are
  freed as they are copied into the result, so reading peaks at little more than the
  float32 matrix (about 1.5x at 5,500 x 30,000; see ``benchmarks/bench_read.py``).
* :func:`read_labels`: sample → cancer type (GDC ``*_Target.txt``, PanCanAtlas, Xena, CSV).
* :func:`read_clinical`: TCGA-CDR survival table or Xena ``TCGA-XXX.survival.tsv``.
* :func:`write_h5ad` / :func:`bundle_to_anndata`: a bundle as AnnData.

Identifiers are kept as in the file; mapping them is :mod:`genemoe.data.annotation`'s job.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from genemoe.data.anndata_layers import h5ad_layer, matrix_said, refuse_layer_for
from genemoe.data.chunks import assemble, chunk_pieces
from genemoe.data.clinical import clinical_field_names
from genemoe.data.id_checks import Place, check_ids, numbered, text_places
from genemoe.data.ids import (
    decimal_entrez,
    detect_id_kind,
    gene_names,
    looks_like_genes,
    looks_like_samples,
    off_kind_ids,
    sample_numbers,
    spreadsheet_dates,
    whole_entrez,
)
from genemoe.data.text_chunks import Skipped, diagnose_text, line_chunks, parse_chunk
from genemoe.data.text_layout import TextLayout, check_declared_rows, peek_text
from genemoe.data.textio import (
    _check_path,
    _magic,
    compression,
    corrupt_error,
    not_utf8,
    reading,
)
from genemoe.data.values import (
    ValueKind,
    ValueStats,
    check_one_scale,
    odd_scale_samples,
    value_kind,
)
from genemoe.errors import input_error

__all__ = [
    "ExpressionTable",
    "check_one_scale",
    "odd_scale_samples",
    "Orientation",
    "ValueKind",
    "has_own_biotypes",
    "read_expression",
    "read_labels",
    "read_clinical",
    "normalise_label",
    "write_h5ad",
    "bundle_to_anndata",
]

logger = logging.getLogger(__name__)

Orientation = Literal["genes_by_samples", "samples_by_genes"]

_ORIENT_FIX = ("pass --orientation genes_by_samples (a row per gene) or --orientation "
               "samples_by_genes (a column per gene)")
# HTSeq / STAR summary rows: read counters, not genes
_QC_ROWS = re.compile(r"^(__(no_feature|ambiguous|too_low_aQual|not_aligned|alignment_not_unique)"
                      r"|N_(unmapped|multimapping|noFeature|ambiguous))$")
# A header's name for a column of ids (after R's row numbers: `1,RBM6,511,...`)
_ID_HEADERS = frozenset({"gene", "genes", "gene_id", "geneid", "gene_name", "gene_symbol", "symbol",
                         "id", "id_ref", "ensembl", "ensembl_id", "entrez", "entrez_id",
                         "hugo_symbol", "sample", "sample_id", "samples"})
_BLOCK_VALUES = 1 << 24  # values per block when copying (64 MiB of float32)


@dataclass
class ExpressionTable:
    """One expression matrix as read, always held samples × genes.

    Attributes
    ----------
    values
        ``(n_samples, n_genes)`` float32.
    sample_ids
        ``(n_samples,)`` object array of str, unique.
    gene_ids
        ``(n_genes,)`` object array of str, unique, as in the file (versions kept).
    source_path
        The file read.
    orientation
        How the file was laid out (detected or stated).
    id_kind
        Dominant gene identifier kind (see :func:`genemoe.data.ids.detect_id_kind`).
    value_kind
        ``"counts"`` (non-negative integers: raw counts), ``"log_counts"`` (log2(counts+1),
        e.g. Xena ``star_counts``), ``"log"`` (already log-scale, e.g. log2(x+1)),
        ``"transformed"`` (many values below -1: log-ratios, microarray, z-scores) or
        ``"linear"`` (non-integer, not log: TPM/RSEM/FPKM); see :mod:`genemoe.data.values`.
    notes
        Human-readable notes on what was detected or fixed; not logged here: the caller says
        them, in its own words (``prepare``'s and ``predict``'s read step).
    sample_meta
        Optional per-sample table carried by the file itself (an ``.h5ad``'s ``obs``),
        indexed by sample id; ``prepare`` can take labels from it.
    exported_normalisation
        A ``genemoe export``'s bundle normalisation (the values are on its scale), else None.
    from_export
        A ``genemoe export`` (its ``obs`` survival is read), its values changed since or not.
    gene_symbols
        ``(n_genes,)`` symbols from the file's own symbol column (nf-core's ``gene_name``,
        GCT's ``Description``), else None; the annotation's symbols take precedence.
    gene_biotypes
        ``(n_genes,)`` biotypes (``protein_coding``, ...; None where blank) from the file's own
        biotype column (GDC's ``gene_type``), else None; an annotation's take precedence.
    """

    values: np.ndarray
    sample_ids: np.ndarray
    gene_ids: np.ndarray
    source_path: Path
    orientation: Orientation
    id_kind: str
    value_kind: ValueKind
    notes: list[str] = field(default_factory=list)
    sample_meta: pd.DataFrame | None = None
    exported_normalisation: str | None = None
    gene_symbols: np.ndarray | None = None
    from_export: bool = False
    gene_biotypes: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.values.shape[0]), int(self.values.shape[1]))


# ----------------------------------------------------------------------------- ids


def _axis_kind(ids: list[str]) -> str:
    if looks_like_samples(ids):
        return "samples"
    if sample_numbers(ids):  # 1, 2, ..., n: numbered samples (were read as Entrez genes)
        return "sample numbers"
    if looks_like_genes(ids) or decimal_entrez(ids):  # 613037.0: Entrez ids as decimals
        return "genes"
    return "symbols" if detect_id_kind(ids) == "symbol" else "unknown"


def _detect_orientation(col_ids: list[str], row_ids: list[str], path: Path) -> tuple[Orientation, str]:
    """Orientation from header cells (``col_ids``) vs first-column values (``row_ids``)."""
    row, col = _axis_kind(row_ids), _axis_kind(col_ids)
    said = f"first column holds {row}, header holds {col}"
    if row == "sample numbers" and col_ids and col_ids[0].strip().lower() in _ID_HEADERS:
        raise input_error(  # gene ids in the second column were read as a sample's values
            f"the first column numbers the rows ({', '.join(row_ids[:3])}, ...) and the "
            f"second, {col_ids[0]!r}, holds the ids: a table written with its row numbers "
            "(R's write.csv, pandas' to_csv)", path=path, where="column 1",
            fix="write it again without them (R: row.names = FALSE; pandas: index=False), or "
                f"cut the first column off: cut -d, -f2- {path.name} > fixed.csv (cut -f2- for "
                "tabs)")
    row, col = (k.replace("sample numbers", "samples") for k in (row, col))
    if (row == "genes" and col != "genes") or (col == "samples" and row != "samples"):
        return "genes_by_samples", f"orientation: genes x samples (detected: {said})"
    if (col == "genes" and row != "genes") or (row == "samples" and col != "samples"):
        return "samples_by_genes", f"orientation: samples x genes (detected: {said})"
    raise input_error(
        f"cannot tell which axis holds the genes: {said} "
        f"(e.g. header {col_ids[:3]}, first column {row_ids[:3]})",
        path=path, fix=_ORIENT_FIX,
    )


def _orient(stated: str, col_ids: list[str], row_ids: list[str], path: Path) -> tuple[Orientation, str]:
    if stated == "auto":
        return _detect_orientation(col_ids, row_ids, path)
    return stated, f"orientation: {stated} (as stated)"  # type: ignore[return-value]


def _finish(path: Path, values: np.ndarray, sample_ids: np.ndarray, gene_ids: np.ndarray,
            orientation: Orientation, stats: ValueStats, where: Any, notes: list[str],
            meta: pd.DataFrame | None = None,
            places: tuple[Place, Place] | None = None) -> ExpressionTable:
    """The checked table; ``places`` (samples', genes') say where a bad id stands."""
    if values.size == 0:
        raise input_error(f"empty matrix ({values.shape[0]} samples × {values.shape[1]} genes)",
                          path=path, fix="check the file holds a header and data rows")
    at_samples, at_genes = places or (None, None)
    gene_ids, whole = _whole_entrez_ids(gene_ids)
    if whole is not None:  # said once, by the caller's read line (prepare's, predict's):
        notes = [*notes, whole]  # a warning here said it again, as "8 gene id(s) are ..."
    check_ids(sample_ids, "sample", path, at_samples)
    check_ids(gene_ids, "gene", path, at_genes, as_columns=orientation == "samples_by_genes")
    if fields := clinical_field_names(gene_ids):
        raise input_error(f"{len(fields)} of the {len(gene_ids):,} genes are clinical fields, not "
                          f"genes: {', '.join(fields[:5])}", path=path, fix="remove them from the "
                          "expression file; give survival with --clinical, types with --labels")
    kind, vnotes = value_kind(stats, values, path, where)
    id_kind = detect_id_kind(gene_ids)
    notes = notes + vnotes + [f"gene identifiers: {id_kind}"]  # said by the caller, in its
    # words (prepare's and predict's read step): logged here too, `-v` showed prepare's answer
    # ("prepare them with --normalisation log2cpm") under predict, which answers otherwise
    if odd := off_kind_ids(gene_ids, id_kind):  # a `score` column was read as a gene, unsaid
        notes.append(f"{len(odd):,} gene identifier(s) are not {id_kind} ids like the rest, "
                     f"e.g. {', '.join(odd[:5])}: read as genes (remove them from the file if "
                     "they are not)")
        logger.warning("%s: %s", path.name, notes[-1])
    if (note := _dates_note(gene_ids, at_genes)) is not None:
        notes.append(note)
        logger.warning("%s: %s", path.name, note)
    return ExpressionTable(values=values, sample_ids=sample_ids, gene_ids=gene_ids, source_path=path,
                           orientation=orientation, id_kind=id_kind, value_kind=kind, notes=notes,
                           sample_meta=meta)


def _whole_entrez_ids(gene_ids: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Entrez ids written as decimals (``613037.0``, most of the file's) as whole numbers,
    and the note that counts them; other ids as they are, and None. They were read as genes
    of no known kind, which no model or annotation holds. The note is the record's (in
    :attr:`ExpressionTable.notes`): the read line says it as ``8 Entrez ids written as
    decimals read as whole numbers, e.g. 613037.0 → 613037``
    (:func:`genemoe.data.prep_text.step_line`, which reads this wording)."""
    if not decimal_entrez(list(gene_ids)):
        return gene_ids, None
    whole = np.array([whole_entrez(g) for g in gene_ids], dtype=object)
    changed = np.flatnonzero(whole != gene_ids)
    said = (("id is an Entrez id written as a decimal (", "a whole number") if len(changed) == 1
            else ("ids are Entrez ids written as decimals (e.g. ", "whole numbers"))  # was
    return whole, (f"{len(changed):,} gene {said[0]}{gene_ids[changed[0]]}): read as "  # "id(s)"
                   f"{said[1]} ({whole[changed[0]]})")


def _dates_note(gene_ids: np.ndarray, at_genes: Place | None) -> str | None:
    """The warning for gene ids a spreadsheet turned into dates (``1-Sep`` was SEPT1), with
    where they stand and the fix; None where there are none. They were only counted among
    the unmapped ids, or kept as genes of that name."""
    at = spreadsheet_dates(list(gene_ids))
    if not len(at):
        return None
    where = at_genes(at) if at_genes is not None else numbered("gene number", at + 1)
    shown = ", ".join(repr(str(g)) for g in gene_ids[at[:5]])
    return (f"{len(at):,} gene id(s) are dates a spreadsheet made of symbols ({shown} at "
            f"{where}; 1-Sep was SEPT1, now SEPTIN1; 1-Mar MARCH1 (MARCHF1) or MARC1): no "
            "annotation maps them, and without one they stay genes of these names, matching "
            "no other data; fix: export the table again with the gene column as text, or "
            "rename them")


# ----------------------------------------------------------------------------- text


def _text_places(lay: TextLayout) -> tuple[Place, Place]:
    """Where a text matrix's ids stand: data rows' lines, header cells' columns (a GCT's
    header is its line 3; an R-style header has no cell for the id column)."""
    gct = any(n.startswith("GCT ") for n in lay.notes)
    no_corner = any(n.startswith("header has no cell for the identifier") for n in lay.notes)
    return text_places(lay.n_skip, 3 if gct else 1, 1 + lay.n_meta + (0 if no_corner else 1))


def _refuse_split_ids(ids: list[str], what: str, path: Path, place: Place) -> None:
    """Refuse ids holding a tab or a line break (a quoted cell: ``"TCGA-...\\t-01A"``); such an
    id was kept as it was, and a sample in training was taken for a new one."""
    bad = np.flatnonzero([any(ch in i for ch in "\t\n\r") for i in ids])
    if len(bad):
        raise input_error(f"{len(bad)} {what} id(s) hold a tab or a line break (the first "
                          f"{ids[bad[0]]!r})", path=path, where=place(bad),
                          fix="ids must not contain tabs or line breaks: remove them from the "
                              "ids (a quoted cell holding a tab), then save the file again")


def _trimmed_ids(row_ids: list[str | None], lay: TextLayout, gxs: bool, path: Path,
                 at_row: Place) -> tuple[np.ndarray, list[str]]:
    """The first column's ids, spaces around them trimmed and counted (the header's too, as
    :func:`peek_text` counted them); ids with a tab or line break refused."""
    raw = [str(x or "") for x in row_ids]
    _refuse_split_ids([x.strip(" ") for x in raw], "gene" if gxs else "sample", path, at_row)
    rows = np.array([x.strip() for x in raw], dtype=object)
    n_rows = sum(x != r for x, r in zip(raw, rows, strict=True))
    notes = []
    for n, what in ((n_rows, "gene" if gxs else "sample"), (lay.n_padded_names, "sample" if gxs else "gene")):
        if n:
            notes.append(f"{n:,} {what} id(s) had surrounding spaces: trimmed")
    return rows, notes


def _read_text(path: Path, orientation: str, sep: str | None) -> ExpressionTable:
    lay = peek_text(path, sep)
    orient, how = _orient(orientation, lay.value_names, lay.row_ids, path)
    names = [f"c{i}" for i in range(lay.n_fields)]
    types = {names[0]: pa.string(), **dict.fromkeys(names[1:1 + lay.n_meta], pa.string()),
             **dict.fromkeys(names[1 + lay.n_meta:], pa.float32())}
    gxs = orient == "genes_by_samples"
    at_row, at_col = _text_places(lay)
    _refuse_split_ids(lay.value_names, "sample" if gxs else "gene", path, at_col)
    check_ids(np.array(lay.value_names, dtype=object), "sample" if gxs else "gene", path, at_col,
              as_columns=not gxs)  # before reading
    skipped = Skipped()
    row_ids: list[str] = []
    kept: dict[int, list[str | None]] = {c: [] for c in lay.kept_columns}  # symbols, Entrez, biotypes
    parts: list[list[np.ndarray]] = []  # per chunk: samples x genes pieces (see chunk_pieces)
    groups = np.linspace(0, len(lay.value_names), min(16, len(lay.value_names)) + 1).astype(int)
    stats = ValueStats(genes_first=gxs)
    try:
        for chunk in line_chunks(path, lay.n_skip, cr_lines=lay.cr_lines, skipped=skipped):
            tbl = parse_chunk(chunk, lay, types, skipped=skipped)
            for column in kept.values():
                column += tbl.column(1).to_pylist()
                tbl = tbl.remove_column(1)
            pieces = chunk_pieces(tbl, gxs, groups)
            n = len(row_ids)
            for piece, s0 in zip(pieces, groups[:-1] if gxs else [n], strict=True):
                stats.update(piece, int(s0), n if gxs else 0)
            row_ids.extend(tbl.column(0).to_pylist())
            parts.append(pieces)
            del tbl
    except pa.ArrowInvalid as exc:
        parts.clear()
        try:  # the diagnosis reads cells as text: a non-UTF-8 byte in a number fails there
            raise ("UTF8" in str(exc) and not_utf8(path)) or diagnose_text(path, lay, str(exc)) from None
        except pa.ArrowInvalid as again:
            raise not_utf8(path) or again from None
    rows, id_notes = _trimmed_ids(row_ids, lay, gxs, path, at_row)
    check_declared_rows(lay, len(rows), path)  # a long GCT cut at a line end (peek saw 2,000)
    symbols, entrez, biotypes = (kept.get(c or -1, []) for c in
                                 (lay.symbol_column, lay.entrez_column, lay.biotype_column))
    notes = lay.notes + [how] + skipped.note() + id_notes
    if entrez and (named := [i for i, r in enumerate(rows) if not r and (entrez[i] or "").strip()]):
        rows[named] = [entrez[i].strip() for i in named]  # cBioPortal: Hugo_Symbol left empty
        notes.append(f"named by their Entrez id: {len(named)} gene(s) with an empty identifier "
                     f"(e.g. {rows[named[0]]}, line {lay.n_skip + named[0] + 1})")
    cols = np.array(lay.value_names, dtype=object)
    samples, genes = (cols, rows) if gxs else (rows, cols)
    keep = np.array([not _QC_ROWS.match(g) for g in genes], dtype=bool)
    if not keep.all():
        notes.append(f"dropped {int((~keep).sum())} HTSeq/STAR summary rows {genes[~keep][:5].tolist()}")
    values = assemble(parts, (len(samples), int(keep.sum())), gxs, groups, keep)

    def where(s: int, g: int) -> str:
        r, c = (g, s) if gxs else (s, g)
        return f"line {lay.n_skip + r + 1} (row {rows[r]!r}), column {cols[c]!r}"

    named, markers = gene_names(symbols)  # an empty cell or "nan" / "NA": no symbol (a gene
    if gxs and markers:  # was named "nan")
        notes.append(f"{sum(markers.values())} gene name(s) written as a missing-value marker "
                     f"({', '.join(f'{k!r} {v}x' for k, v in markers.items())}): taken as no name")
    kept_at = np.flatnonzero(keep)  # a gene's position in the file, summary rows counted
    places = ((at_col, lambda at: at_row(kept_at[at])) if gxs
              else (at_row, lambda at: at_col(kept_at[at])))
    table = _finish(path, values, samples, genes[keep], orient, stats, where, notes, places=places)
    if gxs and symbols:
        table.gene_symbols = named[keep]
    if gxs and biotypes:
        table.gene_biotypes = np.array([(b or "").strip() or None for b in biotypes], dtype=object)[keep]
    return table


# ----------------------------------------------------------------------------- parquet, h5ad


def _read_parquet(path: Path, orientation: str) -> ExpressionTable:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise input_error(f"not a readable parquet file ({exc})", path=path,
                          fix="re-export it, or save the matrix as TSV") from exc
    schema = pf.schema_arrow
    index_cols = [c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    id_col = index_cols[0] if index_cols else schema.names[0]
    if not (pa.types.is_string(schema.field(id_col).type) or pa.types.is_large_string(schema.field(id_col).type)):
        raise input_error(f"the identifier column {id_col!r} holds {schema.field(id_col).type}, not names",
                          path=path, fix="store sample or gene identifiers as the first column or the index")
    value_cols = [c for c in schema.names if c != id_col]
    for c in value_cols:
        if not (pa.types.is_integer(schema.field(c).type) or pa.types.is_floating(schema.field(c).type)):
            s = pf.read(columns=[c]).column(0).to_pandas()
            bad = np.flatnonzero((pd.to_numeric(s, errors="coerce").isna() & s.notna()).to_numpy())
            ids = pf.read(columns=[id_col]).column(0).to_pylist()
            at = f"row {ids[bad[0]]!r}, " if len(bad) else ""
            raise input_error(
                f"column holds {schema.field(c).type}, not numbers ({len(bad)} non-numeric cell(s)"
                + (f", the first {s.iloc[bad[0]]!r})" if len(bad) else ")"),
                path=path, where=f"{at}column {c!r}", fix="the matrix must hold numbers only")
    rows = np.array([str(x).strip() for x in pf.read(columns=[id_col]).column(0).to_pylist()], dtype=object)
    cols = np.array(value_cols, dtype=object)
    orient, how = _orient(orientation, value_cols, rows.tolist(), path)
    gxs = orient == "genes_by_samples"
    samples, genes = (cols, rows) if gxs else (rows, cols)
    values = np.empty((len(samples), len(genes)), dtype=np.float32)
    stats = ValueStats(genes_first=gxs)
    step = max(1, _BLOCK_VALUES // max(len(rows), 1))
    for c0 in range(0, len(value_cols), step):
        tbl = pf.read(columns=value_cols[c0:c0 + step])
        block = np.empty((tbl.num_columns, len(rows)), dtype=np.float32)  # file columns x file rows
        for j in range(tbl.num_columns):
            block[j] = tbl.column(j).to_numpy()
        del tbl
        if gxs:
            values[c0:c0 + len(block)] = block
            stats.update(block, c0, 0)
        else:
            values[:, c0:c0 + len(block)] = block.T
            stats.update(block.T, 0, c0)

    def where(s: int, g: int) -> str:
        r, c = (g, s) if gxs else (s, g)
        return f"row {rows[r]!r}, column {cols[c]!r}"

    value_at = np.array([i + 1 for i, c in enumerate(schema.names) if c != id_col])
    at_row, at_col = (lambda at: numbered("row", at + 1)), (lambda at: numbered("column", value_at[at]))
    return _finish(path, values, samples, genes, orient, stats, where, [how],
                   places=(at_col, at_row) if gxs else (at_row, at_col))


def _read_h5ad(path: Path, orientation: str, layer: str | None = None) -> ExpressionTable:
    import scipy.sparse as sp

    if orientation == "genes_by_samples":
        raise input_error("an .h5ad file is samples (obs) x genes (var) by convention", path=path,
                          fix="transpose it in Python (adata.T.write_h5ad(...)) or drop --orientation")
    try:
        adata = open_h5ad(path)
    except Exception as exc:  # anndata raises many kinds for non-AnnData HDF5 files
        if cut := re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", str(exc)):
            raise input_error(  # was h5py's own words, asking whether it was a 10x file
                f"the file is truncated: {int(cut[1]):,} of its {int(cut[2]):,} bytes are here",
                path=path, fix="copy or download it again (an interrupted transfer), or "
                               "write it again with adata.write_h5ad") from exc
        raise input_error(f"not a readable AnnData .h5ad file ({type(exc).__name__}: {exc}); "
                          "another HDF5 file (.h5: 10x, loom, ...)?", path=path,
                          fix="genemoe reads .h5ad (AnnData), .parquet and text matrices: write it "
                              "with anndata (adata.write_h5ad), or save the matrix as TSV") from exc
    try:
        X, var_names, var, said = ((h5ad_matrix(adata, path), adata.var_names, adata.var, None)
                                   if layer is None else h5ad_layer(adata, path, layer))  # --layer
        check_h5ad_axes(adata.obs_names, var_names, path)  # genes as obs: refused
        samples = np.array([str(s) for s in adata.obs_names], dtype=object)
        genes, symbols, id_notes = h5ad_gene_ids(var_names, var)  # var['gene_ids']
        sparse = sp.issparse(X) or type(X).__name__.lower().lstrip("_")[:3] in ("csr", "csc")
        dense_size_said(len(samples), len(genes), sparse, path.name)  # said over 2 GB
        values = np.empty((len(samples), len(genes)), dtype=np.float32)
        stats = ValueStats()
        step = max(1, _BLOCK_VALUES // max(len(genes), 1))
        for s0 in range(0, len(samples), step):
            chunk = X[s0:s0 + step]
            values[s0:s0 + step] = chunk.toarray() if sp.issparse(chunk) else np.asarray(chunk)
            stats.update(values[s0:s0 + step], s0, 0)
        meta, exported = adata.obs.copy(), exported_normalisation(adata.uns)
        factor, base = log1p_to_log2(adata.uns) or (1.0, "")
        notes = ["orientation: samples x genes (AnnData obs x var)", *id_notes]
        if unread := said or h5ad_unread_note(adata):  # the layer read, or those not read
            notes.append(unread)
    finally:
        adata.file.close()

    def where(s: int, g: int) -> str:
        return f"obs {samples[s]!r}, var {genes[g]!r}"

    # the kind first: scanpy's log1p factor applies to log values only (a stale mark on counts)
    stats, ignored = log1p_converted(values, stats, factor, path, where) if base else (stats, None)
    if said and ignored:  # uns['log1p'] marks .X's values: a layer's counts are not them
        base, notes = "", [*notes, f"uns['log1p'] marks .X, not {matrix_said(layer)}: not applied"]
    table = _finish(path, values, samples, genes, "samples_by_genes", stats, where, notes, meta,
                    places=(lambda at: numbered("obs row", at + 1), lambda at: numbered("var row", at + 1)))
    table.gene_symbols = symbols
    return h5ad_checked(table, exported, factor, base, ignored)  # the scanpy and export marks, said


def read_expression(path: Path | str, *,
                    orientation: Literal["auto", "genes_by_samples", "samples_by_genes"] = "auto",
                    sep: str | None = None, one_scale: bool = True,
                    layer: str | None = None) -> ExpressionTable:
    """Read an expression matrix into a samples × genes float32 table.

    Parameters
    ----------
    path
        Delimited text (``.tsv/.txt/.csv/.exp/.tab``; gzip, bzip2, xz or a one-file zip
        detected by their first bytes;
        the first column holds the row identifiers, its header cell may be empty),
        ``.parquet`` (identifiers in the first column or the index) or ``.h5ad``
        (obs = samples, var = genes; ``obs`` becomes ``sample_meta``).
    orientation
        ``"auto"`` detects it from the identifiers (sample barcodes/names vs gene IDs);
        state it when the identifiers cannot tell.
    sep
        Text delimiter; sniffed from the header line (tab, comma, semicolon) when None.
    one_scale
        Refuse a matrix on two scales (:func:`check_one_scale`); ``False`` leaves the check
        to a caller that can score each sample on its own scale (``predict``'s alignment).
    layer
        An ``.h5ad``'s matrix to read instead of ``X``: a layer's name, or ``"raw"`` for its
        ``.raw`` (X and own var); refused for other files and for a name the file lacks.

    Returns
    -------
    ExpressionTable
        ``values`` ``(n_samples, n_genes)`` float32, ids as in the file, detected
        ``orientation``, ``id_kind`` and ``value_kind``, and ``notes``.

    Raises
    ------
    InputError
        Missing, truncated or corrupt file (gzip/bz2/zip/Parquet/h5ad ending early, a
        text file cut mid-row), wrong delimiter, ragged rows, non-numeric cells, NaN/inf,
        negative counts, duplicate or empty identifiers, empty matrix, ambiguous
        orientation, two scales in one matrix: each names the file, the row/column and the fix.
    """
    path = Path(path)
    if orientation not in ("auto", "genes_by_samples", "samples_by_genes"):
        raise input_error(f"unknown orientation {orientation!r}", where="--orientation", fix=_ORIENT_FIX)
    _check_path(path)
    refuse_layer_for([path], layer)  # a text or Parquet matrix has no layers
    magic = _magic(path)
    with reading(path):
        if magic[:4] == b"PAR1" or (path.suffix == ".parquet" and compression(path) is None):
            try:
                table = _read_parquet(path, orientation)
            except pa.ArrowException as exc:
                raise corrupt_error(path, exc) from exc
        elif magic == b"\x89HDF\r\n\x1a\n" or path.suffix == ".h5ad":
            table = _read_h5ad(path, orientation, layer)
        else:
            table = _read_text(path, orientation, sep)
    logger.info("read %s: %d samples × %d genes (%s, %s)", path.name, *table.shape,
                table.id_kind, table.value_kind)
    if one_scale:
        check_one_scale(table)
    return table


def has_own_biotypes(path: Path | str) -> bool:
    """Whether an expression file carries its own gene-biotype column (GDC's ``gene_type``,
    nf-core's ``gene_biotype``), learnt from its first lines as :func:`read_expression`
    learns it; a Parquet or ``.h5ad`` file gives the reader none.

    Lets ``prepare --protein-coding-only`` refuse before reading any matrix when nothing
    gives biotypes (it was refused after every file had been read and normalised).
    """
    path = Path(path)
    _check_path(path)
    magic = _magic(path)
    if magic[:4] == b"PAR1" or magic == b"\x89HDF\r\n\x1a\n" or path.suffix == ".h5ad" or (
            path.suffix == ".parquet" and compression(path) is None):
        return False
    with reading(path):
        return peek_text(path, None).biotype_column is not None


# ----------------------------------------------------------------------------- labels




# Re-exported so `from genemoe.data.read import ...` keeps one front door for all readers.
from genemoe.data.anndata_io import (  # noqa: E402
    bundle_to_anndata,
    check_h5ad_axes,
    dense_size_said,
    exported_normalisation,
    h5ad_checked,
    h5ad_gene_ids,
    h5ad_matrix,
    h5ad_unread_note,
    log1p_converted,
    log1p_to_log2,
    open_h5ad,
    write_h5ad,
)
from genemoe.data.tables import normalise_label, read_clinical, read_labels  # noqa: E402
