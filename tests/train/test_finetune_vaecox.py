"""VAE-Cox through `genemoe pretrain` then `genemoe train --pretrained` (Kim et al. 2020)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from genemoe.errors import InputError
from genemoe.models.registry import create_model
from genemoe.train.finetune import (
    encoder_module_lr,
    encoder_paths,
    load_pretrained_encoder,
    read_pretrained,
)
from genemoe.train.model_file import load_model_file
from genemoe.workflows.pretrain import pretrain_run
from genemoe.workflows.train import train_run
from tiny_configs import TINY_GENEMOE

TINY_VAECOX = {"hidden": 16, "latent": 4, "head_hidden": 3, "dropout": 0.0, "activation": "relu"}


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, clinical=True)


@pytest.fixture(scope="module")
def tiny_yaml(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "tiny_vaecox.yaml"
    path.write_text(yaml.safe_dump({
        "model": {"vaecox": TINY_VAECOX, "genemoe": TINY_GENEMOE},
        "pretrain": {"model": "vaecox", "epochs": 2, "batch_size": 32, "lr": 3e-3,
                     "n_critic": 1, "critic_widths": [8]},
        "train": {"batch_size": 32, "patience": None, "lr": 1e-3},
    }))
    return path


@pytest.fixture(scope="module")
def run(bundle, tiny_yaml, tmp_path_factory):
    out = tmp_path_factory.mktemp("pt_vaecox") / "run"
    return pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, seed=0, device="cpu",
                        progress=False)


def _vaecox(bundle, **over):
    torch.manual_seed(0)
    return create_model("vaecox", n_genes=len(_genes(bundle)), n_outputs=1, task="survival",
                        **{**TINY_VAECOX, **over})


def _genes(bundle):
    """The genes a run on ``bundle`` uses (its default gene mask)."""
    return bundle.var.loc[bundle.gene_mask(), "gene_id"].astype(str).tolist()


def test_encoder_is_encoder_and_mu(bundle):
    model = _vaecox(bundle)
    assert encoder_paths(model) == ("encoder", "mu")
    assert encoder_paths(_vaecox(bundle, with_decoder=True)) == ("encoder", "mu", "logvar")
    assert encoder_module_lr(model, {"encoder": 1e-4}) == {"encoder": 1e-4, "mu": 1e-4}
    assert encoder_module_lr(model, None) is None
    gm = create_model("genemoe", n_genes=len(_genes(bundle)), n_outputs=1, task="survival",
                      **TINY_GENEMOE)
    assert encoder_paths(gm) == ("encoder",)
    assert encoder_module_lr(gm, {"encoder": 1e-4}) == {"encoder": 1e-4}


def test_loads_the_pretrained_encoder_aligned_by_gene(run, bundle):
    pre = read_pretrained(run.out_dir)
    assert pre["model_name"] == "vaecox" and pre["gene_ids"] == _genes(bundle)
    state = pre["state_dict"]
    genes = _genes(bundle)
    perm = np.random.default_rng(0).permutation(len(genes))
    dst = [genes[i] for i in perm]
    dst[0] = "NEW_GENE"  # one gene the pre-training never saw, one it saw dropped
    model = _vaecox(bundle)
    info = load_pretrained_encoder(model, run.out_dir, gene_ids=dst, model_name="vaecox")
    assert info["model_name"] == "vaecox" and info["encoder_modules"] == ["encoder", "mu"]
    assert (info["n_genes_shared"], info["n_genes_new"], info["n_genes_missing"]) == (
        len(genes) - 1, 1, 1)
    assert info["n_tensors"] == 4  # encoder.0.{weight,bias}, mu.{weight,bias}
    w = model.encoder[0].weight.detach()  # (hidden, n_genes): column j is gene dst[j]
    assert torch.equal(w[:, 0], torch.zeros(TINY_VAECOX["hidden"]))
    assert torch.equal(w[:, 1:], state["encoder.0.weight"][:, perm[1:]])
    for k in ("encoder.0.bias", "mu.weight", "mu.bias"):
        assert torch.equal(model.state_dict()[k], state[k]), k
    fresh = _vaecox(bundle).state_dict()  # the head is not touched
    assert all(torch.equal(model.state_dict()[k], v) for k, v in fresh.items()
               if k.startswith("head."))
    # the same genes in another column order give the same latent mean
    ref, shuffled = _vaecox(bundle), _vaecox(bundle)
    load_pretrained_encoder(ref, run.out_dir, gene_ids=genes)
    load_pretrained_encoder(shuffled, run.out_dir, gene_ids=[genes[i] for i in perm])
    x = torch.randn(5, len(genes))
    with torch.no_grad():
        torch.testing.assert_close(shuffled.encode(x[:, perm])[0], ref.encode(x)[0])


def test_a_model_built_with_logvar_gets_it_too(run, bundle):
    model = _vaecox(bundle, with_decoder=True)
    info = load_pretrained_encoder(model, run.out_dir, gene_ids=_genes(bundle))
    assert info["encoder_modules"] == ["encoder", "mu", "logvar"] and info["n_tensors"] == 6
    state = read_pretrained(run.out_dir)["state_dict"]
    assert torch.equal(model.logvar.weight, state["logvar.weight"])
    assert not torch.equal(model.decoder[0].weight, state["decoder.0.weight"])  # not the decoder


def test_survival_finetuning_from_the_pretrained_vaecox(run, bundle, tiny_yaml, tmp_path,
                                                      monkeypatch):
    pre = read_pretrained(run.out_dir)["state_dict"]
    enc = {k: v for k, v in pre.items() if k.startswith(("encoder.", "mu."))}
    fresh = _vaecox(bundle).state_dict()
    # frozen for its only epoch: the encoder is the pre-trained one, the head has learnt
    res = train_run(bundle.path, out_dir=tmp_path / "frozen", task="survival", model_name="vaecox",
                    config_path=tiny_yaml, epochs=1, device="cpu", progress=False,
                    pretrained=run.out_dir, freeze_encoder_epochs=1)
    payload = load_model_file(res.out_dir)
    state, info = payload["state_dict"], payload["config"]["pretrained"]
    assert set(enc) == {k for k in state if k.startswith(("encoder.", "mu."))}
    assert all(torch.equal(state[k], v) for k, v in enc.items())
    assert not torch.equal(state["head.0.weight"], fresh["head.0.weight"])
    assert info["run"] == str(run.out_dir) and info["model_name"] == "vaecox"
    assert info["encoder_modules"] == ["encoder", "mu"] and info["freeze_encoder_epochs"] == 1
    assert info["n_genes_shared"] == len(_genes(bundle)) and np.isfinite(res.metrics["test"]["c_index"])
    # frozen one epoch, then trained at its own rate: encoder *and* mu form lr groups
    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: None)  # keep checkpoint
    res = train_run(bundle.path, out_dir=tmp_path / "ft", task="survival", model_name="vaecox",
                    config_path=tiny_yaml, epochs=2, device="cpu", progress=False,
                    pretrained=run.out_dir, freeze_encoder_epochs=1, encoder_lr=1e-5)
    last = torch.load(tmp_path / "ft" / "checkpoint.pt", weights_only=True)
    assert last["epoch"] == 2
    groups = last["optimizer_state"]["param_groups"]
    assert [(g["lr_module"], g["lr_scale"]) for g in groups] == [
        (None, 1.0), ("encoder", 1e-5 / 1e-3), ("mu", 1e-5 / 1e-3)]
    for k in ("encoder.0.weight", "mu.weight"):
        moved = (last["model_state"][k] - enc[k]).abs().max()
        assert 0 < moved < 1e-3, k  # unfrozen for epoch 2, a few Adam steps of ~1e-5
    hist = [json.loads(ln) for ln in (res.out_dir / "history.jsonl").read_text().splitlines()]
    assert [h["lr/mu"] for h in hist] == pytest.approx([h["lr/encoder"] for h in hist])


def test_mismatches_are_refused_with_the_fix(run, bundle, tmp_path):
    genes = _genes(bundle)
    with pytest.raises(InputError, match=r"does not fit this model.*'hidden': 16.*'hidden': 8"
                                         r".*\n.*fix: fine-tune with the model: section"):
        load_pretrained_encoder(_vaecox(bundle, hidden=8), run.out_dir, gene_ids=genes)
    with pytest.raises(InputError, match="does not fit this model.*latent"):
        load_pretrained_encoder(_vaecox(bundle, latent=6), run.out_dir, gene_ids=genes)
    with pytest.raises(InputError, match="does not fit this model.*activation 'relu' vs 'tanh'"):
        load_pretrained_encoder(_vaecox(bundle, activation="tanh"), run.out_dir, gene_ids=genes)
    gm = create_model("genemoe", n_genes=len(_genes(bundle)), n_outputs=1, task="survival",
                      **TINY_GENEMOE)
    with pytest.raises(InputError, match="pre-trained model 'vaecox', not 'genemoe': a VAE-Cox "
                                         "encoder cannot start a Gene-MOE model"):
        load_pretrained_encoder(gm, run.out_dir, gene_ids=genes, model_name="genemoe")
    with pytest.raises(InputError, match="not 'genemoe': a VAE-Cox"):  # without a model name
        load_pretrained_encoder(gm, run.out_dir, gene_ids=genes)
    # a Gene-MOE run into vaecox (the payload relabelled: same refusal, other direction)
    payload = read_pretrained(run.out_dir)
    (tmp_path / "gm").mkdir()
    torch.save({**payload, "model_name": "genemoe"}, tmp_path / "gm" / "pretrained.pt")
    with pytest.raises(InputError, match=r"pre-trained model 'genemoe', not 'vaecox': a Gene-MOE"
                                         r".*\n.*fix: fine-tune with --model genemoe"):
        load_pretrained_encoder(_vaecox(bundle), tmp_path / "gm", gene_ids=genes,
                                model_name="vaecox")
    coxnnet = create_model("coxnnet", n_genes=len(_genes(bundle)), n_outputs=1, task="survival")
    with pytest.raises(InputError, match="needs a model with a pre-trained encoder"):
        load_pretrained_encoder(coxnnet, run.out_dir, gene_ids=genes, model_name="coxnnet")
    train_id = bundle.sample_ids[bundle.indices("train")][0]
    with pytest.raises(InputError, match="pre-training used 1 sample"):
        load_pretrained_encoder(_vaecox(bundle), run.out_dir, gene_ids=genes,
                                test_sample_ids=[train_id])


def test_train_run_refuses_a_family_mismatch(run, bundle, tiny_yaml, tmp_path):
    with pytest.raises(InputError, match="pre-trained model 'vaecox', not 'genemoe'"):
        train_run(bundle.path, out_dir=tmp_path / "gm", task="survival", model_name="genemoe",
                  config_path=tiny_yaml, epochs=1, device="cpu", progress=False,
                  pretrained=run.out_dir)
    assert not (tmp_path / "gm" / "model.pt").exists()


def test_cli_pretrain_vaecox_then_train_pretrained(bundle, tiny_yaml, tmp_path):
    """`genemoe pretrain --model vaecox` (also settable as `pretrain: model:` in the YAML)."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["pretrain", "--data", str(bundle.path), "--out", str(tmp_path / "p"),
                            "--config", str(tiny_yaml), "--epochs", "1", "--device", "cpu",
                            "--model", "vaecox", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert read_pretrained(tmp_path / "p")["model_name"] == "vaecox"
    r = runner.invoke(app, ["train", "--data", str(bundle.path), "--out", str(tmp_path / "t"),
                            "--task", "survival", "--model", "vaecox", "--config", str(tiny_yaml),
                            "--epochs", "1", "--device", "cpu", "--pretrained", str(tmp_path / "p"),
                            "--freeze-encoder-epochs", "1", "--no-progress"])
    assert r.exit_code == 0, r.output
    info = load_model_file(tmp_path / "t")["config"]["pretrained"]
    assert info["run"] == str(tmp_path / "p") and info["model_name"] == "vaecox"
