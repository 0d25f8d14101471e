"""Fine-tuning's refusals say a fix that works: the whole model: section, the genes' counts."""

from __future__ import annotations

import re

import pytest
import torch
import yaml

from genemoe.config_presets import deep_merge, load_preset, model_config
from genemoe.errors import InputError
from genemoe.models.registry import create_model
from genemoe.train.finetune import load_pretrained_encoder


def _genes(bundle):
    return bundle.var.loc[bundle.gene_mask(), "gene_id"].astype(str).tolist()


def _model(n_genes, cfg):
    torch.manual_seed(0)
    return create_model("genemoe", n_genes=n_genes, n_outputs=3, task="classify", **cfg)


def test_following_the_widths_fix_gives_a_model_the_encoder_fits(tiny_pretrained):
    bundle, _, run = tiny_pretrained
    genes = _genes(bundle)
    small = model_config(load_preset("small"), "genemoe")  # moae_experts 4, n_tokens 16
    with pytest.raises(InputError, match="does not fit this model") as e:
        load_pretrained_encoder(_model(len(genes), small), run, gene_ids=genes)
    said = str(e.value)
    assert f"--config {run / 'config.yaml'}" in said
    suggested = yaml.safe_load(re.search(r"`(model: \{.*?\}\})`", said).group(1))
    assert {"moae_experts", "n_tokens"} <= set(suggested["model"]["genemoe"])
    followed = model_config(deep_merge(load_preset("small"), suggested), "genemoe")
    info = load_pretrained_encoder(_model(len(genes), followed), run, gene_ids=genes)
    assert info["n_tensors"] > 0
    from_run = model_config(deep_merge(load_preset("small"),  # the other way the fix says
                                       load_preset(run / "config.yaml")), "genemoe")
    assert load_pretrained_encoder(_model(len(genes), from_run), run, gene_ids=genes)
