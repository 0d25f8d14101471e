"""The training recipe's model-agnostic parts: input noise, mixup, loss mixing, weight EMA."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from genemoe.train.augment import BatchAugment, WeightAverage, mix_losses, step_seed
from genemoe.train.distributed import shard_indices
from genemoe.train.losses import LossOutput

CPU = torch.device("cpu")


def _data(n: int = 40, g: int = 6) -> tuple[torch.Tensor, np.ndarray]:
    X = torch.randn(n, g, generator=torch.Generator().manual_seed(0))
    rows = np.random.default_rng(0).permutation(n)[:16]
    return X, rows


def _batch(aug: BatchAugment, X, rows, *, epoch: int = 1, step: int = 0, world: int = 1):
    """The global batch as ``world`` processes would compute it, concatenated."""
    parts = [aug.inputs(X, rows, shard_indices(np.arange(len(rows)), r, world), epoch=epoch,
                        step=step, device=CPU) for r in range(world)]
    return torch.cat([p[0] for p in parts]), parts[0][1]


def test_step_seeds_are_distinct_and_reproducible():
    seeds = {step_seed(s, e, t, k) for s in (0, 1) for e in (1, 2) for t in (0, 1) for k in (0, 1)}
    assert len(seeds) == 16 and all(0 <= s < 2**63 for s in seeds)
    assert step_seed(3, 2, 5, 0) == step_seed(3, 2, 5, 0)


def test_off_is_the_plain_batch():
    X, rows = _data()
    xb, mix = _batch(BatchAugment(seed=0), X, rows)
    assert mix is None and torch.equal(xb, X[rows])


def test_noise_has_the_asked_scale_and_is_a_function_of_seed_epoch_step():
    X = torch.zeros(400, 50)
    rows = np.arange(400)
    aug = BatchAugment(noise_std=0.3, seed=0)
    z, _ = _batch(aug, X, rows)
    assert z.mean().item() == pytest.approx(0.0, abs=0.01)
    assert z.std().item() == pytest.approx(0.3, rel=0.02)
    assert torch.equal(z, _batch(BatchAugment(noise_std=0.3, seed=0), X, rows)[0])
    for other in (dict(step=1), dict(epoch=2)):
        assert not torch.equal(z, _batch(aug, X, rows, **other)[0])
    assert not torch.equal(z, _batch(BatchAugment(noise_std=0.3, seed=1), X, rows)[0])
    g = torch.get_rng_state()
    _batch(aug, X, rows)
    assert torch.equal(g, torch.get_rng_state())  # the global (dropout) stream is untouched


@pytest.mark.parametrize("world", [2, 3])
def test_data_parallel_shards_see_the_single_process_batch(world: int):
    X, rows = _data()
    aug = BatchAugment(noise_std=0.5, mixup_alpha=0.4, seed=7)
    one, mix1 = _batch(aug, X, rows, step=3)
    many, mix = _batch(aug, X, rows, step=3, world=world)
    torch.testing.assert_close(many, one, rtol=0, atol=0)
    assert mix.lam == mix1.lam and np.array_equal(mix.partner, mix1.partner)


def test_mixup_mixes_rows_with_a_permutation_of_the_batch():
    X, rows = _data()
    xb, mix = _batch(BatchAugment(mixup_alpha=0.4, seed=0), X, rows)
    assert 0 < mix.lam < 1 and sorted(mix.partner) == list(range(len(rows)))
    torch.testing.assert_close(xb, mix.lam * X[rows] + (1 - mix.lam) * X[rows[mix.partner]])
    lams = [_batch(BatchAugment(mixup_alpha=0.4, seed=0), X, rows, step=s)[1].lam
            for s in range(1000)]
    assert np.mean(lams) == pytest.approx(0.5, abs=0.04)  # Beta(a, a) is symmetric (sd 0.012)
    assert np.mean(np.minimum(lams, 1 - np.array(lams))) < 0.3  # a < 1: mostly near 0 or 1


def test_mix_losses_mixes_totals_and_shared_components():
    a = LossOutput(torch.tensor(2.0), {"focal": torch.tensor(2.0), "only_a": torch.tensor(1.0)})
    b = LossOutput(torch.tensor(4.0), {"focal": torch.tensor(4.0)})
    m = mix_losses(a, b, 0.25)
    assert m.loss.item() == pytest.approx(3.5) and set(m.components) == {"focal"}
    assert m.components["focal"].item() == pytest.approx(3.5)


def test_ema_copies_then_averages_weights_and_batchnorm_statistics_with_a_warmup():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ema = WeightAverage(model, 0.9)
    assert not any(p.requires_grad for p in ema.module.parameters())
    w0 = model[0].weight.detach().clone()
    with torch.no_grad():
        model[0].weight.add_(1.0)
    ema.update_parameters(model)  # the first update copies
    torch.testing.assert_close(ema.module[0].weight, w0 + 1.0, rtol=0, atol=0)
    expected, rm = w0 + 1.0, torch.zeros(4)
    for n in range(2, 40):  # d_n = min(0.9, n / (n + 9)): 0.18, 0.25, ... (0.9 from n = 81)
        with torch.no_grad():
            model[0].weight.add_(1.0)
        model(torch.randn(8, 3))  # moves the running statistics
        d = min(0.9, n / (n + 9))
        assert ema.current_decay() == pytest.approx(d)
        ema.update_parameters(model)
        expected, rm = d * expected + (1 - d) * model[0].weight, d * rm + (1 - d) * model[1].running_mean
    torch.testing.assert_close(ema.module[0].weight, expected)
    torch.testing.assert_close(ema.module[1].running_mean, rm)
    assert int(ema.n_averaged) == 39
    assert int(ema.module[1].num_batches_tracked) == int(model[1].num_batches_tracked)  # copied
    again = WeightAverage(model, 0.9)
    again.load_state_dict(ema.state_dict())
    assert all(torch.equal(a, b) for a, b in zip(again.state_dict().values(),
                                                 ema.state_dict().values(), strict=True))
    assert again.current_decay() == ema.current_decay() == pytest.approx(40 / 49)  # d_40
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(model, 1.0)
