"""Sparse dispatch (genemoe.models.dispatch) against a naive dense reference."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch import nn

from genemoe.models.dispatch import plan_routes, sparse_dispatch
from genemoe.models.moe import MixtureOfExperts, make_expert


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)  # (one torch thread: tests/conftest.py)


def _routing(batch: int, n_experts: int, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random distinct top-k indices ``(batch, k)`` and softmax weights ``(batch, k)``."""
    indices = torch.rand(batch, n_experts).argsort(1)[:, :k]
    return indices, torch.softmax(torch.randn(batch, k), 1)


def _dense(
    x: torch.Tensor, indices: torch.Tensor, weights: torch.Tensor, experts: list[nn.Module]
) -> torch.Tensor:
    """Every expert on every row, masked by the gates: ``(batch, d_out)``."""
    gates = torch.zeros(x.shape[0], len(experts)).scatter(1, indices, weights)  # (B, E)
    outs = torch.stack([e(x) for e in experts], 1)  # (B, E, d_out)
    return (gates[:, :, None] * outs).sum(1)


def _experts(n: int, d_in: int = 12, d_out: int = 5) -> list[nn.Module]:
    return [make_expert(d_in, d_out, activation="tanh", dropout=0.0) for _ in range(n)]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_equals_dense_reference_with_gradients(k: int) -> None:
    experts = _experts(5)
    indices, weights = _routing(17, 5, k)
    x = torch.randn(17, 12, requires_grad=True)
    w = weights.clone().requires_grad_(True)
    y = sparse_dispatch(x, indices, w, experts, 5)
    ref_x, ref_w = x.detach().clone().requires_grad_(True), weights.clone().requires_grad_(True)
    ref = _dense(ref_x, indices, ref_w, experts)
    torch.testing.assert_close(y, ref, atol=1e-6, rtol=1e-5)
    grad_out = torch.randn_like(y)
    sparse_grads = torch.autograd.grad(y, [x, w, *nn.ModuleList(experts).parameters()], grad_out)
    dense_grads = torch.autograd.grad(
        ref, [ref_x, ref_w, *nn.ModuleList(experts).parameters()], grad_out
    )
    for s, d in zip(sparse_grads, dense_grads, strict=True):
        torch.testing.assert_close(s, d, atol=1e-6, rtol=1e-5)


def test_empty_experts_get_no_call_and_no_gradient() -> None:
    experts = _experts(6)
    calls = []
    for i, e in enumerate(experts):
        e.register_forward_hook(lambda _m, inp, _o, i=i: calls.append((i, inp[0].shape[0])))
    indices = torch.tensor([[0, 3], [3, 0], [0, 3], [3, 0]])  # only experts 0 and 3
    weights = torch.full((4, 2), 0.5)
    x = torch.randn(4, 12)
    y = sparse_dispatch(x, indices, weights, experts, 5)
    assert sorted(calls) == [(0, 4), (3, 4)]  # both full: called once each, on x itself
    torch.testing.assert_close(y, _dense(x, indices, weights, experts))
    y.sum().backward()
    assert experts[1][0].weight.grad is None and experts[0][0].weight.grad is not None


def test_full_experts_read_x_without_gather() -> None:
    """k = n_experts (and a batch of one) need no gather: the plan gathers nothing."""
    plan = plan_routes(torch.tensor([[2, 0, 1], [0, 1, 2]]), 3)
    assert plan.full == [True, True, True] and plan.rows.numel() == 0
    one = plan_routes(torch.tensor([[4, 1]]), 5)  # batch of one: both chosen experts are full
    assert one.counts == [0, 1, 0, 0, 1] and one.full[1] and one.full[4]
    assert one.rows.numel() == 0
    mixed = plan_routes(torch.tensor([[0, 1], [0, 2], [0, 1]]), 3)  # expert 0 full, 1 and 2 not
    assert mixed.full == [True, False, False]
    assert mixed.rows.tolist() == [0, 2, 1]  # expert 1: samples 0, 2; expert 2: sample 1


def test_plan_inverse_puts_slots_back_in_order() -> None:
    indices, _ = _routing(9, 4, 2)
    plan = plan_routes(indices, 4)
    sorted_experts = torch.repeat_interleave(torch.arange(4), torch.tensor(plan.counts))
    torch.testing.assert_close(sorted_experts[plan.inverse], indices.reshape(-1))


def test_empty_batch() -> None:
    y = sparse_dispatch(
        torch.zeros(0, 12), torch.zeros(0, 2, dtype=torch.long), torch.zeros(0, 2), _experts(3), 5
    )
    assert y.shape == (0, 5)


def test_sample_output_independent_of_batch_mates_in_eval() -> None:
    moe = MixtureOfExperts(12, 5, 6, 2).eval()
    x = torch.randn(20, 12)
    full = moe(x)
    for i in (0, 7, 19):
        torch.testing.assert_close(moe(x[i : i + 1]), full[i : i + 1], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_bf16_autocast_matches_float32_and_keeps_gate_float32(k: int) -> None:
    moe = MixtureOfExperts(64, 16, 4, k).eval()
    x = torch.randn(32, 64)
    ref = moe(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = moe(x)
        g = moe.gate(x)
    assert low.dtype == torch.bfloat16 and g.weights.dtype == torch.float32
    torch.testing.assert_close(low.float(), ref, atol=3e-2, rtol=3e-2)
    moe.train()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = moe(x)
    y.float().square().mean().backward()  # gradients reach every routed expert in float32
    for e in moe.experts:
        assert e[0].weight.grad is None or e[0].weight.grad.dtype == torch.float32


def test_retain_freed_memory_takes_or_declines_cleanly() -> None:
    # in a child process: the setting is process-wide and would change later tests' RSS
    code = (
        "import platform, sys\n"
        "from genemoe.models.dispatch import retain_freed_memory\n"
        "took = retain_freed_memory()\n"
        "glibc = sys.platform.startswith('linux') and platform.libc_ver()[0] == 'glibc'\n"
        "assert took is glibc, (took, glibc)\n"
        "try:\n"
        "    retain_freed_memory(trim_threshold=2**33)\n"
        "except ValueError:\n"
        "    print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_state_dict_keys_unchanged() -> None:
    """Checkpoints of the per-expert loop load as they are (no parameter layout change)."""
    keys = set(MixtureOfExperts(6, 4, 3, 2).state_dict())
    assert keys == {"gate.w_gate", "gate.w_noise"} | {
        f"experts.{i}.0.{p}" for i in range(3) for p in ("weight", "bias")
    }


def test_release_freed_memory_gives_back_what_retained_fits_left() -> None:
    """In a child process (the retention is process-wide): freed buffers caught between live
    ones stay resident with retain_freed_memory; release_freed_memory hands them back."""
    code = (
        "import numpy as np, sys\n"
        "from genemoe.models.dispatch import release_freed_memory, retain_freed_memory\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status')\n"
        "                if l.startswith('VmRSS')) / 1024\n"
        "if not retain_freed_memory():\n"
        "    print('skip'); sys.exit()\n"
        "base = rss()\n"
        "big, small = [], []\n"
        "for i in range(150):  # 8 MB buffers (heap, not mmap), each followed by a small one\n"
        "    big.append(np.ones(2**20)); small.append(np.ones(64))\n"
        "del big  # 1.2 GB freed between live buffers: not at the heap's top, kept\n"
        "held = rss()\n"
        "assert release_freed_memory()\n"
        "print(round(held - base), round(rss() - base))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    if res.stdout.strip() == "skip":
        pytest.skip("not glibc: nothing is retained, nothing to release")
    held, after = map(int, res.stdout.split())
    assert held > 1000 and after < 100, (held, after)
