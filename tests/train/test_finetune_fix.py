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


def test_genes_the_model_lacks_are_said_absent_or_filtered_apart(tiny_pretrained, caplog):
    from genemoe.train.finetune import read_pretrained, transfer_lines

    _, _, run = tiny_pretrained
    pre = [str(g) for g in read_pretrained(run)["gene_ids"]]
    genes = pre[5:]  # 2 absent from the bundle, 3 in it but removed by its gene filter
    info = load_pretrained_encoder(_model(len(genes), _tiny()), run, gene_ids=genes,
                                   bundle_gene_ids=pre[2:] + ["LOW1"])
    assert (info["n_genes_missing"], info["n_genes_absent"], info["n_genes_filtered"]) == (5, 2, 3)
    assert transfer_lines(info)[2] == (f"5 of the pre-training's {len(pre)} genes are not among "
                                       "the model's: 2 absent from the bundle, 3 removed by its "
                                       "gene filter")
    few = pre[: len(pre) // 2]
    with pytest.raises(InputError, match=r"missing: \d+ absent from the bundle, \d+ removed by "
                                         r"its gene filter; at most 20% may be, the two counted"):
        load_pretrained_encoder(_model(len(few), _tiny()), run, gene_ids=few,
                                bundle_gene_ids=pre)


def test_a_bundle_of_other_gene_ids_is_said_with_both_kinds(tiny_pretrained):
    _, _, run = tiny_pretrained
    from genemoe.train.finetune import read_pretrained

    n = len(read_pretrained(run)["gene_ids"])
    entrez = [str(613037 + i) for i in range(n)]
    with pytest.raises(InputError, match=r"none of the \d+ genes .* \(the run's: .*; the "
                                         r"bundle's: Entrez ids, e\.g\. 613037\)"):
        load_pretrained_encoder(_model(n, _tiny()), run, gene_ids=entrez)


def _tiny():
    from tiny_configs import TINY_GENEMOE

    return dict(TINY_GENEMOE)
