"""Gene-MOE pre-training (WGAN-GP + KL + L1 + balance) and transfer into fine-tuning."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.models.base import collect_aux
from genemoe.models.critic import Critic
from genemoe.models.registry import create_model
from genemoe.train.finetune import load_pretrained_encoder, read_pretrained
from genemoe.train.model_file import load_model_file
from genemoe.train.pretrain import (
    PretrainConfig,
    critic_step,
    generator_step,
    gradient_penalty,
    kl_to_standard_normal,
    load_pretrain_data,
    reconstruction_metrics,
)
from genemoe.workflows.pretrain import pretrain_run
from genemoe.workflows.train import train_run
from tiny_configs import TINY_GENEMOE as TINY_MODEL

TERMS = ("critic_loss", "critic_gap", "gp", "g_loss", "adv", "kl", "l1", "importance", "load")
VAL = ("r_gene", "r_sample", "r_sample_baseline", "mse", "mse_baseline", "mae", "mae_baseline", "r2")
EPOCHS = 3


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=5, clinical=False)


@pytest.fixture(scope="module")
def tiny_yaml(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_MODEL},
        "pretrain": {"epochs": EPOCHS, "batch_size": 32, "lr": 3e-3, "n_critic": 2,
                     "critic_widths": [16]},
        "train": {"batch_size": 32, "patience": None},
    }))
    return path


@pytest.fixture(scope="module")
def run(bundle, tiny_yaml, tmp_path_factory):
    out = tmp_path_factory.mktemp("pt") / "run"
    return pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, seed=0, device="cpu",
                        progress=False)


def test_every_term_is_logged_finite_and_the_total_is_eq_11(run):
    assert run.finished and len(run.history) == EPOCHS
    lines = (run.out_dir / "history.jsonl").read_text().splitlines()
    assert [json.loads(ln)["epoch"] for ln in lines] == list(range(1, EPOCHS + 1))
    lam = yaml.safe_load((run.out_dir / "config.yaml").read_text())["pretrain"]  # the run's weights
    for rec in run.history:
        for k in [f"loss/{t}" for t in TERMS] + [f"val/{v}" for v in VAL]:
            assert math.isfinite(rec[k]), k
        g = (lam["lambda_adv"] * rec["loss/adv"] + lam["lambda_kl"] * rec["loss/kl"]
             + lam["lambda_l1"] * rec["loss/l1"]
             + lam["lambda_balance"] * (rec["loss/importance"] + rec["loss/load"]))  # eq. 11
        assert rec["loss/g_loss"] == pytest.approx(g, rel=1e-5)
        for layer, n in (("encoder.moe", 4), ("encoder.moae", 2), ("decoder.moe", 4)):
            util = rec[f"util/{layer}"]
            assert len(util) == n and sum(util) == pytest.approx(1.0)
            assert 0 <= rec[f"util/{layer}_entropy"] <= math.log(n) + 1e-9
    summary = json.loads((run.out_dir / "summary.json").read_text())
    assert {"dead_experts", "kl_collapsed", "recon_no_better_than_mean", "warnings"} <= set(
        summary["collapse"]) and summary["synthetic"] is True
    assert set(yaml.safe_load((run.out_dir / "config.yaml").read_text())) >= {"pretrain", "model"}


def test_logged_baseline_is_the_per_gene_training_mean(run, bundle):
    """Recompute the validation baseline from the bundle (log units) and compare."""
    mask = bundle.gene_mask()  # the genes pre-training used
    val = np.asarray(bundle.X[bundle.indices("val")], np.float64)[:, mask]
    mean = bundle.var["train_mean"].to_numpy(np.float64)[mask]
    rec = run.history[-1]
    assert rec["val/mse_baseline"] == pytest.approx(((val - mean) ** 2).mean(), rel=1e-3)
    assert rec["val/mae_baseline"] == pytest.approx(np.abs(val - mean).mean(), rel=1e-3)
    r = [np.corrcoef(v, mean)[0, 1] for v in val]
    assert rec["val/r_sample_baseline"] == pytest.approx(np.mean(r), rel=1e-3)


def test_reconstruction_metrics_known_answers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 30))
    perfect = reconstruction_metrics(x, x, x.mean(0))
    assert perfect["r_gene"] == pytest.approx(1) and perfect["r_sample"] == pytest.approx(1)
    assert perfect["mse"] == 0 and perfect["r2"] == 1
    mean_only = reconstruction_metrics(x, np.broadcast_to(x.mean(0), x.shape), x.mean(0))
    assert mean_only["r2"] == pytest.approx(0) and mean_only["mse"] == pytest.approx(x.var(0).mean())


def test_test_split_is_never_used(run, bundle):
    payload = read_pretrained(run.out_dir)
    ids = {s: set(bundle.sample_ids[bundle.indices(s)]) for s in ("train", "val", "test")}
    assert set(payload["samples"]["train"]) == ids["train"]
    assert set(payload["samples"]["val"]) == ids["val"]
    used = set(payload["samples"]["train"]) | set(payload["samples"]["val"])
    assert not used & ids["test"] and len(ids["test"]) > 0
    tsv = (run.out_dir / "samples.tsv").read_text()
    assert not any(s in tsv for s in ids["test"])
    assert payload["bundles"][0]["n_test_excluded"] == len(ids["test"])


def test_gradient_penalty_matches_direct_autograd():
    torch.manual_seed(0)
    critic = Critic(7, (5, 3)).double()
    real, fake = torch.randn(6, 7, dtype=torch.double), torch.randn(6, 7, dtype=torch.double)
    alpha = torch.rand(6, 1, dtype=torch.double)
    direct = []
    for i in range(6):  # one sample at a time: no batch coupling possible
        xi = (alpha[i] * real[i] + (1 - alpha[i]) * fake[i]).unsqueeze(0).requires_grad_(True)
        (g,) = torch.autograd.grad(critic(xi).sum(), xi)
        direct.append((g.norm() - 1) ** 2)
    gp = gradient_penalty(critic, real, fake, alpha)
    torch.testing.assert_close(gp, torch.stack(direct).mean())
    # a linear critic D(x) = w.x has gradient w everywhere: GP = (|w| - 1)^2
    lin = torch.nn.Linear(7, 1).double()
    expected = (lin.weight.norm() - 1) ** 2
    torch.testing.assert_close(gradient_penalty(lin, real, fake), expected.detach(),
                               atol=1e-9, rtol=1e-9)
    gp.backward()  # create_graph: the penalty trains the critic's weights
    assert all(p.grad is not None for n, p in critic.named_parameters() if n.endswith("weight"))


def test_gradient_penalty_stays_finite_for_large_critic_inputs():
    """torch's nn.Mish has NaN second derivatives above ~100 (a real 54k-gene run hit it)."""
    critic = Critic(3, (4,))
    with torch.no_grad():
        critic.net[0].weight.fill_(50.0)
    real, fake = torch.full((2, 3), 5.0), torch.full((2, 3), 4.0)  # pre-activations ~700
    gp = gradient_penalty(critic, real, fake)
    gp.backward()
    assert torch.isfinite(gp) and all(torch.isfinite(p.grad).all() for p in critic.parameters()
                                      if p.grad is not None)


def test_kl_matches_torch_distributions():
    mu, logvar = torch.randn(5, 4), torch.randn(5, 4)
    ref = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, (0.5 * logvar).exp()), torch.distributions.Normal(0, 1))
    torch.testing.assert_close(kl_to_standard_normal(mu, logvar), ref.mean())


def test_critic_and_generator_steps_touch_only_their_own_weights():
    torch.manual_seed(1)
    model = create_model("genemoe", n_genes=12, n_outputs=1, task="classify", with_decoder=True,
                         **TINY_MODEL)
    critic = Critic(12, (8,))
    gen_params = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt_g, opt_d = torch.optim.Adam(gen_params, lr=1e-3), torch.optim.Adam(critic.parameters())
    x = torch.randn(16, 12)
    recon, mu, logvar = model.reconstruct(x)
    aux, _ = collect_aux(model)
    critic_step(critic, opt_d, x, recon, lambda_gp=10.0)
    assert all(p.grad is None for p in model.parameters())  # no generator gradient
    assert all(p.grad is not None for p in critic.parameters())
    opt_d.zero_grad(set_to_none=True)
    before = [p.detach().clone() for p in critic.parameters()]
    parts = generator_step(model, critic, opt_g, recon, x, mu, logvar, aux, PretrainConfig())
    assert all(p.grad is None for p in critic.parameters())  # no critic gradient ...
    assert all(p.requires_grad for p in critic.parameters())  # ... and unfrozen afterwards
    assert all(torch.equal(a, b) for a, b in zip(before, critic.parameters(), strict=True))
    named = dict(model.named_parameters())
    for k in ("encoder.mu.weight", "encoder.logvar.weight", "decoder.out.weight",
              "encoder.moe.gate.w_gate", "decoder.moe.gate.w_gate"):
        assert named[k].grad is not None and named[k].grad.abs().sum() > 0, k
    assert named["head.weight"].grad is None
    assert set(parts) == {"g_loss", "adv", "kl", "l1", "importance", "load"}


def test_resume_after_interruption_equals_uninterrupted(run, bundle, tiny_yaml, tmp_path,
                                                        caplog):
    out = tmp_path / "resumed"
    first = pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu",
                         progress=False, max_epochs_this_call=1)
    assert not first.finished and not (out / "pretrained.pt").exists()
    # fine-tuning from the paused run names the interruption (old: "no pretrained.pt here",
    # with "pre-train first" as the fix)
    with pytest.raises(InputError, match=r"(?s)the pre-training was interrupted .*fix: run the "
                                         r"same `genemoe pretrain"):
        read_pretrained(out)
    with caplog.at_level("WARNING", logger="genemoe"):
        second = pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu",
                              progress=False)
    assert second.finished and not second.reused
    # said as train says it (was an INFO line, behind -v: the rerun looked fresh)
    assert any(r.levelname == "WARNING" and "resuming pre-training from" in r.getMessage()
               for r in caplog.records)
    # run again: the finished run is reused and says so (old: "(2 epochs, 0 s)", as if run)
    third = pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu",
                         progress=False)
    assert third.reused and "reused, nothing trained" in third.describe()
    timing = ("seconds", "throughput/", "memory/")  # measured, not computed
    strip = [{k: v for k, v in r.items() if not k.startswith(timing)} for r in second.history]
    assert strip == [{k: v for k, v in r.items() if not k.startswith(timing)} for r in run.history]
    a, b = read_pretrained(run.out_dir)["state_dict"], read_pretrained(out)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    # finished: its checkpoint.pt (weights and both optimisers again) was kept; another
    # setup (more epochs too) is still refused by name, from pretrained.pt
    assert (out / "checkpoint.pt").exists() is False and not (run.out_dir / "checkpoint.pt").exists()
    with pytest.raises(InputError, match=r"finished run of a different pre-training setup "
                                         r"\(seed: 0 -> 1\)"):
        pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu",
                     progress=False, seed=1)
    with pytest.raises(InputError, match=rf"epochs: {EPOCHS} -> {EPOCHS + 1}") as err:
        pretrain_run([bundle.path], out_dir=out, config_path=tiny_yaml, device="cpu",
                     progress=False, epochs=EPOCHS + 1)
    assert "a finished run is not continued" in err.value.fix


def _genes(bundle):
    """The genes a run on ``bundle`` uses (its default gene mask)."""
    return bundle.var.loc[bundle.gene_mask(), "gene_id"].astype(str).tolist()


def _finetune_model(bundle, **over):
    torch.manual_seed(0)
    return create_model("genemoe", n_genes=len(_genes(bundle)), n_outputs=3, task="classify",
                        **{**TINY_MODEL, **over})


def test_frozen_finetuning_starts_from_and_keeps_the_pretrained_encoder(run, bundle, tiny_yaml,
                                                                          tmp_path, monkeypatch,
                                                                          caplog):
    import logging

    pre = read_pretrained(run.out_dir)["state_dict"]
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        res = train_run(bundle.path, out_dir=tmp_path / "ft", model_name="genemoe",
                        config_path=tiny_yaml, epochs=2, device="cpu", progress=False,
                        pretrained=run.out_dir, freeze_encoder_epochs=2)
    # was unsaid: the encoder never unfreezes
    assert "--freeze-encoder-epochs 2 covers all 2 epochs: the pre-trained encoder stays frozen" \
        in caplog.text
    payload = load_model_file(res.out_dir)
    state = payload["state_dict"]
    enc = {k: v for k, v in pre.items() if k.startswith("encoder.") and ".logvar." not in k}
    assert enc and set(enc) == {k for k in state if k.startswith("encoder.")}
    assert all(torch.equal(state[k], enc[k]) for k in enc)
    assert payload["config"]["pretrained"]["n_genes_shared"] == len(_genes(bundle))
    # unfrozen after one epoch: the last epoch's encoder has moved (keep the resume
    # checkpoint, which a completed run removes, to read the last epoch's weights)
    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: None)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        train_run(bundle.path, out_dir=tmp_path / "ft1", model_name="genemoe",
                  config_path=tiny_yaml, epochs=2, device="cpu", progress=False,
                  pretrained=run.out_dir, freeze_encoder_epochs=1)
    # a fresh run going from its frozen epochs on said "resuming from ... (delete it to start
    # afresh)", as if it had been interrupted
    assert "resuming from" not in caplog.text
    last = torch.load(tmp_path / "ft1" / "checkpoint.pt", weights_only=True)
    assert last["epoch"] == 2
    assert not torch.equal(last["model_state"]["encoder.mu.weight"], enc["encoder.mu.weight"])
    assert len(last["history"]) == 2


def test_encoder_lr_gives_the_encoder_its_own_learning_rate(run, bundle, tiny_yaml, tmp_path,
                                                            monkeypatch):
    pre = read_pretrained(run.out_dir)["state_dict"]
    enc = {k: v for k, v in pre.items() if k.startswith("encoder.") and ".logvar." not in k}
    fresh = _finetune_model(bundle).state_dict()  # the head's initial weights (seed 0)
    res = train_run(bundle.path, out_dir=tmp_path / "tiny", model_name="genemoe",
                    config_path=tiny_yaml, epochs=2, device="cpu", progress=False,
                    pretrained=run.out_dir, encoder_lr=1e-12)
    payload = load_model_file(res.out_dir)
    state, cfg = payload["state_dict"], payload["config"]
    assert cfg["pretrained"]["encoder_lr"] == 1e-12
    assert cfg["train_config"]["module_lr"] == {"encoder": 1e-12}
    for k, v in enc.items():  # the encoder barely moves at lr 1e-12 ...
        torch.testing.assert_close(state[k], v, rtol=0, atol=1e-8)
    assert not torch.equal(state["head.weight"], fresh["head.weight"])  # ... the head learns
    hist = [json.loads(ln) for ln in (res.out_dir / "history.jsonl").read_text().splitlines()]
    assert [h["lr/encoder"] for h in hist] == pytest.approx([1e-12 * h["lr"] / 1e-3 for h in hist])
    # frozen first, then unfrozen at its own rate (the checkpoint keeps both groups)
    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: None)
    train_run(bundle.path, out_dir=tmp_path / "ft", model_name="genemoe", config_path=tiny_yaml,
              epochs=2, device="cpu", progress=False, pretrained=run.out_dir,
              freeze_encoder_epochs=1, encoder_lr=1e-5)
    last = torch.load(tmp_path / "ft" / "checkpoint.pt", weights_only=True)
    groups = last["optimizer_state"]["param_groups"]
    assert [(g["lr_module"], g["lr_scale"]) for g in groups] == [(None, 1.0), ("encoder", 1e-5 / 1e-3)]
    moved = (last["model_state"]["encoder.mu.weight"] - enc["encoder.mu.weight"]).abs().max()
    assert 0 < moved < 1e-3  # a few Adam steps of ~1e-5 each


def test_a_non_positive_encoder_lr_is_refused(run, bundle, tiny_yaml, tmp_path):
    for bad in (0.0, -1e-4, float("nan")):
        with pytest.raises(InputError, match="--encoder-lr: must be a positive.*\n.*fix: pass e.g."):
            train_run(bundle.path, out_dir=tmp_path / "bad", model_name="genemoe",
                      config_path=tiny_yaml, epochs=1, device="cpu", progress=False,
                      pretrained=run.out_dir, encoder_lr=bad)
    with pytest.raises(InputError, match="need --pretrained"):
        train_run(bundle.path, out_dir=tmp_path / "bad", model_name="genemoe",
                  config_path=tiny_yaml, epochs=1, device="cpu", progress=False, encoder_lr=1e-4)
    assert not (tmp_path / "bad" / "model.pt").exists()


def test_gene_alignment_by_id(run, bundle):
    genes = _genes(bundle)
    ref = _finetune_model(bundle)
    load_pretrained_encoder(ref, run.out_dir, gene_ids=genes)
    perm = np.random.default_rng(0).permutation(len(genes))
    shuffled = _finetune_model(bundle)
    info = load_pretrained_encoder(shuffled, run.out_dir, gene_ids=[genes[i] for i in perm])
    assert info["n_genes_shared"] == len(genes) and info["n_genes_new"] == 0
    x = torch.randn(5, len(genes))
    ref.eval(), shuffled.eval()
    with torch.no_grad():  # same genes in another column order: the same encoding
        torch.testing.assert_close(shuffled.encoder.encode(x[:, perm])[0], ref.encoder.encode(x)[0])


def test_what_the_model_starts_from_is_said_and_few_pretrained_genes_warned(run, bundle,
                                                                          caplog):
    """`train --pretrained` said nothing of the transfer without -v (a model of which 35% of
    the genes were pre-trained looked like any other), nor that the pre-training collapsed."""
    from genemoe.cli_logging import NARRATING_LOGGERS

    assert "genemoe.train.finetune".startswith(NARRATING_LOGGERS)  # on the terminal
    genes = _genes(bundle)
    wide = [*genes, *(f"NEW{i}" for i in range(len(genes) + 5))]  # more new genes than shared
    model = create_model("genemoe", n_genes=len(wide), n_outputs=3, task="classify", **TINY_MODEL)
    with caplog.at_level("INFO", logger="genemoe"):
        load_pretrained_encoder(model, run.out_dir, gene_ids=wide)
    said = " | ".join(r.getMessage() for r in caplog.records)
    assert f"{len(genes):,} of the model's {len(wide):,} genes pre-trained" in said, said
    assert "only" in said and "starts untrained on the others" in said
    caplog.clear()
    with caplog.at_level("INFO", logger="genemoe"):
        load_pretrained_encoder(_finetune_model(bundle), run.out_dir, gene_ids=genes)
    assert not [r for r in caplog.records if r.levelname == "WARNING"  # all genes: unwarned
                and "collapsed" not in r.getMessage()]  # (3 tiny epochs: at a constant's level)
    from genemoe.train import finetune

    payload = read_pretrained(run.out_dir)
    payload["summary"] = {**payload.get("summary", {}), "collapse": {"warnings": ["KL tiny"]}}
    caplog.clear()
    with pytest.MonkeyPatch.context() as m, caplog.at_level("WARNING", logger="genemoe"):
        m.setattr(finetune, "read_pretrained", lambda _: payload)
        info = load_pretrained_encoder(_finetune_model(bundle), run.out_dir, gene_ids=genes)
    assert any("the pre-training collapsed (KL tiny)" in r.getMessage() for r in caplog.records)
    # kept in the run's record and its report's "started from" (said on the terminal only)
    assert info["collapse_warnings"] == ["KL tiny"]
    from genemoe.report.first_screen import run_panel

    page = run_panel(task="classify", model="genemoe", metrics={}, summary={}, record={},
                     bundle_path=None, figures=[], cfg={"pretrained": {"run": "pre", **info}})
    assert "<strong>the pre-training collapsed</strong> (KL tiny)" in page


def test_shared_expert_is_aligned_by_gene_too(bundle, tiny_yaml, tmp_path):
    """The shared expert reads genes like the routed ones: its columns follow the gene ids."""
    cfg = yaml.safe_load(tiny_yaml.read_text())
    cfg["model"]["genemoe"] = {**TINY_MODEL, "shared_expert": True}
    cfg["pretrain"]["epochs"] = 1
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))
    pre = pretrain_run([bundle.path], out_dir=tmp_path / "p", config_path=tmp_path / "c.yaml",
                       seed=0, device="cpu", progress=False)
    genes = _genes(bundle)
    ref = _finetune_model(bundle, shared_expert=True)
    load_pretrained_encoder(ref, pre.out_dir, gene_ids=genes)
    perm = np.random.default_rng(1).permutation(len(genes))
    shuffled = _finetune_model(bundle, shared_expert=True)
    load_pretrained_encoder(shuffled, pre.out_dir, gene_ids=[genes[i] for i in perm])
    x = torch.randn(5, len(genes))
    ref.eval(), shuffled.eval()
    with torch.no_grad():
        torch.testing.assert_close(shuffled.encoder.encode(x[:, perm])[0], ref.encoder.encode(x)[0])
    with pytest.raises(InputError, match="does not fit this model"):  # without it: refused
        load_pretrained_encoder(_finetune_model(bundle), pre.out_dir, gene_ids=genes)


def test_mismatches_are_refused_with_the_fix(run, bundle):
    genes = _genes(bundle)
    with pytest.raises(InputError, match="genes the encoder was pre-trained on.*\n.*fix"):
        load_pretrained_encoder(_finetune_model(bundle), run.out_dir,
                                gene_ids=[f"OTHER{i}" for i in range(len(genes))])
    with pytest.raises(InputError, match="does not fit this model.*\n.*fix: .*model: section"):
        load_pretrained_encoder(_finetune_model(bundle, hidden=16), run.out_dir, gene_ids=genes)
    # options no tensor shape tells: the encoder was loaded into k 1 / 2 heads unsaid
    for option, other in (("k", 1), ("n_heads", 4), ("moae_k", 2)):  # tiny: 2, 2, 1
        with pytest.raises(InputError, match=f"does not fit this model.*{option} "):
            load_pretrained_encoder(_finetune_model(bundle, **{option: other}), run.out_dir,
                                    gene_ids=genes)
    with pytest.raises(InputError, match="pre-trained model 'genemoe', not 'moe'"):
        load_pretrained_encoder(_finetune_model(bundle), run.out_dir, gene_ids=genes,
                                model_name="moe")
    train_id = bundle.sample_ids[bundle.indices("train")][0]
    with pytest.raises(InputError, match="pre-training used 1 sample"):
        load_pretrained_encoder(_finetune_model(bundle), run.out_dir, gene_ids=genes,
                                test_sample_ids=[train_id])


def test_bundles_align_on_shared_genes_or_refuse(bundle, tmp_path, caplog):
    other = load_bundle(bundle.path)
    var = other.var.copy()
    half = len(var) // 2
    var.loc[var.index[:half], "gene_id"] = [f"NEW{i}" for i in range(half)]
    other.var = var
    other.obs = other.obs.assign(sample_id="copy-" + other.obs["sample_id"].astype(str),
                                 patient_id="copy-" + other.obs["patient_id"].astype(str))
    write_bundle(other, tmp_path / "other")
    data = load_pretrain_data([bundle.path, tmp_path / "other"], min_shared_genes=0.4)
    ids = bundle.var["gene_id"].astype(str).to_numpy()
    kept = ids[half:][bundle.gene_mask()[half:]].tolist()  # renamed genes and masked out: gone
    assert data.gene_ids == kept and data.X_train.shape[1] == len(kept)
    assert len(data.X_train) == 2 * len(bundle.indices("train"))
    with pytest.raises(InputError, match="share only .* genes.*\n.*fix: prepare every bundle"):
        load_pretrain_data([bundle.path, tmp_path / "other"], min_shared_genes=0.6)
    n_left = int(bundle.gene_mask().sum()) - len(kept)  # said (was an INFO line) and counted
    assert [b["n_genes_left_out"] for b in data.bundles] == [n_left] * 2
    assert any(r.levelname == "WARNING" and f"left out {n_left:,} of {bundle.path}'s" in r.message
               for r in caplog.records)


def test_a_bundle_twice_or_samples_in_two_bundles_are_refused(bundle, tmp_path):
    """Old behaviour: --data B --data B pre-trained on every sample twice (n_train doubled),
    and a gene subset of B beside B cut B's genes, both without a word."""
    with pytest.raises(InputError, match="the same bundle is given twice"):
        load_pretrain_data([bundle.path, bundle.path])
    other = load_bundle(bundle.path)
    other.var = other.var.iloc[: len(other.var) // 2 + 1]
    other.X = np.ascontiguousarray(other.X[:, : len(other.var)])
    write_bundle(other, tmp_path / "subset")
    with pytest.raises(InputError, match=r"(?s)sample\(s\) are also in .*pre-trained on twice.*"
                                         r"fix: give bundles of distinct samples"):
        load_pretrain_data([bundle.path, tmp_path / "subset"], min_shared_genes=0.1)
    # the same patients under other sample ids (16-character barcodes against aliquot ones):
    # passed, and 13 of 45 "held-out" validation tumours were another bundle's training rows
    renamed = load_bundle(bundle.path)
    renamed.obs["sample_id"] = [f"{s}-X" for s in renamed.obs["sample_id"]]
    write_bundle(renamed, tmp_path / "renamed")
    with pytest.raises(InputError, match=r"(?s)patient\(s\) are also in .*fix: give bundles of "
                                         r"distinct patients"):
        load_pretrain_data([bundle.path, tmp_path / "renamed"])


def test_cli_pretrain_then_train_pretrained(bundle, tiny_yaml, tmp_path):
    from typer.testing import CliRunner

    from genemoe.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["pretrain", "--data", str(bundle.path), "--out", str(tmp_path / "p"),
                            "--config", str(tiny_yaml), "--epochs", "1", "--device", "cpu",
                            "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "validation reconstruction" in r.output and (tmp_path / "p" / "pretrained.pt").is_file()
    r = runner.invoke(app, ["train", "--data", str(bundle.path), "--out", str(tmp_path / "t"),
                            "--config", str(tiny_yaml), "--epochs", "1", "--device", "cpu",
                            "--pretrained", str(tmp_path / "p"), "--freeze-encoder-epochs", "1",
                            "--encoder-lr", "1e-4", "--no-progress"])
    assert r.exit_code == 0, r.output
    info = load_model_file(tmp_path / "t")["config"]["pretrained"]
    assert info["run"] == str(tmp_path / "p") and info["encoder_lr"] == 1e-4


@pytest.mark.slow
def test_reconstruction_beats_the_per_gene_mean_after_training(bundle, tiny_yaml, tmp_path):
    res = pretrain_run([bundle.path], out_dir=tmp_path / "long", config_path=tiny_yaml,
                       epochs=25, device="cpu", progress=False)
    first, last = res.history[0], res.history[-1]
    assert last["val/r_gene"] > first["val/r_gene"] + 0.05
    assert last["val/mae"] < last["val/mae_baseline"]
    assert not res.summary["collapse"]["recon_no_better_than_mean"]


# ------------------------------------------------------------ pre-training from arrays


def _array_data(bundle, train_rows, val_rows):
    from genemoe.data.scaling import fit_scaler
    from genemoe.train.pretrain import pretrain_data_from_arrays

    X = np.asarray(bundle.X, np.float32)[:, bundle.gene_mask()]
    scaler = fit_scaler(X[train_rows], method="standard", clip=10.0)
    ids = bundle.sample_ids.astype(str)
    return pretrain_data_from_arrays(
        X[train_rows], X[val_rows], gene_ids=_genes(bundle),
        scaler=scaler, train_ids=ids[train_rows].tolist(), val_ids=ids[val_rows].tolist(),
        source="fold", n_test_excluded=7, info={"fold": 0}), scaler


def test_pretraining_from_arrays_records_its_samples_and_is_reused(bundle, tiny_yaml, tmp_path,
                                                                    monkeypatch):
    import genemoe.train.pretrain as pretrain_mod
    from genemoe.train.pretrain import pretrain_on_data

    rows = np.random.default_rng(0).permutation(bundle.n_samples)
    train_rows, val_rows, test_rows = rows[:80], rows[80:100], rows[100:]
    data, scaler = _array_data(bundle, train_rows, val_rows)
    X = np.asarray(bundle.X, np.float32)[:, bundle.gene_mask()]
    np.testing.assert_allclose(data.X_val_log, X[val_rows])  # unscaled, for the metrics
    np.testing.assert_allclose(data.X_train, scaler.transform(X[train_rows]))
    res = pretrain_on_data(data, out_dir=tmp_path / "run", config_path=tiny_yaml, epochs=1,
                           device="cpu", progress=False)
    assert res.finished and len(res.history) == 1
    mean = X[train_rows].astype(np.float64).mean(0)  # the baseline: the training rows' mean
    rec = res.history[-1]
    assert rec["val/mse_baseline"] == pytest.approx(((X[val_rows] - mean) ** 2).mean(), rel=1e-3)
    ids = bundle.sample_ids.astype(str)
    payload = read_pretrained(res.out_dir)
    assert payload["samples"] == {"train": ids[train_rows].tolist(), "val": ids[val_rows].tolist()}
    assert payload["bundles"][0]["n_test_excluded"] == 7 and payload["bundles"][0]["fold"] == 0
    genes = _genes(bundle)
    load_pretrained_encoder(_finetune_model(bundle), res.out_dir, gene_ids=genes,
                            test_sample_ids=ids[test_rows].tolist())  # unseen: accepted
    with pytest.raises(InputError, match="pre-training used 1 sample"):
        load_pretrained_encoder(_finetune_model(bundle), res.out_dir, gene_ids=genes,
                                test_sample_ids=[ids[val_rows[0]]])
    # a finished run of the same setup is returned as it is: nothing built, nothing rewritten
    built = []

    class Built(Exception):
        pass

    def build(*a, **k):
        built.append(1)
        raise Built

    monkeypatch.setattr(pretrain_mod, "_build", build)
    mtime = (res.out_dir / "pretrained.pt").stat().st_mtime_ns
    again = pretrain_on_data(data, out_dir=tmp_path / "run", config_path=tiny_yaml, epochs=1,
                             device="cpu", progress=False)
    assert again.finished and again.history == res.history and built == []
    assert (res.out_dir / "pretrained.pt").stat().st_mtime_ns == mtime
    assert again.summary["final"] == res.summary["final"]
    other, _ = _array_data(bundle, train_rows[:-1], val_rows)  # other samples: not reused,
    with pytest.raises(InputError, match="different pre-training setup.*samples"):  # refused
        pretrain_on_data(other, out_dir=tmp_path / "run", config_path=tiny_yaml, epochs=1,
                         device="cpu", progress=False)
    assert built == []  # before anything is built
    monkeypatch.undo()
    with pytest.raises(InputError, match="different pre-training setup.*samples"):
        pretrain_on_data(other, out_dir=tmp_path / "run", config_path=tiny_yaml, epochs=1,
                         device="cpu", progress=False)


def test_pretraining_arrays_that_do_not_fit_are_refused(bundle):
    from genemoe.data.scaling import fit_scaler
    from genemoe.train.pretrain import pretrain_data_from_arrays

    X = np.asarray(bundle.X[:10], np.float32)[:, bundle.gene_mask()]
    genes = _genes(bundle)
    ids = [f"S{i}" for i in range(10)]
    ok = dict(gene_ids=genes, scaler=fit_scaler(X[:8]), train_ids=ids[:8], val_ids=ids[8:])
    with pytest.raises(InputError, match="do not match"):
        pretrain_data_from_arrays(X[:8, :-1], X[8:], **ok)
    with pytest.raises(InputError, match="do not match"):
        pretrain_data_from_arrays(X[:8], X[8:], **{**ok, "train_ids": ids[:7]})
    with pytest.raises(InputError, match="both training and validation"):
        pretrain_data_from_arrays(X[:8], X[8:], **{**ok, "val_ids": ids[:2]})
    data = pretrain_data_from_arrays(X[:8], X[8:], **{**ok, "scaler": ok["scaler"].to_dict()})
    assert data.X_train.shape == (8, len(genes)) and data.samples["role"].tolist() == (
        ["train"] * 8 + ["val"] * 2)


def test_run_records_the_patient_of_every_sample(run, bundle):
    payload = read_pretrained(run.out_dir)
    obs = bundle.obs.set_index("sample_id")["patient_id"].astype(str)
    used = payload["samples"]["train"] + payload["samples"]["val"]
    assert payload["sample_patients"] == {s: obs[s] for s in used}
    tsv = pd.read_csv(run.out_dir / "samples.tsv", sep="\t", dtype=str)
    assert (tsv["patient_id"].to_numpy() == obs.loc[tsv["sample_id"]].to_numpy()).all()
    # a test sample of a patient whose other sample was pre-trained on is refused
    s = payload["samples"]["train"][0]
    other = obs[s] + "-06A"  # the same patient's metastasis
    with pytest.raises(InputError, match=f"patient {obs[s]} .pre-trained on sample {s}"):
        load_pretrained_encoder(_finetune_model(bundle), run.out_dir,
                                gene_ids=_genes(bundle),
                                test_sample_ids=[other])


def test_a_bad_pretraining_value_is_said_with_its_range():
    """``genemoe pretrain --epochs 0`` said "invalid pre-training option(s): epochs" with a fix
    pointing at the source code; it now names the value and what it may be."""
    from genemoe.train.pretrain import PretrainConfig

    with pytest.raises(InputError, match=r"(?s)epochs=0.*fix: set epochs to a whole number, 1 or more.*--epochs"):
        PretrainConfig(epochs=0)
    with pytest.raises(InputError, match=r"(?s)lambda_kl=-1.0.*fix: set lambda_kl to a number of 0 or more"):
        PretrainConfig(lambda_kl=-1.0)


def test_a_model_without_an_encoder_names_the_flag_and_the_choices(tmp_path):
    """Old behaviour: `genemoe pretrain --model fcn` said "pretrain config: invalid
    pre-training value(s): model='fcn'" with a fix about the pretrain: section of the
    --config YAML or preset, though the value came from --model."""
    with pytest.raises(InputError) as err:
        pretrain_run(tmp_path / "no_bundle", out_dir=tmp_path / "run", model="fcn")
    assert str(err.value) == ("--model: 'fcn' has no encoder to pre-train\n  fix: pass --model "
                              "genemoe | moe | vaecox, or drop --model (the preset's "
                              "pretrain.model)")
    assert not (tmp_path / "run").exists()


def test_missing_symbols_stay_missing_not_the_text_none(bundle, tmp_path):
    """Old behaviour: a gene without a symbol was stored as the text "None" (or "nan") in
    the pre-training data and checkpoint, and so ranked as a gene called None."""
    from genemoe.data.bundle import gene_symbols
    from genemoe.data.scaling import fit_scaler
    from genemoe.train.pretrain import pretrain_data_from_arrays

    assert gene_symbols([None, np.nan, " ", "TP53"]) == [None, None, None, "TP53"]
    assert gene_symbols(pd.DataFrame({"gene_id": ["a"]})) is None
    other = load_bundle(bundle.path)
    other.var = other.var.assign(symbol=other.var["symbol"].astype(object))
    other.var.loc[other.var.index[:3], "symbol"] = [None, np.nan, ""]
    write_bundle(other, tmp_path / "nosym")
    data = load_pretrain_data([tmp_path / "nosym"])
    kept = other.var[other.gene_mask()]
    want = [None if i < 3 else str(s) for i, s in zip(kept.index, kept["symbol"], strict=True)]
    assert data.symbols == want and "None" not in data.symbols and "nan" not in data.symbols
    X = np.asarray(bundle.X[:10], np.float32)[:, :4]
    ids = [f"S{i}" for i in range(10)]
    arrays = pretrain_data_from_arrays(X[:8], X[8:], gene_ids=list("abcd"),
                                       symbols=[None, np.nan, "", "EGFR"],
                                       scaler=fit_scaler(X[:8]), train_ids=ids[:8],
                                       val_ids=ids[8:])
    assert arrays.symbols == [None, None, None, "EGFR"]


@pytest.mark.parametrize(("text", "says"), [
    ("pretrain: {epochs: [1\n", "not valid YAML"),      # was a YAML traceback
    ("pretrian: {epochs: 1}\n", "unknown top-level key(s) pretrian"),  # was silently unused
])
def test_a_bad_pretraining_config_is_refused_naming_the_file(tmp_path, text, says):
    from genemoe.train.pretrain import resolve_pretrain_config

    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(f"{path}:") + ".*" + re.escape(says)):
        resolve_pretrain_config("small", path)


def test_a_pretraining_config_extends_a_preset_and_reads_1e_3_as_a_number(tmp_path):
    """`extends:` of a pretrain --config was ignored (the --preset's values ran), and
    PyYAML read `lr: 1e-3` as the text "1e-3"."""
    from genemoe.config_presets import load_preset
    from genemoe.train.pretrain import resolve_pretrain_config

    path = tmp_path / "p.yaml"
    path.write_text("extends: paper\npretrain: {lr: 3e-4}\n")
    config, model_cfg = resolve_pretrain_config("small", path)
    paper = load_preset("paper")
    assert config.lr == 3e-4
    assert model_cfg == {k: v for k, v in paper["model"][config.model].items()
                         if k != "with_decoder"}


def test_a_pretraining_config_says_which_sections_it_does_not_read(tmp_path, caplog):
    """A --config with ``train: {lr: ...}`` (a best.yaml, a training recipe) or another
    model's options pre-trained with neither, unsaid."""
    from genemoe.train.pretrain import resolve_pretrain_config

    path = tmp_path / "p.yaml"
    path.write_text("train: {lr: 0.5, epochs: 3}\nmodel: {mlp: {hidden: [8]}}\n"
                    "pretrain: {lr: 3e-4}\n")
    with caplog.at_level("WARNING", logger="genemoe"):
        config, _ = resolve_pretrain_config("small", path)
    said = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert config.lr == 3e-4
    assert ("unused here: train: (lr, epochs) — pre-training's learning rate, epochs and batch "
            "size are pretrain: keys; model.mlp (the widths of another model") in said, said
    caplog.clear()
    path.write_text("pretrain: {lr: 3e-4}\n")
    resolve_pretrain_config("small", path)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_one_epoch_is_said_in_the_singular(run):
    from dataclasses import replace

    one = replace(run, history=run.history[:1])
    assert "(1 epoch," in one.describe() and "(1 epochs" not in one.describe()


@pytest.mark.parametrize(("option", "says"), [
    ({"lr": "fast"}, "lr='fast'"), ({"betas": 0.5}, "betas=0.5"),
    ({"critic_widths": 5}, "critic_widths=5"), ({"noise_std": [1]}, "noise_std=[1]"),
    ({"batch_size": 2.5}, "batch_size=2.5"), ({"lambda_kl": "x"}, "lambda_kl='x'"),
])
def test_a_pretraining_value_of_the_wrong_kind_is_said_not_a_traceback(option, says):
    """Old behaviour: TypeError tracebacks ("'>' not supported between 'str' and 'int'",
    "'float' object is not iterable"), or batch_size 2.5 accepted."""
    from genemoe.train.pretrain import PretrainConfig

    with pytest.raises(InputError, match=re.escape(says)):
        PretrainConfig.from_dict(option)
    with pytest.raises(InputError, match=r"epoch \(did you mean epochs\?\)"):
        PretrainConfig.from_dict({"epoch": 3})


def test_a_pretraining_runs_config_yaml_is_a_config_for_pretrain(run, tmp_path):
    """``pretrain --config RUN/config.yaml`` (offered by -h) was refused: "unknown
    top-level key(s) preset"."""
    from genemoe.train.pretrain import resolve_pretrain_config

    config, _ = resolve_pretrain_config("paper", run.out_dir / "config.yaml")
    recorded = yaml.safe_load((run.out_dir / "config.yaml").read_text())["pretrain"]
    assert config.lr == recorded["lr"] and config.critic_widths == tuple(recorded["critic_widths"])


def test_a_reconstruction_the_training_median_beats_is_no_better():
    """Old behaviour (a probe, 3 epochs on the six GDC cohorts): R² -0.004 and MAE 1.736
    against the mean's 1.750 passed as "not collapsed", while the per-gene training median,
    the constant an L1 decoder aims at, had MAE 1.619."""
    from genemoe.train.pretrain_metrics import collapse_report, reconstruction_metrics

    last = {"epoch": 3, "loss/kl": 0.5, "val/r2": -0.0042, "val/mae": 1.736,
            "val/mae_baseline": 1.750, "val/mae_median_baseline": 1.619}
    report = collapse_report([last], kl_collapse=0.01)
    assert report["recon_no_better_than_mean"] and report["collapsed"]
    # old behaviour (an outside probe): "MAE 1.74 vs 1.62" named neither baseline, and the
    # files held only the mean's
    # since the review: which constant it beats and which not, the pair in 3 decimals alike
    assert ("beats the per-gene mean by absolute error (MAE 1.736 vs 1.750); not the per-gene "
            "mean by squared error (R² -0.004), nor the per-gene median by absolute error "
            "(MAE 1.736 vs 1.619)") in report["warnings"][-1]
    mean_only = collapse_report([{**last, "val/mae": 1.8, "val/mae_median_baseline": None}],
                                kl_collapse=0.01)
    assert ("does not beat the per-gene mean by squared error (R² -0.004) or by absolute error "
            "(MAE 1.800 vs 1.750)") in mean_only["warnings"][-1]
    assert not collapse_report([{**last, "val/mae": 1.5}], kl_collapse=0.01)["collapsed"]
    x = np.array([[0.0, 1.0], [2.0, 3.0], [10.0, 5.0]])
    m = reconstruction_metrics(x, x, x.mean(0), np.median(x, 0))
    assert m["mae_median_baseline"] == pytest.approx(np.abs(x - np.median(x, 0)).mean())


def test_a_reconstruction_barely_beyond_the_mean_is_said_not_called_collapse():
    """An outside probe: 4 epochs on the GDC cohorts, validation R² 0.026, passed silently
    ("collapsed": false, no warning) while `genemoe features` then found every reconstruction
    alike (k-NN mixing 0.00)."""
    from genemoe.train.pretrain_metrics import collapse_report

    last = {"epoch": 4, "loss/kl": 0.5, "val/r2": 0.026, "val/mae": 1.2, "val/mae_baseline": 1.3}
    report = collapse_report([last], kl_collapse=0.01)
    assert not report["collapsed"] and report["warnings"] == []
    assert report["notes"] and "explains little beyond the per-gene training mean: it beats the " \
        "per-gene mean by squared error (R² 0.026)" in report["notes"][0]
    assert collapse_report([{**last, "val/r2": 0.4}], kl_collapse=0.01)["notes"] == []


def test_a_bundle_of_too_few_genes_is_refused_naming_its_filter(bundle, tmp_path):
    """Old behaviour: one gene passing the filter pre-trained a 256-wide MoE with numpy's
    "Mean of empty slice" warnings and r = nan; none said "the bundles share only 0 genes ...
    or pre-train on one bundle" of one bundle."""
    few = load_bundle(bundle.path)
    keep = np.zeros(len(few.var), bool)
    keep[:1] = True
    few.var = few.var.assign(keep=keep)
    write_bundle(few, tmp_path / "few")
    with pytest.raises(InputError, match=r"(?s)1 gene\(s\) pass this bundle's gene filter.*"
                                         r"fix: prepare it again with a lower --min-variance"):
        load_pretrain_data([tmp_path / "few"])


def test_a_collapse_is_warned_by_its_claim_and_summarised_in_short_lines(run, bundle, tiny_yaml,
                                                                          tmp_path, caplog):
    """`genemoe pretrain` said a reconstruction collapse twice in lines of ~340 characters
    (the warning, then `COLLAPSE: ...` in the summary) and its reconstruction line ran to 150:
    the warning now gives the claim, the summary the whole text wrapped."""
    from dataclasses import replace

    from genemoe.train import pretrain as pre

    long = ("validation reconstruction is at a per-gene training constant's level (R² under "
            "0.05, MAE not below the best constant's): it does not beat the per-gene mean by "
            "squared error (R² -0.008; MSE 6.976 vs 6.917) or by absolute error (MAE 1.372 vs "
            "1.344), nor the per-gene median by absolute error (MAE 1.372 vs 1.272)")
    text = replace(run, summary={**run.summary, "collapse": {"warnings": [long]}}).describe()
    assert max(map(len, text.splitlines())) <= 102, text
    assert " ".join(ln.strip() for ln in text.split("COLLAPSE: ")[1].splitlines()) == long
    real = pre.collapse_report
    with pytest.MonkeyPatch.context() as m, caplog.at_level("WARNING", logger="genemoe"):
        m.setattr(pre, "collapse_report", lambda *a, **k: {**real(*a, **k), "collapsed": True,
                                                           "warnings": [long], "notes": []})
        again = pretrain_run([bundle.path], out_dir=tmp_path / "run", config_path=tiny_yaml,
                             seed=0, device="cpu", progress=False, epochs=1)
    said = [r.getMessage() for r in caplog.records if "pre-training collapse" in r.getMessage()]
    assert said == ["pre-training collapse: validation reconstruction is at a per-gene "
                    "training constant's level"]
    assert again.summary["collapse"]["warnings"] == [long]  # kept whole in summary.json


def test_the_terminal_summary_says_which_samples_it_trained_on(run, bundle):
    """Old behaviour (outside probe KK): the terminal named epochs and reconstruction only;
    which samples were trained on and that the test split was left out was in summary.json
    and the report alone."""
    n = {r: int(len(bundle.indices(r))) for r in ("train", "val", "test")}
    line = next(ln for ln in run.describe().splitlines() if ln.lstrip().startswith("samples:"))
    assert line == (f"  samples: {n['train']:,} training, {n['val']:,} validation; "
                    f"{n['test']:,} test left out, never read")
    assert max(map(len, run.describe().splitlines())) <= 100
