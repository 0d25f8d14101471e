"""Expression as images: gene → pixel layouts and the 2D-Hybrid-CNN (Mostavi et al. 2020).

A :class:`Layout` assigns every gene one pixel of an ``height × width`` grid and keeps that
map, so anything computed per pixel maps back to genes (and per-gene attributions map to
pixels). A pixel holding several genes shows their mean; an empty pixel is 0 (the
training mean in scaled space). Layouts are fitted on training rows only:

- ``reshape``: genes in their given order, row-major, zero-padded (Mostavi et al.);
- ``genomic``: genes sorted by (chromosome, start), then folded row-major;
- ``similarity``: DeepInsight-like: the genes' 2-D PCA (or t-SNE) embedding over the
  training samples, scaled onto the grid; genes landing in one pixel are averaged.

``image_size=None`` gives the smallest square holding every gene once; a fixed size
(64, 128, 224) with more genes than pixels averages contiguous genes per pixel.

:class:`HybridCnn` (registered as ``hybrid_cnn``) keeps the layout *inside* the model as a
fixed scatter (:class:`GeneToImage`): its input stays the scaled gene vector, so it trains,
predicts and explains (Integrated Gradients per gene) like every other genemoe model.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch import nn

from genemoe.config_presets import check_config_keys
from genemoe.errors import input_error
from genemoe.models.base import GeneModel, Task
from genemoe.models.image_layout_checks import (
    EMBEDDINGS,
    check_gene_order,
    check_image_sides,
    genomic_placement,
    has_positions,
    known_positions,
    layout_embedding,
)
from genemoe.models.registry import register_model, signature_defaults

__all__ = ["IMAGE_MODELS", "EMBEDDINGS", "input_scaling", "layout_embedding", "has_positions", "check_image_sides",
           "check_gene_order", "Layout", "LayoutName", "reshape_layout", "genomic_layout", "similarity_layout",
           "fit_layout", "GeneToImage", "HybridCnn", "HYBRID_KEYS"]

log = logging.getLogger(__name__)

LayoutName = Literal["reshape", "genomic", "similarity"]
HYBRID_KEYS = ("layout", "embedding", "image_size", "gene_order", "layout_state",
               "n_filters", "hidden", "dropout", "input_scaling")
IMAGENET_BACKBONES = ("resnet50", "densenet169", "vgg19", "xception")  # = backbones.BACKBONES
IMAGE_MODELS = ("hybrid_cnn", *IMAGENET_BACKBONES)


def input_scaling(model_name: str, config: dict[str, Any]) -> Literal["standard", "global", "centred"]:
    """How a model's input genes are scaled (``input_scaling`` in its config).

    Every model takes the key (``model: {mlp: {input_scaling: centred}}``); the default is
    ``standard`` (per-gene z-score) for the vector models. ``hybrid_cnn`` defaults to
    ``centred`` (each gene minus its training mean, one scale for every gene): a gene keeps
    its spread relative to the others, so a tissue marker (training std 5-9 log units on the
    GDC cohorts, against a median gene's 1.5) outshines a barely expressed gene's noise,
    which per-gene z-scores give the same contrast. On the
    six GDC cohorts (protein-coding genes, seed 0) its explanations then named 4 adrenal
    and 2 intercalated-cell genes in ACC's top 20 and KICH's top 25 against 1 and 1 with
    z-scores, and on pancan33's validation split (10 seeds) its macro-F1 was 0.848 ± 0.019
    against 0.828 ± 0.026 (docs/results.md (e)). The ImageNet backbones default to
    ``global`` (one shift and scale for every gene, fitted on the training split): an
    expression image then shows the genes' levels relative to each other, as in the
    transfer-learning paper's images. On the six GDC cohorts ResNet-50 from scratch reached
    0.97 validation accuracy in 5 epochs on globally scaled images and stayed near 0.85 on
    z-scored ones.
    """
    defaults = {"hybrid_cnn": "centred", **{name: "global" for name in IMAGENET_BACKBONES}}
    default = defaults.get(model_name, "standard")
    value = config.get("input_scaling", default)
    if value not in ("standard", "global", "centred"):
        raise input_error(f"input_scaling must be standard, global or centred, got {value!r}",
                          where=f"model.{model_name}.input_scaling", fix="use standard, global or centred")
    return value


@dataclass
class Layout:
    """A gene → pixel map on a ``height × width`` grid.

    Attributes
    ----------
    pixel_of_gene
        ``(n_genes,)`` int64 flat pixel index (row-major) of every gene.
    height, width
        Grid size.
    kind
        Which layout made it.
    embedding
        ``similarity``: the 2-D gene embedding that placed the genes (pca or tsne).
    positions
        Whether the genes have positions a ``genomic`` layout could use (None: not known),
        for :meth:`one_gene_a_pixel`'s advice.
    least_image_size
        The smallest image the network reading it takes (an ImageNet backbone's: VGG-19's
        32), for :meth:`one_gene_a_pixel`'s advice; not saved (the model gives it).
    backbone
        Read by an ImageNet backbone, whose image size is its own (the grid is
        ``grid_size``), for :meth:`one_gene_a_pixel`'s advice; not saved (the model gives it).
    placement
        ``genomic``: how the genes were placed (:func:`genomic_placement`: genes by
        position, genes without one and where they went), for the run's image record; the
        count was said on the terminal only.
    """

    pixel_of_gene: np.ndarray
    height: int
    width: int
    kind: str = "reshape"
    embedding: str | None = None
    positions: bool | None = None
    least_image_size: int = 1
    placement: dict[str, Any] | None = None
    backbone: bool = False

    def __post_init__(self) -> None:
        self.pixel_of_gene = np.asarray(self.pixel_of_gene, dtype=np.int64)
        if self.pixel_of_gene.size and (self.pixel_of_gene.min() < 0
                                        or self.pixel_of_gene.max() >= self.n_pixels):
            raise ValueError(f"pixel indices outside the {self.height} x {self.width} grid")

    @property
    def n_genes(self) -> int:
        return int(self.pixel_of_gene.size)

    @property
    def n_pixels(self) -> int:
        return self.height * self.width

    @property
    def counts(self) -> np.ndarray:
        """``(height, width)`` number of genes in each pixel."""
        return np.bincount(self.pixel_of_gene, minlength=self.n_pixels).reshape(self.height, self.width)

    def most_genes_seen(self, image_size: int | None) -> int:
        """The most genes in one pixel of the ``image_size`` x ``image_size`` image a network
        sees: the grid's pixels binned onto it when the grid is larger (a 140 x 140 grid
        seen at 32 x 32 blends ~19 genes a pixel, which ``counts`` alone gave as 1; the
        resize's antialiasing blends somewhat more), else the grid's own most."""
        h, w = self.height, self.width
        if image_size is None or image_size >= max(h, w):
            return int(self.counts.max()) if self.n_pixels else 0
        seen = np.zeros((image_size, image_size), np.int64)
        rows, cols = (np.arange(h) * image_size) // h, (np.arange(w) * image_size) // w
        np.add.at(seen, (rows[:, None], cols[None, :]), self.counts)
        return int(seen.max())

    def seen_as(self, image_size: int | None) -> str:
        """The image the network sees, in words: ``"32 x 32 image"`` where the grid is
        binned onto it, ``"10 x 10 grid, seen at 32 x 32"`` where it is resized up (explain
        said "the 10 x 10 image the network sees" of a ResNet-50 fed 32 x 32)."""
        if image_size is None or image_size == max(self.height, self.width):
            return f"{self.height} x {self.width} image"
        if image_size < max(self.height, self.width):
            return f"{image_size} x {image_size} image (a {self.height} x {self.width} grid binned)"
        return f"{self.height} x {self.width} grid, seen at {image_size} x {image_size}"

    def one_gene_a_pixel(self, image_size: int | None) -> str:
        """What gives each gene its own pixel: a larger image for the ordered layouts; for
        ``similarity`` no size does (genes with alike profiles land in one pixel: at 140 x
        140 a GDC layout still put 33 in one), so another layout: ``genomic`` only where the
        genes have positions (``positions`` not False; it was then refused), at a size the
        network takes (``least_image_size``: "--image-size 10" was advised for VGG-19, which
        then refused it), a backbone keeping its image size where it holds every gene
        (ResNet-50, which takes any size, was advised "--image-size 10" from 32 or 64)."""
        side = max(math.isqrt(max(self.n_genes - 1, 0)) + 1, 1)
        if self.kind == "similarity":
            other = "genomic or reshape" if self.positions is not False else "reshape"
            said = "the similarity layout puts genes with alike profiles in one pixel at any size"
            size = max(side, self.least_image_size)  # VGG-19 refused the 10 it was advised
            backbone = self.backbone or self.least_image_size > 1
            if backbone and image_size is not None and image_size >= size:
                grid = ("" if max(self.height, self.width) >= side  # its grid_size: too small
                        else f" and a grid_size of {side} or more (the model config)")
                return (f"{said}; --layout {other}{grid}, keeping --image-size {image_size}, "
                        "gives each its own")  # a backbone: its default grid is the smallest
            return f"{said}; --layout {other} with --image-size {size} gives each its own"
        grid = max(self.height, self.width)
        if grid >= side:  # a grid with room for every gene, binned onto a smaller image
            return f"--image-size {grid} or more gives each its own"
        if image_size is None or image_size == grid:  # the default grid: the image's side
            return f"--image-size {side} or more gives each its own"
        return f"a grid_size of {side} or more (the model config) gives each its own"

    def seen_pixel_of_gene(self, image_size: int | None) -> np.ndarray:
        """``(n_genes,)`` each gene's pixel in the ``image_size`` x ``image_size`` image the
        network sees (the grid's pixels binned onto it as :meth:`most_genes_seen` bins
        them), row-major; the grid's own pixel when it is seen whole."""
        h, w = self.height, self.width
        if image_size is None or image_size >= max(h, w):
            return self.pixel_of_gene.copy()
        rows, cols = np.divmod(self.pixel_of_gene, w)
        return (rows * image_size // h) * image_size + cols * image_size // w

    def genes_at(self, row: int, col: int) -> np.ndarray:
        """Indices of the genes shown in pixel ``(row, col)``."""
        return np.flatnonzero(self.pixel_of_gene == row * self.width + col)

    def to_image(self, X: np.ndarray, *, reduce: Literal["mean", "sum"] = "mean") -> np.ndarray:
        """``(n, n_genes)`` → ``(n, height, width)``: per-pixel mean (what the CNN sees) or
        sum (for additive quantities such as attributions); empty pixels are 0."""
        X = np.asarray(X, np.float64)
        out = np.zeros((X.shape[0], self.n_pixels))
        np.add.at(out, (slice(None), self.pixel_of_gene), X)
        if reduce == "mean":
            out /= np.maximum(self.counts.reshape(-1), 1)
        return out.reshape(-1, self.height, self.width)

    def to_genes(self, images: np.ndarray) -> np.ndarray:
        """``(n, height, width)`` → ``(n, n_genes)``: each gene reads its pixel. Inverts
        :meth:`to_image` exactly where every pixel holds at most one gene."""
        flat = np.asarray(images).reshape(len(images), -1)
        return flat[:, self.pixel_of_gene]

    def to_state(self) -> dict[str, Any]:
        return {"pixel_of_gene": self.pixel_of_gene.tolist(), "height": self.height,
                "width": self.width, "kind": self.kind,
                **({"embedding": self.embedding} if self.embedding else {}),
                **({"positions": self.positions} if self.positions is not None else {}),
                **({"placement": dict(self.placement)} if self.placement else {})}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> Layout:
        return cls(np.asarray(d["pixel_of_gene"]), int(d["height"]), int(d["width"]),
                   d.get("kind", "reshape"), d.get("embedding"), d.get("positions"),
                   placement=d.get("placement"))


def _grid(n_genes: int, image_size: int | None) -> int:
    """Side of the square grid: fixed, or the smallest square holding every gene."""
    if image_size is None:
        return max(1, math.ceil(math.sqrt(n_genes)))
    if image_size < 1:
        raise input_error(f"image_size must be >= 1, got {image_size}", where="image_size")
    return int(image_size)


def _fold(n_genes: int, side: int) -> np.ndarray:
    """Pixel of the i-th gene in order: row-major, or contiguous blocks averaged when the
    genes outnumber the pixels."""
    n_pix = side * side
    i = np.arange(n_genes)
    return i if n_genes <= n_pix else (i * n_pix) // n_genes


def reshape_layout(n_genes: int, *, image_size: int | None = None,
                   gene_order: np.ndarray | None = None) -> Layout:
    """Genes row-major in ``gene_order`` (default: as given), zero-padded."""
    side = _grid(n_genes, image_size)
    order = np.arange(n_genes) if gene_order is None else np.asarray(gene_order, np.int64)
    if sorted(order.tolist()) != list(range(n_genes)):
        raise input_error("gene_order must be a permutation of the gene indices", where="gene_order")
    pixel = np.empty(n_genes, np.int64)
    pixel[order] = _fold(n_genes, side)
    return Layout(pixel, side, side, "reshape")


def _chrom_key(c: Any) -> tuple[int, str]:
    s = str(c).removeprefix("chr")
    if s.isdigit():
        return (int(s), "")
    return ({"X": 23, "Y": 24, "M": 25, "MT": 25}.get(s, 26), s)


def genomic_order(chrom: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Gene indices sorted by (chromosome 1..22, X, Y, MT, others; start); genes without a
    chromosome (None, NaN or pd.NA) last, in bundle order, as :func:`genomic_placement`
    records it (pd.NA was keyed as a chromosome "<NA>", before the scaffolds)."""
    has_chrom = np.array([not pd.isna(c) for c in chrom], bool)
    keys = [_chrom_key(c) if known else (99, "") for c, known in zip(chrom, has_chrom, strict=True)]
    st = np.asarray(start, np.float64)
    st = np.where(np.isfinite(st) & has_chrom, st, np.inf)
    return np.array(sorted(range(len(keys)), key=lambda i: (keys[i], st[i], i)), dtype=np.int64)


def genomic_layout(chrom: np.ndarray, start: np.ndarray, *, image_size: int | None = None) -> Layout:
    """Genes in genome order, folded row-major into a square; its ``placement`` counts the
    genes placed by position and those without one (:func:`genomic_placement`)."""
    lay = reshape_layout(len(chrom), image_size=image_size, gene_order=genomic_order(chrom, start))
    return Layout(lay.pixel_of_gene, lay.height, lay.width, "genomic",
                  placement=genomic_placement(chrom, start))


def similarity_layout(X_train: np.ndarray, *, image_size: int | None = None,
                      embedding: Literal["pca", "tsne"] = "pca", seed: int = 0) -> Layout:
    """DeepInsight-like layout from training samples ``X_train (n_train, n_genes)``.

    Each gene is a point whose coordinates are its standardised expression over the
    training samples; a 2-D embedding of those points (PCA, or t-SNE) is scaled onto the
    grid; genes in one pixel are averaged. Only ``X_train`` is read.
    """
    G = np.asarray(X_train, np.float64).T  # (n_genes, n_train)
    G = (G - G.mean(1, keepdims=True)) / np.maximum(G.std(1, keepdims=True), 1e-8)
    side = _grid(G.shape[0], image_size)
    if embedding == "tsne":
        emb = _tsne(G, seed)
    elif embedding == "pca":
        Gc = G - G.mean(0)
        u, s, _ = np.linalg.svd(Gc, full_matrices=False)
        emb = u[:, :2] * s[:2]
        if emb.shape[1] < 2:
            emb = np.pad(emb, ((0, 0), (0, 2 - emb.shape[1])))
        emb *= np.where(emb[np.abs(emb).argmax(0), [0, 1]] < 0, -1.0, 1.0)  # fix SVD signs
    else:
        raise input_error(f"unknown embedding {embedding!r}", where="embedding", fix="use pca or tsne")
    lo, span = emb.min(0), np.maximum(np.ptp(emb, 0), 1e-12)
    rc = np.clip(np.floor((emb - lo) / span * side), 0, side - 1).astype(np.int64)
    return Layout(rc[:, 0] * side + rc[:, 1], side, side, "similarity", embedding)


def _tsne(G: np.ndarray, seed: int) -> np.ndarray:
    """2-D t-SNE of the genes ``G (n_genes, n_train)``, said before and after: on the GDC
    cohorts' 19,276 genes it ran about 6 minutes on 2 cores, in silence, before training
    said anything (PCA takes seconds)."""
    import time

    from sklearn.manifold import TSNE

    log.info("similarity layout: t-SNE of %s genes over %s training samples\n  (minutes for "
             "thousands of genes; embedding: pca takes seconds)", f"{G.shape[0]:,}",
             f"{G.shape[1]:,}")
    began = time.perf_counter()
    emb = TSNE(2, random_state=seed, init="pca",
               perplexity=min(30.0, max(2.0, (G.shape[0] - 1) / 3))).fit_transform(G)
    took = time.perf_counter() - began
    log.info("similarity layout: t-SNE took %s",
             f"{took:.0f} s" if took < 120 else f"{took / 60:.1f} min")
    return emb


def fit_layout(kind: LayoutName, n_genes: int, *, X: np.ndarray | None = None,
               train_rows: np.ndarray | None = None, chrom: np.ndarray | None = None,
               start: np.ndarray | None = None, image_size: int | None = None,
               gene_order: np.ndarray | None = None, embedding: Literal["pca", "tsne"] = "pca") -> Layout:
    """Fit layout ``kind``; ``similarity`` reads only ``X[train_rows]``; ``gene_order`` is
    the ``reshape`` layout's (another layout places the genes itself, see
    :func:`check_gene_order`)."""
    if kind == "reshape":
        return reshape_layout(n_genes, image_size=image_size, gene_order=gene_order)
    if kind == "genomic":
        known = known_positions(chrom, start, n_genes)
        if not known.any():  # was a plain reshape under the name "genomic", unsaid
            raise input_error(  # the CLI's words (workflows.common), in a caller's keys
                "no gene positions (chrom, start), which the genomic layout needs",
                where="layout", fix="use layout: reshape or layout: similarity, or prepare the "
                                    "bundle with --annotation")
        layout = genomic_layout(np.asarray(chrom, dtype=object), np.asarray(start), image_size=image_size)
        if not known.all():  # counted in layout.placement (the run's image record)
            log.warning("genomic layout: %s of %s genes have no position; placed: %s",
                        f"{(~known).sum():,}", f"{n_genes:,}",
                        (layout.placement or {}).get("without_position_placed"))
        return layout
    if kind == "similarity":
        if X is None or train_rows is None:
            raise input_error("the similarity layout needs the training samples", where="layout",
                              fix="pass X and train_rows (genemoe train fits it on the training split)")
        return similarity_layout(np.asarray(X)[np.asarray(train_rows)], image_size=image_size,
                                 embedding=embedding)
    raise input_error(f"unknown layout {kind!r}", where="layout", fix="use reshape, genomic or similarity")


class GeneToImage(nn.Module):
    """Fixed scatter ``(B, n_genes)`` → ``(B, 1, height, width)``: per-pixel gene mean.

    The map is a buffer (saved with the weights); ``fitted`` is False for a placeholder
    whose real map arrives through ``load_state_dict``.
    """

    def __init__(self, layout: Layout, *, fitted: bool = True) -> None:
        super().__init__()
        self.height, self.width = layout.height, layout.width
        self.kind = layout.kind  # layout() gave "reshape" for a genomic map (a run's record)
        self.embedding, self.positions = layout.embedding, layout.positions
        self.least_image_size = layout.least_image_size
        self.placement = layout.placement  # genomic: genes without a position, counted
        self.backbone = layout.backbone
        counts = torch.as_tensor(layout.counts.reshape(-1), dtype=torch.float32)
        self.register_buffer("pixel_of_gene", torch.as_tensor(layout.pixel_of_gene))
        self.register_buffer("inv_count", 1.0 / counts.clamp(min=1))
        self.register_buffer("fitted", torch.tensor(fitted))

    def layout(self) -> Layout:
        return Layout(self.pixel_of_gene.cpu().numpy(), self.height, self.width, kind=self.kind,
                      embedding=self.embedding, positions=self.positions,
                      least_image_size=self.least_image_size, placement=self.placement,
                      backbone=self.backbone)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, 1, H, W)
        if not bool(self.fitted):
            raise input_error(  # named hybrid_cnn in a resnet50's error too
                f"the image model's {self.kind} gene → pixel layout was never fitted",
                where="layout", fix="fit it with genemoe train (layout_state), use layout: "
                                    "reshape, or load a trained model's weights")
        img = x.new_zeros(x.shape[0], self.height * self.width)
        img = img.index_add(1, self.pixel_of_gene, x) * self.inv_count
        return img.view(-1, 1, self.height, self.width)


class HybridCnn(GeneModel):
    """2D-Hybrid-CNN (Mostavi et al. 2020) on a gene image.

    Two branches read the ``H × W`` image: ``Conv(n_filters, 1 × W)`` (one output per
    row) and ``Conv(n_filters, H × 1)`` (one per column), each ReLU; their outputs are
    flattened, concatenated → Dense ``hidden`` + ReLU + dropout → head.

    Parameters
    ----------
    layout
        A fitted :class:`Layout` (see :func:`fit_layout`).
    fitted
        False for a placeholder layout that a loaded ``state_dict`` will replace.
    n_filters, hidden, dropout
        The paper: 32, 128; dropout is ours.
    """

    def __init__(self, n_genes: int, n_outputs: int, *, task: Task, layout: Layout,
                 fitted: bool = True, n_filters: int = 32, hidden: int = 128,
                 dropout: float = 0.25) -> None:
        super().__init__(n_genes, n_outputs, task=task, n_features=hidden)
        if layout.n_genes != n_genes:
            raise input_error(f"layout covers {layout.n_genes} genes, the model {n_genes}", where="layout")
        self.to_image = GeneToImage(layout, fitted=fitted)
        h, w = layout.height, layout.width
        self.row_conv = nn.Conv2d(1, n_filters, kernel_size=(1, w))  # -> (B, F, H, 1)
        self.col_conv = nn.Conv2d(1, n_filters, kernel_size=(h, 1))  # -> (B, F, 1, W)
        self.dense = nn.Sequential(nn.Linear(n_filters * (h + w), hidden), nn.ReLU(), nn.Dropout(dropout))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:  # (B, n_genes) -> (B, hidden)
        img = self.to_image(x)  # (B, 1, H, W)
        rows = torch.relu(self.row_conv(img)).flatten(1)  # (B, F * H)
        cols = torch.relu(self.col_conv(img)).flatten(1)  # (B, F * W)
        return self.dense(torch.cat([rows, cols], 1))


def _model_layout(n_genes: int, config: dict[str, Any], model: str = "hybrid_cnn"
                  ) -> tuple[Layout, bool]:
    """The layout an image model's config asks for, and whether it is fitted; ``gene_order``
    with a ``genomic`` or ``similarity`` layout is refused (it replaced it, unsaid)."""
    check_gene_order(model, config)
    kind = config.get("layout", "reshape")
    size = config.get("image_size")
    if config.get("layout_state") is not None:
        return Layout.from_state(config["layout_state"]), True
    if kind == "reshape":
        return reshape_layout(n_genes, image_size=size, gene_order=config.get("gene_order")), True
    if kind not in ("genomic", "similarity"):
        raise input_error(f"unknown layout {kind!r}", where=f"model.{model}.layout",
                          fix="use reshape, genomic or similarity")
    # No data to fit on (e.g. predicting where the bundle is absent): a placeholder of the
    # right shape; a loaded state_dict fills it in, and forward refuses until then.
    log.debug("%s: %s layout unfitted until a state_dict is loaded", model, kind)
    return reshape_layout(n_genes, image_size=size), False


@register_model(
    "hybrid_cnn",
    kind="torch",
    tasks=("classify", "survival"),
    description="2D-Hybrid-CNN (Mostavi 2020): genes as an image, 1xW and Hx1 conv branches",
    defaults=signature_defaults(HybridCnn, keys=HYBRID_KEYS), options=HYBRID_KEYS,
)
def create_hybrid_cnn(*, n_genes: int, n_outputs: int, task: Task, **config: Any) -> HybridCnn:
    """Hybrid CNN. Config keys: :data:`HYBRID_KEYS` (``layout``: reshape | genomic |
    similarity; ``embedding``: pca | tsne, how ``similarity`` places genes; ``layout_state``: a fitted layout, see
    :func:`genemoe.models.backbones.fit_image_layout`)."""
    check_config_keys("hybrid_cnn", config, HYBRID_KEYS)
    check_image_sides("hybrid_cnn", config, n_genes)
    input_scaling("hybrid_cnn", config)  # checked here; applied by the data pipeline
    embedding = layout_embedding("hybrid_cnn", config)
    layout, fitted = _model_layout(n_genes, config)
    layout.kind = config.get("layout", layout.kind)
    layout.embedding = layout.embedding or embedding
    arch = {k: config[k] for k in ("n_filters", "hidden", "dropout") if k in config}
    return HybridCnn(n_genes, n_outputs, task=task, layout=layout, fitted=fitted, **arch)
