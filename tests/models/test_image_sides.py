"""An image model's sizes and weights file refused in words naming what to change: an
outside probe found ``model: {resnet50: {grid_size: 0}}`` refused as "image_size: image_size
must be >= 1" (the user set grid_size), ``--image-size 0`` refused with no fix, and a file
that is no tensor file as "cannot read weights (KeyError: 101)"."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.models.backbones import fit_image_layout
from genemoe.models.registry import create_model

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm, torchvision)")


@needs_timm
def test_a_zero_grid_size_is_refused_as_grid_size():
    with pytest.raises(InputError) as e:
        create_model("resnet50", n_genes=20, n_outputs=2, task="classify", grid_size=0)
    msg = str(e.value)
    assert "model.resnet50.grid_size: must be a whole number >= 1, got 0" in msg
    assert "fix: use grid_size: 5 (one gene a pixel) or leave it out" in msg


@pytest.mark.parametrize("model", ["hybrid_cnn", "resnet50"])
def test_a_zero_image_size_names_the_flag_and_a_fix(model):
    with pytest.raises(InputError) as e:  # the layout is fitted before the model is built
        fit_image_layout(model, 20, {"layout": "similarity", "image_size": 0},
                         X_train=np.ones((5, 20)), chrom=None, start=None)
    assert f"model.{model}.image_size (--image-size): must be" in str(e.value)
    assert "fix: pass --image-size" in str(e.value)
    with pytest.raises(InputError, match="fix: pass --image-size 5 .one gene a pixel."):
        create_model("hybrid_cnn", n_genes=20, n_outputs=2, task="classify", image_size="ten")


def test_the_cli_refuses_image_size_zero_with_a_fix(synthetic_bundle, tmp_path):
    b = synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3)
    res = CliRunner().invoke(app, ["train", "--data", str(b.path), "--model", "hybrid_cnn",
                                   "--image-size", "0", "--epochs", "1", "--no-progress",
                                   "--out", str(tmp_path / "r")])
    assert isinstance(res.exception, InputError)  # main() prints it as "genemoe: error: ..."
    assert "(--image-size)" in str(res.exception)
    assert "fix: pass --image-size 8 (one gene a pixel)" in str(res.exception)


@needs_timm
def test_a_file_that_is_no_weights_file_is_said_to_be_none(tmp_path):
    bad = tmp_path / "w.pt"
    bad.write_text("these are not weights\n")
    with pytest.raises(InputError) as e:
        create_model("resnet50", n_genes=20, n_outputs=2, task="classify", weights=str(bad),
                     image_size=32)
    assert "not a PyTorch or timm weights file" in str(e.value)
    assert "cannot read weights" not in str(e.value)


def test_a_similarity_layout_is_not_promised_one_gene_a_pixel(synthetic_bundle, tmp_path):
    """``--layout similarity --image-size 0`` was told "pass --image-size 10 (one gene a
    pixel)": in that layout genes with alike profiles share a pixel at any size."""
    b = synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3)
    res = CliRunner().invoke(app, ["train", "--data", str(b.path), "--model", "hybrid_cnn",
                                   "--layout", "similarity", "--image-size", "0", "--epochs", "1",
                                   "--no-progress", "--out", str(tmp_path / "r")])
    assert isinstance(res.exception, InputError)
    said = " ".join(str(res.exception).split())  # the note on a line of its own
    assert "one gene a pixel" not in said
    assert "fix: pass --image-size 8 or more or leave it out (the similarity layout puts genes " \
           "with alike profiles in one pixel at any size)" in said
    for layout in ("reshape", "genomic"):  # the ordered layouts keep the hint
        with pytest.raises(InputError, match=r"pass --image-size 5 \(one gene a pixel\)"):
            create_model("hybrid_cnn", n_genes=20, n_outputs=2, task="classify", layout=layout,
                         image_size=0)


@needs_timm
def test_a_similarity_grid_size_is_not_promised_one_gene_a_pixel():
    with pytest.raises(InputError) as e:
        create_model("resnet50", n_genes=20, n_outputs=2, task="classify", grid_size=0,
                     layout="similarity")
    assert "one gene a pixel" not in str(e.value)
    assert "use grid_size: 5 or more or leave it out (the similarity layout" in " ".join(
        str(e.value).split())
