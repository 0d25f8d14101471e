"""A benchmark's image models (probeJ): cells trained from a weights file are keyed by the
file's sha256, not by the preset's text naming it; each image cell records what its network
started from, and summary.md says it; ``weights: imagenet`` that cannot be had is refused
before any cell runs, naming the preset key."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.errors import InputError

pytestmark = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")


def _save_weights(path, seed: int) -> str:
    import torch

    from genemoe.data.bundle import file_sha256
    from genemoe.models.registry import create_model

    torch.manual_seed(seed)
    net = create_model("resnet50", n_genes=10, n_outputs=2, task="classify", image_size=32)
    torch.save(net.backbone.state_dict(), path)
    return file_sha256(path)


def test_an_overwritten_weights_file_recomputes_the_cells_and_each_cell_says_its_start(
        synthetic_bundle, tmp_path, monkeypatch):
    """The same command after ``w.pt`` was overwritten said "0 cells trained, 2 reused" with
    the same numbers: the fingerprint hashed the preset's text, not the file it names; no
    sha256 was recorded, nor whether the network started from random weights or a file."""
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    monkeypatch.chdir(tmp_path)  # a relative `weights:` reads from the working folder
    first = _save_weights(tmp_path / "w.pt", seed=0)
    preset = tmp_path / "preset.yaml"
    preset.write_text("extends: small\nmodel:\n  resnet50: {image_size: 32, weights: w.pt}\n"
                      "train: {batch_size: 32}\n")
    kw = dict(task="classify", models=["resnet50"], n_folds=2, epochs=1, out_dir=tmp_path / "b",
              preset=str(preset), device="cpu")
    res = bm.run_benchmark(bundle.path, **kw)
    assert (res.n_computed, res.n_reused) == (2, 0)
    assert bm.run_benchmark(bundle.path, **kw).n_reused == 2  # the same file: reused
    second = _save_weights(tmp_path / "w.pt", seed=1)  # other weights, same name
    assert second != first
    res = bm.run_benchmark(bundle.path, **kw)
    assert (res.n_computed, res.n_reused) == (2, 0)  # was (0, 2): the old file's cells
    absolute = str((tmp_path / "w.pt").resolve())
    protocol = json.loads((tmp_path / "b" / "protocol.json").read_text())
    assert protocol["weights_files"] == {"resnet50": {"path": absolute, "sha256": second}}
    cell = json.loads((tmp_path / "b" / "cells" / "resnet50__r0_f0.json").read_text())
    assert cell["weights_file"] == {"path": absolute, "sha256": second}
    assert cell["image"]["weights"] == absolute and cell["image"]["finetune"] == "last_block"
    assert cell["image"]["init"].startswith(f"pretrained weights from {absolute}")
    assert cell["image"]["pixel_mapping"].startswith("scaled values -3..3")
    assert cell["options"]["init"] == f"file sha256 {second[:12]}"
    results = pd.read_csv(tmp_path / "b" / "results.csv")
    assert results["options"].str.contains(f"init=file sha256 {second[:12]}").all()
    summary = (tmp_path / "b" / "summary.md").read_text()
    assert f"- `resnet50`: image_size=32, weights=w.pt, init=file sha256 {second[:12]}" in summary


def test_a_random_init_cell_says_so_in_the_summary(synthetic_bundle, tmp_path):
    """summary.md showed ``image_size=32, layout=...`` whatever the network started from."""
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    preset = tmp_path / "preset.yaml"
    preset.write_text("extends: small\nmodel:\n  resnet50: {image_size: 32}\n"
                      "train: {batch_size: 32}\n")
    bm.run_benchmark(bundle.path, task="classify", models=["resnet50"], n_folds=2, epochs=1,
                     out_dir=tmp_path / "b", preset=str(preset), device="cpu")
    cell = json.loads((tmp_path / "b" / "cells" / "resnet50__r0_f0.json").read_text())
    assert cell["image"]["init"] == "random (no ImageNet transfer)"
    assert cell["image"]["finetune"] == "all" and "weights_file" not in cell
    assert cell["image"]["pixel_mapping"].startswith("none")
    summary = (tmp_path / "b" / "summary.md").read_text()
    assert "- `resnet50`: image_size=32, init=random" in summary
    protocol = json.loads((tmp_path / "b" / "protocol.json").read_text())
    assert "weights_files" not in protocol


def test_offline_imagenet_weights_are_refused_before_any_cell_naming_the_preset_key(
        synthetic_bundle, tmp_path, monkeypatch):
    """Offline, ``weights: imagenet`` failed in resnet50's first cell, after the other
    models' cells ran, its fix naming ``--weights`` (a flag benchmark lacks)."""
    import socket

    import huggingface_hub.constants as hf_constants

    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    preset = tmp_path / "preset.yaml"
    preset.write_text("extends: small\nmodel:\n  resnet50: {image_size: 32, weights: imagenet}\n")
    ran = []
    monkeypatch.setattr(bm, "fit_model", lambda *a, **k: ran.append(a) or 1 / 0)
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))  # none cached
    monkeypatch.setattr(socket, "getaddrinfo", no_network)  # after the bundle's preparation
    with pytest.raises(InputError) as err:
        bm.run_benchmark(bundle.path, task="classify", models=["logreg", "resnet50"], n_folds=2,
                         epochs=1, out_dir=tmp_path / "b", preset=str(preset), device="cpu")
    text = str(err.value)
    assert "no network" in text
    assert not ran and not (tmp_path / "b").exists()
    assert str(preset) in text and "model.resnet50.weights" in text
    assert "--weights" not in text and "set model.resnet50.weights: none" in text


def test_a_missing_weights_file_is_refused_before_any_cell(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    preset = tmp_path / "preset.yaml"
    preset.write_text("extends: small\nmodel:\n  resnet50: {image_size: 32, weights: gone.pt}\n")
    with pytest.raises(InputError, match=r"model\.resnet50\.weights: weights file not found"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg", "resnet50"], n_folds=2,
                         epochs=1, out_dir=tmp_path / "b", preset=str(preset), device="cpu")
    assert not (tmp_path / "b").exists()


def test_a_rerun_says_the_weights_file_changed(tmp_path):
    """The rerun's warning said only "the preset's contents or the bundle" changed."""
    from genemoe.evaluate.benchmark_files import option_changes

    old = {"resnet50": {"path": "/w.pt", "sha256": "a" * 64}}
    (tmp_path / "protocol.json").write_text(json.dumps(
        {"fingerprint": "f" * 64, "seed": 0, "weights_files": old}))
    new = {"resnet50": {"path": "/w.pt", "sha256": "b" * 64}}
    assert option_changes(tmp_path, {"fingerprint": "e" * 64, "seed": 0, "weights_files": new}) == [
        f"weights_files.resnet50.sha256 {'a' * 12}… → {'b' * 12}…"]
