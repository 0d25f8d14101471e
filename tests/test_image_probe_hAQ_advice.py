"""Probe hAQ: ``genemoe explain`` of a ResNet-50 trained with ``--layout similarity
--image-size 32`` on pancan33's 100 genes advised "--layout reshape with --image-size 10
gives each its own": shrinking the network's image from 32 to 10 x 10, where a reshape
layout's default 10 x 10 grid, seen at 32 x 32, already gives each gene its own pixel (the
advice kept the size only for backbones with a least size, VGG-19, DenseNet-169, Xception;
ResNet-50 takes any size)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from genemoe.models.registry import create_model

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")


@needs_timm
@pytest.mark.parametrize("image_size", [32, 64])
def test_a_resnet50_on_a_similarity_layout_is_told_to_keep_its_image_size(image_size):
    from genemoe.models.image import similarity_layout

    X = np.random.default_rng(0).normal(size=(30, 100))
    state = similarity_layout(X, image_size=10).to_state()
    net = create_model("resnet50", n_genes=100, n_outputs=2, task="classify",
                       image_size=image_size, layout="similarity", layout_state=state)
    advice = net.to_image.layout().one_gene_a_pixel(image_size)
    assert advice.endswith(f"reshape, keeping --image-size {image_size}, gives each "
                           "its own"), advice
    assert "--image-size 10" not in advice


def test_hybrid_cnns_advice_still_names_the_grid_it_needs():
    from genemoe.models.image import Layout

    hybrid = Layout(np.zeros(100, np.int64), 32, 32, "similarity", positions=False)
    assert hybrid.one_gene_a_pixel(32).endswith("--layout reshape with --image-size 10 gives "
                                                "each its own")
