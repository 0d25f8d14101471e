"""A run from ImageNet weights records which ones (probe EE, D7): timm's tag, where timm
fetches them, and the local cache file read with its sha256. It recorded only "ImageNet
weights", so a planted or changed cache file (here random weights) trained unseen."""

from __future__ import annotations

import importlib.util
import json

import pytest

from genemoe.data.bundle import file_sha256

pytestmark = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")


def _plant_cached_resnet50(hub) -> str:
    """A (random) resnet50 in a private Hugging Face cache, as an offline user's cached
    ImageNet weights; returns the file's path."""
    from safetensors.torch import save_file

    from genemoe.models.backbones import import_timm

    full = import_timm().create_model("resnet50", pretrained=False)
    repo = hub / "models--timm--resnet50.a1_in1k"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc")
    (repo / "snapshots" / "abc").mkdir(parents=True)
    path = repo / "snapshots" / "abc" / "model.safetensors"
    save_file({k: v.contiguous() for k, v in full.state_dict().items()}, str(path))
    return str(path)


def test_an_offline_imagenet_run_records_the_tag_cache_file_and_sha256(
        synthetic_bundle, tmp_path, monkeypatch, caplog):
    import socket

    import huggingface_hub.constants as hf_constants

    from genemoe.workflows.train import train_run

    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    path = _plant_cached_resnet50(tmp_path / "hub")
    sha = file_sha256(path)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    with caplog.at_level("INFO"):
        train_run(bundle.path, out_dir=tmp_path / "r", model_name="resnet50", epochs=1,
                  progress=False, device="cpu",
                  model_options={"weights": "imagenet", "image_size": 8})
    image = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]["image"]
    assert image["imagenet_tag"] == "resnet50.a1_in1k"
    assert image["imagenet_hf_hub_id"] == "timm/resnet50.a1_in1k"
    assert image["imagenet_file"] == str((tmp_path / "hub").resolve() / path.split("/hub/")[1])
    assert image["imagenet_sha256"] == sha
    assert image["init"] == f"ImageNet weights (timm's resnet50.a1_in1k, sha256 {sha[:12]}…)"
    assert "; weights imagenet (resnet50.a1_in1k);" in caplog.text


def test_the_hugging_face_cache_file_is_found_for_weights_read_online(tmp_path, monkeypatch):
    """Online, timm reads the weights into the Hugging Face cache (no ``file`` in its
    config); the record finds that file there."""
    import huggingface_hub.constants as hf_constants

    from genemoe.models.backbones import import_timm
    from genemoe.workflows.train_image import imagenet_source

    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    cfg = import_timm().create_model("resnet18", pretrained=False).pretrained_cfg
    assert imagenet_source(cfg) == {"imagenet_tag": "resnet18.a1_in1k",  # nothing cached
                                    "imagenet_hf_hub_id": "timm/resnet18.a1_in1k"}
    repo = tmp_path / "hub" / "models--timm--resnet18.a1_in1k"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc")
    (repo / "snapshots" / "abc").mkdir(parents=True)
    weights = repo / "snapshots" / "abc" / "model.safetensors"
    weights.write_bytes(b"not really weights")
    got = imagenet_source(cfg)
    assert got["imagenet_file"] == str(weights.resolve())
    assert got["imagenet_sha256"] == file_sha256(weights)
    url_only = {k: v for k, v in cfg.items() if k != "hf_hub_id"}  # an older timm config
    assert imagenet_source(url_only)["imagenet_url"] == cfg["url"]


def test_weights_init_names_the_imagenet_tag():
    from genemoe.workflows.train_image import weights_init

    assert weights_init("imagenet") == ("ImageNet weights (timm's pretrained weights for this "
                                        "backbone)")
    assert weights_init("imagenet", None, {"imagenet_tag": "vgg19.tv_in1k"}) == (
        "ImageNet weights (timm's vgg19.tv_in1k)")
