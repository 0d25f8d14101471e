"""Probe hAD: an ImageNet backbone built with a ``similarity`` layout and no fitted map
(the Python API, without ``genemoe train``) was refused as "the hybrid_cnn gene → pixel
layout was never fitted", at ``model.hybrid_cnn``: another model than the one built."""

from __future__ import annotations

import importlib.util

import pytest
import torch

from genemoe.errors import InputError
from genemoe.models.registry import create_model

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm, torchvision)")


@needs_timm
def test_an_unfitted_backbone_layout_does_not_name_hybrid_cnn():
    net = create_model("resnet50", n_genes=20, n_outputs=2, task="classify",
                       layout="similarity", image_size=8)
    with pytest.raises(InputError) as e:
        net(torch.randn(2, 20))
    text = str(e.value)
    assert "never fitted" in text and "similarity" in text
    assert "hybrid_cnn" not in text
