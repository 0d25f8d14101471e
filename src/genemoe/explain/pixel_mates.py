"""Genes of one pixel in a top-genes list: an image model's network sees a pixel, not its
genes, so genes sharing a pixel come out of a ranking as separate hits with one shared
gradient (in one ACC top 10, 6 genes came from 2 pixels, unmarked). The lists (terminal,
report) group them at the first one's place: ``[pixel 13: ESRP1↓, PSCA↓, SFTPC↓]``; the
figure's bars, one a gene, are labelled ``ESRP1↓ [pixel 13, with PSCA +1]``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["PIXEL_LEGEND", "PIXEL_MARK_LEGEND", "has_pixel_group", "has_pixel_mark",
           "pixel_grouped", "pixel_marked"]

PIXEL_LEGEND = ("[pixel N: ...] genes of one pixel: the network sees them as one, their "
                "attribution shared")
PIXEL_MARK_LEGEND = "[pixel N, with ...]: one pixel's attribution, split among its genes"
_MARK = ", with "  # what only a pixel mark puts in a label


def pixel_grouped(names: Sequence[str], pixels: Sequence[object] | None) -> list[str]:
    """``names`` in their order, the ones sharing a pixel with another of them joined at
    the first one's place as ``[pixel 13: A, B, C]``; ``names`` as they are without
    ``pixels`` (a vector model, an older file) or where no two share one.

    Parameters
    ----------
    names
        The listed genes' names, ranked order.
    pixels
        Each one's pixel (``genes_by_class.csv``'s ``pixel``), or None.
    """
    if pixels is None:
        return list(names)
    px = pd.to_numeric(pd.Series(list(pixels), dtype=object), errors="coerce").to_numpy(np.float64)
    if len(px) != len(names) or np.isnan(px).any():
        return list(names)
    members: dict[int, list[str]] = {}
    for name, p in zip(names, px.astype(np.int64).tolist(), strict=True):
        members.setdefault(p, []).append(str(name))
    out, done = [], set()
    for name, p in zip(names, px.astype(np.int64).tolist(), strict=True):
        if len(members[p]) == 1:
            out.append(str(name))
        elif p not in done:
            done.add(p)
            out.append(f"[pixel {p}: {', '.join(members[p])}]")
    return out


def has_pixel_group(lines: Sequence[str]) -> bool:
    """Whether any of ``lines`` groups a pixel's genes (:data:`PIXEL_LEGEND` is then due)."""
    return any("[pixel " in line for line in lines)


def pixel_marked(names: Sequence[str], pixels: Sequence[object] | None,
                 genes_in_pixel: Sequence[object] | None,
                 mates: Sequence[object] | None = None) -> list[str]:
    """``names``, each gene that shares its pixel with other genes of the image layout
    marked ``A [pixel 13, with B]`` (``[pixel 13, with B +2]``: two more; ``[pixel 13, with
    3 others]`` without ``mates``): a figure's labels, one bar a gene, where the bar is the
    pixel's attribution split, not the gene's own (the bars were labelled as the genes').
    ``names`` as they are without ``pixels`` or ``genes_in_pixel`` (a vector model, an older
    file).

    Parameters
    ----------
    names
        The genes' names (marked or not), ranked order.
    pixels, genes_in_pixel, mates
        Each one's ``pixel``, ``genes_in_pixel`` and ``shares_pixel_with`` (the other
        genes' names, comma-separated; :func:`~genemoe.explain.rankings.with_pixel_columns`).
    """
    if pixels is None or genes_in_pixel is None:
        return list(names)
    px = pd.to_numeric(pd.Series(list(pixels), dtype=object), errors="coerce")
    n_in = pd.to_numeric(pd.Series(list(genes_in_pixel), dtype=object), errors="coerce")
    if not len(px) == len(n_in) == len(names):
        return list(names)
    others = list(mates) if mates is not None and len(mates) == len(names) else [None] * len(names)
    return [str(name) if pd.isna(p) or pd.isna(n) or n < 2
            else f"{name} [pixel {int(p)}{_MARK}{_mates_text(int(n), other)}]"
            for name, p, n, other in zip(names, px, n_in, others, strict=True)]


def _mates_text(n_in_pixel: int, mates: object) -> str:
    """``B`` (``B +2``: two more) from ``shares_pixel_with``; ``3 others`` without it."""
    first = mates.split(", ")[0].strip() if isinstance(mates, str) else ""
    if not first:
        return f"{n_in_pixel - 1} other{'s' * (n_in_pixel > 2)}"
    return first + (f" +{n_in_pixel - 2}" if n_in_pixel > 2 else "")


def has_pixel_mark(labels: Sequence[str]) -> bool:
    """Whether any of ``labels`` carries :func:`pixel_marked`'s mark (its legend is due)."""
    return any("[pixel " in label and _MARK in label for label in labels)
