"""Probe EE, D9: a backbone whose 20 x 20 grid the network sees at 8 x 8 had its maps/
figures drawn at 20 x 20, one gene a square, while genes_by_class.csv's ``pixel`` indexes
the 8 x 8 image (``seen_pixel_of_gene``). The maps are drawn on the pixels the network sees,
the title saying so."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import genemoe.explain.figures as figures
from genemoe.explain.maps import _image_maps
from genemoe.models.image import GeneToImage, reshape_layout


class _Backbone(torch.nn.Module):
    """What the maps read of an ImageNet backbone: its gene → grid layout and image size."""

    def __init__(self, n_genes: int, grid: int, image_size: int) -> None:
        super().__init__()
        self.to_image = GeneToImage(reshape_layout(n_genes, image_size=grid))
        self.image_size = image_size


@pytest.fixture
def drawn(monkeypatch):
    calls = []
    monkeypatch.setattr(figures, "attribution_map_figure",
                        lambda image, attribution, out_path, **kw: calls.append(
                            (image, attribution, kw)) or out_path)
    return calls


def _draw(model, n_genes: int, tmp_path, seed: int = 0):
    rng = np.random.default_rng(seed)
    X, attr = rng.normal(size=(2, n_genes)), rng.normal(size=(2, n_genes))
    _image_maps(model, X, attr, np.array(["s0", "s1"]), np.array(["a", "b"]), tmp_path,
                spread=np.array(["A", "B"]))
    return X, attr


def test_a_grid_seen_smaller_is_drawn_on_the_pixels_of_genes_by_class(tmp_path, drawn):
    model = _Backbone(398, grid=20, image_size=8)
    X, attr = _draw(model, 398, tmp_path)
    image, amap, kw = drawn[0]
    assert image.shape == amap.shape == (8, 8)
    seen = model.to_image.layout().seen_pixel_of_gene(8)  # genes_by_class.csv's pixel
    expected = np.bincount(seen, weights=attr[0], minlength=64).reshape(8, 8)
    np.testing.assert_allclose(amap, expected)
    assert "8 x 8" in kw["title"] and "20 x 20 grid" in kw["title"]
    with torch.no_grad():  # the input as the network resizes it
        grid = model.to_image(torch.as_tensor(X[:1], dtype=torch.float32))
        net = torch.nn.functional.interpolate(grid, size=(8, 8), mode="bilinear",
                                              align_corners=False, antialias=True)[0, 0]
    np.testing.assert_allclose(image, net.numpy(), atol=1e-5)


def test_a_grid_seen_whole_is_drawn_as_it_is(tmp_path, drawn):
    model = _Backbone(50, grid=8, image_size=32)  # enlarged: the grid's pixels are the CSV's
    _, attr = _draw(model, 50, tmp_path)
    image, amap, kw = drawn[0]
    assert image.shape == amap.shape == (8, 8)
    np.testing.assert_allclose(amap.ravel()[:50], attr[0])
    assert "8 x 8 grid" in kw["title"]
