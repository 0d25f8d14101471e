"""ImageNet backbones (probeJ): pretrained weights see pixels in ImageNet's range (the scaled
values mapped onto [0, 1] first, saved with the weights), random init keeps its images; the
one-gene-a-pixel advice names a size the network takes; the docstring's finetune default."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    import torch

    from genemoe.models.registry import create_model

    path = tmp_path_factory.mktemp("w") / "w.pt"
    net = create_model("resnet50", n_genes=16, n_outputs=2, task="classify", image_size=32)
    torch.save(net.backbone.state_dict(), path)
    return path


def _net(**cfg):
    from genemoe.models.registry import create_model

    return create_model("resnet50", n_genes=16, n_outputs=2, task="classify", image_size=32,
                        layout="reshape", **cfg).eval()


def test_pretrained_weights_see_pixels_in_imagenets_range(weights_file):
    """Globally scaled values (about -2.4..3.3) minus ImageNet's mean over its std gave
    images of about -12..7, 4.4 times the contrast the pretrained layers expect."""
    import torch

    x = torch.tensor(np.r_[np.full(8, -2.4), np.full(8, 3.3)], dtype=torch.float32)[None]
    pre = _net(weights=str(weights_file))
    img = pre.images(x)
    assert float(img.max()) < 3.0 and float(img.min()) > -2.5  # was 12.9 and -12.5
    assert pre.pixel_mapping.startswith("scaled values -3..3")
    mean, std = pre.mean.view(-1), pre.std.view(-1)  # x = 0 is mid-grey: 0.5 before mean/std
    mid = pre.images(torch.zeros(1, 16))[0, :, 0, 0]
    assert torch.allclose(mid, (0.5 - mean) / std, atol=1e-5)
    scratch = _net()  # random init: the images of before (its numbers unchanged)
    assert torch.allclose(scratch.images(torch.zeros(1, 16))[0, :, 0, 0], -mean / std, atol=1e-5)
    assert scratch.pixel_mapping.startswith("none")


def test_the_window_travels_with_the_weights_and_old_files_load_as_trained(weights_file):
    """predict and explain rebuild the model, then load its state: the window must come from
    the file (a model saved before it existed was trained without one)."""
    import torch

    pre = _net(weights=str(weights_file))
    state = pre.state_dict()
    rebuilt = _net()  # built without pretrained weights, as a reload may be
    rebuilt.load_state_dict(state)
    assert rebuilt.pixel_window.tolist() == [-3.0, 3.0]
    old = {k: v for k, v in state.items() if k != "pixel_window"}  # saved before the window
    again = _net(weights=str(weights_file))
    again.load_state_dict(old)
    assert again.pixel_window.tolist() == [0.0, 1.0]
    x = torch.zeros(1, 16)
    assert torch.allclose(again.images(x), (x.new_zeros(1, 3, 32, 32) - again.mean) / again.std)


def test_the_run_record_says_the_pixel_mapping(weights_file):
    from genemoe.workflows.train_image import image_facts

    image = image_facts(_net(weights=str(weights_file)), "global", str(weights_file))["image"]
    assert image["pixel_mapping"].startswith("scaled values -3..3")
    assert image_facts(_net(), "global")["image"]["pixel_mapping"].startswith("none")


def test_the_one_gene_a_pixel_advice_names_a_size_the_backbone_takes(synthetic_bundle, tmp_path,
                                                                     caplog):
    """VGG-19 (at least 32 x 32) was advised "--layout reshape with --image-size 10", which it
    then refused; a backbone whose image holds every gene keeps its size."""
    from genemoe.models.image import Layout

    lay = Layout(np.zeros(100, np.int64), 10, 10, "similarity", positions=False,
                 least_image_size=32)
    assert lay.one_gene_a_pixel(10).endswith("--layout reshape with --image-size 32 gives each "
                                             "its own")
    assert lay.one_gene_a_pixel(64).endswith("--layout reshape, keeping --image-size 64, gives "
                                             "each its own")
    small = Layout(np.zeros(100, np.int64), 5, 5, "similarity", positions=False,
                   least_image_size=32)  # grid_size 5 at image 64: the grid must grow too
    assert "--layout reshape and a grid_size of 10 or more (the model config), keeping " \
           "--image-size 64" in small.one_gene_a_pixel(64)
    hybrid = Layout(np.zeros(100, np.int64), 10, 10, "similarity", positions=False)
    assert hybrid.one_gene_a_pixel(10).endswith("--layout reshape with --image-size 10 gives "
                                                "each its own")  # hybrid_cnn: as before
    from genemoe.models.registry import create_model

    vgg = create_model("vgg19", n_genes=100, n_outputs=2, task="classify", image_size=32,
                       layout="reshape")
    assert vgg.to_image.layout().least_image_size == 32  # what explain's advice reads


def test_the_docstring_gives_the_real_finetune_default():
    import genemoe.models.backbones as backbones

    doc = " ".join(backbones.__doc__.split())
    assert "``last_block`` (default, as in the paper)" not in doc
    assert "``auto`` (default:" in doc
    assert backbones.finetune_depth("auto", "imagenet") == "last_block"
    assert backbones.finetune_depth("auto", "none") == "all"
