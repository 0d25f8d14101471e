"""An image run records what its network started from (``init``): a weights file by its
absolute path, size and sha256 in both config.yaml and metrics.json, and hybrid_cnn as the
random start it is (its record said ``weights: null``)."""

from __future__ import annotations

import importlib.util
import json

import pytest
import yaml

from genemoe.data.bundle import file_sha256
from genemoe.workflows.train import train_run


def test_a_relative_weights_file_is_recorded_absolute_and_found_from_elsewhere(
        synthetic_bundle, tmp_path, monkeypatch, caplog):
    """``--weights w.pt``: config.yaml kept ``w.pt`` (metrics.json the absolute path), so
    ``train --config RUN/config.yaml`` from another folder did not find the file; and the
    record gave no ``init`` (only ``--weights none`` did)."""
    if importlib.util.find_spec("timm") is None:
        pytest.skip("image backbones need the `image` extra (timm, torchvision)")
    import torch

    from genemoe.models.registry import create_model

    bundle = synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    net = create_model("resnet50", n_genes=10, n_outputs=2, task="classify", image_size=32)
    torch.save(net.backbone.state_dict(), here / "w.pt")
    sha = file_sha256(here / "w.pt")
    with caplog.at_level("INFO"):
        train_run(bundle.path, out_dir="r", model_name="resnet50", epochs=1, progress=False,
                  model_options={"weights": "w.pt", "image_size": 32})
    absolute = str((here / "w.pt").resolve())
    m = json.loads((here / "r" / "metrics.json").read_text())
    image = m["protocol"]["image"]
    assert image["weights"] == absolute == m["protocol"]["weights_file"]["path"]
    assert image["init"].startswith(f"pretrained weights from {absolute} (")
    assert f"sha256 {sha[:12]}…" in image["init"] and "MiB" in image["init"]
    saved = yaml.safe_load((here / "r" / "config.yaml").read_text())
    assert saved["model_config"]["weights"] == absolute  # was "w.pt"
    # the terminal shows the file as a person reads it, relative to the working folder
    assert "; weights w.pt; finetune last_block" in caplog.text
    # retrained from its config.yaml, from another folder: the same file is read
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    train_run(bundle.path, out_dir="again", model_name="resnet50", epochs=1, progress=False,
              config_path=here / "r" / "config.yaml")
    again = json.loads((elsewhere / "again" / "metrics.json").read_text())["protocol"]
    assert again["weights_file"] == {"path": absolute, "sha256": sha}


def test_hybrid_cnn_records_its_random_start(synthetic_bundle, tmp_path):
    """hybrid_cnn takes no pretrained weights: its record said ``weights: null``."""
    bundle = synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3)
    train_run(bundle.path, out_dir=tmp_path / "h", model_name="hybrid_cnn", epochs=1,
              progress=False)
    image = json.loads((tmp_path / "h" / "metrics.json").read_text())["protocol"]["image"]
    assert "weights" not in image
    assert image["init"] == "random (hybrid_cnn takes no pretrained weights: trained from scratch)"
    saved = yaml.safe_load((tmp_path / "h" / "config.yaml").read_text())
    assert "weights" not in saved["model_config"]  # hybrid_cnn has no such option


def test_weights_init_words():
    from genemoe.workflows.train_image import weights_init, with_resolved_weights

    assert weights_init("none") == "random (no ImageNet transfer)"
    assert weights_init("imagenet").startswith("ImageNet weights")
    assert weights_init(None).startswith("random (hybrid_cnn")
    assert weights_init("/gone/w.pt") == "pretrained weights from /gone/w.pt (size unknown)"
    assert with_resolved_weights({"weights": "imagenet"}) == {"weights": "imagenet"}
    assert with_resolved_weights({"dropout": 0.5}) == {"dropout": 0.5}
