"""Data-parallel training: 2 gloo processes equal one process on the same global batches."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from test_loop import TinyModel, accuracy, ce_loss, cindex, cox_loss, make_classify, make_survival

from distributed_helpers import free_port
from genemoe.train import distributed as ddp
from genemoe.train.checkpoint import load_checkpoint
from genemoe.train.loop import TrainConfig, train_model


def test_shards_partition_each_global_batch():
    batch = np.arange(11) * 3
    shards = [ddp.shard_indices(batch, r, 3) for r in range(3)]
    assert [len(s) for s in shards] == ddp.shard_sizes(11, 3) == [4, 4, 3]
    np.testing.assert_array_equal(np.concatenate(shards), batch)
    with pytest.raises(ValueError):
        ddp.shard_indices(batch, 3, 3)


def test_single_process_is_a_no_op(monkeypatch):
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    info = ddp.init_distributed(device="cpu")
    assert info == ddp.SINGLE and info.is_main and not info.enabled
    x = torch.randn(3, 2, requires_grad=True)
    assert ddp.gather_rows(x, [3], info) is x
    model = TinyModel(4, 2)
    assert ddp.wrap_model(model, info, device=torch.device("cpu")) is model
    means = ddp.RunningMeans()
    means.add(2, {"a": torch.tensor(1.0), "v": torch.tensor([1.0, 3.0])})
    means.add(6, {"a": torch.tensor(3.0), "v": torch.tensor([1.0, 1.0])})
    out = means.means(info)
    assert out["a"][0] == pytest.approx(2.5) and out["v"].tolist() == pytest.approx([1.0, 1.5])


CLS_CFG = TrainConfig(epochs=3, batch_size=10, lr=1e-2, progress=False, patience=None, seed=3,
                      noise_std=0.3, mixup_alpha=0.4, ema_decay=0.8)  # the recipe: rank-free draws
SURV_CFG = TrainConfig(epochs=3, batch_size=None, lr=1e-2, progress=False, patience=None)


def _train_both(ckpt_dir: Path | None = None) -> dict:
    """Classification (25 rows in batches 10/10/5: uneven shards) and full-batch Cox."""
    X, y = make_classify(n=35, g=6)
    torch.manual_seed(0)
    m1 = TinyModel(6, 3, dropout=0.0, route=False)
    r1 = train_model(m1, X_train=X[:25], y_train=y[:25], X_val=X[25:], y_val=y[25:],
                     task="classify", config=CLS_CFG, loss_fn=ce_loss, metric_fn=accuracy,
                     checkpoint_path=None if ckpt_dir is None else ckpt_dir / "cls.pt")
    Xs, ys = make_survival(n=40, g=6)
    torch.manual_seed(1)
    m2 = TinyModel(6, 1, task="survival", dropout=0.0, route=False)
    # survival heads carry no bias (the Cox loss ignores a shift of every risk: GeneModel)
    assert m2.head.bias is None
    r2 = train_model(m2, X_train=Xs[:30], y_train={k: v[:30] for k, v in ys.items()},
                     X_val=Xs[30:], y_val={k: v[30:] for k, v in ys.items()}, task="survival",
                     config=SURV_CFG, loss_fn=cox_loss, metric_fn=cindex)
    return {name: {"state": m.state_dict(), "train_loss": [h["train_loss"] for h in r.history],
                   "val_loss": [h["val_loss"] for h in r.history],
                   "val_metric": [h["val_metric"] for h in r.history]}
            for name, m, r in (("classify", m1, r1), ("survival", m2, r2))}


def _worker(rank: int, world: int, port: int, out_dir: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    info = ddp.init_distributed(device="cpu", timeout_s=60)
    try:
        result = _train_both(Path(out_dir))
        if info.is_main:
            torch.save(result, Path(out_dir) / "ddp.pt")
    finally:
        ddp.destroy_distributed()


def test_two_gloo_processes_match_one_process(tmp_path, monkeypatch):
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        single = _train_both()  # first: the forked workers then inherit torch's lazy imports
    finally:
        torch.set_num_threads(n)
    # fork starts in ~0.1 s (spawn re-imports torch: ~10 s on a busy 2-core machine); the
    # workers set one thread before any torch op, as DataLoader workers do
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    mp.start_processes(_worker, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True,
                       start_method=method)
    multi = torch.load(tmp_path / "ddp.pt", weights_only=True)
    for task in ("classify", "survival"):
        s, m = single[task], multi[task]
        np.testing.assert_allclose(m["train_loss"], s["train_loss"], atol=1e-5)  # per step (Cox)
        np.testing.assert_allclose(m["val_loss"], s["val_loss"], atol=1e-5)
        np.testing.assert_allclose(m["val_metric"], s["val_metric"], atol=1e-9)
        for k, v in s["state"].items():
            torch.testing.assert_close(m["state"][k], v, atol=1e-5, rtol=0, msg=f"{task} {k}")
    c = load_checkpoint(tmp_path / "cls.pt")  # written by rank 0, with both ranks' RNG states
    assert c["epoch"] == 3 and len(c["rng_state"]["ranks"]) == 2
    assert c["extra"]["world_size"] == 2 and not any(k.startswith("module.") for k in c["model_state"])


def test_the_collective_timeout_comes_from_the_environment(monkeypatch):
    # It was fixed at 30 minutes: a rank working alone longer (rank 0's validation on a
    # slow filesystem) made the others' collectives time out with no way to raise it.
    from genemoe.errors import InputError
    from genemoe.train.distributed import TIMEOUT_ENV, dist_timeout_s

    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert dist_timeout_s() == 1800.0
    monkeypatch.setenv(TIMEOUT_ENV, "7200")
    assert dist_timeout_s() == 7200.0
    for bad in ("soon", "0", "-5", "inf"):
        monkeypatch.setenv(TIMEOUT_ENV, bad)
        with pytest.raises(InputError, match=TIMEOUT_ENV):
            dist_timeout_s()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_asked_without_a_gpu_is_an_input_error():
    """``genemoe train --device cuda`` on a CPU-only machine ended in a RuntimeError traceback."""
    from genemoe.errors import InputError

    with pytest.raises(InputError, match=r"(?s)sees no CUDA GPU.*--device auto"):
        ddp.resolve_device("cuda")
    with pytest.raises(InputError, match="unknown device 'gpu'"):
        ddp.resolve_device("gpu")
    assert ddp.resolve_device("auto") == torch.device("cpu")
