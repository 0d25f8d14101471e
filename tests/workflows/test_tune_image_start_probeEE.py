"""``genemoe tune`` refuses an image model's weights and image size before the study (probe
EE, D1): ImageNet weights offline, a weights file not there, or an image too small failed
inside trial 0 (Optuna's traceback, the error twice, a study.db left holding the failed
trial), and the fix named ``--weights`` / ``--image-size``, flags tune does not have."""

from __future__ import annotations

import importlib.util

import pytest

from genemoe.errors import InputError
from genemoe.workflows.tune import tune_run

needs_timm = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")


def _tune(bundle, tmp_path, preset_text: str, model: str) -> str:
    preset = tmp_path / "preset.yaml"
    preset.write_text(preset_text)
    with pytest.raises(InputError) as err:
        tune_run(bundle.path, out_dir=tmp_path / "t", model_name=model, n_trials=2, epochs=1,
                 preset=str(preset), device="cpu", progress=False)
    assert not (tmp_path / "t").exists()  # no study.db holding a failed trial
    text = str(err.value)
    assert str(preset) in text
    return text


@needs_timm
def test_offline_imagenet_weights_are_refused_before_the_study(synthetic_bundle, tmp_path,
                                                                monkeypatch):
    import socket

    import huggingface_hub.constants as hf_constants

    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))  # none cached
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    text = _tune(bundle, tmp_path, "extends: small\nmodel:\n  resnet50: {weights: imagenet, "
                                   "image_size: 32}\n", "resnet50")
    assert "no network" in text and "model.resnet50.weights" in text
    assert "--weights" not in text and "set model.resnet50.weights: none" in text


def test_a_missing_weights_file_is_refused_before_the_study(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    text = _tune(bundle, tmp_path, "extends: small\nmodel:\n  resnet50: {weights: gone.pt, "
                                   "image_size: 32}\n", "resnet50")
    assert "model.resnet50.weights: weights file not found: gone.pt" in text
    assert "--weights" not in text


def test_an_image_too_small_is_refused_before_the_study_naming_the_key(synthetic_bundle,
                                                                       tmp_path):
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    text = _tune(bundle, tmp_path, "extends: small\nmodel:\n  vgg19: {image_size: 16}\n", "vgg19")
    assert "model.vgg19.image_size: vgg19 needs an image of at least 32 x 32 pixels" in text
    assert "--image-size" not in text and "set model.vgg19.image_size: 32 or more" in text


def test_a_side_of_no_whole_pixels_is_refused_before_the_study(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    text = _tune(bundle, tmp_path, "extends: small\nmodel:\n  hybrid_cnn: {image_size: 0}\n",
                 "hybrid_cnn")
    assert "model.hybrid_cnn.image_size: must be a whole number >= 1, got 0" in text
    assert "image_size: image_size" not in text  # the key named once, as train says it
    assert "--image-size" not in text
