"""Per-sample normalisation of expression (no statistic crosses samples, so no leakage).

Raw counts become log2(CPM + 1), log2(TPM + 1) or log2(FPKM-UQ + 1) (the GDC's
definition, the Gene-MOE paper's input); log2(counts + 1) (Xena ``star_counts``) is first
inverted to the counts; data already on a log scale, and already transformed data
(log-ratios, microarray, z-scores), pass through; linear non-count values (TPM, RSEM,
FPKM) become log2(x + 1), negatives clipped to 0 and counted, refused when more than 0.1%
of the values are below -1 (PanCanAtlas EB++'s small negatives are a trace). Negatives in
log-scale data passed through (log2(x + 1) of x >= 0 has none) are kept, counted and warned
of once; a large share of them is said as a centred file instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import numpy as np

from genemoe.data.read import ExpressionTable
from genemoe.data.values import TRACE_SHARE, estimated_counts_cue, negative_share
from genemoe.errors import input_error

__all__ = ["Normalisation", "check_method", "resolve_normalisation", "normalise_values", "values_scale",
           "NEEDS_LENGTH"]

log = logging.getLogger(__name__)
NORMALISE_BLOCK = 2**22  # values per float64 block of normalise_values (32 MB a temporary)
CENTRED_SHARE = 0.1  # log-scale data with at least this share of negative values: centred

Normalisation = Literal["auto", "log2cpm", "log2tpm", "fpkm_uq", "log2p1", "none"]
NEEDS_LENGTH = ("log2tpm", "fpkm_uq")
COUNT_METHODS = ("log2cpm", "log2tpm", "fpkm_uq")
METHODS = ("auto", *COUNT_METHODS, "log2p1", "none")


def check_method(requested: str) -> None:
    """Refuse a normalisation genemoe does not know (``--normalisation``)."""
    if requested not in METHODS:
        raise input_error(f"unknown normalisation {requested!r}", where="--normalisation",
                          fix=f"use one of {', '.join(METHODS)}")


def resolve_normalisation(requested: Normalisation, table: ExpressionTable, *,
                          have_lengths: bool, subject: str | None = None) -> str:
    """Pick the concrete normalisation for ``table``.

    ``auto``: counts and log2(counts + 1) → ``fpkm_uq`` when gene lengths are known (the
    paper's input scale), else ``log2cpm``; log-scale and transformed data → ``none``;
    linear values → ``log2p1``. A count method asked of non-negative linear values reads
    them as estimated counts (Salmon ``NumReads``, RSEM ``expected_count``, nf-core's
    ``*gene_counts.tsv``); asked of log, transformed or negative values it is refused, as
    is ``log2p1`` asked of log/transformed data. A refusal names the request as ``subject``
    (default ``--normalisation <requested>``, prepare's option).
    """
    check_method(requested)
    said = subject or f"--normalisation {requested}"  # how a refusal names the request
    kind = table.value_kind
    countable = kind in ("counts", "log_counts")
    if requested == "auto":
        if countable:
            return "fpkm_uq" if have_lengths else "log2cpm"
        if kind == "linear" and float(np.min(table.values)) >= 0 and estimated_counts_cue(
                table.values, table.source_path.name):
            log.warning("%s: values read as linear (not all whole) and log2(x + 1)-ed, without "
                        "library-size normalisation, but its name or its mostly whole values say "
                        "estimated counts (Salmon, RSEM, nf-core gene_counts): if so, pass "
                        "--normalisation log2cpm", table.source_path.name)
        return "log2p1" if kind == "linear" else "none"
    if requested in COUNT_METHODS and kind == "linear" and float(np.min(table.values)) >= 0:
        log.info("%s: non-integer values normalised as estimated counts (%s), as asked",
                 table.source_path, requested)  # Salmon / RSEM expected counts, tximport sums
        countable = True
    if requested in COUNT_METHODS and not countable:
        _refuse_count_method(said, table)
    if requested == "log2p1" and kind in ("log", "log_counts", "transformed"):
        raise input_error(
            f"{said} would log values that are already {kind}",
            path=table.source_path, fix="use --normalisation none (or auto)")
    if requested == "none" and kind in ("counts", "linear") and not table.exported_normalisation:
        log.warning("%s: %s keeps %s values as they are (not on a log scale; models and "
                    "explanations expect log2 expression): leave it out (auto) to normalise",
                    table.source_path.name, said, "raw count" if kind == "counts" else "linear")
    if requested in NEEDS_LENGTH and not have_lengths:
        raise input_error(
            f"{said} needs gene lengths", path=table.source_path,
            fix="pass --annotation (e.g. ensembl105_genes.tsv.gz) or use --normalisation log2cpm",
        )
    return requested


def _refuse_count_method(said: str, table: ExpressionTable) -> None:
    """Refuse a count normalisation of values that are not counts; log-scale or transformed
    values are pointed to ``auto`` / ``none`` (the fix offered ``log2p1``, which refuses
    them in turn). Linear values with negatives are named by them: "the values look linear"
    read as if linear values were the trouble, though linear values without negatives are
    taken as estimated counts (the PanCanAtlas EB++ file's 371 negatives down to -0.603
    were the reason, unsaid)."""
    kind, values = table.value_kind, np.asarray(table.values)
    if kind == "linear":
        n_neg = int(np.count_nonzero(values < 0))
        raise input_error(
            f"{said} needs raw counts (or estimated counts: linear values, never negative), "
            f"and {n_neg:,} values are negative (minimum {float(np.min(values)):.3g}; "
            "batch-corrected values such as PanCanAtlas EB++ are not counts)",
            path=table.source_path,
            fix="use --normalisation auto or log2p1 (log2(x + 1), the negatives clipped to 0 "
                "and counted)")
    look = {"log": "log-scale", "transformed": "already transformed (log-ratios, centred or "
            "z-scored)"}.get(kind, kind)  # log2p1 was offered for them: it refuses log values
    raise input_error(
        f"{said} needs raw counts (or log2(counts + 1)), but the values look {look}",
        path=table.source_path,
        fix="use --normalisation auto or none (the values are taken as they are)")


def values_scale(method: str, table: ExpressionTable) -> str:
    """The normalisation ``table``'s values are on once ``method`` has been applied.

    ``method`` itself, except for a ``genemoe export`` passed through unchanged (``none``):
    its values are still on the exported bundle's normalisation (e.g. ``fpkm_uq``), which a
    model trained on them needs to score raw counts the same way.
    """
    if method == "none" and table.exported_normalisation:
        return table.exported_normalisation
    return method


def _clip_negatives(X: np.ndarray, source: Path | str | None, notes: dict) -> np.ndarray:
    """Clip negatives to 0 before log2(x + 1), counted; refused unless they are a trace.

    A trace: at most 0.1% of the values below -1. The small negatives of batch-corrected
    linear data (PanCanAtlas EB++, all near 0) are always clipped.
    """
    n_neg, n_material, vmin = negative_share(X)
    if not n_neg:
        return X
    share = n_material / max(X.size, 1)
    if share > TRACE_SHARE:
        raise input_error(
            f"{n_material} values ({share:.2%}) are below -1, down to {vmin:g}: log2(x + 1) would "
            "clip them to 0 and destroy them (the data look already transformed: log-ratios, "
            "centred or z-scored)", path=source,
            fix="use --normalisation none to keep the values as they are")
    notes["negative_values_clipped_to_0"] = n_neg
    log.warning("%s: %s negative values (minimum %g) clipped to 0 before log2(x + 1)",
                Path(source).name if source is not None else "matrix", f"{n_neg:,}", vmin)
    return np.clip(X, 0, None)


def _log_negatives(X: np.ndarray, source: Path | str | None, sample_ids: np.ndarray | None,
                   notes: dict) -> None:
    """Count the negatives of log-scale values kept as they are, and say them once.

    log2(x + 1) of x >= 0 is never negative: a few negatives are an offset or a batch
    correction (one warning: how many values, in how many samples, an example sample); a
    large share (:data:`CENTRED_SHARE`) reads as a centred file and is said as one.
    Counts go to ``notes`` (``negative_values_kept``, ``samples_with_negative_values``).
    """
    per = np.concatenate([np.count_nonzero(X[r:r + 512] < 0, axis=1)
                          for r in range(0, X.shape[0], 512)] or [np.zeros(0, np.int64)])
    n = int(per.sum())
    if not n:
        return
    notes["negative_values_kept"], notes["samples_with_negative_values"] = n, int((per > 0).sum())
    name = Path(source).name if source is not None else "matrix"
    share = n / max(X.size, 1)
    if share >= CENTRED_SHARE:
        log.warning("%s: %.0f%% of the log-scale values are negative: the file looks centred "
                    "(log-ratios or mean-centred log expression), kept as they are; the gene "
                    "filter and models made for log2(x + 1) expression may not suit it",
                    name, 100 * share)
        return
    i = int(np.argmax(per))
    who = f"sample {sample_ids[i]!r}" if sample_ids is not None else f"sample number {i + 1}"
    log.warning("%s: %s negative value(s) in %s sample(s) of log-scale data (e.g. %s: %s, minimum "
                "%g), which log2(x + 1) of x >= 0 cannot give: kept as they are; check how the "
                "file was made (an offset, a batch correction?)", name, f"{n:,}",
                f"{notes['samples_with_negative_values']:,}", who, f"{int(per[i]):,}",
                float(X[i].min()))


def normalise_values(values: np.ndarray, method: str, *, lengths: np.ndarray | None = None,
                     value_kind: str | None = None, source: Path | str | None = None,
                     sample_ids: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """Normalise ``values`` ``(n_samples, n_genes)`` sample by sample.

    Parameters
    ----------
    values
        Counts or expression, ``(n_samples, n_genes)``.
    method
        A resolved method (see :func:`resolve_normalisation`).
    lengths
        ``(n_genes,)`` gene lengths in bases (``log2tpm``, ``fpkm_uq``).
    value_kind
        The table's value kind; ``"log_counts"`` with a count method inverts
        log2(x + 1) to the counts first (rounded to whole numbers).
    source
        The file, named in errors (clipping refused) and warnings.
    sample_ids
        ``(n_samples,)`` ids, one named as an example of negative log-scale values.

    Returns
    -------
    tuple
        float32 ``(n_samples, n_genes)`` log-scale matrix, and a dict of notes
        (e.g. negative values clipped, samples with zero library size, negative log-scale
        values kept).

    Raises
    ------
    InputError
        ``log2p1`` on data with more than a trace of clearly negative values.
    """
    X = np.asarray(values, dtype=np.float32)
    notes: dict = {"method": method}
    if method == "none":
        if value_kind in ("log", "log_counts"):  # transformed data: negatives are expected
            _log_negatives(X, source, sample_ids, notes)
        return X, notes
    if method == "log2p1":
        X = _clip_negatives(X, source, notes)
        return np.log2(X + 1, dtype=np.float32), notes
    if value_kind == "log_counts":
        notes["inverted"] = "log2(x + 1) -> counts (2^x - 1, rounded)"
    if method not in ("log2cpm", "log2tpm", "fpkm_uq"):
        raise ValueError(f"unknown normalisation {method!r}")
    if X.shape[1] == 0:  # "N samples have no counts at all" was said of a table of no genes
        raise input_error(f"no gene is left to normalise ({method} is taken over each "
                          "sample's genes)", path=source,
                          fix="check that the gene ids match the annotation (gene lengths are "
                              "looked up by its Ensembl ids)")
    # a block of samples at a time in float64 (each sample is normalised alone, so the
    # result is the whole matrix's): the whole matrix in float64 peaked at 8x its float32
    # size (3,000 x 25,000: +2.3 GB in this one call)
    out = np.empty(X.shape, np.float32)
    n_empty, rows = 0, max(1, NORMALISE_BLOCK // max(X.shape[1], 1))
    for i in range(0, X.shape[0], rows):
        out[i:i + rows], empty = _normalise_block(X[i:i + rows], method, lengths, value_kind)
        n_empty += empty
    if n_empty:
        notes["samples_with_zero_library"] = n_empty
        log.warning("%s%s no counts at all; %s to zeros",
                    f"{Path(source).name}: " if source is not None else "",  # which file's
                    f"{n_empty:,} sample" + (" has" if n_empty == 1 else "s have"),
                    "it normalises" if n_empty == 1 else "they normalise")  # "1 samples have"
    return out, notes


def _normalise_block(X: np.ndarray, method: str, lengths: np.ndarray | None,
                     value_kind: str | None) -> tuple[np.ndarray, int]:
    """:func:`normalise_values` of a block of samples ``(n_block, n_genes)`` in float64:
    the log-scale block and how many of its samples had no counts."""
    X64 = X.astype(np.float64)
    if value_kind == "log_counts":
        X64 = np.rint(np.exp2(X64) - 1)
    if method == "log2cpm":
        lib = X64.sum(1, keepdims=True)
        out = X64 / np.where(lib > 0, lib, 1) * 1e6
    elif method == "log2tpm":
        rate = X64 / (np.asarray(lengths, np.float64) / 1e3)
        tot = rate.sum(1, keepdims=True)
        out = rate / np.where(tot > 0, tot, 1) * 1e6
    else:
        # The GDC's HTSeq-era FPKM-UQ = RC_g * 1e9 / (RC_g75 * L_g); RC_g75 = 75th percentile
        # of the sample's read counts over the genes with at least one read in that sample.
        # Its STAR files (Xena's star_fpkm-uq) divide by U x G instead (U over autosomal
        # protein-coding genes with a read, G their number): ~15 log2 units lower
        # (benchmarks/fpkm_uq_forms.py).
        uq = np.array([np.percentile(r[r > 0], 75) if (r > 0).any() else 0.0 for r in X64])
        out = X64 * 1e9 / (np.where(uq > 0, uq, 1)[:, None] * np.asarray(lengths, np.float64))
    return np.log2(out + 1).astype(np.float32), int((X64.sum(1) == 0).sum())
