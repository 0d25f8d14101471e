"""The ``--quant-dir`` route: one folder of per-sample quantification files, joined.

What aligners and quantifiers write is one file per sample, not a genes × samples matrix:

=====================  ==============================================  =====================
tool                   file (sample name from)                         values
=====================  ==============================================  =====================
Salmon                 ``<sample>/quant.sf`` (transcripts) or          ``NumReads``, ``TPM``
                       ``<sample>/quant.genes.sf`` (genes; ``-g``)
kallisto               ``<sample>/abundance.tsv`` (transcripts)        ``est_counts``, ``tpm``
RSEM                   ``<sample>.genes.results`` or                   ``expected_count``,
                       ``<sample>.isoforms.results``                   ``TPM``
STAR ``--quantMode``   ``<sample>ReadsPerGene.out.tab`` (no header;    counts by strand
``GeneCounts``         ``N_unmapped`` ... rows first; columns
                       unstranded, read 1's strand, read 2's strand)
HTSeq-count            any ``<sample>.counts|.txt|.tsv|.tab`` of two   counts
                       columns, no header (``__no_feature`` ... last)
=====================  ==============================================  =====================

:func:`assemble_quant_dir` finds them (recursively; gzip allowed), tells the tool from the
header (not the name), joins one column per sample into ``expression.tsv.gz`` and writes
``joined.json``: what was read, from which file, and every change made on the way —
transcripts summed into genes (tximport's sum of counts / TPM, with the map's source;
transcripts the map lacks listed by id, with the genes none of whose transcripts is in it
where the names carry their gene, each sample's share of values kept and warned above 1%;
a transcript listed twice in one file is refused, naming both lines),
estimated counts rounded to integers (as DESeq2 does with tximport's counts), the STAR
strand column chosen (and the shares that chose it), summary rows (``N_*``, ``__*``) left
out with their totals, files that are none of these skipped by name. What the bundle takes
from that record (dropped counts, warnings, the counts its summary carries, the terminal's
lines) is in :mod:`genemoe.data.quant_record`.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from genemoe.data.bundle import atomic_file
from genemoe.data.ids import off_kind_ids
from genemoe.data.prep_text import warnings_said
from genemoe.data.quant_checks import (
    STAR_COLUMN,
    check_unique_genes,
    genes_differ,
    read_whole,
    strand_against,
    warn_strand_against,
)
from genemoe.data.quant_files import FORMATS, find_quant_files, first_lines, samples_without_file
from genemoe.data.quant_record import (
    join_dropped,
    join_dropped_genes,
    join_record,
    join_warnings,
    joined_lines,
    some_ids,
)
from genemoe.data.tables import _read_table
from genemoe.data.textio import _is_number, _text_stream, reading
from genemoe.errors import input_error

__all__ = ["join_dropped", "join_dropped_genes", "join_warnings", "QUANT_VALUES", "STRANDS", "assemble_quant_dir", "find_quant_files", "join_record",
           "joined_lines", "read_tx2gene", "star_strand"]

logger = logging.getLogger(__name__)

QuantValues = Literal["counts", "tpm"]
Strand = Literal["auto", "unstranded", "forward", "reverse"]
QUANT_VALUES = ("counts", "tpm")
STRANDS = ("auto", "unstranded", "forward", "reverse")
_TX2GENE_FIX = ("pass --tx2gene: a table of transcript id, gene id (tximport's tx2gene), e.g. "
                "from the GTF the index was built from: zcat genes.gtf.gz | awk -F'\\t' "
                "'$3==\"transcript\"' | sed -E 's/.*gene_id \"([^\"]+)\".*transcript_id "
                "\"([^\"]+)\".*/\\2\\t\\1/' > tx2gene.tsv")


def star_strand(totals: np.ndarray) -> tuple[str, float]:
    """The STAR column a library's gene totals point to, and read 1's strand share.

    ``totals`` is shape (3,): the sums over genes of the unstranded, read-1-strand and
    read-2-strand columns. A share of read 1's strand at least 0.75 is a forward-stranded
    library (htseq-count ``-s yes``), at most 0.25 a reverse one (``-s reverse``, dUTP /
    TruSeq Stranded), within [0.4, 0.6] unstranded; between these, ``"unclear"``.
    """
    both = totals[1] + totals[2]
    share = float(totals[1] / both) if both > 0 else 0.5
    if share >= 0.75:
        return "forward", share
    if share <= 0.25:
        return "reverse", share
    return ("unstranded" if 0.4 <= share <= 0.6 else "unclear"), share


def read_tx2gene(path: Path | str) -> pd.Series:
    """Gene id by transcript id: the first two columns of a table (a header optional)."""
    path = Path(path)
    with reading(path), _text_stream(path) as fh:
        header = fh.readline()
    cells = re.split(r"[\t,]", header.strip())
    has_header = re.sub(r"[\s_.\-\"]", "", cells[0].lower()) in _TX_HEADERS
    if has_header:
        df = _read_table(path)
    else:  # compressed or not, as the other tables (its name need not end in .gz)
        with reading(path), _text_stream(path) as fh:
            df = pd.read_csv(fh, sep="\t" if "\t" in header else ",", header=None, dtype=str)
    if df.shape[1] < 2:
        raise input_error("needs two columns: transcript id, gene id", path=path,
                          fix=_TX2GENE_FIX)
    df = df.iloc[:, :2].dropna()
    return pd.Series(df.iloc[:, 1].str.strip().to_numpy(),
                     index=df.iloc[:, 0].str.strip().to_numpy())


# First header cells of transcript → gene tables (tximport's TXNAME, biomaRt's, GTF-derived).
_TX_HEADERS = {"txname", "transcriptid", "transcript", "tx", "txid", "targetid", "name",
               "ensembltranscriptid", "ensembltranscriptidversion", "transcriptidversion"}
# nf-core/rnaseq writes its map (transcript, gene, gene name; no header) beside the samples.
_FOLDER_MAPS = ("tx2gene.tsv", "salmon_tx2gene.tsv")
TxMap = tuple[pd.Series, str]  # gene by transcript id, and where the map came from


def _unversioned(ids: pd.Index) -> pd.Index:
    return ids.str.replace(r"\.\d+(_PAR_Y)?$", "", regex=True)


def _mapped(ids: pd.Index, tx_map: TxMap) -> tuple[pd.Series, str]:
    """Gene per transcript id through ``tx_map``: as written, else without the version, and
    for GENCODE's ``ENST...|ENSG...|`` names by the id before the first ``|`` (tximport's
    ``ignoreAfterBar``: a map keyed on plain ids refused every such name)."""
    genes = pd.Series(tx_map[0].reindex(ids).to_numpy(), index=ids)
    missing = genes.isna().to_numpy()
    if missing.any():  # versions on one side only
        loose = tx_map[0].groupby(_unversioned(pd.Index(tx_map[0].index))).first()
        first = ids[missing].str.split("|").str[0]  # the name's transcript id
        genes[missing] = loose.reindex(_unversioned(pd.Index(first))).to_numpy()
    return genes, tx_map[1]


def _gene_map(ids: pd.Index, given: TxMap | None, found: TxMap | None,
              path: Path) -> tuple[pd.Series, str]:
    """Gene per transcript id (NaN where none), and where the map came from: ``--tx2gene``,
    else GENCODE's ``ENST...|ENSG...|`` names, else the folder's own map (nf-core's)."""
    if given is not None:
        return _mapped(ids, given)
    parts = ids.str.split("|")
    if parts.str.len().min() >= 2 and parts.str[1].str.match(r"ENS[A-Z]*G\d").all():
        return pd.Series(parts.str[1].to_numpy(), index=ids), "GENCODE transcript names"
    if found is not None:
        return _mapped(ids, found)
    raise input_error(f"transcript ids ({ids[0]!r}, ...) and no map from transcripts to genes",
                      path=path, fix=_TX2GENE_FIX)


def _read_one(path: Path, kind: str, column: str | int) -> pd.DataFrame:
    """The file's id column and the columns used (a file with a header: only those parsed);
    a file whose last line has no line end (cut mid-row) is refused (:func:`read_whole`)."""
    fmt = FORMATS[kind]
    keep = None
    if fmt.header is not None:
        wanted = {fmt.header[0], str(column).lower(), "gene_id"}
        keep = lambda c: str(c).strip().lower() in wanted  # noqa: E731
    data = read_whole(path, fmt.tool)
    with reading(path):
        df = pd.read_csv(io.BytesIO(data), sep="\t", header=0 if fmt.header else None,
                         dtype=str, keep_default_na=False, usecols=keep, encoding="utf-8-sig",
                         encoding_errors="replace")
    if fmt.header is None and not _is_number(str(df.iloc[0, -1])):
        df = df.iloc[1:]  # htseq-count --with-header (its count last, after any attributes)
    if isinstance(column, str) and column not in df.columns:
        cells = first_lines(path, 1)[0].rstrip("\r\n").split("\t")
        raise input_error(f"no {column!r} column (columns are {cells[:8]})",
                          path=path, fix="the file looks damaged: produce or copy it again")
    return df


def _numbers(df: pd.DataFrame, column: str | int, path: Path) -> np.ndarray:
    raw = df[column] if isinstance(column, str) else df.iloc[:, column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(np.float64)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        i = int(bad[0])
        raise input_error(f"value {raw.iloc[i]!r} is not a non-negative number", path=path,
                          where=f"line {i + 2} ({df.iloc[i, 0]})",
                          fix="the file looks damaged: produce or copy it again")
    return values


def _sample_column(sample: str, path: Path, kind: str, values: QuantValues, strand: Strand,
                   maps: tuple[TxMap | None, TxMap | None], notes: dict[str, Any],
                   memo: dict[str, Any]) -> pd.Series:
    """One sample's values by gene, its changes added to ``notes`` (per-kind totals).

    ``memo`` keeps what the last file's id column gave (ids, summary rows, the summing of
    transcripts into genes): files quantified against one index list the same ids in the
    same order, so that is parsed once, not once per sample.
    """
    fmt = FORMATS[kind]
    if values == "tpm" and fmt.tpm is None:
        raise input_error(f"{fmt.tool} files hold counts only", where="--quant-values",
                          fix="use --quant-values counts (prepare normalises counts)")
    column = fmt.tpm if values == "tpm" else fmt.counts
    df = _read_one(path, kind, column)
    if kind == "htseq" and df.shape[1] > 2:  # --additional-attr gene_name: the count last
        column = df.shape[1] - 1
        notes["htseq_count_column"] = df.shape[1]  # 1-based, as value_column says it
    raw = df.iloc[:, 0].to_numpy()
    if not _same_cells(memo.get("raw"), raw):
        ids = pd.Index(df.iloc[:, 0].str.strip())
        if fmt.level == "gene" and kind != "rsem_isoforms":  # isoforms: summed by gene_id
            check_unique_genes(ids, df.index.to_numpy() + (2 if fmt.header else 1), path,
                               fmt.tool)
        summary = ids.str.startswith("N_") if kind == "star" else ids.str.startswith("__")
        memo.clear()
        memo.update(raw=raw, summary=summary, ids=ids, kept=ids[~summary])
        _check_unique_transcripts(kind, ids, df.index.to_numpy() + 2, memo, path)
    summary = memo["summary"]
    summary_df = df.iloc[np.flatnonzero(summary)]  # totals taken from the column used, below
    df, ids = df.iloc[np.flatnonzero(~summary)], memo["kept"]
    parsed: dict[str | int, np.ndarray] = {}
    if kind == "star":
        parsed = {c: _numbers(df, c, path) for c in (1, 2, 3)}
        found, share = star_strand(np.array([parsed[c].sum() for c in (1, 2, 3)]))
        notes["read1_strand_share"][sample] = round(share, 4)
        chosen = found if strand == "auto" else strand
        strand_against(notes, sample, strand, found)
        if chosen == "unclear":
            raise input_error(f"the library's strandedness is unclear: {share:.0%} of the "
                              "stranded counts on read 1's strand (0.4-0.6 is unstranded, "
                              "<= 0.25 or >= 0.75 stranded)", path=path, where="--strand",
                              fix="pass --strand unstranded|forward|reverse (the kit's)")
        notes["strand"].setdefault(chosen, 0)
        notes["strand"][chosen] += 1
        column = STAR_COLUMN[chosen]
    used = summary_df.iloc[:, column] if isinstance(column, int) else summary_df.iloc[:, 1]
    for name, total in zip(memo["ids"][summary], used, strict=True):  # STAR: the chosen strand's
        notes["summary_rows"][name] = notes["summary_rows"].get(name, 0) + float(total)
    x = parsed[column] if column in parsed else _numbers(df, column, path)
    if kind == "rsem_isoforms":
        if not _same_cells(memo.get("gene_cells"), cells := df["gene_id"].to_numpy()):
            memo["gene_cells"] = cells
            memo["sum"] = _summing(pd.Series(df["gene_id"].str.strip().to_numpy(), index=ids),
                                   "gene_id column", path)
        summed = memo["sum"]
    elif fmt.level == "transcript" and _gene_level(ids, memo, path):  # a gene-level index
        notes["gene_level_ids"] = (f"{fmt.tool}'s ids are Ensembl gene ids (e.g. {ids[0]}): "
                                   "read as genes, nothing summed")
        if maps[0] is not None and not notes.get("tx2gene_unused"):
            notes["tx2gene_unused"] = True
            logger.warning("%s: its ids are gene ids (e.g. %s), not transcript ids: --tx2gene "
                           "is not used", path, ids[0])
        return pd.Series(x, index=ids)
    elif fmt.level == "transcript":
        if "sum" not in memo:
            memo["sum"] = _summing(*_gene_map(ids, *maps, path), path)
            _note_unmapped_ids(notes, ids, memo["sum"])  # once per list of ids
        summed = memo["sum"]
    else:
        return pd.Series(x, index=ids)
    notes["gene_map"] = summed.source
    notes["unmapped_transcripts"] = int(summed.unmapped.sum())
    notes["unmapped_value"] += float(x[summed.unmapped].sum())
    notes["unmapped_share"][sample] = round(float(x[summed.unmapped].sum() / x.sum()), 4) if (
        x.sum() > 0) else 0.0
    if summed.unmapped.any():  # None: the ids do not name their genes
        lost = notes.get("genes_lost_unmapped_ids")
        notes["genes_lost_unmapped"] = None if lost is None else len(lost)
    notes["transcripts"] = len(ids)
    return pd.Series(np.bincount(summed.codes, weights=x[~summed.unmapped],
                                 minlength=len(summed.genes)), index=summed.genes)


def _check_unique_transcripts(kind: str, ids: pd.Index, lines: np.ndarray, memo: dict[str, Any],
                              path: Path) -> None:
    """Refuse a transcript-level file (Salmon's quant.sf, kallisto's abundance.tsv, RSEM's
    isoforms.results) that lists one transcript twice, naming both lines: the quantifier
    writes each once, so the repeat is damage or two files run together (it was summed
    into its gene without a word). ``lines``: each row's line in a file with a header.
    Files of gene ids (a gene-level index) are refused as such by :func:`_gene_level`."""
    fmt = FORMATS[kind]
    if not ids.has_duplicates or (fmt.level == "gene" and kind != "rsem_isoforms"):
        return
    if kind == "rsem_isoforms" or not _gene_level(ids, memo, path):
        check_unique_genes(ids, lines, path, fmt.tool, what="transcript")


def _note_unmapped_ids(notes: dict[str, Any], ids: pd.Index, summed: _Summing) -> None:
    """Add a file's transcripts missing from the map, and the genes none of whose
    transcripts is in it (None where the ids do not name their gene), to ``notes``
    (``unmapped_transcript_ids``, ``genes_lost_unmapped_ids``; in file order, each once
    over the files): they were counted only."""
    known = notes.setdefault("unmapped_transcript_ids", [])
    seen = set(known)
    known += [str(t) for t in ids[summed.unmapped] if str(t) not in seen]
    if summed.genes_lost is None or notes.get("genes_lost_unmapped_ids", []) is None:
        notes["genes_lost_unmapped_ids"] = None
        return
    lost = notes.setdefault("genes_lost_unmapped_ids", [])
    had = set(lost)
    lost += [g for g in summed.genes_lost if g not in had]


def _gene_level(ids: pd.Index, memo: dict[str, Any], path: Path) -> bool:
    """True when a transcript-level file's ids are all Ensembl gene ids (kallisto or Salmon
    run on a gene-level index; such files were refused as "transcript ids ('ENSG...')");
    repeated gene ids are refused. Remembered in ``memo`` for files of the same ids."""
    if "gene_level" not in memo:
        memo["gene_level"] = bool(len(ids)) and str(ids[0]).startswith("ENS") and not off_kind_ids(
            list(ids), "ensembl")
        if memo["gene_level"] and ids.has_duplicates:
            raise input_error(f"gene id {ids[ids.duplicated()][0]!r} is listed more than once",
                              path=path, fix="quantify against an index of one entry per gene, "
                              "or against transcripts with a --tx2gene map")
    return memo["gene_level"]


def _same_cells(before: np.ndarray | None, now: np.ndarray) -> bool:
    return before is not None and len(before) == len(now) and bool((before == now).all())


@dataclass(frozen=True)
class _Summing:
    """How a file's transcripts sum into genes: the mapped rows' gene codes."""

    codes: np.ndarray  # (n_mapped,) index into genes
    genes: pd.Index  # in order of first appearance (as groupby(sort=False))
    unmapped: np.ndarray  # (n_transcripts,) bool
    source: str
    genes_lost: tuple[str, ...] | None  # genes all of whose transcripts are unmapped; None: unknown


def _genes_lost(ids: pd.Index, unmapped: np.ndarray) -> tuple[str, ...] | None:
    """Genes whose every transcript is missing from the map, in file order, where the ids
    name their gene (GENCODE's ``ENST...|ENSG...|`` names); None where they do not."""
    parts = ids.str.split("|")
    if not unmapped.any() or parts.str.len().min() < 2:
        return () if not unmapped.any() else None
    gene = parts.str[1].to_numpy()
    kept = set(gene[~unmapped])
    return tuple(dict.fromkeys(str(g) for g in gene[unmapped] if g not in kept))


def _summing(genes: pd.Series, source: str, path: Path) -> _Summing:
    unmapped = genes.isna().to_numpy()
    if unmapped.all():
        raise input_error(f"none of its {len(genes)} transcripts is in the map (e.g. "
                          f"{genes.index[0]!r})", path=path,
                          fix="pass the tx2gene of the annotation the index was built from")
    codes, uniques = pd.factorize(genes.to_numpy()[~unmapped])
    return _Summing(codes, pd.Index(uniques), unmapped, source,
                    _genes_lost(pd.Index(genes.index), unmapped))


def _unused_options(kind: str, strand: Strand, tx2gene: Path | str | None) -> dict[str, Any]:
    """Warn of options the files do not use (they were taken without a word), and say them
    for the record: ``--strand`` (STAR's column only), ``--tx2gene`` (transcript files only)."""
    fmt, out = FORMATS[kind], {}
    if strand != "auto" and kind != "star":
        out["strand_unused"] = strand
        logger.warning("--strand %s is not used: it picks a column of STAR's ReadsPerGene.out.tab, "
                       "and these are %s files (%s)", strand, fmt.tool, "counted for one strand "
                       "by htseq-count -s" if kind == "htseq" else "the quantifier took the "
                       "library type")
    if tx2gene is not None and fmt.level == "gene":
        out["tx2gene_unused"] = True
        logger.warning("--tx2gene is not used: these %s files are gene-level%s", fmt.tool,
                       " (summed by their own gene_id column)" if kind == "rsem_isoforms" else "")
    return out


UNMAPPED_WARN_SHARE = 0.01  # of a sample's values in transcripts the map lacks


def _warn_unmapped(notes: dict[str, Any], values: QuantValues) -> None:
    """Warn when transcripts missing from the map held more than
    :data:`UNMAPPED_WARN_SHARE` of a sample's values (they are left out of every gene);
    the worst sample named, the first transcripts named, the genes lost counted and named
    where the ids name them (every one in ``joined.json``)."""
    shares = notes["unmapped_share"]
    if not shares or max(shares.values()) <= UNMAPPED_WARN_SHARE:
        return
    worst = max(shares, key=shares.__getitem__)
    lost, lost_ids = notes.get("genes_lost_unmapped"), notes.get("genes_lost_unmapped_ids")
    logger.warning(
        "%s of %s transcripts are not in the map (%s), e.g. %s (all in joined.json): their %s "
        "are left out, %.1f%% of sample %s's (the most; %.1f%% on average)%s: pass the tx2gene "
        "of the annotation the index was built from", f"{notes['unmapped_transcripts']:,}",
        f"{notes['transcripts']:,}", notes["gene_map"],
        some_ids(notes.get("unmapped_transcript_ids") or []),
        "reads" if values == "counts" else "TPM", 100 * shares[worst], worst,
        100 * float(np.mean(list(shares.values()))),
        "" if lost is None else f"; {lost:,} genes lost (none of their transcripts in the map"
        + (f": {some_ids(lost_ids)})" if lost_ids else ")"))


def assemble_quant_dir(quant_dir: Path | str, out_dir: Path | str, *,
                       values: QuantValues = "counts", strand: Strand = "auto",
                       tx2gene: Path | str | None = None) -> tuple[Path, dict[str, Any]]:
    """Join a folder's per-sample files into ``out_dir/expression.tsv.gz`` (+ ``joined.json``).

    Parameters
    ----------
    quant_dir
        Folder searched recursively (see the module's table).
    out_dir
        Where the joined matrix and its record are written (created; both atomically).
    values
        ``counts`` (default; what ``prepare`` normalises) or ``tpm``. Estimated counts
        (Salmon, kallisto, RSEM) are rounded to integers, and the change counted.
    strand
        STAR only: ``auto`` (from the read-1 strand share, see :func:`star_strand`) or the
        library's ``unstranded`` / ``forward`` / ``reverse``.
    tx2gene
        Transcript → gene table (first two columns; a header optional) for transcript-level
        files. Without it: GENCODE's ``ENST...|ENSG...|...`` names, else the folder's own
        ``tx2gene.tsv`` (nf-core/rnaseq writes one beside the samples' folders).

    Returns
    -------
    tuple
        The genes × samples matrix's path (columns: sample names, sorted) and the join's
        record (what ``joined.json`` holds; its ``warnings``: every warning said on the way).
    """
    if values not in QUANT_VALUES:
        raise input_error(f"unknown values {values!r}", where="--quant-values",
                          fix=f"use one of {', '.join(QUANT_VALUES)}")
    if strand not in STRANDS:
        raise input_error(f"unknown strand {strand!r}", where="--strand",
                          fix=f"use one of {', '.join(STRANDS)}")
    quant_dir, out_dir = Path(quant_dir), Path(out_dir)
    said: list[str] = []  # the join's warnings, kept in joined.json and so in the bundle's record
    with warnings_said(said):
        kind, files, skipped = find_quant_files(quant_dir)
        absent = samples_without_file(quant_dir, kind, files)
        if absent:  # a failed or unfinished run: said and counted, as the GDC route's
            logger.warning("%d sample folder(s) in %s hold no %s file (e.g. %s): left out (a "
                           "failed or unfinished run? quantify them again, or move their folders "
                           "out)", len(absent), quant_dir, FORMATS[kind].tool, absent[0])
        unused = _unused_options(kind, strand, tx2gene)
        given = (read_tx2gene(tx2gene), "--tx2gene") if (
            tx2gene is not None and "tx2gene_unused" not in unused) else None
        own = next((quant_dir / n for n in _FOLDER_MAPS if (quant_dir / n).is_file()), None)
        found = (read_tx2gene(own), f"{own.name} in the folder") if (
            own is not None and given is None and FORMATS[kind].level == "transcript") else None
        notes: dict[str, Any] = {"summary_rows": {}, "read1_strand_share": {}, "strand": {},
                                 "unmapped_value": 0.0, "unmapped_share": {}, **unused}
        cols: dict[str, pd.Series] = {}
        memo: dict[str, Any] = {}
        first_path: Path | None = None
        for sample, path in sorted(files.items()):
            s = _sample_column(sample, path, kind, values, strand, (given, found), notes, memo)
            first = next(iter(cols.values()), None)
            if first is not None and not (len(s) == len(first) and s.index.isin(first.index).all()):
                raise genes_differ(s.index, first.index, path, first_path, quant_dir)
            cols[sample], first_path = (s if first is None else s.reindex(first.index)), path
        _warn_unmapped(notes, values)
        warn_strand_against(strand, notes.get("strand_against_data", {}),
                            notes["read1_strand_share"])
        matrix = pd.DataFrame(cols)
        matrix.index.name = "gene_id"
        rounded = 0
        if values == "counts":
            flat = matrix.to_numpy()
            # the files give at most a few decimals: a sum exactly at a half (184.5 from six
            # transcripts) goes to the even count, not wherever float noise put it
            whole = np.rint(np.round(flat, 6))
            rounded = int((whole != flat).sum())
            matrix = pd.DataFrame(whole.astype(np.int64), index=matrix.index, columns=matrix.columns)
        column = FORMATS[kind].tpm if values == "tpm" else FORMATS[kind].counts
        if kind in ("star", "htseq"):
            column = ", ".join(f"column {STAR_COLUMN[k] + 1} ({k})" for k in notes["strand"]
                               ) if kind == "star" else (
                                   f"column {notes.get('htseq_count_column', 2)}")
        record = {"tool": FORMATS[kind].tool, "folder": str(quant_dir.resolve()), "values": values,
                  "value_column": column,
                  "samples": {s: str(p.relative_to(quant_dir)) for s, p in sorted(files.items())},
                  "skipped_files": [str(p.relative_to(quant_dir)) for p in skipped
                                    if found is None or p != own or notes.get("gene_map") != found[1]],
                  "samples_without_file": absent,
                  "genes": int(matrix.shape[0]), "counts_rounded": rounded, **notes}
        out_dir.mkdir(parents=True, exist_ok=True)
        expr_path = out_dir / "expression.tsv.gz"
        with atomic_file(expr_path) as tmp, gzip.open(tmp, "wt", compresslevel=3) as fh:
            matrix.to_csv(fh, sep="\t", float_format=None if values == "counts" else "%.10g")
    record["warnings"] = said
    with atomic_file(out_dir / "joined.json") as tmp:
        tmp.write_text(json.dumps(record, indent=1) + "\n")
    logger.info("joined %d %s files (%s) into %s: %d genes x %d samples", len(files),
                FORMATS[kind].tool, values, expr_path, *matrix.shape)
    return expr_path, record
