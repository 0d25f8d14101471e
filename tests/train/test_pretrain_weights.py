"""The generator's loss weights (eq. 11): λ_adv scales only the Wasserstein term."""

from __future__ import annotations

import pytest
import torch

from genemoe.models.base import collect_aux
from genemoe.models.critic import Critic
from genemoe.models.registry import create_model
from genemoe.train.pretrain import PretrainConfig, generator_step

TINY = dict(hidden=8, n_experts=3, k=2, moae_experts=2, moae_k=1, n_tokens=2, n_heads=1, latent=4)


@pytest.mark.parametrize("lambda_adv", [0.0, 0.1, 1.0])
def test_generator_loss_is_the_weighted_sum(lambda_adv: float) -> None:
    torch.manual_seed(0)
    model = create_model("genemoe", n_genes=10, n_outputs=1, task="classify", with_decoder=True, **TINY)
    critic = Critic(10, (6,))
    opt = torch.optim.Adam([p for n, p in model.named_parameters() if not n.startswith("head.")])
    x = torch.randn(12, 10)
    recon, mu, logvar = model.reconstruct(x)
    aux, _ = collect_aux(model)
    c = PretrainConfig(lambda_adv=lambda_adv, lambda_kl=2.0, lambda_l1=3.0, lambda_balance=0.5)
    p = generator_step(model, critic, opt, recon, x, mu, logvar, aux, c)
    expected = (lambda_adv * p["adv"] + 2.0 * p["kl"] + 3.0 * p["l1"]
                + 0.5 * (p["importance"] + p["load"]))
    assert p["g_loss"] == pytest.approx(expected, rel=1e-5, abs=1e-6)


def test_negative_adversarial_weight_is_refused() -> None:
    from genemoe.errors import InputError

    with pytest.raises(InputError, match="lambda_adv=-1.0"):
        PretrainConfig(lambda_adv=-1.0)
