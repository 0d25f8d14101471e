"""An image model's crowded pixels in a benchmark: ``genemoe train`` warns where the network
sees many genes in one pixel (``the network sees the 398 genes at 2 x 2: up to 100 share
one pixel ...``); a benchmark kept it in ``cells/*.json`` alone, and its terminal, summary.md
and report were silent. These functions carry it into results.csv's rows and say it there,
with the fix in the preset's terms (benchmark has no ``--image-size``); so too an image
mostly of padding (``hybrid_cnn`` at 64 x 64 on 100 genes: 3,996 of 4,096 pixels empty),
which train warns of and a benchmark recorded as ``pixels_empty`` unsaid."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["crowded_lines", "crowded_text", "image_columns", "padded_text", "padding_rule", "padding_words",
           "preset_fix"]


def image_columns(cell: dict[str, Any]) -> dict[str, Any]:
    """results.csv's image columns of one cell: ``genes_per_pixel_max``, the mean over the
    pixels holding a gene (``genes_per_pixel_mean``), and train's advice where it warns
    (``crowded_pixels``, ``""`` else); the pixels holding a gene and the empty ones
    (``pixels_used``, ``pixels_empty``) and train's warning of an image mostly of padding
    (``padded_pixels``, ``""`` else); ``{}`` for a model without an image."""
    image = cell.get("image")
    if not isinstance(image, dict) or "genes_per_pixel_max" not in image:
        return {}
    used, empty = _pixels(image, int(cell["n_genes"]))
    return {"genes_per_pixel_max": int(image["genes_per_pixel_max"]),
            "genes_per_pixel_mean": round(cell["n_genes"] / used, 2) if used else np.nan,
            "crowded_pixels": str(image.get("crowded_pixels") or ""),
            "pixels_used": used if used is not None else np.nan,
            "pixels_empty": empty if empty is not None else np.nan,
            "padded_pixels": cell_padding(image, int(cell["n_genes"]))}


NOT_RECORDED = "not recorded"  # a cell's padding that neither it holds nor can be computed


def _pixels(image: dict[str, Any], n_genes: int) -> tuple[int | None, int | None]:
    """(pixels holding a gene, empty pixels) of a cell's image: as recorded; else, for a cell
    written before they were (one gene a pixel at most), the genes and the pixels counted
    (the grid's, or the image's where the grid is binned onto a smaller one, as train counts
    them); ``(None, None)`` where neither tells them (they read 0 and 0: no padding)."""
    if "pixels_used" in image and "pixels_empty" in image:
        return int(image["pixels_used"] or 0), int(image["pixels_empty"] or 0)
    sides = [re.fullmatch(r"(\d+) x (\d+)", str(image.get(k, ""))) for k in ("grid", "image_size")]
    if None in sides or int(image.get("genes_per_pixel_max") or 0) != 1:
        return None, None
    total = min(int(m.group(1)) * int(m.group(2)) for m in sides if m is not None)
    return (n_genes, total - n_genes) if n_genes <= total else (None, None)


def cell_padding(image: dict[str, Any], n_genes: int) -> str:
    """A cell's padding advice: train's (``padded_pixels``) where the cell holds it; else,
    for a cell written before 19f5dd5 (none held it; a resumed benchmark read "" as no
    padding), computed as train computes it from what the cell stores (the layout, the
    pixels or the image's side, the genes); :data:`NOT_RECORDED` where that cannot be.

    The rule is :func:`padding_rule` (train says it too): an ordered layout
    (``reshape``, ``genomic``) with more empty pixels than used; a ``similarity`` layout's
    gaps are its genes' spread, not padding."""
    if image.get("padded_pixels"):
        return str(image["padded_pixels"])
    if "padded_pixels" in image or image.get("layout") == "similarity":
        return ""
    used, empty = _pixels(image, n_genes)
    if used is None or empty is None:
        return NOT_RECORDED
    return padding_rule(used, empty, n_genes, f"{image.get('image_size', '?')} image",
                        backbone="weights" in image) or ""


def padding_rule(used: int, empty: int, n_genes: int, seen_as: str, *,
                 backbone: bool) -> str | None:
    """Train's padding advice for an ordered layout's image (the one copy of the rule, used by
    ``genemoe train`` and by a benchmark's resumed cells): None where empty pixels are no more
    than used ones, else what is empty and the grid that holds the genes without it.

    Parameters
    ----------
    used, empty
        Pixels holding a gene and pixels holding none.
    n_genes
        Genes laid out.
    seen_as
        The image as the text names it (``64 x 64 image``).
    backbone
        An ImageNet backbone (its grid is the model config's ``grid_size``), else
        ``hybrid_cnn`` (its grid is ``--image-size``).
    """
    if empty <= used:
        return None
    side = max(math.isqrt(max(n_genes - 1, 0)) + 1, 1)  # the smallest square
    fix = (f"grid_size: {side} (the model config) or leaving grid_size out" if backbone
           else f"--image-size {side} or leaving --image-size out")
    return (f"{empty:,} of the {used + empty:,} pixels of the {seen_as} hold no gene "
            f"({empty / (used + empty):.0%}: padding, scaled value 0); {fix} gives the "
            f"{n_genes:,} genes the smallest square holding them ({side} x {side})")


def preset_fix(advice: str, model: str) -> str:
    """Train's advice in a preset's keys: ``--image-size 20 or more gives each its own`` →
    ``model.hybrid_cnn.image_size: 20 or more gives each its own``; its padding advice's
    ``grid_size: 10 (the model config) or leaving grid_size out`` →
    ``model.resnet50.grid_size: 10 or leaving it out``."""
    advice = re.sub(r"leaving (--image-size|grid_size) out", "leaving it out", advice)
    advice = re.sub(r"(?<![.\w])grid_size: (\d+) \(the model config\)",
                    rf"model.{model}.grid_size: \1", advice)
    advice = re.sub(r"--image-size (\d+)", rf"model.{model}.image_size: \1", advice)
    advice = re.sub(r"--layout (\w+)", rf"model.{model}.layout: \1", advice)
    return re.sub(r"a grid_size of (\d+) or more \(the model config\)",
                  rf"model.{model}.grid_size: \1 or more", advice)


def _crowded(g: pd.DataFrame) -> tuple[int, float, str, int] | None:
    """A model's rows: (most genes in a pixel, their mean a pixel, the fix, folds crowded),
    or None where no fold's image was crowded (or the rows predate the columns)."""
    if "crowded_pixels" not in g:
        return None
    crowded = g["crowded_pixels"].fillna("").astype(str)
    if not crowded.astype(bool).any():
        return None
    most = pd.to_numeric(g["genes_per_pixel_max"], errors="coerce")
    mean = float(pd.to_numeric(g["genes_per_pixel_mean"], errors="coerce").mean())
    fix = crowded[most.idxmax()] or crowded[crowded.astype(bool)].iloc[0]  # the worst fold's
    return int(most.max()), mean, fix, int(crowded.astype(bool).sum())


def _padded(g: pd.DataFrame, model: str) -> tuple[int, int, str, int, int] | None:
    """A model's rows: (empty pixels, all pixels, the preset key and value holding every gene,
    genes, folds padded) of its most padded fold, or None where no fold's image was mostly
    padding (or the rows predate the columns)."""
    if "padded_pixels" not in g:
        return None
    advice = g["padded_pixels"].fillna("").astype(str)
    advice = advice.where(advice != NOT_RECORDED, "")
    if not advice.astype(bool).any():
        return None
    empty = pd.to_numeric(g["pixels_empty"], errors="coerce")
    share = empty / (empty + pd.to_numeric(g["pixels_used"], errors="coerce"))
    worst = share[advice.astype(bool)].idxmax()
    key = re.search(r"model\.\w+\.\w+: \d+", preset_fix(advice[worst], model))
    total = int(empty[worst] + g["pixels_used"][worst])
    return (int(empty[worst]), total, key.group(0) if key else preset_fix(advice[worst], model),
            int(g["n_genes"][worst]), int(advice.astype(bool).sum()))


def _share(empty: int, total: int) -> str:
    """``98%`` of the pixels empty (99% where not every one is: 4,095 of 4,096 read 100%)."""
    pct = round(100 * empty / total)
    return f"{min(pct, 99) if empty < total else pct}%"


def padding_words(empty: int, total: int, more: str = "") -> str:
    """An image's padding in the words every page and terminal uses: ``98% padding (3,996 of
    4,096 pixels hold no gene)`` (``more``, e.g. `` in 2/3 folds``, inside the brackets);
    the benchmark's summary and explain say it alike."""
    return f"{_share(empty, total)} padding ({empty:,} of {total:,} pixels hold no gene{more})"


def padded_text(g: pd.DataFrame, model: str) -> str:
    """summary.md's (and the report's) clause on one model's options line for an image
    mostly of padding: ``; its image was 98% padding (3,996 of 4,096 pixels hold no gene, as
    `genemoe train` warns): in the preset, model.hybrid_cnn.image_size: 10 holds its 100
    genes`` (in how many folds, where not all), or ""."""
    if (said := _padded(g, model)) is None:
        return _unrecorded_text(g)
    empty, total, key, n_genes, n = said
    folds = f" in {n}/{len(g)} folds" if n < len(g) else ""
    return (f"; its image was {padding_words(empty, total, f'{folds}, as `genemoe train` warns')}"
            f": in the preset, {key} holds its {n_genes:,} genes" + _unrecorded_text(g))


def _n_unrecorded(g: pd.DataFrame) -> int:
    """A model's folds whose padding is :data:`NOT_RECORDED`."""
    return int((g["padded_pixels"] == NOT_RECORDED).sum()) if "padded_pixels" in g else 0


def _unrecorded_text(g: pd.DataFrame) -> str:
    """``; its image's padding not recorded in 2/3 folds (cells written before it was, with
    no pixel counts: run them again to know)``, or "" (a resumed benchmark said nothing,
    read as no padding)."""
    if not (n := _n_unrecorded(g)):
        return ""
    return (f"; its image's padding not recorded in {n}/{len(g)} folds (cells written before "
            "it was, without pixel counts: run them again to know)")


def crowded_text(g: pd.DataFrame, model: str) -> str:
    """summary.md's (and the report's) clause on one model's options line: ``; the network
    saw up to 100 genes in one pixel (99.5 a pixel on average) ...; in the preset,
    model.hybrid_cnn.image_size: 20 or more gives each its own`` (in how many folds, where not
    all), or ""."""
    if (said := _crowded(g)) is None:
        return padded_text(g, model)
    most, mean, fix, n = said
    folds = f" in {n}/{len(g)} folds" if n < len(g) else ""
    return (f"; the network saw up to {most} genes in one pixel ({mean:.1f} a pixel on average)"
            f"{folds}: their values averaged, their attributions split (as `genemoe train` "
            f"warns); in the preset, {preset_fix(fix, model)}" + padded_text(g, model))


def crowded_lines(results: pd.DataFrame) -> list[str]:
    """The terminal's line per crowded image model: ``hybrid_cnn saw up to 100 genes a pixel
    (99.5 on average): model.hybrid_cnn.image_size: 20 or more gives each its own``; and per
    image model mostly of padding, once for all its folds (train warns of it; a benchmark
    recorded ``pixels_empty`` unsaid): ``hybrid_cnn's image was 98% padding:
    model.hybrid_cnn.image_size: 10 holds its 100 genes``."""
    lines = []
    for model, g in results.groupby("model", sort=False):
        if (said := _crowded(g)) is not None:
            most, mean, fix, _ = said
            lines.append(f"{model} saw up to {most} genes a pixel ({mean:.1f} on average): "
                         f"{preset_fix(fix, str(model))}")
        if (padded := _padded(g, str(model))) is not None:
            empty, total, key, n_genes, _ = padded
            lines.append(f"{model}'s image was {_share(empty, total)} padding: {key} holds its "
                         f"{n_genes:,} genes")
        elif n := _n_unrecorded(g):
            lines.append(f"{model}'s image padding not recorded in {n}/{len(g)} folds (older "
                         "cells without pixel counts: run them again to know)")
    return lines
