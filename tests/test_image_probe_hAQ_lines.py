"""Probe hAQ: ``genemoe train --model hybrid_cnn --image-size 0`` was refused in a line of
121 characters, the option named twice: "genemoe: error: model.hybrid_cnn.image_size
(--image-size): image_size must be a whole number of pixels, 1 or more, got 0"."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.models.backbones import fit_image_layout


@pytest.mark.parametrize(("model", "key", "value"), [
    ("hybrid_cnn", "image_size", 0), ("hybrid_cnn", "image_size", "ten"),
    ("densenet169", "image_size", 0), ("densenet169", "grid_size", -3)])
def test_a_bad_side_is_refused_in_short_lines_naming_the_option_once(model, key, value):
    """On a similarity layout the fix's note ran to 131 characters as well."""
    with pytest.raises(InputError) as e:
        fit_image_layout(model, 20, {"layout": "similarity", key: value},
                         X_train=np.ones((5, 20)), chrom=None, start=None)
    lines = f"genemoe: error: {e.value}".splitlines()  # as the CLI prints it
    assert max(map(len, lines)) <= 100, lines
    assert lines[0].count(key) == 1 and f"got {value!r}" in lines[0]
    assert "fix:" in lines[1]
    if key == "grid_size" or model == "hybrid_cnn":  # a backbone's image_size is no grid
        assert "alike profiles" in " ".join(lines[1:])


def test_one_pixel_used_is_said_in_the_singular(caplog):
    """``--image-size 1`` on pancan33 said "100 genes on the 1 x 1 image: 1 pixels used"."""
    import logging

    from genemoe.models.image import HybridCnn, reshape_layout
    from genemoe.workflows.train_image import image_record

    net = HybridCnn(10, 2, task="classify", layout=reshape_layout(10, image_size=1),
                    n_filters=2, hidden=4)
    with caplog.at_level(logging.INFO, logger="genemoe"):
        image_record(net, "centred")
    assert "10 genes on the 1 x 1 image: 1 pixel used, 0 empty" in caplog.text
