"""Genes of one pixel in a top-genes list: an image model's network sees a pixel, not its
genes, so genes sharing a pixel come out of a ranking as separate hits with one shared
gradient (in one ACC top 10, 6 genes came from 2 pixels, unmarked). The lists (terminal,
report) group them at the first one's place: ``[pixel 13: ESRP1↓, PSCA↓, SFTPC↓]``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["PIXEL_LEGEND", "has_pixel_group", "pixel_grouped"]

PIXEL_LEGEND = ("[pixel N: ...] genes of one pixel: the network sees them as one, their "
                "attribution shared")


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
