"""The per-sample figures of an explanation (``DIR/maps/<sample>.png``): which samples are
drawn (at most ``_MAX_MAPS``, shared out over the classes) and, per sample, its image and
attribution map (image models) or a signed bar chart of its top genes (vector models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

__all__ = ["_MAX_MAPS", "_cap_per_class", "_gene_labels", "_image_layout", "_image_maps",
           "_vector_maps"]

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


def _image_layout(model: torch.nn.Module):
    """The model's gene → image layout, or None for a vector model."""
    to_image = getattr(model, "to_image", None)
    if to_image is None or not hasattr(to_image, "layout"):
        return None
    return to_image.layout()


def _map_picks(predicted: np.ndarray, n_maps: int = _MAX_MAPS) -> np.ndarray:
    """Rows drawn in ``maps/``: at most ``n_maps``, shared out over the predicted classes."""
    return _cap_per_class(predicted, max(1, n_maps // max(1, len(set(predicted.tolist())))))[:n_maps]


def _gene_labels(payload: dict) -> np.ndarray:
    """Gene symbols of the model's columns; the gene id where a symbol is missing or empty."""
    ids = np.asarray(payload["gene_ids"], dtype=object)
    sym = payload.get("symbols")
    if sym is None or len(sym) != len(ids):
        return ids
    sym = np.asarray(sym, dtype=object)
    missing = pd.isna(sym) | (pd.Series(sym, dtype=object).astype(str).str.strip() == "").to_numpy()
    return np.where(missing, ids, sym)


def _vector_maps(attr: np.ndarray, delta: np.ndarray, sample_ids: np.ndarray, spread: np.ndarray,
                 explained: np.ndarray, labels: np.ndarray, maps_dir: Path, n_maps: int = _MAX_MAPS, *,
                 synthetic: bool = False) -> list[Path]:
    """Per-sample bar chart of the top genes by |attribution|, for vector (non-image) models."""
    from genemoe.explain.figures import sample_attribution_figure

    change = attr.astype(np.float64).sum(1) - delta  # f(x) - f(baseline)
    tag = " [SYNTHETIC DATA]" if synthetic else ""
    paths = []
    for i in _map_picks(spread, n_maps):  # shared out over the classes (survival: the types)
        title = f"{sample_ids[i]} → {explained[i]}{tag}"
        if np.isfinite(delta[i]):
            title += f"\ncompleteness delta {float(delta[i]):+.3g}"
            if abs(change[i]) >= 1e-3:  # as convergence_summary: tiny changes make noisy ratios
                title += f" ({abs(float(delta[i])) / abs(float(change[i])):.1%} of f(x) - f(baseline))"
        paths.append(sample_attribution_figure(attr[i], labels, maps_dir / f"{sample_ids[i]}.png",
                                               top=_MAP_TOP_GENES, title=title))
    return paths


def _image_maps(model: torch.nn.Module, X: np.ndarray, attr: np.ndarray, sample_ids: np.ndarray,
                predicted: np.ndarray, maps_dir: Path, n_maps: int = _MAX_MAPS, *,
                spread: np.ndarray | None = None) -> list[Path]:
    """Per-sample input image + attribution map, for models with a gene → image layout."""
    layout = _image_layout(model)
    if layout is None:
        return []
    from genemoe.explain.figures import attribution_map_figure

    pick = _map_picks(predicted if spread is None else spread, n_maps)
    images, maps = layout.to_image(X[pick]), layout.to_image(attr[pick], reduce="sum")
    return [attribution_map_figure(images[j], maps[j], maps_dir / f"{sample_ids[i]}.png",
                                   title=f"{sample_ids[i]} → {predicted[i]}")
            for j, i in enumerate(pick)]
