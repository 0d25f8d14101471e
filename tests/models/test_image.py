"""Gene → image layouts (every pixel maps back to genes) and the 2D-Hybrid-CNN."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genemoe.errors import InputError
from genemoe.models.image import (
    GeneToImage,
    Layout,
    fit_layout,
    genomic_layout,
    genomic_order,
    reshape_layout,
    similarity_layout,
)
from genemoe.models.registry import create_model
from genemoe.train.losses import focal_loss
from synthetic_inputs import prepare_synthetic


def _check_map(layout: Layout, X: np.ndarray) -> None:
    """to_image is the per-pixel gene mean; to_genes inverts it where pixels hold one gene."""
    img = layout.to_image(X)
    assert img.shape == (len(X), layout.height, layout.width)
    counts = layout.counts
    assert counts.sum() == X.shape[1]
    for r, c in [(0, 0), (layout.height // 2, layout.width // 2), (layout.height - 1, layout.width - 1)]:
        genes = layout.genes_at(r, c)
        expected = X[:, genes].mean(1) if len(genes) else np.zeros(len(X))
        np.testing.assert_allclose(img[:, r, c], expected, atol=1e-12)
    single = counts.reshape(-1)[layout.pixel_of_gene] == 1
    np.testing.assert_allclose(layout.to_genes(img)[:, single], X[:, single])
    np.testing.assert_allclose(layout.to_image(X, reduce="sum").sum((1, 2)), X.sum(1))


def test_reshape_is_row_major_with_zero_padding(rng):
    X = rng.normal(size=(3, 50))
    lay = reshape_layout(50)
    assert (lay.height, lay.width) == (8, 8) and (lay.counts.reshape(-1)[:50] == 1).all()
    img = lay.to_image(X)
    np.testing.assert_array_equal(img.reshape(3, -1)[:, :50], X)  # row-major
    assert (img.reshape(3, -1)[:, 50:] == 0).all()  # zero padding
    np.testing.assert_array_equal(lay.to_genes(img), X)  # a bijection onto the first 50 pixels
    _check_map(lay, X)


def test_fixed_size_averages_contiguous_genes(rng):
    X = rng.normal(size=(2, 50))
    lay = reshape_layout(50, image_size=4)  # 16 pixels for 50 genes
    assert lay.counts.min() >= 3 and lay.counts.max() <= 4
    assert (np.diff(lay.pixel_of_gene) >= 0).all()  # contiguous blocks
    _check_map(lay, X)
    perm = rng.permutation(50)
    custom = reshape_layout(50, gene_order=perm)
    assert (custom.pixel_of_gene[perm] == np.arange(50)).all()
    with pytest.raises(InputError, match="permutation"):
        reshape_layout(50, gene_order=np.zeros(50, int))


def test_genomic_order_respects_chrom_then_start(rng):
    chrom = np.array(["10", "2", "X", "1", "2", "chr1", "MT", None, "10", "1"], dtype=object)
    start = np.array([5, 300, 1, 900, 100, 50, 7, 1, 2, np.nan])
    order = genomic_order(chrom, start)
    # chr1: 50, 900, NaN (unknown start last) | 2: 100, 300 | 10: 2, 5 | X | MT | unknown
    assert order.tolist() == [5, 3, 9, 4, 1, 8, 0, 2, 6, 7]
    lay = genomic_layout(chrom, start)
    assert (np.diff(lay.pixel_of_gene[order]) > 0).all()  # genome order = pixel order
    _check_map(lay, rng.normal(size=(2, 10)))


def test_a_genomic_layout_without_positions_is_refused_or_said(caplog):
    """Old behaviour: a bundle whose genes have no position (Entrez ids prepared without
    --annotation: chrom all null) got a plain reshape recorded as layout: genomic, unsaid."""
    none = np.array([None] * 6, dtype=object)
    with pytest.raises(InputError, match=r"(?s)no gene positions.*--annotation"):
        fit_layout("genomic", 6, chrom=none, start=np.full(6, np.nan))
    chrom = np.array(["1", "2", None, "X", None, "1"], dtype=object)
    with caplog.at_level("WARNING"):
        fit_layout("genomic", 6, chrom=chrom, start=np.array([5.0, 1, np.nan, 2, 3, 1]))
    assert "genomic layout: 2 of 6 genes have no position" in caplog.text


def test_similarity_layout_reads_training_rows_only(rng):
    n_genes = 40
    latent = rng.normal(size=(60, 2))
    loadings = np.zeros((2, n_genes))
    loadings[0, :20], loadings[1, 20:] = 1.0, 1.0  # two gene modules
    X = latent @ loadings + 0.05 * rng.normal(size=(60, n_genes))
    X[:, 39] = X[:, 0]  # an exact duplicate shares its twin's pixel
    train = np.arange(40)
    lay = fit_layout("similarity", n_genes, X=X, train_rows=train)
    X2 = X.copy()
    X2[40:] = rng.normal(size=(20, n_genes)) * 100  # other rows: no effect
    np.testing.assert_array_equal(fit_layout("similarity", n_genes, X=X2, train_rows=train).pixel_of_gene,
                                  lay.pixel_of_gene)
    assert lay.pixel_of_gene[39] == lay.pixel_of_gene[0]
    rc = np.stack(np.divmod(lay.pixel_of_gene, lay.width), 1).astype(float)
    d = np.linalg.norm(rc[:, None] - rc[None], axis=-1)
    within = (d[:20, :20].mean() + d[20:39, 20:39].mean()) / 2
    assert within < d[:20, 20:39].mean() / 2  # co-expressed genes lie together
    _check_map(lay, X[40:])
    small = similarity_layout(X[train], image_size=4)
    assert small.n_pixels == 16 and small.counts.sum() == n_genes
    _check_map(small, X[40:])


def test_layout_state_round_trip_and_torch_scatter_match(rng):
    lay = reshape_layout(30, image_size=4, gene_order=rng.permutation(30))
    again = Layout.from_state(lay.to_state())
    np.testing.assert_array_equal(again.pixel_of_gene, lay.pixel_of_gene)
    X = rng.normal(size=(5, 30)).astype(np.float32)
    img = GeneToImage(lay)(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(img[:, 0], lay.to_image(X), rtol=1e-5, atol=1e-6)


def test_hybrid_cnn_trains_a_few_steps():
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 3, (96,), generator=g)
    X = torch.randn(96, 60, generator=g) * 0.5
    X[torch.arange(96), y * 5] += 3.0  # one marker gene per class
    torch.manual_seed(0)
    model = create_model("hybrid_cnn", n_genes=60, n_outputs=3, task="classify", n_filters=8, hidden=32)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(25):
        opt.zero_grad()
        loss = focal_loss(model(X).out, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        acc = (model(X).out.argmax(1) == y).float().mean().item()
    assert losses[-1] < 0.3 * losses[0] and acc > 0.9


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    d = tmp_path_factory.mktemp("image")
    return prepare_synthetic(d, n_samples=120, n_genes=80, n_types=3, seed=5, clinical=False)[0]


@pytest.mark.parametrize("kind", ["genomic", "similarity"])
def test_bundle_layouts_load_into_an_unfitted_model(bundle, kind):
    from genemoe.workflows.common import with_fitted_layout

    mask = bundle.gene_mask()
    var, n = bundle.var.loc[mask], int(mask.sum())
    cfg = with_fitted_layout("hybrid_cnn", {"layout": kind, "image_size": 8}, bundle, mask,
                             bundle.indices("train"))
    model = create_model("hybrid_cnn", n_genes=n, n_outputs=3, task="classify", **cfg)
    lay = model.to_image.layout()
    if kind == "genomic":
        expected = genomic_layout(var["chrom"].to_numpy(object), var["start"].to_numpy(), image_size=8)
    else:
        expected = similarity_layout(np.asarray(bundle.X)[bundle.indices("train")][:, mask],
                                     image_size=8)
    np.testing.assert_array_equal(lay.pixel_of_gene, expected.pixel_of_gene)
    # predict / explain rebuild from the config without the bundle: the map comes with the weights
    blank = create_model("hybrid_cnn", n_genes=n, n_outputs=3, task="classify", layout=kind, image_size=8)
    x = torch.randn(4, n)
    with pytest.raises(InputError, match="never fitted"):
        blank(x)
    blank.load_state_dict(model.state_dict())
    model.eval()
    blank.eval()
    with torch.no_grad():
        torch.testing.assert_close(blank(x).out, model(x).out)
