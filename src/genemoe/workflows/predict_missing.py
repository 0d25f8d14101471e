"""The model's genes a file given to ``genemoe predict`` lacks, named (a probe: "at most
1,897 of the model's 19,400 per sample", and none of the 1,897 ids anywhere, while the
record listed all 33,321 file genes the model does not read).

Two kinds are told apart: genes **absent from the file** (no column after the id mapping
and normalisation, or no finite value in any sample), named in the record
(``missing_gene_ids``, with ``missing_gene_symbols`` where the model has symbols), and genes
**missing in some samples** only (NaN cells), counted (``n_genes_missing_in_some_samples``,
``max_missing_in_some_samples``; per sample in the output's ``n_missing_genes``). Both are
filled with the training mean.

Up to :data:`MISSING_INLINE` absent genes are kept in the record itself; more go to
``<out stem>.missing_genes.tsv`` beside the predictions (``gene_id``, ``symbol``), written
atomically, and the record's ``missing_genes_file`` names it. At ~45 bytes a gene in the
record's indented JSON, 5,000 genes add ~0.2 MB; the default ``--max-missing 0.2`` of a
protein-coding model (~19,000 genes) stays under it, so the side file is for
whole-transcriptome models or a raised ``--max-missing`` (60,000 genes at 0.9 would add
~2.4 MB to a record read by people and ``json.load``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genemoe.data.bundle import atomic_write_text
from genemoe.data.crossscale import GENE_SET_SHIFT_WARN, missing_genes_shift

if TYPE_CHECKING:
    from genemoe.data.read import ExpressionTable

__all__ = ["MISSING_INLINE", "side_file_needed", "missing_genes_report", "missing_genes_path", "keep_missing_list",
           "missing_gene_names", "gene_set_shift", "gene_set_shift_words"]

MISSING_INLINE = 5_000  # absent genes kept in record.json; more go to a side file


def _symbol(value: Any) -> str | None:
    """A model symbol as text, None where it has none (None, NaN, "", "None", "nan")."""
    if value is None or value != value or str(value) in ("", "None", "nan"):
        return None
    return str(value)


def missing_genes_report(table: ExpressionTable, gene_ids: Sequence[str],
                         symbols: Sequence[Any] | None = None) -> dict[str, Any]:
    """The record's account of the model's genes ``table`` lacks.

    Parameters
    ----------
    table
        The samples as the model's input is built from them (gene ids mapped, normalised):
        the table :func:`~genemoe.workflows.predict_align.align_to_model` reads.
    gene_ids
        The model's genes ``(n_genes,)``.
    symbols
        Their symbols ``(n_genes,)`` (the model file's), or None.

    Returns
    -------
    dict
        ``n_genes_absent_from_file`` and ``missing_gene_ids`` (the model's genes with no
        finite value in any sample, in the model's order), ``missing_gene_symbols``
        (parallel, None where the model has no symbol; only with ``symbols``),
        ``n_genes_missing_in_some_samples`` (genes with a value in some samples but not
        all) and ``max_missing_in_some_samples`` (the most of those one sample lacks).
    """
    ids = np.asarray(gene_ids, dtype=str)
    pos = pd.Index(table.gene_ids).get_indexer(ids)
    values = np.asarray(table.values)
    finite = np.zeros((values.shape[0], len(ids)), bool)
    finite[:, pos >= 0] = np.isfinite(values[:, pos[pos >= 0]])
    absent = ~finite.any(0) if values.shape[0] else pos < 0
    partial = ~absent & ~finite.all(0)
    out: dict[str, Any] = {
        "n_genes_absent_from_file": int(absent.sum()),
        "missing_gene_ids": ids[absent].tolist()}
    if symbols is not None:
        out["missing_gene_symbols"] = [_symbol(symbols[i]) for i in np.flatnonzero(absent)]
    out["n_genes_missing_in_some_samples"] = int(partial.sum())
    out["max_missing_in_some_samples"] = (int((~finite[:, partial]).sum(1).max())
                                          if partial.any() else 0)
    return out


def side_file_needed(n_absent: int) -> bool:
    """True where ``n_absent`` genes are too many for the record (:data:`MISSING_INLINE`)."""
    return n_absent > MISSING_INLINE


def missing_genes_path(out_path: Path) -> Path:
    """``<out stem>.missing_genes.tsv`` beside the predictions."""
    return out_path.with_suffix(".missing_genes.tsv")


def keep_missing_list(report: dict[str, Any], out_path: Path, record_name: str) -> Path | None:
    """Keep the absent genes' list where :data:`MISSING_INLINE` says, in place on ``report``.

    Up to :data:`MISSING_INLINE` genes stay in the record (``missing_genes_file`` None);
    more are written to :func:`missing_genes_path` (``gene_id``, ``symbol``; atomically),
    the record's ``missing_gene_ids`` and ``missing_gene_symbols`` then None and its
    ``missing_genes_file`` that path. ``missing_genes_at`` says where they are, for the
    terminal (``p.record.json: missing_gene_ids`` or the side file's name).

    Returns
    -------
    Path or None
        The side file written, None where the list stayed in the record.
    """
    ids = report.get("missing_gene_ids") or []
    if not side_file_needed(len(ids)):
        report["missing_genes_file"] = None
        report["missing_genes_at"] = f"{record_name}: missing_gene_ids"
        return None
    path = missing_genes_path(out_path)
    symbols = report.get("missing_gene_symbols") or [None] * len(ids)
    table = pd.DataFrame({"gene_id": ids, "symbol": symbols})
    atomic_write_text(path, table.to_csv(index=False, sep="\t"))
    report["missing_gene_ids"] = None
    if "missing_gene_symbols" in report:
        report["missing_gene_symbols"] = None
    report["missing_genes_file"] = str(path)
    report["missing_genes_at"] = path.name
    return path


def missing_gene_names(report: dict[str, Any], k: int = 3) -> list[str]:
    """The first ``k`` absent genes, by symbol where the model has one, else by id
    (from the record's lists, or its side file's)."""
    ids = report.get("missing_gene_ids")
    symbols = report.get("missing_gene_symbols")
    if ids is None and report.get("missing_genes_file"):
        head = pd.read_csv(report["missing_genes_file"], sep="\t", nrows=k, dtype=str,
                           keep_default_na=False)
        ids, symbols = head["gene_id"].tolist(), head["symbol"].tolist()
    ids = list(ids or [])[:k]
    symbols = list(symbols or [None] * len(ids))[:k]
    return [_symbol(s) or str(g) for g, s in zip(ids, symbols, strict=True)]


def gene_set_shift(table: ExpressionTable, gene_ids: Sequence[str], levels: np.ndarray | None,
                   lengths: Sequence[float] | None, method: str, *,
                   block_rows: int = 256) -> dict[str, Any] | None:
    """How far the model's own count normalisation, taken over a file lacking some of the
    model's genes, left its samples off the model's scale (log2 units,
    :func:`~genemoe.data.crossscale.missing_genes_shift`): the median, range and the samples
    beyond :data:`~genemoe.data.crossscale.GENE_SET_SHIFT_WARN`; None where no gene is
    absent, the normalisation has no per-sample total or quartile, or the model keeps no
    training levels. A file of 95% of the genes lacking the most-counted 5% (69% of the
    reads) moved every FPKM-UQ value ~0.9 log2 up, unsaid (its gene count was training's).

    ``table``: normalised over its genes; ``levels`` ``(n_genes,)``: the model's training
    means; ``lengths``: its genes' lengths (FPKM-UQ).
    """
    pos = pd.Index(table.gene_ids).get_indexer(list(gene_ids))
    present = pos >= 0
    if levels is None or present.all() or not present.any() or not len(table.sample_ids):
        return None
    length = None if lengths is None else np.asarray(lengths, np.float64)
    parts = []
    for i in range(0, len(table.sample_ids), block_rows):
        block = np.zeros((min(block_rows, len(table.sample_ids) - i), len(present)))
        block[:, present] = np.asarray(table.values[i:i + block_rows])[:, pos[present]]
        part = missing_genes_shift(block, levels, length, present, method)
        if part is None:
            return None
        parts.append(part)
    shift = np.concatenate(parts)
    ok = np.isfinite(shift)
    if not ok.any():
        return None
    return {"median_log2": round(float(np.median(shift[ok])), 3),
            "min_log2": round(float(shift[ok].min()), 3), "max_log2": round(float(shift[ok].max()), 3),
            "n_samples_beyond": int((np.abs(shift[ok]) > GENE_SET_SHIFT_WARN).sum()),
            "n_samples": int(ok.sum()), "warn_above": GENE_SET_SHIFT_WARN,
            "n_absent_genes": int((~present).sum()), "n_genes": len(present), "method": method}


def gene_set_shift_words(shift: dict[str, Any] | None) -> str | None:
    """The warning for :func:`gene_set_shift`'s result where its median is beyond its
    threshold, naming the shift and the fix; else None."""
    if not shift or abs(shift["median_log2"]) <= shift["warn_above"]:
        return None
    way = "above" if shift["median_log2"] > 0 else "below"
    unit = {"fpkm_uq": "FPKM-UQ upper quartile", "log2cpm": "CPM library size",
            "log2tpm": "TPM total"}
    return (f"the file lacks {shift['n_absent_genes']:,} of the model's {shift['n_genes']:,} "
            f"genes, and each sample's {unit.get(shift['method'], 'scale')}, taken over the "
            f"genes it holds, puts its values a median {abs(shift['median_log2']):.2f} log2 "
            f"units {way} the model's scale ({shift['min_log2']:.2f} to {shift['max_log2']:.2f}; "
            f"{shift['n_samples_beyond']:,} of {shift['n_samples']:,} samples beyond "
            f"{shift['warn_above']:g}; estimated from the absent genes' training levels): "
            "give the file with all the genes it was quantified with, or --normalisation "
            "quantile (aligns each sample to the training distribution)")
