"""Probe hA: an image model's per-sample maps drew the pixels holding no gene (a reshape
layout's padding, a similarity layout's gaps: 209 of 1,024 pixels of a ResNet-50 on the GDC
cohorts) as a gene at the scaled value 0 with attribution 0, and neither the figure nor its
title said which pixels were empty, nor how genes_by_class.csv's ``pixel N`` reads on a
figure without ticks."""

from __future__ import annotations

import numpy as np

from genemoe.explain.maps import seen_images
from genemoe.models.image import Layout, reshape_layout


def _draw(layout: Layout, image_size: int | None, n_genes: int):
    rng = np.random.default_rng(0)
    return seen_images(layout, rng.normal(size=(2, n_genes)), rng.normal(size=(2, n_genes)),
                       image_size)


def test_padding_pixels_of_a_reshape_grid_are_masked_and_counted():
    images, maps, drawn = _draw(reshape_layout(50, image_size=8), 32, 50)  # 14 pixels padding
    empty = (reshape_layout(50, image_size=8).counts == 0)
    for arr in (images, maps):
        assert np.ma.isMaskedArray(arr)
        np.testing.assert_array_equal(np.ma.getmaskarray(arr), np.broadcast_to(empty, arr.shape))
    assert "14 of 64 pixels hold no gene (mustard)" in drawn  # the legend's colour
    assert "pixel N: row N // 8, column N % 8" in drawn


def test_gaps_of_a_binned_similarity_grid_are_masked_on_the_seen_pixels():
    pixel = np.array([0, 0, 1, 5, 2, 15])  # a 4 x 4 grid seen at 2 x 2: seen pixel 2 empty
    layout = Layout(pixel, 4, 4, "similarity")
    images, maps, drawn = _draw(layout, 2, len(pixel))
    assert images.shape == maps.shape == (2, 2, 2)
    seen = np.bincount(layout.seen_pixel_of_gene(2), minlength=4).reshape(2, 2)
    np.testing.assert_array_equal(np.ma.getmaskarray(maps)[0], seen == 0)
    assert "1 of 4 pixels hold no gene" in drawn and "row N // 2" in drawn
    # the attributions of the genes are all there: nothing masked away
    assert np.isclose(float(maps.sum()), float(np.ma.getdata(maps).sum()))


def test_a_full_grid_masks_nothing_and_says_no_empty_pixels():
    images, maps, drawn = _draw(reshape_layout(64, image_size=8), None, 64)
    assert not np.ma.getmaskarray(images).any() and not np.ma.getmaskarray(maps).any()
    assert "hold no gene" not in drawn
