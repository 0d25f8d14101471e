"""A model file written before the rebuild config said ``finetune: all`` (939adbd) holds
``weights: none`` beside the run's ``finetune: head``: predict and explain still warned that
its backbone "is a frozen *random* network", of a network fine-tuned from a weights file
whose saved state dict replaces every weight. Loading a saved run now builds the backbone
``restored``; a fresh ``weights: none`` with a frozen depth still warns."""

from __future__ import annotations

import importlib.util
import logging

import numpy as np
import pytest
import torch

from genemoe.explain.api import explain_run
from genemoe.models.registry import create_model
from genemoe.train.model_file import load_model_file, save_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic

pytestmark = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")

_SAID = "frozen *random*"
_HEAD = {"weights": "none", "finetune": "head", "image_size": 8}  # the older rebuild config


@pytest.fixture(scope="module")
def old_run(tmp_path_factory):
    """A resnet50 fine-tuned (head) from a weights file, its model.pt rewritten as an older
    genemoe wrote it: ``(run, bundle, counts file)``."""
    d = tmp_path_factory.mktemp("old_head_run")
    bundle, files, _ = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=2, seed=3)
    torch.manual_seed(0)
    net = create_model("resnet50", n_genes=10, n_outputs=2, task="classify", image_size=8)
    torch.save(net.backbone.state_dict(), d / "w.pt")
    train_run(bundle.path, out_dir=d / "run", model_name="resnet50", epochs=1, progress=False,
              device="cpu", model_options={"weights": str(d / "w.pt"), "finetune": "head",
                                           "image_size": 8})
    payload = load_model_file(d / "run")
    payload["model_config"] = {**payload["model_config"], "finetune": "head"}
    save_model_file(d / "run" / "model.pt", payload)
    return d / "run", bundle, files["counts"]


def test_the_older_model_file_holds_weights_none_beside_a_frozen_depth(old_run):
    cfg = load_model_file(old_run[0])["model_config"]
    assert (cfg["weights"], cfg["finetune"]) == ("none", "head")


def test_predict_loads_it_without_the_frozen_random_warning(old_run, tmp_path, caplog):
    run, _, counts = old_run
    with caplog.at_level(logging.WARNING):
        predict_file(run, counts, out_path=tmp_path / "p.tsv", device="cpu")
    assert (tmp_path / "p.tsv").is_file()
    assert _SAID not in caplog.text  # was said at every predict


def test_explain_loads_it_without_the_frozen_random_warning(old_run, tmp_path, caplog):
    run, bundle, _ = old_run
    with caplog.at_level(logging.WARNING):
        explain_run(run, data=bundle.path, out_dir=tmp_path / "e", n_steps=4, max_steps=4,
                    max_samples_per_class=2, max_maps=0, progress=False, device="cpu")
    assert _SAID not in caplog.text  # was said at every explain


def _payload(name: str, config: dict, model: torch.nn.Module) -> dict:
    return {"model_name": name, "model_config": config, "gene_ids": [f"g{i}" for i in range(10)],
            "n_outputs": 2, "task": "classify", "state_dict": model.state_dict()}


@pytest.mark.parametrize("ensemble", [False, True])
def test_rebuild_model_restores_a_head_config_quietly_and_exactly(caplog, ensemble):
    from genemoe.train.model_file import rebuild_model  # new here

    name, cfg = ("ensemble", {"member": "resnet50", "member_config": _HEAD, "k": 2}) if ensemble \
        else ("resnet50", _HEAD)
    torch.manual_seed(0)
    with caplog.at_level(logging.WARNING):
        saved = create_model(name, n_genes=10, n_outputs=2, task="classify", **cfg)
    assert _SAID in caplog.text  # a fresh random network, frozen: still said
    caplog.clear()
    torch.manual_seed(1)  # another random draw underneath: the saved weights replace it
    with caplog.at_level(logging.WARNING):
        model = rebuild_model(_payload(name, cfg, saved))
    assert _SAID not in caplog.text
    members = model.members if ensemble else [model]
    assert all(m.finetune == "head" for m in members)  # the run's depth, as trained
    x = torch.as_tensor(np.random.default_rng(0).normal(size=(3, 10)), dtype=torch.float32)
    with torch.no_grad():
        assert torch.equal(saved.eval()(x).out, model.eval()(x).out)


def test_restored_is_no_option_a_config_may_set():
    from genemoe.errors import InputError
    from genemoe.models.registry import check_model_options

    with pytest.raises(InputError):
        check_model_options("resnet50", {"restored": True})
