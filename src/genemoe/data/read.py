"""Readers for the expression, label, clinical and AnnData formats users really have.

(Contract stub: the readers are being written; the dataclass below is fixed.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["ExpressionTable", "Orientation", "ValueKind"]

Orientation = Literal["genes_by_samples", "samples_by_genes"]
ValueKind = Literal["counts", "log", "linear"]


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
        ``"counts"`` (non-negative integers: raw counts), ``"log"`` (already log-scale,
        e.g. log2(x+1)), or ``"linear"`` (non-integer, not log: TPM/RSEM/FPKM).
    notes
        Human-readable notes on what was detected or fixed (reported by ``prepare``).
    sample_meta
        Optional per-sample table carried by the file itself (an ``.h5ad``'s ``obs``),
        indexed by sample id; ``prepare`` can take labels from it.
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

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.values.shape[0]), int(self.values.shape[1]))
