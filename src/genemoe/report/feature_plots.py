"""Figures of the latent-feature analysis (paper Fig. 8), drawn from its stored results.

:func:`plot_correlation_heatmap` and :func:`plot_real_vs_reconstructed` draw one figure
each from plain arrays and tables; :func:`feature_figures` reads a ``genemoe features``
directory (:mod:`genemoe.workflows.features`), draws every figure that applies and records
their paths in its ``summary.json``. Never reads a model. Matplotlib runs headless.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps

from genemoe.data.bundle import atomic_write_text, dump_json
from genemoe.explain.figures import new_subplots
from genemoe.report.plots import save_figure

__all__ = ["plot_correlation_heatmap", "plot_real_vs_reconstructed", "type_colours",
           "feature_figures"]

log = logging.getLogger(__name__)

_MARKERS = {"real": "o", "reconstructed": "x"}


def plot_correlation_heatmap(r: np.ndarray, feature_labels: Sequence[str],
                             gene_labels: Sequence[str], *, out_path: Path, threshold: float | None = None,
                             mean_abs_r: Sequence[float] | None = None, title: str = "") -> Path:
    """Heat map of Pearson r ``(n_features, n_genes)``: leading features × genes (−1 to 1).

    With ``threshold`` and ``mean_abs_r`` (one per gene), genes above the cut are starred.
    """
    r = np.asarray(r, dtype=float)
    n_f, n_g = r.shape
    labels = list(gene_labels)
    if threshold is not None and mean_abs_r is not None:
        labels = [f"{g} *" if m > threshold else g for g, m in zip(labels, mean_abs_r, strict=True)]
    fig, ax = new_subplots(figsize=(max(5.0, 0.22 * n_g + 2.5), max(3.0, 0.25 * n_f + 1.5)))
    im = ax.imshow(np.ma.masked_invalid(r), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_facecolor("0.85")
    ax.set_xticks(range(n_g), labels, rotation=90, fontsize=7 if n_g > 30 else 9)
    ax.set_yticks(range(n_f), list(feature_labels), fontsize=7 if n_f > 20 else 9)
    ax.set_xlabel("gene (sorted by mean |r|" + (f"; * above {threshold:g})" if threshold is not None
                                                 else ")"))
    ax.set_ylabel("leading latent feature")
    fig.colorbar(im, ax=ax, label="Pearson r", fraction=0.03)
    ax.set_title(title or "leading latent features × genes")
    return save_figure(fig, out_path)


def type_colours(types: Sequence[str]) -> dict[str, tuple[float, float, float, float]]:
    """One distinct colour per cancer type: tab10 up to 10, then tab20, tab20b and tab20c
    (60 colours; 33 TCGA types drew from tab20 alone, so ACC and PAAD shared one), evenly
    spaced turbo beyond."""
    n = len(types)
    if n <= 10:
        palette = [colormaps["tab10"](i) for i in range(n)]
    elif n <= 60:
        palette = [colormaps[name](i) for name in ("tab20", "tab20b", "tab20c")
                   for i in range(20)][:n]
    else:
        palette = [tuple(c) for c in colormaps["turbo"](np.linspace(0.0, 1.0, n))]
    return dict(zip(types, palette, strict=True))


def plot_real_vs_reconstructed(table: pd.DataFrame, *, out_path: Path, title: str = "",
                               score: float | None = None) -> Path:
    """2-D embedding of real and reconstructed samples: colour = cancer type, marker = source.

    ``table`` has columns ``cancer_type``, ``source`` (``real``/``reconstructed``), ``x``, ``y``.
    Two legends beside the axes, not over the points: one entry per type (its colour) and
    one per source (its marker); 33 types × 2 sources were 66 entries over half the plot.
    """
    from matplotlib.lines import Line2D

    types = sorted(table["cancer_type"].astype(str).unique())
    colours = type_colours(types)
    ncol = max(1, -(-len(types) // 22))  # at most 22 rows a column
    fig, ax = new_subplots(figsize=(7 + 1.3 * ncol, 6))
    kind = table["cancer_type"].astype(str)
    for t in types:
        for source, marker in _MARKERS.items():
            sel = (kind == t) & (table["source"] == source)
            if sel.any():
                ax.scatter(table.loc[sel, "x"], table.loc[sel, "y"], s=12, marker=marker,
                           color=colours[t], alpha=0.7, linewidths=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    by_source = ax.legend(handles=[Line2D([], [], ls="", marker=m, color="0.3", label=s)
                                   for s, m in _MARKERS.items()],
                          loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                          title="source", borderaxespad=0.0)
    ax.add_artist(by_source)  # which clips it to the axes: the saved PNG's tight box then
    by_source.set_clip_on(False)  # left it out, cutting "reconstructed" to "reconstruct"
    ax.legend(handles=[Line2D([], [], ls="", marker="s", color=colours[t], label=t)
                       for t in types], loc="upper left", bbox_to_anchor=(1.01, 0.82),
              fontsize=7, ncol=ncol, title="cancer type", borderaxespad=0.0, handletextpad=0.3,
              columnspacing=0.8)
    extra = "" if score is None else f"  (k-NN mixing {score:.3f})"
    ax.set_title((title or "real vs reconstructed expression") + extra)
    return save_figure(fig, out_path)


def feature_figures(features_dir: Path | str) -> list[Path]:
    """Draw the heat map and every stored embedding of a ``genemoe features`` directory.

    The PNG paths are added to ``summary.json`` (``figures``) and returned.
    """
    d = Path(features_dir)
    summary = json.loads((d / "summary.json").read_text())
    r = np.load(d / "latent_gene_correlation.npy")  # (n_features, n_genes)
    ranked = pd.read_csv(d / "gene_correlation.tsv", sep="\t", dtype={"gene_id": str, "symbol": str},
                         keep_default_na=False)
    lead = pd.read_csv(d / "leading_features.tsv", sep="\t")
    figures: list[Path] = []
    top = ranked.head(summary["n_heatmap_genes"])
    if len(top):
        cols = top["column"].to_numpy(int)  # columns of r (the run's gene order)
        names = [s if s else g for s, g in zip(top["symbol"], top["gene_id"], strict=True)]
        figures.append(plot_correlation_heatmap(
            r[:, cols], [f"z{i}" for i in lead["latent_index"]], names,
            out_path=d / "correlation_heatmap.png", threshold=summary["threshold"],
            mean_abs_r=top["mean_abs_r"].to_numpy(),
            title=f"top {len(top)} genes by mean |r| with {len(lead)} leading features"))
    for method in (summary.get("reconstruction") or {}).get("embeddings", []):
        table = pd.read_csv(d / f"embedding_{method}.tsv", sep="\t", keep_default_na=False)
        score = summary["reconstruction"]["mixing"][method]["score"]
        figures.append(plot_real_vs_reconstructed(
            table, out_path=d / f"real_vs_reconstructed_{method}.png", score=score,
            title=f"{'t-SNE' if method == 'tsne' else 'UMAP'}: real vs reconstructed"))
    summary["figures"] = [str(p) for p in figures]
    atomic_write_text(d / "summary.json", dump_json(summary))
    log.info("drew %d feature-analysis figures in %s", len(figures), d)
    return figures
