"""Probe hAD (image transfer learning on real data): what train says of an image's pixels.

- ``hybrid_cnn --image-size 64`` on pancan33's 100 genes left 3,996 of the 4,096 pixels
  empty (padding); the record counted them (``pixels_empty``) but the terminal said nothing
  (its pixel line is for shared pixels only), where ``--image-size 10`` holds every gene.
- The image line of a grid binned onto a smaller image ran to 117 characters.
"""

from __future__ import annotations

import logging

import numpy as np
from torch import nn

from genemoe.models.image import GeneToImage, HybridCnn, Layout, reshape_layout
from genemoe.workflows.train_image import image_record, padding_advice


def _lines(caplog) -> list[str]:
    """The terminal's lines: a warning's first one after its ``warning: `` prefix."""
    return [("warning: " if r.levelno >= logging.WARNING and i == 0 else "") + ln
            for r in caplog.records for i, ln in enumerate(r.getMessage().splitlines())]


def test_an_image_mostly_of_padding_is_said_with_the_size_that_holds_the_genes(caplog):
    net = HybridCnn(100, 2, task="classify", layout=reshape_layout(100, image_size=64),
                    n_filters=2, hidden=4)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        image = image_record(net, "centred")["image"]
    assert image["pixels_empty"] == 3996
    said = " ".join(caplog.text.split())
    assert "3,996 of the 4,096 pixels" in said and "--image-size 10" in said
    assert any(r.levelno == logging.WARNING and "hold no gene" in r.getMessage()
               for r in caplog.records)
    assert max(map(len, _lines(caplog))) <= 100, _lines(caplog)


def test_the_smallest_square_and_a_similarity_layouts_gaps_are_not_padding():
    smallest = reshape_layout(5)  # 3 x 3: 4 of 9 empty, the least any square leaves
    assert padding_advice(smallest, {"pixels_used": 5, "pixels_empty": 4}, None,
                          backbone=False) is None
    spread = Layout(np.array([0, 8]), 3, 3, "similarity", "pca")
    assert padding_advice(spread, {"pixels_used": 2, "pixels_empty": 7}, None,
                          backbone=False) is None


def test_a_backbones_padding_names_its_grid_size():
    lay = reshape_layout(10, image_size=20)
    said = padding_advice(lay, {"pixels_used": 10, "pixels_empty": 390}, 32, backbone=True)
    assert said is not None and "grid_size: 4" in said and "--image-size" not in said


def test_the_image_line_of_a_binned_grid_is_short(caplog):
    net = nn.Module()  # a 10 x 10 grid seen at 8 x 8: "up to 4 genes a pixel as seen"
    net.to_image, net.image_size = GeneToImage(reshape_layout(100, image_size=10)), 8
    net.finetune = "all"
    with caplog.at_level(logging.INFO, logger="genemoe"):
        image_record(net, "global", "none")
    lines = _lines(caplog)
    assert any("as seen" in ln for ln in lines)
    assert max(map(len, lines)) <= 100, lines
