"""Per-sample normalisation of expression (no statistic crosses samples, so no leakage).

Raw counts become log2(CPM + 1), log2(TPM + 1) or log2(FPKM-UQ + 1) (the GDC's
definition, the Gene-MOE paper's input); data already on a log scale pass through;
linear non-count values (TPM, RSEM, FPKM) become log2(x + 1).
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np

from genemoe.data.read import ExpressionTable
from genemoe.errors import input_error

__all__ = ["Normalisation", "resolve_normalisation", "normalise_values", "NEEDS_LENGTH"]

log = logging.getLogger(__name__)

Normalisation = Literal["auto", "log2cpm", "log2tpm", "fpkm_uq", "log2p1", "none"]
NEEDS_LENGTH = ("log2tpm", "fpkm_uq")


def resolve_normalisation(requested: Normalisation, table: ExpressionTable, *,
                          have_lengths: bool) -> str:
    """Pick the concrete normalisation for ``table``.

    ``auto``: counts → ``fpkm_uq`` when gene lengths are known (the paper's input scale),
    else ``log2cpm``; already-log data → ``none``; linear values → ``log2p1``.
    A count method asked of non-count data is refused with a clear error.
    """
    kind = table.value_kind
    if requested == "auto":
        if kind == "counts":
            return "fpkm_uq" if have_lengths else "log2cpm"
        return "none" if kind == "log" else "log2p1"
    if requested in ("log2cpm", "log2tpm", "fpkm_uq") and kind != "counts":
        raise input_error(
            f"--normalisation {requested} needs raw counts, but the values look {kind}",
            path=table.source_path,
            fix="use --normalisation auto (recognises log data) or log2p1 / none",
        )
    if requested in NEEDS_LENGTH and not have_lengths:
        raise input_error(
            f"--normalisation {requested} needs gene lengths", path=table.source_path,
            fix="pass --annotation (e.g. ensembl105_genes.tsv.gz) or use --normalisation log2cpm",
        )
    return requested


def normalise_values(values: np.ndarray, method: str, *,
                     lengths: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """Normalise ``values`` ``(n_samples, n_genes)`` sample by sample.

    Parameters
    ----------
    values
        Counts or expression, ``(n_samples, n_genes)``.
    method
        A resolved method (see :func:`resolve_normalisation`).
    lengths
        ``(n_genes,)`` gene lengths in bases (``log2tpm``, ``fpkm_uq``).

    Returns
    -------
    tuple
        float32 ``(n_samples, n_genes)`` log-scale matrix, and a dict of notes
        (e.g. negative values clipped, samples with zero library size).
    """
    X = np.asarray(values, dtype=np.float32)
    notes: dict = {"method": method}
    if method == "none":
        return X, notes
    if method == "log2p1":
        n_neg = int((X < 0).sum())
        if n_neg:
            notes["negative_values_clipped_to_0"] = n_neg
        X = np.log2(np.clip(X, 0, None) + 1, dtype=np.float32)
        return X, notes
    X64 = X.astype(np.float64)
    if method == "log2cpm":
        lib = X64.sum(1, keepdims=True)
        out = X64 / np.where(lib > 0, lib, 1) * 1e6
    elif method == "log2tpm":
        rate = X64 / (np.asarray(lengths, np.float64) / 1e3)
        tot = rate.sum(1, keepdims=True)
        out = rate / np.where(tot > 0, tot, 1) * 1e6
    elif method == "fpkm_uq":
        # GDC: FPKM-UQ = RC_g * 1e9 / (RC_g75 * L_g); RC_g75 = 75th percentile of the
        # sample's read counts over the genes with at least one read in that sample.
        uq = np.array([np.percentile(r[r > 0], 75) if (r > 0).any() else 0.0 for r in X64])
        out = X64 * 1e9 / (np.where(uq > 0, uq, 1)[:, None] * np.asarray(lengths, np.float64))
    else:
        raise ValueError(f"unknown normalisation {method!r}")
    n_empty = int((X64.sum(1) == 0).sum())
    if n_empty:
        notes["samples_with_zero_library"] = n_empty
        log.warning("%d samples have no counts at all; they normalise to zeros", n_empty)
    return np.log2(out + 1).astype(np.float32), notes
