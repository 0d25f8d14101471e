"""Checks of an image model's layout options, and the facts a genomic layout records.

Split from :mod:`genemoe.models.image` (which re-exports these names): what an image
model's config may combine (``layout``, ``embedding``, ``gene_order``, ``image_size``,
``grid_size``) and how a ``genomic`` layout placed genes without a position
(:func:`genomic_placement`, kept on the fitted :class:`~genemoe.models.image.Layout` and in
a run's image record).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from genemoe.errors import input_error

__all__ = ["EMBEDDINGS", "layout_embedding", "check_gene_order", "check_image_sides",
           "has_positions", "known_positions", "genomic_placement"]

EMBEDDINGS = ("pca", "tsne")  # how the similarity layout places genes (`embedding:`)


def layout_embedding(model_name: str, config: dict[str, Any]) -> str | None:
    """The 2-D gene embedding a ``similarity`` layout is fitted by (``embedding`` in an image
    model's config: ``pca``, the default, or ``tsne``); None for another layout.

    An ``embedding`` given with another layout is refused, ``pca`` as ``tsne`` (it would
    change nothing, unsaid; ``pca`` was kept in config.yaml as if it had placed the genes).
    """
    value = config.get("embedding")
    where = f"model.{model_name}.embedding"
    if value is not None and value not in EMBEDDINGS:
        raise input_error(f"embedding must be pca or tsne, got {value!r}", where=where,
                          fix="use embedding: pca (the default) or tsne")
    layout = config.get("layout", "reshape")
    if layout != "similarity":
        if value is not None:
            raise input_error(f"embedding {value} places genes only in the similarity layout, "
                              f"and the layout is {layout}", where=where,
                              fix="add layout: similarity (--layout similarity), or drop embedding")
        return None
    return value or "pca"


def check_gene_order(model_name: str, config: dict[str, Any]) -> None:
    """Refuse ``gene_order`` with a layout that places the genes itself.

    ``gene_order`` is the order the ``reshape`` layout folds the genes in; with ``layout:
    genomic`` or ``similarity`` it replaced their placement (the saved map was the given
    order for every gene) while the run recorded the layout named.
    """
    layout = config.get("layout", "reshape")
    if config.get("gene_order") is None or layout not in ("genomic", "similarity"):
        return
    placed_by = {"genomic": "gene positions", "similarity": "the genes' training expression"}
    raise input_error(
        f"gene_order is the order of the reshape layout, and the layout is {layout} (genes "
        f"placed by {placed_by[layout]}): the given order would replace it",
        where=f"model.{model_name}.gene_order",
        fix=f"drop gene_order to use the {layout} layout, or set layout: reshape "
            "(--layout reshape) to fold the genes in gene_order")


def check_image_sides(model_name: str, config: dict[str, Any], n_genes: int) -> None:
    """Refuse an ``image_size`` or ``grid_size`` that is not a whole number of pixels, 1 or
    more, naming the option (and its flag) with a fix: ``grid_size: 0`` was refused as
    "image_size must be >= 1", and ``--image-size 0`` with no fix; then as
    "model.hybrid_cnn.image_size (--image-size): image_size must be a whole number of pixels,
    1 or more, got 0", 121 characters with the CLI's ``genemoe: error:``)."""
    side = math.isqrt(max(n_genes - 1, 0)) + 1  # the smallest square holding every gene
    # one gene a pixel at that side in an ordered layout; a similarity layout still puts
    # genes with alike profiles in one pixel (the hint was given for it too)
    similar = config.get("layout", "reshape") == "similarity"
    size = f"{side} or more" if similar else f"{side} (one gene a pixel)"
    note = ("\n    (the similarity layout puts genes with alike profiles in one pixel at any "
            "size)" if similar else "")  # a line of its own: the fix ran to 131 characters
    fixes = {"image_size": (f"pass --image-size {size} or leave it out{note}" if
                            model_name == "hybrid_cnn" else
                            "pass --image-size 32 or more (64 on CPU; 224 is the paper's)"),
             "grid_size": f"use grid_size: {size} or leave it out{note}"}
    for key, fix in fixes.items():
        value = config.get(key)
        whole = isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer())
        if value is None or (whole and not isinstance(value, bool) and value >= 1):
            continue
        flag = " (--image-size)" if key == "image_size" else ""
        raise input_error(f"must be a whole number >= 1, got {value!r}",  # the key named once
                          where=f"model.{model_name}.{key}{flag}", fix=fix)


def known_positions(chrom: Any, start: Any, n_genes: int) -> np.ndarray:
    """``(n_genes,)`` bool: which genes have a position (chromosome and start)."""
    if chrom is None or start is None:
        return np.zeros(n_genes, bool)
    return np.asarray(pd.notna(np.asarray(chrom, dtype=object))
                      & np.isfinite(np.asarray(start, float)), bool)


def has_positions(chrom: Any, start: Any) -> bool:
    """Whether any gene has a position (chromosome and start) a genomic layout can use."""
    if chrom is None or start is None:
        return False
    return bool(known_positions(chrom, start, len(np.asarray(chrom, dtype=object))).any())


def genomic_placement(chrom: np.ndarray, start: np.ndarray) -> dict[str, Any]:
    """How a genomic layout placed the genes: by position, or not.

    Parameters
    ----------
    chrom, start
        ``(n_genes,)`` each gene's chromosome and start (missing: None / NaN).

    Returns
    -------
    dict
        ``genes_by_position`` and ``genes_without_position`` (counts), and where the latter
        are (``without_position_placed``, only when there are any): genes with no
        chromosome after every positioned gene, in bundle order; genes with a chromosome
        but no start at the end of their chromosome (as
        :func:`~genemoe.models.image.genomic_order` sorts them).
    """
    chrom = np.asarray(chrom, dtype=object)
    known = known_positions(chrom, start, len(chrom))
    facts: dict[str, Any] = {"genes_by_position": int(known.sum()),
                             "genes_without_position": int((~known).sum())}
    no_chrom = int((~np.asarray(pd.notna(chrom), bool)).sum())
    no_start = int((~known).sum()) - no_chrom
    after, at_end = "after the positioned genes, in bundle order", "at the end of their chromosome"
    if no_chrom and no_start:
        facts["without_position_placed"] = (f"{no_chrom:,} {after}; {no_start:,} with no "
                                            f"start {at_end}")
    elif no_chrom or no_start:
        facts["without_position_placed"] = after if no_chrom else f"no start: {at_end}"
    return facts
