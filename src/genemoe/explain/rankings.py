"""Per-class gene rankings from per-sample attributions.

For each class, the samples of that class (predicted by the model, or labelled: an
option) are pooled; each gene gets the mean attribution over them (signed: positive
pushes towards the explained output) and the mean |attribution| (how much the gene moved
the output either way). Genes are ranked by the signed mean, descending: rank 1 is the
gene that most supports the class (or, for survival, most raises the risk).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["rank_genes", "RANK_COLUMNS"]

RANK_COLUMNS = ("class", "rank", "gene_id", "symbol", "mean_attribution",
                "mean_abs_attribution", "n_samples")


def rank_genes(attributions: np.ndarray, groups: Sequence[str] | np.ndarray, *,
               gene_ids: Sequence[str], symbols: Sequence[str] | None = None,
               top: int | None = None,
               order: Literal["mean", "mean_abs"] = "mean") -> pd.DataFrame:
    """Ranked genes per group.

    Parameters
    ----------
    attributions
        ``(n_samples, n_genes)``.
    groups
        ``(n_samples,)`` class name of each sample (predicted or labelled); for survival
        one group, e.g. ``"risk"``.
    gene_ids, symbols
        ``(n_genes,)`` identifiers; symbols default to the gene ids where missing.
    top
        Keep only the first ``top`` genes of each class (None: all).
    order
        Rank by the signed mean (default) or by the mean |attribution|.

    Returns
    -------
    pd.DataFrame
        Columns :data:`RANK_COLUMNS`, classes in sorted order, ranks from 1.
    """
    A = np.asarray(attributions, np.float64)
    groups = np.asarray(groups, dtype=object)
    if A.ndim != 2 or len(groups) != A.shape[0] or len(gene_ids) != A.shape[1]:
        raise ValueError(f"attributions {A.shape}, {len(groups)} groups and {len(gene_ids)} genes disagree")
    gene_ids = np.asarray(gene_ids, dtype=object)
    sym = np.asarray(symbols if symbols is not None else gene_ids, dtype=object)
    sym = np.where(pd.isna(sym), gene_ids, sym)
    frames = []
    for cls in sorted(set(groups.tolist())):
        rows = groups == cls
        mean, mean_abs = A[rows].mean(0), np.abs(A[rows]).mean(0)
        key = mean if order == "mean" else mean_abs
        idx = np.argsort(-key, kind="stable")[:top]
        frames.append(pd.DataFrame({
            "class": cls, "rank": np.arange(1, len(idx) + 1), "gene_id": gene_ids[idx],
            "symbol": sym[idx], "mean_attribution": mean[idx], "mean_abs_attribution": mean_abs[idx],
            "n_samples": int(rows.sum()),
        }))
    if not frames:
        return pd.DataFrame(columns=list(RANK_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(RANK_COLUMNS)]
