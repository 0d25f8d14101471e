"""Mixture of attention experts: attention over a sample's own tokens, never its batch-mates."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from genemoe.errors import InputError
from genemoe.models.moae import AttentionExpert, MixtureOfAttentionExperts


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)  # (one torch thread: tests/conftest.py)


def test_attention_expert_shape_and_batch_independence() -> None:
    expert = AttentionExpert(32, n_tokens=8, n_heads=2, dropout=0.1).eval()
    x = torch.randn(10, 32)
    out = expert(x)
    assert out.shape == (10, 32)
    torch.testing.assert_close(expert(x[3:4]), out[3:4], atol=1e-5, rtol=0)


@pytest.mark.parametrize("batch", [2, 17, 64])
def test_sample_output_does_not_depend_on_batch_mates(batch: int) -> None:
    # The official MOAE summed Q^T K over the samples routed to an expert: a sample's output
    # changed with its batch (and training ran at 256 while evaluation ran at 1).
    moae = MixtureOfAttentionExperts(64, 4, 2, n_tokens=8, n_heads=2).eval()
    x = torch.randn(1, 64)
    alone = moae(x)
    others = torch.randn(batch, 64) * 3
    mixed = moae(torch.cat([others[: batch // 2], x, others[batch // 2 :]]))
    torch.testing.assert_close(mixed[batch // 2 : batch // 2 + 1], alone, atol=1e-5, rtol=0)


class _Zero(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)


def test_residual_path() -> None:
    moae = MixtureOfAttentionExperts(32, 3, 2, n_tokens=4, n_heads=2)
    x = torch.randn(6, 32, requires_grad=True)
    moae.experts = nn.ModuleList(_Zero() for _ in range(3))
    y = moae(x)
    torch.testing.assert_close(y, x)
    y.sum().backward()
    torch.testing.assert_close(x.grad, torch.ones_like(x))


def test_moae_records_aux_and_reaches_all_parameters() -> None:
    moae = MixtureOfAttentionExperts(32, 4, 2, n_tokens=4, n_heads=2).train()
    y = moae(torch.randn(48, 32))
    (y.pow(2).mean() + moae.last_aux["importance"] + moae.last_aux["load"]).backward()
    assert moae.last_stats["load"].shape == (4,)
    for name, p in moae.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize(("d_model", "n_tokens", "n_heads"), [(30, 4, 1), (32, 4, 3)])
def test_bad_token_geometry_is_input_error(d_model: int, n_tokens: int, n_heads: int) -> None:
    with pytest.raises(InputError, match="divisible"):
        AttentionExpert(d_model, n_tokens=n_tokens, n_heads=n_heads)


def test_layer_scale_starts_near_the_identity_and_learns():
    torch.manual_seed(0)
    x = torch.randn(6, 32)
    plain = MixtureOfAttentionExperts(32, 4, 2, n_tokens=4, n_heads=2, noisy=False).eval()
    scaled = MixtureOfAttentionExperts(32, 4, 2, n_tokens=4, n_heads=2, noisy=False,
                                       layer_scale=0.0).eval()
    assert plain.scale is None and "scale" not in dict(plain.named_parameters())
    torch.testing.assert_close(scaled(x), x)  # scale 0: the identity at the start
    scaled.scale.data.fill_(1.0)
    scaled.load_state_dict({**scaled.state_dict(), **plain.state_dict()})
    torch.testing.assert_close(scaled(x), plain(x))  # scale 1: the paper's layer
    scaled.train()
    scaled.scale.data.zero_()
    scaled(x).sum().backward()
    assert scaled.scale.grad is not None and scaled.scale.grad.abs().sum() > 0


def test_genemoe_takes_moae_layer_scale_and_estimate_counts_it():
    from genemoe.models.genemoe import estimate_parameters
    from genemoe.models.registry import create_model

    cfg = dict(hidden=32, n_experts=4, k=2, latent=8, n_tokens=4, n_heads=2, moae_layer_scale=0.1)
    m = create_model("genemoe", n_genes=20, n_outputs=3, task="classify", **cfg)
    assert float(m.encoder.moae.scale.detach()[0]) == pytest.approx(0.1)
    assert sum(p.numel() for p in m.parameters()) == estimate_parameters(20, 3, **cfg)
