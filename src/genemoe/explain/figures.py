"""Figures of an explanation (matplotlib, Agg): they read results, never models.

- :func:`top_genes_figure`: one horizontal bar chart per class of its top genes' mean
  attribution (``genes_by_class.csv``), labelled by :func:`top_gene_labels`;
- :func:`attribution_map_figure`: for an image model, a sample's input image beside its
  per-pixel attribution (sum over the genes of each pixel) overlaid on it;
- :func:`sample_attribution_figure`: for a vector model (no image layout), one sample's
  top genes by |attribution| as signed horizontal bars (red: pushes the explained output
  up, blue: down).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import Colormap
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from genemoe.data.bundle import atomic_file
from genemoe.explain.pixel_mates import PIXEL_MARK_LEGEND, has_pixel_mark, pixel_marked
from genemoe.explain.rankings import LOWER_MARK, has_lower_mark, marked_symbols

__all__ = ["top_genes_figure", "top_gene_labels", "attribution_map_figure",
           "sample_attribution_figure", "new_subplots", "NO_GENE_COLOR", "NO_GENE_LABEL"]

_POS, _NEG = "#b2182b", "#2166ac"  # red: positive attribution, blue: negative


def new_subplots(*args: Any, figsize: tuple[float, float] | None = None,
                 **kwargs: Any) -> tuple[MplFigure, Any]:
    """A figure and its axes as ``pyplot.subplots`` makes them, without pyplot: the
    caller's backend and open figures are left alone (importing genemoe switched a
    notebook's backend to Agg for the rest of its session)."""
    fig = MplFigure(figsize=figsize)
    return fig, fig.subplots(*args, **kwargs)


def top_genes_figure(ranking: pd.DataFrame, out_path: Path, *, top: int = 10,
                     title: str = "", both_ends: bool = False) -> Path:
    """Bar charts of the ``top`` genes (by mean attribution) of every class in ``ranking``;
    ``both_ends`` (survival's risk): also the ``top`` genes lowering it most (the figure
    showed only the genes raising it)."""
    classes = list(dict.fromkeys(ranking["class"]))
    n_cols = min(3, max(1, len(classes)))
    n_rows = max(1, math.ceil(len(classes) / n_cols))
    fig, axes = new_subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 0.28 * top * (1 + both_ends) * n_rows
                                                      + 1.2 * n_rows),
                             squeeze=False)
    longest = 0  # the longest bar label: a pixel-marked one narrowed the panels to its left
    for ax, cls in zip(axes.flat, classes, strict=False):
        part = ranking[ranking["class"] == cls]
        df = part.nsmallest(top, "rank")[::-1]
        value, label = df["mean_attribution"], "mean attribution"
        if both_ends and "effect_sign" in part:  # |attribution|, signed by the gene's effect
            df = pd.concat([part[part["effect_sign"] < 0].nsmallest(top, "rank")[::-1],
                            part[part["effect_sign"] > 0].nsmallest(top, "rank")[::-1]])
            value = df["mean_abs_attribution"] * df["effect_sign"]
            label = "mean |attribution|, signed: + where higher expression raises it"
        elif both_ends:  # an older ranking by the signed mean: its lowest ranks lower it most
            low = part[part["mean_attribution"] < 0].nlargest(top, "rank")
            df = pd.concat([low, df[df["mean_attribution"] > 0]])
            value = df["mean_attribution"]
        colors = np.where(value >= 0, _POS, _NEG)
        names = top_gene_labels(df, marked=not both_ends)
        if has_lower_mark(names):  # as the terminal and the page mark it (the bars did not)
            label += f"; {LOWER_MARK}: lower in {cls} than in the others"
        if has_pixel_mark(names):  # as the lists group them (the bars read as the genes')
            label += f"\n{PIXEL_MARK_LEGEND}"
        longest = max([longest, *map(len, names)])
        ax.barh(names, value, color=colors)
        ax.axvline(0, color="k", lw=0.6)
        n = int(df["n_samples"].iloc[0]) if len(df) else 0
        ax.set_title(f"{cls} (n={n})", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlabel(label, fontsize=7)
        _few_ticks(ax)
    for ax in list(axes.flat)[len(classes):]:
        ax.axis("off")
    if longest > _LABEL_ROOM:  # ~0.055 inch a character at fontsize 7
        fig.set_figwidth(n_cols * (4.2 + 0.055 * (longest - _LABEL_ROOM)))
    return _finish(fig, out_path, title=title, dpi=110)


_LABEL_ROOM = 14  # characters of a bar label a 4.2-inch panel holds beside its bars


def top_gene_labels(df: pd.DataFrame, *, marked: bool = True) -> list[str]:
    """The bar labels of one class's rows ``df`` of a ranking (a panel of ``top_genes.png``):
    each gene's symbol, ``↓`` where it is lower in the class (``marked``:
    :func:`~genemoe.explain.rankings.marked_symbols`), and for an image model's gene that
    shares its pixel with other genes of the layout ``[pixel 13, with B]``
    (:func:`~genemoe.explain.pixel_mates.pixel_marked`: its bar is the pixel's attribution
    split, and was labelled as the gene's own)."""
    names = marked_symbols(df) if marked else df["symbol"].astype(str).tolist()
    return pixel_marked(names, *(df[c].tolist() if c in df else None
                                 for c in ("pixel", "genes_in_pixel", "shares_pixel_with")))


def attribution_map_figure(image: np.ndarray, attribution: np.ndarray, out_path: Path, *,
                           title: str = "",
                           what: str = "IG attribution per pixel (sum of its genes)") -> Path:
    """The input image ``(H, W)`` (grey) and the attribution map ``(H, W)`` overlaid on it,
    its panel titled ``what`` (the method used).

    Masked pixels (holding no gene, :func:`~genemoe.explain.maps.seen_images`) are drawn
    in :data:`NO_GENE_COLOR` in both panels, said in a legend under them: they were left
    transparent, white on the page, the colour of the brightest grey.
    """
    lim = float(np.abs(attribution).max()) or 1.0
    fig, axes = new_subplots(1, 2, figsize=(8, 4))
    grey = _with_bad(matplotlib.colormaps["gray"])  # a masked pixel: not white, not grey
    axes[0].imshow(image, cmap=grey, interpolation="nearest")
    axes[0].set_title("input (scaled expression)", fontsize=9)
    axes[1].imshow(image, cmap=grey, interpolation="nearest")  # its colour shows through
    im = axes[1].imshow(attribution, cmap="RdBu_r", vmin=-lim, vmax=lim, alpha=0.7,
                        interpolation="nearest")
    axes[1].set_title(what, fontsize=9)
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    if np.ma.getmaskarray(image).any() or np.ma.getmaskarray(attribution).any():
        for ax in axes:  # under each panel (tight_layout makes room for it)
            ax.legend(handles=[Patch(facecolor=NO_GENE_COLOR, edgecolor="0.3",
                                     label=NO_GENE_LABEL)], loc="upper center",
                      bbox_to_anchor=(0.5, -0.01), fontsize=8, frameon=False)
    return _finish(fig, out_path, title=title, dpi=100)


NO_GENE_COLOR = "#e6ab02"  # mustard: in neither the grey ramp nor RdBu_r (light blue is)
NO_GENE_LABEL = "pixel holding no gene (mustard)"


def _with_bad(cmap: Colormap) -> Colormap:
    """A copy of ``cmap`` drawing masked values in :data:`NO_GENE_COLOR`, opaque."""
    return cmap.with_extremes(bad=NO_GENE_COLOR)


def sample_attribution_figure(attribution: np.ndarray, labels, out_path: Path, *,
                              top: int = 20, title: str = "",
                              xlabel: str = "IG attribution (signed)") -> Path:
    """One sample's ``top`` genes by |attribution|, as signed horizontal bars (genes at
    exactly 0, a linear model's without weight, left out and counted in the title).

    ``attribution`` is the sample's ``(n_genes,)`` row, ``labels`` the ``(n_genes,)`` gene
    names (symbols; missing ones fall back to the caller's ids). The largest |attribution|
    is drawn at the top; bars are red where positive, blue where negative; ``xlabel``
    names the method used.
    """
    a = np.asarray(attribution, np.float64).ravel()
    names = np.asarray(labels, dtype=object).ravel()
    if len(names) != len(a):
        raise ValueError(f"{len(a)} attributions but {len(names)} gene labels")
    order = np.argsort(-np.abs(a), kind="stable")
    moved = order[a[order] != 0]  # a linear model's genes without weight: exactly 0, left out
    idx = (moved if len(moved) else order)[:top][::-1]  # barh draws bottom-up (6 of 20 bars
    n_zero = len(a) - len(moved) if len(moved) < top else 0  # of a Coxnet were real: 14 at 0)
    fig, ax = new_subplots(figsize=(6.0, 0.26 * len(idx) + 1.6))
    pos = np.arange(len(idx))  # positions, not names: duplicate symbols stay separate bars
    ax.barh(pos, a[idx], color=np.where(a[idx] >= 0, _POS, _NEG))
    ax.set_yticks(pos, [str(n) for n in names[idx]])
    ax.axvline(0, color="k", lw=0.6)
    ax.tick_params(labelsize=7)
    ax.set_xlabel(xlabel, fontsize=8)
    _few_ticks(ax)
    ax.set_title(f"top {len(idx)} of {len(a):,} genes by |attribution|"
                 + (f" ({n_zero:,} at 0, not shown)" if n_zero and len(moved) else ""), fontsize=8)
    return _finish(fig, out_path, title=title, dpi=110)


def _few_ticks(ax: Any) -> None:
    """At most four value ticks of two significant digits (``0``, ``0.0008``, ``1.6e-05``):
    a narrow panel of attributions near 1e-4 printed its tick labels into one another
    ("0.00000.00010.0002..."); a ×10ⁿ offset instead collided with the axis label."""
    ax.xaxis.set_major_locator(MaxNLocator(3))
    ax.xaxis.set_major_formatter(FuncFormatter(_tick_label))


def _tick_label(value: float, _pos: int | None = None) -> str:
    """``0.0008``, ``1.6e-05``; ``0`` for a rounding residue at zero."""
    return "0" if abs(value) < 1e-15 else f"{value:.2g}"


def _finish(fig: MplFigure, out_path: Path, *, title: str, dpi: int) -> Path:
    """Title, lay out, save as PNG (parent folders created) and close ``fig``."""
    if title:  # wrapped to the figure's width: a one-panel figure cut a long title at both
        width = max(30, int(fig.get_figwidth() * 12))  # ends ("noe: Integrated Gradients ...")
        wrapped = "\n".join(textwrap.fill(part, width) for part in title.split("\n"))
        fig.suptitle(wrapped, fontsize=10)  # its own line breaks kept (they were run together)
        lines = wrapped.count("\n") + 1  # ~0.2 inch a line, kept above the panels
        fig.tight_layout(rect=(0, 0, 1, max(0.5, 1 - 0.2 * lines / fig.get_figheight())))
    else:
        fig.tight_layout()
    out_path = Path(out_path)
    with atomic_file(out_path, suffix=".png") as tmp:  # whole, then renamed into place
        fig.savefig(tmp, dpi=dpi, format="png")
    return out_path
