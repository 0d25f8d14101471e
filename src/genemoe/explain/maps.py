"""The per-sample figures of an explanation (``DIR/maps/<sample>.png``): which samples are
drawn (at most ``_MAX_MAPS``, shared out over the classes) and, per sample, its image and
attribution map (image models) or a signed bar chart of its top genes (vector models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from genemoe.explain.integrated_gradients import barely_moved
from genemoe.explain.rankings import filled_symbols
from genemoe.models.image import Layout, has_positions

__all__ = ["_MAX_MAPS", "_cap_per_class", "_gene_labels", "_image_layout", "_image_maps",
           "_image_size", "_map_facts", "_vector_maps", "seen_images"]

_MAX_MAPS = 12  # per-sample attribution figures drawn (image maps or vector bar charts)
_MAP_TOP_GENES = 20  # genes per vector-model sample figure


def _cap_per_class(groups: np.ndarray, cap: int | None, *, seed: int | None = None) -> np.ndarray:
    """Sorted indices keeping at most ``cap`` samples of each group: a draw seeded by
    ``seed``, or the first in bundle order when ``seed`` is None."""
    if cap is None:
        return np.arange(len(groups))
    rng = None if seed is None else np.random.default_rng(seed)
    picks = [np.flatnonzero(groups == g) for g in sorted(set(groups.tolist()))]
    keep = np.concatenate([p[:cap] if rng is None or len(p) <= cap else rng.choice(p, cap, replace=False)
                           for p in picks] or [np.zeros(0, np.int64)])
    return np.sort(keep)


def _image_net(model: torch.nn.Module) -> torch.nn.Module:
    """The network holding the gene → image layout: an ensemble's first member (its members
    share one layout, as train records it), else the model itself."""
    members = getattr(model, "members", None)
    return members[0] if members is not None and len(members) else model


def _image_layout(model: torch.nn.Module, genes: pd.DataFrame | None = None):
    """The model's gene → image layout, or None for a vector model. An ensemble's is its
    first member's (looking at the ensemble alone dropped every pixel column and warning).

    ``genes``: the bundle's gene table rows of the model's genes; whether they have positions
    (``chrom``, ``start``) decides if the layout's advice may name ``--layout genomic``
    (it was advised for a bundle without them, then refused).
    """
    to_image = getattr(_image_net(model), "to_image", None)
    if to_image is None or not hasattr(to_image, "layout"):
        return None
    layout = to_image.layout()
    if genes is not None:
        layout.positions = has_positions(genes.get("chrom"), genes.get("start"))
    return layout


def _image_size(model: torch.nn.Module) -> int | None:
    """Side of the image an image model's network sees (an ensemble's first member's);
    None where the grid is seen as it is (``hybrid_cnn``) or for a vector model."""
    size = getattr(_image_net(model), "image_size", None)
    return None if size is None else int(size)


def _map_picks(spread: np.ndarray, n_maps: int = _MAX_MAPS, *,
               first: np.ndarray | None = None) -> np.ndarray:
    """Rows drawn in ``maps/``, sorted: at most ``n_maps``. The rows marked in ``first``
    (misclassified samples: the ones a reader looks for) come first; the others fill the
    slots left, taken in turns over the groups of ``spread`` (each group's first rows in
    bundle order), so every group gets its share and no slot stays empty while samples
    remain (one of three misclassified samples got a figure: the first two of each
    predicted class were drawn)."""
    first = np.zeros(len(spread), bool) if first is None else np.asarray(first, bool)
    wrong = np.flatnonzero(first)[:n_maps]
    others = np.flatnonzero(~first)
    rank = np.zeros(len(others), np.int64)  # a row's place in its group
    names = sorted(set(spread[others].tolist()))
    group = np.zeros(len(others), np.int64)
    for j, g in enumerate(names):
        rows = np.flatnonzero(spread[others] == g)
        rank[rows], group[rows] = np.arange(len(rows)), j
    rest = others[np.lexsort((group, rank))][:max(0, n_maps - len(wrong))]
    return np.sort(np.concatenate([wrong, rest]).astype(np.int64))


def _map_facts(task: str, labels: np.ndarray, predicted: np.ndarray,
               outcome: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Each sample's facts for its figure's title, as the report's caption gives them:
    ``true CHOL, predicted DLBC``; survival: ``ACC, risk 0.318, event at 1,197 days`` (the
    risk and the outcome where known)."""
    if task == "classify":
        return np.array([f"true {t}, predicted {p}" for t, p in zip(labels, predicted, strict=True)],
                        dtype=object)
    out = outcome or {}
    facts = []
    for i, t in enumerate(labels):
        parts = [str(t)]
        if "risk" in out and np.isfinite(out["risk"][i]):
            parts.append(f"risk {float(out['risk'][i]):.3g}")
        time, event = out.get("time", [np.nan] * len(labels))[i], out.get("event", [None] * len(labels))[i]
        if event is not None and not pd.isna(event) and np.isfinite(time):
            parts.append(f"{'event' if bool(event) else 'censored'} at {float(time):,.0f} days")
        facts.append(", ".join(parts))
    return np.array(facts, dtype=object)


def _gene_labels(payload: dict) -> np.ndarray:
    """Gene symbols of the model's columns; the gene id where a symbol is missing or empty
    (:func:`~genemoe.explain.rankings.filled_symbols`, as genes.tsv and the tables)."""
    return filled_symbols(payload["gene_ids"], payload.get("symbols"))


def _vector_maps(attr: np.ndarray, delta: np.ndarray, sample_ids: np.ndarray, spread: np.ndarray,
                 facts: np.ndarray, labels: np.ndarray, maps_dir: Path, n_maps: int = _MAX_MAPS, *,
                 synthetic: bool = False, first: np.ndarray | None = None,
                 what: str = "IG attribution", compared: str = "f(x) - f(baseline)",
                 live: np.ndarray | None = None) -> list[Path]:
    """Per-sample bar chart of the top genes by |attribution|, for vector (non-image) models:
    titled with the sample's ``facts`` (:func:`_map_facts`) and its completeness delta against
    ``compared``, the bars' axis named by ``what`` (the method used). ``live`` ``(n,)``: the
    live model's change where the routing was frozen, whose share the attributions leave
    out (the routing jump) is said under it (a sample 121% off the live change was titled
    "0.0% of f(x) - f_frozen(baseline)" alone)."""
    from genemoe.explain.figures import sample_attribution_figure

    change = attr.astype(np.float64).sum(1) - delta  # the output change compared against
    moved = ~barely_moved(attr, delta)  # completeness's rule (was |change| >= 1e-3)
    tag = " [SYNTHETIC DATA]" if synthetic else ""
    paths = []
    for i in _map_picks(spread, n_maps, first=first):  # misclassified first, then spread
        title = f"{sample_ids[i]} ({facts[i]}){tag}"
        if np.isfinite(delta[i]):
            title += f"\ncompleteness delta {float(delta[i]):+.3g}"
            if moved[i]:  # as convergence_summary: tiny changes make noisy ratios
                title += f" ({abs(float(delta[i])) / abs(float(change[i])):.1%} of {compared})"
            if live is not None and moved[i] and abs(float(live[i])) > 0:
                jump = abs(float(change[i]) - float(live[i])) / abs(float(live[i]))
                title += f"\nrouting jump left out: {jump:.1%} of the live f(x) - f(baseline)"
        paths.append(sample_attribution_figure(attr[i], labels, maps_dir / f"{sample_ids[i]}.png",
                                               top=_MAP_TOP_GENES, title=title,
                                               xlabel=f"{what} (signed)"))
    return paths


def _image_maps(model: torch.nn.Module, X: np.ndarray, attr: np.ndarray, sample_ids: np.ndarray,
                facts: np.ndarray, maps_dir: Path, n_maps: int = _MAX_MAPS, *,
                spread: np.ndarray, first: np.ndarray | None = None,
                what: str = "IG attribution") -> list[Path]:
    """Per-sample input image + attribution map, for models with a gene → image layout,
    drawn as the network sees them (:func:`seen_images`: a 20 x 20 grid seen at 8 x 8 was
    drawn at 20 x 20, its pixels not genes_by_class.csv's), the title saying which."""
    layout = _image_layout(model)
    if layout is None:
        return []
    from genemoe.explain.figures import attribution_map_figure

    pick = _map_picks(spread, n_maps, first=first)
    images, maps, drawn = seen_images(layout, X[pick], attr[pick], _image_size(model))
    return [attribution_map_figure(images[j], maps[j], maps_dir / f"{sample_ids[i]}.png",
                                   title=f"{sample_ids[i]} ({facts[i]})\n{drawn}",
                                   what=f"{what} per pixel (sum of its genes)")
            for j, i in enumerate(pick)]


def seen_images(layout: Layout, X: np.ndarray, attr: np.ndarray,
                image_size: int | None) -> tuple[np.ndarray, np.ndarray, str]:
    """The input images and attribution maps of ``X``'s rows on the pixels the network sees,
    those of genes_by_class.csv's ``pixel`` (:meth:`~genemoe.models.image.Layout.seen_pixel_of_gene`),
    and what is drawn, in words.

    Where the grid is larger than ``image_size``, the input is the grid resized as the
    network resizes it (bilinear, antialiased) and each map pixel sums its genes' binned
    attributions; else the grid itself (one the network enlarges is drawn as the grid, its
    pixels those of the CSV).

    Pixels holding no gene (a reshape layout's padding, a similarity layout's gaps) are
    masked in both arrays, so the figure draws them in its no-gene colour (mustard), and the
    words count them: they
    were drawn as a gene at the scaled value 0 with attribution 0 (209 of a similarity
    layout's 1,024 pixels, unsaid). The words also say how ``pixel N`` reads (row-major).

    Returns
    -------
    tuple
        ``(n, s, s)`` images, ``(n, s, s)`` maps (masked arrays), and e.g. ``"drawn as the
        network sees it: 8 x 8 (its 20 x 20 grid binned); pixels as in genes_by_class.csv"``
        and, on a second line, the reading of pixel N and the empty pixels.
    """
    h, w = layout.height, layout.width
    grid = layout.to_image(X)
    if image_size is None or image_size >= max(h, w):
        seen = (f"the {h} x {w} grid (seen at {image_size} x {image_size})"
                if image_size is not None and image_size > max(h, w) else
                f"{h} x {w}, as the network sees it")
        return _blank_empty(grid, layout.to_image(attr, reduce="sum"), layout.counts,
                            f"drawn: {seen}; pixels as in genes_by_class.csv")
    binned = Layout(layout.seen_pixel_of_gene(image_size), image_size, image_size, layout.kind)
    images = torch.nn.functional.interpolate(  # as ImageBackbone.images resizes the grid
        torch.as_tensor(grid[:, None], dtype=torch.float32), size=(image_size, image_size),
        mode="bilinear", align_corners=False, antialias=True)[:, 0].numpy()
    return _blank_empty(images, binned.to_image(attr, reduce="sum"), binned.counts,
                        f"drawn as the network sees it: {image_size} x {image_size} (its {h} x "
                        f"{w} grid binned); pixels as in genes_by_class.csv")


def _blank_empty(images: np.ndarray, maps: np.ndarray, counts: np.ndarray,
                 drawn: str) -> tuple[np.ndarray, np.ndarray, str]:
    """``images`` and ``maps`` ``(n, s, s)`` with the pixels where ``counts`` ``(s, s)`` is 0
    (no gene) masked, and ``drawn`` with a line saying how pixel N reads and how many
    pixels are empty (mustard in the figure, as its legend says)."""
    empty = np.broadcast_to(np.asarray(counts) == 0, images.shape)
    side = counts.shape[1]
    n_empty, n_pixels = int((np.asarray(counts) == 0).sum()), int(np.asarray(counts).size)
    note = f"\npixel N: row N // {side}, column N % {side}, from the top left"
    if n_empty:
        note += f"; {n_empty:,} of {n_pixels:,} pixels hold no gene (mustard)"  # said blank
    return (np.ma.masked_array(images, mask=empty), np.ma.masked_array(maps, mask=empty),
            drawn + note)
