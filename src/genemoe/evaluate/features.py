"""Latent-feature analysis (paper section III-C, Fig. 8): the pure measurements.

Leading features are the latent dimensions with the highest variance across samples;
:func:`pearson_matrix` correlates them with every gene; :func:`strong_genes` keeps the
genes whose mean ``|r|`` over them passes a threshold; :func:`knn_mixing_score` measures
how well real and reconstructed profiles mix, :func:`variance_share` how much of the
real samples' spread the reconstructions keep; :func:`embed` draws 2-D embeddings. The
workflow that reads a run and a bundle and writes a features directory is
:mod:`genemoe.workflows.features`.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["pearson_matrix", "leading_features", "strong_genes", "knn_mixing_score", "embed",
           "umap_available", "variance_share"]

logger = logging.getLogger(__name__)



# ---------------------------------------------------------------------------- pure functions


def pearson_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of every column of ``a`` ``(n, p)`` with every column of ``b`` ``(n, q)``.

    Columns are standardised and multiplied: ``r = zaᵀ zb / n`` ``(p, q)``, float64. A
    constant column has no correlation: its entries are NaN.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0] or a.shape[0] < 2:
        raise ValueError(f"need (n, p) and (n, q) with n >= 2, got {a.shape} and {b.shape}")

    def standardise(m: np.ndarray) -> np.ndarray:
        m = m - m.mean(0)
        sd = np.sqrt((m * m).mean(0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(sd > 0, m / np.where(sd > 0, sd, 1), np.nan)

    r = standardise(a).T @ standardise(b) / a.shape[0]  # (p, q)
    return np.clip(r, -1.0, 1.0)


def leading_features(latent: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_features`` columns of ``latent`` ``(n, latent)`` with the highest variance.

    Returns their indices (highest variance first; ties broken by index) and variances.
    """
    var = np.asarray(latent, np.float64).var(0)
    order = np.lexsort((np.arange(len(var)), -var))[: min(n_features, len(var))]
    return order, var[order]


def strong_genes(r: np.ndarray, gene_ids: np.ndarray, symbols: np.ndarray | None = None, *,
                 threshold: float | None = None) -> pd.DataFrame:
    """Genes ranked by mean ``|r|`` over the leading features (rows of ``r`` ``(p, n_genes)``).

    Columns ``gene_id``, ``symbol``, ``mean_abs_r`` and ``column`` (the gene's column in
    ``r``), sorted descending; genes whose r is
    undefined (constant across the samples) are left out. With ``threshold``, only genes
    whose mean ``|r|`` exceeds it.
    """
    with np.errstate(invalid="ignore"):
        score = np.abs(r).mean(0)  # NaN where the gene is constant
    table = pd.DataFrame({"gene_id": np.asarray(gene_ids, dtype=object),
                          "symbol": np.asarray(symbols if symbols is not None
                                               else [""] * len(score), dtype=object),
                          "mean_abs_r": score, "column": np.arange(len(score))})
    table = table[np.isfinite(score)]
    if threshold is not None:
        table = table[table["mean_abs_r"] > threshold]
    return table.sort_values(["mean_abs_r", "gene_id"], ascending=[False, True],
                             ignore_index=True)


def knn_mixing_score(x: np.ndarray, is_b: np.ndarray, *, k: int = 15) -> dict[str, float]:
    """How well two point sets mix: mean share of each point's ``k`` neighbours from the other set.

    Parameters
    ----------
    x
        Points of both sets ``(n, d)`` (Euclidean distance).
    is_b
        ``(n,)`` bool: which set each point belongs to.
    k
        Neighbours per point (itself excluded); capped at ``n - 1``.

    Returns
    -------
    dict
        ``score`` (0 = separate sets; ``expected_if_mixed`` for sets drawn from one
        distribution, 0.5 for equal sizes), ``expected_if_mixed`` =
        ``2 n_a n_b / (n (n - 1))``, ``score_a``/``score_b`` (the mean over each set's own
        points: a set ``b`` shrunk or collapsed toward the other's centre shows as
        ``score_a`` ≫ ``score_b``: its points crowd the other set's neighbourhoods, while
        their own neighbours are each other; real 0.91, reconstructed 0.00), ``k``,
        ``n_a``, ``n_b``.
    """
    from sklearn.neighbors import NearestNeighbors

    x, is_b = np.asarray(x, np.float64), np.asarray(is_b, bool)
    n, n_b = len(x), int(is_b.sum())
    n_a = n - n_b
    if n_a == 0 or n_b == 0 or n < 3:
        raise ValueError(f"need points of both sets and n >= 3 (got {n_a} and {n_b})")
    k = int(min(k, n - 1))
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x)  # (n, k + 1)
    # Drop each point itself (the first column, unless a duplicate took its place).
    own = idx == np.arange(n)[:, None]
    keep = np.where(own.any(1, keepdims=True), ~own, np.arange(k + 1) < k)
    neigh = idx[keep].reshape(n, k)
    other = (is_b[neigh] != is_b[:, None]).mean(1)  # (n,) share of each point's neighbours
    return {"score": float(other.mean()), "expected_if_mixed": 2 * n_a * n_b / (n * (n - 1)),
            "score_a": float(other[~is_b].mean()), "score_b": float(other[is_b].mean()),
            "k": k, "n_a": n_a, "n_b": n_b}


def variance_share(real: np.ndarray, recon: np.ndarray) -> float:
    """The reconstructions' share of the real samples' between-sample variance.

    Parameters
    ----------
    real, recon
        ``(n, n_genes)`` real and reconstructed profiles, in one (scaled) space.

    Returns
    -------
    float
        ``Σ_g var(recon_g) / Σ_g var(real_g)`` over samples: 1 where the reconstructions
        spread as the real samples do, below where they are shrunk toward the mean, near 0
        where every sample gets much the same profile (a collapse); NaN where the real
        samples do not vary.

    Examples
    --------
    >>> x = np.arange(12.0).reshape(4, 3)
    >>> round(variance_share(x, 0.5 * x), 3)
    0.25
    """
    real, recon = np.asarray(real, np.float64), np.asarray(recon, np.float64)
    if real.shape != recon.shape or real.ndim != 2:
        raise ValueError(f"need two (n, n_genes) arrays of one shape, got {real.shape} and "
                         f"{recon.shape}")
    total = float(real.var(0).sum())
    return float(recon.var(0).sum()) / total if total > 0 else float("nan")


def umap_available() -> bool:
    """Whether ``umap-learn`` can be imported (UMAP is optional)."""
    return importlib.util.find_spec("umap") is not None


def embed(x: np.ndarray, method: Literal["tsne", "umap"], *, seed: int = 0,
          n_pca: int = 50) -> np.ndarray:
    """2-D embedding ``(n, 2)`` of ``x`` ``(n, d)``: PCA to ``n_pca`` dims, then t-SNE or UMAP.

    The PCA step (standard before t-SNE on thousands of genes) keeps the cost down;
    perplexity (t-SNE) and ``n_neighbors`` (UMAP) shrink for small ``n``.
    """
    from sklearn.decomposition import PCA

    x = np.asarray(x, np.float64)
    n = len(x)
    n_comp = min(n_pca, n - 1, x.shape[1])
    if n_comp < x.shape[1]:
        x = PCA(n_components=n_comp, random_state=seed).fit_transform(x)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, max(2.0, (n - 1) / 3.0)))
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                    ).fit_transform(x)
    if method == "umap":
        import umap  # optional dependency; callers check umap_available()

        with warnings.catch_warnings():  # a seeded UMAP runs on one thread, and says so
            warnings.filterwarnings("ignore", message=r"n_jobs value .* overridden",
                                    category=UserWarning)
            return umap.UMAP(n_components=2, n_neighbors=int(min(15, n - 1)), random_state=seed,
                             ).fit_transform(x)
    raise ValueError(f"unknown embedding {method!r}")
