"""A backbone fine-tuned from a weights file is rebuilt for predict and explain without the
training-time warning (probe EE, D2): it was rebuilt with ``weights: none`` and the run's
``finetune: head``, and create_backbone warned that "the backbone is a frozen *random*
network", on the terminal and into the prediction's record, of a pretrained network."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
import torch
import yaml

from genemoe.models.registry import create_model
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run

pytestmark = pytest.mark.skipif(importlib.util.find_spec("timm") is None,
                                reason="image backbones need the `image` extra (timm)")


def _rebuilt(run) -> torch.nn.Module:
    """The model as predict and explain rebuild it from model.pt."""
    payload = load_model_file(run)
    model = create_model(payload["model_name"], n_genes=len(payload["gene_ids"]),
                         n_outputs=payload["n_outputs"], task=payload["task"],
                         **payload["model_config"])
    model.load_state_dict(payload["state_dict"])
    return model.eval()


@pytest.mark.parametrize("weights", ["file", "none"])
def test_a_head_finetuned_backbone_is_rebuilt_without_the_frozen_random_warning(
        synthetic_bundle, tmp_path, caplog, weights):
    bundle = synthetic_bundle(seed=3, n_samples=60, n_genes=50, n_types=2)
    torch.manual_seed(0)
    if weights == "file":
        net = create_model("resnet50", n_genes=10, n_outputs=2, task="classify", image_size=8)
        torch.save(net.backbone.state_dict(), tmp_path / "w.pt")
        weights = str(tmp_path / "w.pt")
    run = tmp_path / "r"
    with caplog.at_level("WARNING"):
        train_run(bundle.path, out_dir=run, model_name="resnet50", epochs=1, progress=False,
                  device="cpu", model_options={"weights": weights, "finetune": "head",
                                               "image_size": 8})
    said_at_training = "frozen *random*" in caplog.text
    assert said_at_training == (weights == "none")  # true there: it trained a random network
    caplog.clear()
    with caplog.at_level("WARNING"):
        model = _rebuilt(run)
    assert "frozen" not in caplog.text  # was said of every rebuild
    n_genes = len(load_model_file(run)["gene_ids"])
    x = torch.as_tensor(np.random.default_rng(0).normal(size=(4, n_genes)), dtype=torch.float32)
    torch.manual_seed(1)  # another random draw underneath: the saved weights replace it
    again = _rebuilt(run)
    with torch.no_grad():
        assert torch.equal(model(x).out, again(x).out)
    # the run's own record keeps what it trained from and how deep
    saved = yaml.safe_load((run / "config.yaml").read_text())["model_config"]
    assert (saved["weights"], saved["finetune"]) == (weights, "head")
    image = json.loads((run / "metrics.json").read_text())["protocol"]["image"]
    assert image["finetune"] == "head"
