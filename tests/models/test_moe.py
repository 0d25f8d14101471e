"""The noisy top-k gate and the sparse MoE layer (Shazeer et al. 2017; Gene-MOE eqs. 1-4)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from genemoe.errors import InputError
from genemoe.models.moe import MixtureOfExperts, TopKGate, cv_squared, sparse_dispatch


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)  # (one torch thread: tests/conftest.py)


def test_gate_weights_are_parameters_and_train() -> None:
    gate = TopKGate(12, 5, 2)
    names = {n for n, _ in gate.named_parameters()}
    assert names == {"w_gate", "w_noise"}
    before = {n: p.detach().clone() for n, p in gate.named_parameters()}
    opt = torch.optim.Adam(gate.parameters(), lr=1e-2, fused=False)
    g = gate(torch.randn(32, 12))
    (g.importance_loss + g.load_loss + (g.gates * torch.arange(5.0)).sum()).backward()
    opt.step()
    for n, p in gate.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, n
        assert not torch.equal(p, before[n]), n


def test_noiseless_gate_has_no_noise_parameter() -> None:
    assert [n for n, _ in TopKGate(8, 4, 2, noisy=False).named_parameters()] == ["w_gate"]


@pytest.mark.parametrize("k", [1, 3, 6])
def test_topk_gives_k_nonzero_gates_summing_to_one(k: int) -> None:
    gate = TopKGate(10, 6, k)
    g = gate(torch.randn(50, 10) * 5)
    assert ((g.gates > 0).sum(1) == k).all()
    torch.testing.assert_close(g.gates.sum(1), torch.ones(50))
    torch.testing.assert_close(g.gates.gather(1, g.indices), g.weights)
    torch.testing.assert_close(g.routed_fraction.sum(), torch.tensor(float(k)))


def test_softmax_is_over_the_kept_logits() -> None:
    gate = TopKGate(3, 3, 2, noisy=False)
    with torch.no_grad():
        gate.w_gate.copy_(torch.eye(3))
    g = gate(torch.tensor([[2.0, 1.0, 0.0]]))
    expected = torch.softmax(torch.tensor([2.0, 1.0]), 0)  # not softmax over all 3, then cut
    torch.testing.assert_close(g.gates[0], torch.cat([expected, torch.zeros(1)]))


def test_noise_only_in_training() -> None:
    gate = TopKGate(16, 8, 2)
    x = torch.randn(40, 16)
    gate.train()
    assert not torch.equal(gate(x).gates, gate(x).gates)
    gate.eval()
    torch.testing.assert_close(gate(x).gates, gate(x).gates, rtol=0, atol=0)


def test_balance_losses_nonnegative_and_zero_when_balanced() -> None:
    assert cv_squared(torch.tensor([3.0, 3.0, 3.0])).item() == 0.0
    assert cv_squared(torch.tensor([1.0, 0.0, 5.0])).item() > 0
    gate = TopKGate(2, 2, 1, noisy=False)
    with torch.no_grad():
        gate.w_gate.copy_(torch.eye(2))
    g = gate(torch.eye(2))  # sample 0 -> expert 0, sample 1 -> expert 1, gates 1
    assert g.importance_loss.item() == 0.0 and g.load_loss.item() == 0.0
    noisy = TopKGate(8, 4, 2).train()(torch.randn(64, 8))
    assert noisy.importance_loss.item() >= 0 and noisy.load_loss.item() >= 0
    assert noisy.load_loss.requires_grad  # the smooth (normal-CDF) estimator, not counts


def test_bad_k_is_input_error() -> None:
    with pytest.raises(InputError, match="k"):
        TopKGate(4, 3, 4)


def _dense_reference(moe: MixtureOfExperts, x: torch.Tensor) -> torch.Tensor:
    gates = moe.gate(x).gates  # (B, E)
    outs = torch.stack([e(x) for e in moe.experts], dim=1)  # (B, E, d_out)
    return (gates[:, :, None] * outs).sum(1)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_sparse_dispatch_equals_dense_reference(k: int) -> None:
    moe = MixtureOfExperts(20, 7, 5, k).eval()
    x = torch.randn(33, 20)
    torch.testing.assert_close(moe(x), _dense_reference(moe, x), atol=1e-5, rtol=1e-5)
    assert set(moe.last_aux) == {"importance", "load"}
    assert moe.last_stats["load"].shape == (5,) and moe.last_stats["gate_mass"].shape == (5,)


def _count_rows(moe: MixtureOfExperts) -> dict[str, int]:
    counter = {"calls": 0, "rows": 0}

    def hook(_mod: nn.Module, inputs: tuple[torch.Tensor, ...], _out: torch.Tensor) -> None:
        counter["calls"] += 1
        counter["rows"] += inputs[0].shape[0]

    for expert in moe.experts:
        expert.register_forward_hook(hook)
    return counter


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_compute_grows_with_k_not_n_experts(k: int) -> None:
    moe = MixtureOfExperts(16, 4, 8, k)
    counter = _count_rows(moe)
    moe(torch.randn(64, 16))
    assert counter["rows"] == 64 * k  # each sample is processed by exactly k experts


def test_experts_without_rows_are_skipped() -> None:
    moe = MixtureOfExperts(4, 3, 6, 2, noisy=False).eval()
    with torch.no_grad():
        moe.gate.w_gate.zero_()
        moe.gate.w_gate[0, :2] = 1.0  # every sample (x0 > 0) picks experts 0 and 1
    counter = _count_rows(moe)
    moe(torch.rand(10, 4) + 0.1)
    assert counter["calls"] == 2 and counter["rows"] == 20


def test_dispatch_with_identity_experts_returns_input() -> None:
    x = torch.randn(9, 4)
    idx = torch.randint(0, 3, (9, 2))
    idx[:, 1] = (idx[:, 0] + 1) % 3
    w = torch.full((9, 2), 0.5)
    out = sparse_dispatch(x, idx, w, [nn.Identity()] * 3, 4)
    torch.testing.assert_close(out, x)


def test_bf16_autocast_runs_and_routes_in_float32() -> None:
    moe = MixtureOfExperts(24, 8, 4, 2).eval()
    x = torch.randn(16, 24)
    ref = moe(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = moe(x)
        g = moe.gate(x)
    assert g.weights.dtype == torch.float32
    torch.testing.assert_close(low.float(), ref, atol=5e-2, rtol=5e-2)


def test_expert_dropout_strikes_experts_off_in_training_only() -> None:
    torch.manual_seed(0)
    x = torch.randn(512, 10)
    gate = TopKGate(10, 8, 2, expert_dropout=0.5)
    plain = TopKGate(10, 8, 2)
    plain.load_state_dict(gate.state_dict())
    gate.eval(), plain.eval()
    assert torch.equal(gate(x).indices, plain(x).indices)  # eval: no dropout
    gate.train(), plain.train()
    torch.manual_seed(1)
    a = plain(x)
    torch.manual_seed(1)
    b = gate(x)
    assert (a.indices != b.indices).any()  # some samples lost a favourite
    assert b.weights.sum(1).allclose(torch.ones(512)) and (b.weights > 0).all()
    assert torch.isfinite(b.load_loss) and torch.isfinite(b.importance_loss)
    (b.load_loss + b.importance_loss).backward()
    assert all(torch.isfinite(p.grad).all() for p in gate.parameters())


def test_expert_dropout_always_leaves_k_candidates() -> None:
    torch.manual_seed(0)
    gate = TopKGate(6, 3, 3 - 1, expert_dropout=0.9).train()  # most rows would keep < k
    out = gate(torch.randn(256, 6))
    assert out.indices.shape == (256, 2)
    assert (out.indices[:, 0] != out.indices[:, 1]).all()  # never a struck-off duplicate
    assert (out.weights > 1e-6).all()


def test_expert_dropout_outside_zero_one_is_input_error() -> None:
    with pytest.raises(InputError, match="expert_dropout"):
        TopKGate(4, 4, 2, expert_dropout=1.0)


def test_moe_models_take_expert_dropout_as_an_option() -> None:
    from genemoe.models.registry import create_model

    m = create_model("genemoe", n_genes=20, n_outputs=3, task="classify", hidden=32, n_experts=4,
                     k=2, latent=8, n_tokens=4, n_heads=2, expert_dropout=0.2)
    assert m.encoder.moe.gate.expert_dropout == 0.2
    m.train()
    assert m(torch.randn(8, 20)).out.shape == (8, 3)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_shared_expert_is_added_ungated_to_the_routed_sum(batchnorm: bool) -> None:
    moe = MixtureOfExperts(6, 5, n_experts=4, k=1, noisy=False, dropout=0.0, batchnorm=batchnorm,
                           shared_expert=True).eval()
    x = torch.randn(9, 6)
    routed = sparse_dispatch(x, *_route(moe, x), moe.experts, 5)
    y = routed + moe.shared(x)
    if batchnorm:
        y = moe.post(y)
    torch.testing.assert_close(moe(x), y)
    # without it the layer keeps its old state-dict keys (checkpoints load as before)
    plain = MixtureOfExperts(6, 5, n_experts=4, k=1)
    assert plain.shared is None and not any(k.startswith("shared") for k in plain.state_dict())


def _route(moe: MixtureOfExperts, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    g = moe.gate(x)
    return g.indices, g.weights


def test_moe_models_take_shared_expert_and_estimate_counts_it() -> None:
    from genemoe.models.genemoe import estimate_parameters
    from genemoe.models.registry import create_model

    cfg = dict(hidden=32, n_experts=4, k=2, latent=8, n_tokens=4, n_heads=2, shared_expert=True)
    for name in ("genemoe", "moe"):
        opts = cfg if name == "genemoe" else {k: v for k, v in cfg.items()
                                              if k not in ("n_tokens", "n_heads")}
        m = create_model(name, n_genes=20, n_outputs=3, task="classify", **opts)
        assert m.encoder.moe.shared is not None
        n = sum(p.numel() for p in m.parameters())
        assert n == estimate_parameters(20, 3, use_moae=name == "genemoe", **opts)


def test_routing_mutual_information_reference_values():
    import math

    from genemoe.models.moe import routing_mutual_information

    onehot = torch.eye(2).repeat_interleave(3, 0)  # 3 samples of class 0, 3 of class 1
    # each class to its own expert: I = H(E) = log 2; all routed alike: I = 0
    assert routing_mutual_information(onehot.clone(), onehot).item() == pytest.approx(math.log(2), abs=1e-6)
    assert routing_mutual_information(torch.full((6, 2), 0.5), onehot).item() == pytest.approx(0, abs=1e-6)
    # one expert for everything: H(E) = 0, so I = 0 however the classes fall
    assert routing_mutual_information(torch.tensor([[1.0, 0.0]] * 6), onehot).item() == pytest.approx(0, abs=1e-6)
    # mixup weights: half of each class in every row carries no information
    assert routing_mutual_information(onehot.clone(), torch.full((6, 2), 0.5)).item() == pytest.approx(0, abs=1e-6)


def test_gates_keep_their_soft_routing_in_training_only_and_it_reaches_the_gate():
    from genemoe.models.moe import routing_mutual_information, take_routing_probabilities

    torch.manual_seed(0)
    layer = MixtureOfExperts(8, 4, n_experts=3, k=1)
    x, y = torch.randn(12, 8), torch.arange(12) % 3
    layer.train()
    layer(x)
    (probs,) = take_routing_probabilities(layer)
    assert probs.shape == (12, 3) and torch.allclose(probs.sum(1), torch.ones(12))
    assert take_routing_probabilities(layer) == []  # taken once
    (-routing_mutual_information(probs, nn.functional.one_hot(y, 3).float())).backward()
    assert layer.gate.w_gate.grad is not None and layer.gate.w_gate.grad.abs().sum() > 0
    layer.eval()
    layer(x)
    assert take_routing_probabilities(layer) == []
