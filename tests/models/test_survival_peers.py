"""The survival peers: Cox-nnet and VAE-Cox at the papers' widths, and that they learn."""

from __future__ import annotations

import math

import pytest
import torch

from genemoe.config_presets import load_preset, model_config
from genemoe.errors import InputError
from genemoe.evaluate.survival import concordance_index
from genemoe.models.registry import create_model, get_spec
from genemoe.models.survival_peers import coxnnet_hidden, estimate_vaecox_parameters
from genemoe.train.losses import cox_ph_loss

N_GENES_VAECOX = 20_502  # VAE-Cox's input (PEERS.md: VAE 20,502 -> 4,096 -> 128)
TINY_VAECOX = dict(hidden=16, latent=4, head_hidden=3)


def _linears(module: torch.nn.Module) -> list[tuple[int, int, bool]]:
    return [(m.in_features, m.out_features, m.bias is not None) for m in module.modules()
            if isinstance(m, torch.nn.Linear)]


def test_tasks_as_registered():
    assert get_spec("coxnnet").tasks == ("survival",)
    assert set(get_spec("vaecox").tasks) == {"classify", "survival"}
    with pytest.raises(InputError, match="does not support task 'classify'"):
        create_model("coxnnet", n_genes=10, n_outputs=3, task="classify")


def test_vaecox_paper_widths_without_allocating():
    cfg = model_config(load_preset("paper"), "vaecox")
    assert (cfg["hidden"], cfg["latent"], cfg["head_hidden"]) == (4096, 128, 12)
    with torch.device("meta"):  # shapes only: no 20,502 x 4,096 matrix is allocated
        model = create_model("vaecox", n_genes=N_GENES_VAECOX, n_outputs=1, task="survival", **cfg)
    # encoder genes -> 4,096 -> 128 (mu); head 128 -> 12 (tanh) -> 1, no bias on the Cox output
    assert _linears(model) == [(128, 12, True), (12, 1, False), (20_502, 4096, True),
                               (4096, 128, True)]
    assert model.n_features == 128
    n = sum(p.numel() for p in model.parameters())
    expected = (20_502 * 4096 + 4096) + (4096 * 128 + 128) + (128 * 12 + 12) + 12 * 1
    assert n == expected == estimate_vaecox_parameters(N_GENES_VAECOX, 1, **cfg)
    assert 84e6 < n < 85e6
    with torch.device("meta"):
        pre = create_model("vaecox", n_genes=N_GENES_VAECOX, n_outputs=1, task="survival",
                           with_decoder=True, **cfg)
    decoder = (4096 * 128 + 128) + (128 * 4096 + 4096) + (4096 * 20_502 + 20_502)  # logvar, dec.
    assert sum(p.numel() for p in pre.parameters()) == expected + decoder


def test_coxnnet_hidden_is_about_sqrt_genes():
    assert coxnnet_hidden(20_502) == 144  # ceil(143.2)
    assert coxnnet_hidden(100) == 10 and coxnnet_hidden(1) == 1
    with torch.device("meta"):
        model = create_model("coxnnet", n_genes=20_502, n_outputs=1, task="survival")
    assert _linears(model) == [(144, 1, False), (20_502, 144, True)]
    small = create_model("coxnnet", n_genes=50, n_outputs=1, task="survival", hidden=5)
    assert small.n_features == 5 and _linears(small.head) == [(5, 1, False)]
    for preset in ("small", "base", "paper"):  # presets leave the width to sqrt(n_genes)
        assert model_config(load_preset(preset), "coxnnet")["hidden"] is None


@pytest.mark.parametrize("with_decoder", [False, True])
@pytest.mark.parametrize("task", ["classify", "survival"])
def test_vaecox_count_matches_estimate(task, with_decoder):
    n_out = 3 if task == "classify" else 1
    model = create_model("vaecox", n_genes=9, n_outputs=n_out, task=task,
                         with_decoder=with_decoder, **TINY_VAECOX)
    assert sum(p.numel() for p in model.parameters()) == estimate_vaecox_parameters(
        9, n_out, task=task, with_decoder=with_decoder, **TINY_VAECOX)


def test_vaecox_encode_reconstruct_and_backward():
    torch.manual_seed(0)
    model = create_model("vaecox", n_genes=12, n_outputs=1, task="survival", with_decoder=True,
                         **TINY_VAECOX)
    x = torch.randn(6, 12)
    mu, logvar = model.encode(x)
    assert mu.shape == logvar.shape == (6, 4)
    assert torch.equal(model.forward_features(x), mu)  # the features are the latent mean
    recon, mu2, _ = model.reconstruct(x)
    assert recon.shape == (6, 12)
    (recon.pow(2).mean() + logvar.exp().mean()).backward()
    for name, p in model.named_parameters():
        if not name.startswith("head."):
            assert p.grad is not None and p.grad.abs().sum() > 0, name
    model.eval()
    with torch.no_grad():  # eval mode decodes z = mu: deterministic
        assert torch.equal(model.reconstruct(x)[0], model.reconstruct(x)[0])
    plain = create_model("vaecox", n_genes=12, n_outputs=1, task="survival", **TINY_VAECOX)
    assert plain.encode(x)[1] is None and plain.decoder is None
    with pytest.raises(RuntimeError, match="decoder"):
        plain.reconstruct(x)


def test_bad_options_are_input_errors():
    with pytest.raises(InputError, match="activation"):
        create_model("vaecox", n_genes=5, n_outputs=1, task="survival", activation="gelu")
    with pytest.raises(InputError, match="no option"):
        create_model("coxnnet", n_genes=5, n_outputs=1, task="survival", latent=3)
    with pytest.raises(InputError, match="hidden"):
        create_model("coxnnet", n_genes=5, n_outputs=1, task="survival", hidden=0)


@pytest.mark.parametrize("name", ["coxnnet", "vaecox"])
def test_learns_a_known_log_hazard(name):
    """Exponential times with log-hazard x0 - x1: full-batch Cox training ranks new samples."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(400, 16, generator=g)
    eta = x[:, 0] - x[:, 1]
    time = -torch.log(torch.rand(400, generator=g)) / eta.exp()
    event = torch.rand(400, generator=g) < 0.8
    torch.manual_seed(0)
    cfg = TINY_VAECOX if name == "vaecox" else {"dropout": 0.0}
    model = create_model(name, n_genes=16, n_outputs=1, task="survival", **cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        opt.zero_grad()
        cox_ph_loss(model(x[:300]).out.squeeze(-1), time[:300], event[:300]).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        risk = model(x[300:]).out.squeeze(-1)
    c = concordance_index(time[300:].numpy(), event[300:].numpy(), risk.numpy())
    true_c = concordance_index(time[300:].numpy(), event[300:].numpy(), eta[300:].numpy())
    assert c > 0.7 and c > true_c - 0.1, (c, true_c)  # true_c: the oracle, 0.81
    assert not math.isnan(c)


def test_vaecox_pretrains_with_the_pretrain_loop(tmp_path):
    """pretrain.model: vaecox runs genemoe's pre-training loop (no MoE balance terms)."""
    import yaml

    from genemoe.data.prepare import PrepareConfig, prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
    from genemoe.train.finetune import read_pretrained
    from genemoe.workflows.pretrain import pretrain_run

    c = make_synthetic_cohort(n_samples=120, n_genes=50, n_types=3, seed=3)
    f = write_synthetic_files(c, tmp_path / "in")
    b = prepare_dataset([f["counts"]], out_path=tmp_path / "b", label_paths=[f["labels"]],
                        annotation_path=f["annotation"], config=PrepareConfig(synthetic=True))
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"vaecox": TINY_VAECOX}, "pretrain": {
        "model": "vaecox", "epochs": 2, "batch_size": 32, "n_critic": 1, "critic_widths": [8]}}))
    run = pretrain_run([b.path], out_dir=tmp_path / "run", config_path=cfg, device="cpu",
                       progress=False)
    assert run.finished and len(run.history) == 2
    for rec in run.history:
        assert all(math.isfinite(rec[k]) for k in ("loss/g_loss", "loss/kl", "loss/l1", "val/mse"))
        assert rec["loss/importance"] == rec["loss/load"] == 0.0  # no gates in VAE-Cox
    payload = read_pretrained(run.out_dir)
    assert payload["model_name"] == "vaecox"
    assert {"encoder.0.weight", "mu.weight", "logvar.weight", "decoder.2.weight"} <= set(
        payload["state_dict"])
