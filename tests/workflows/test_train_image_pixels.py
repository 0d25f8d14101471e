"""What train says and records of how genes fill an image's pixels: an outside probe found
pancan33's 100 genes on a similarity layout's 10 x 10 grid filled 51 pixels (62 genes sharing
one), said only as "up to 4 a pixel" (and warned of from 8 a pixel only); the crowding
warning said a shared pixel's attributions were "one", where explain splits them by each
gene's own deviation."""

from __future__ import annotations

import logging

import numpy as np
from torch import nn

from genemoe.models.image import GeneToImage, HybridCnn, Layout
from genemoe.workflows.train_image import image_record, pixel_use


def test_the_genes_sharing_a_pixel_and_the_empty_pixels_are_recorded_and_said(caplog):
    lay = Layout(np.array([0, 0, 0, 1, 1, 2, 3, 4, 5, 6]), 3, 3, "similarity", "pca")
    net = HybridCnn(10, 2, task="classify", layout=lay, n_filters=2, hidden=4)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        image = image_record(net, "centred")["image"]
    assert (image["genes_sharing_a_pixel"], image["pixels_used"], image["pixels_empty"]) == (5, 7, 2)
    assert ("10 genes on the 3 x 3 image: 7 pixels used, 2 empty\n  5 genes share a pixel "
            "(up to 3)") in caplog.text
    assert "layout similarity by pca" in caplog.text


def test_a_grid_binned_onto_a_smaller_image_counts_the_pixels_the_network_sees():
    lay = Layout(np.arange(100), 10, 10)  # one gene a pixel on the grid, 4 a pixel at 5 x 5
    assert pixel_use(lay, 10) == {"genes_sharing_a_pixel": 0, "pixels_used": 100, "pixels_empty": 0}
    assert pixel_use(lay, 5) == {"genes_sharing_a_pixel": 100, "pixels_used": 25, "pixels_empty": 0}
    assert pixel_use(lay, 64) == pixel_use(lay, 10)  # resized up: the grid's own pixels


def test_one_gene_a_pixel_says_no_sharing_line(caplog):
    net = HybridCnn(7, 2, task="classify", layout=Layout(np.arange(7), 3, 3), n_filters=2, hidden=4)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        image = image_record(net, "centred")["image"]
    assert image["genes_sharing_a_pixel"] == 0 and image["pixels_empty"] == 2
    assert "share a pixel" not in caplog.text


def test_the_crowding_warning_says_how_explain_splits_a_pixels_credit(caplog):
    net = nn.Module()
    net.to_image, net.image_size = GeneToImage(Layout(np.arange(16), 4, 4)), 1
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        image_record(net, "global")
    assert "their attributions split by each gene's own deviation" in caplog.text
    assert "their attributions one" not in caplog.text


def test_the_image_lines_are_short(caplog):
    """The image line ran to ~190 characters, the crowding warning to ~200 (probeEE)."""
    net = nn.Module()
    net.to_image, net.image_size = GeneToImage(Layout(np.arange(16), 4, 4, "similarity", "pca")), 1
    with caplog.at_level(logging.INFO, logger="genemoe"):
        image_record(net, "global")
    lines = [ln for r in caplog.records for ln in r.getMessage().splitlines()]
    assert any(ln.startswith("image: 16 genes") for ln in lines)
    assert any("share one pixel" in ln for ln in lines)
    assert max(map(len, lines)) <= 100, lines
