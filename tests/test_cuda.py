"""The CUDA path (``-m cuda``): AMP, fused Adam, bf16 inference, checkpoints CPU<->CUDA,
pre-training on CUDA, and DDP with nccl at world size 1 through ``torchrun``.

Every test skips, saying why, where ``torch.cuda.is_available()`` is false (CI); on a GPU
``benchmarks/device_check.sh`` runs them (``pytest -m cuda tests/test_cuda.py``).

Run as a script (``torchrun --standalone --nproc_per_node=1 tests/test_cuda.py OUT.json``)
this file is the DDP worker of :func:`test_ddp_nccl_world_size_1_through_torchrun`.
"""

from __future__ import annotations

import copy
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from genemoe.models.registry import create_model
from genemoe.train.losses import LossOutput

REPO_ROOT = Path(__file__).resolve().parents[1]
# as tests/tiny_configs.py's TINY_GENEMOE (this file also runs as a script, outside pytest)
TINY = {"hidden": 32, "n_experts": 4, "k": 2, "moae_experts": 2, "moae_k": 1,
        "n_tokens": 4, "n_heads": 2, "latent": 8, "dropout": 0.1, "attn_dropout": 0.0}
N_GENES, N_CLASSES = 48, 3

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason="CUDA is not available (GPU-only tests: benchmarks/device_check.sh)"),
]


def _data(n: int = 160, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Separable synthetic classes: ``X (n, N_GENES)`` float32, ``y (n,)``."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_CLASSES, n)
    centres = rng.normal(0, 2.0, (N_CLASSES, N_GENES))
    return (centres[y] + rng.normal(0, 1.0, (n, N_GENES))).astype(np.float32), y


def _model(seed: int = 0, **over) -> torch.nn.Module:
    torch.manual_seed(seed)
    return create_model("genemoe", n_genes=N_GENES, n_outputs=N_CLASSES, task="classify",
                        **{**TINY, **over})


def _ce(output, y) -> LossOutput:
    loss = F.cross_entropy(output.out.float(), y)
    return LossOutput(loss=loss, components={"ce": loss.detach()})


def _accuracy(out: np.ndarray, y) -> float:
    return float((out.argmax(1) == np.asarray(y)).mean())


def _train(model: torch.nn.Module, X: np.ndarray, y: np.ndarray, *, epochs: int = 3, **cfg):
    from genemoe.train.loop import TrainConfig, train_model

    config = TrainConfig(epochs=epochs, batch_size=32, device="cuda", amp=True, progress=False,
                         patience=None, **cfg)
    return train_model(model, X_train=X[:128], y_train=y[:128], X_val=X[128:], y_val=y[128:],
                       task="classify", config=config, loss_fn=_ce, metric_fn=_accuracy)


def test_amp_bf16_training_gives_finite_losses_and_learns():
    X, y = _data()
    model = _model()
    res = _train(model, X, y, epochs=4)
    losses = [h["train_loss"] for h in res.history]
    assert all(math.isfinite(v) for v in losses), losses
    assert losses[-1] < losses[0]
    assert next(model.parameters()).device.type == "cuda"
    assert all(v.dtype == torch.float32 for v in model.state_dict().values()
               if v.is_floating_point())  # autocast leaves the weights in fp32
    with torch.autocast("cuda", dtype=torch.bfloat16):  # the autocast that training used
        out = model.encoder.moe.experts[0](torch.randn(4, N_GENES, device="cuda"))
    assert out.dtype == torch.bfloat16


def test_fused_adam_on_cuda_matches_the_default_kernel():
    from genemoe.train.loop import TrainConfig, build_optimizer

    torch.manual_seed(0)
    w0 = torch.randn(64, 64, device="cuda")
    results = []
    for fused in (True, False):
        w = torch.nn.Parameter(w0.clone())
        opt = build_optimizer([w], TrainConfig(fused=fused, lr=1e-2))
        assert bool(opt.defaults.get("fused")) is fused
        for i in range(5):
            opt.zero_grad()
            (w.sin() * (i + 1)).sum().backward()
            opt.step()
        results.append(w.detach())
    torch.testing.assert_close(results[0], results[1], atol=1e-6, rtol=1e-5)
    assert not torch.equal(results[0], w0)


def test_bf16_inference_agrees_with_fp32_class_calls():
    from genemoe.train.loop import predict_outputs

    X, y = _data()
    model = _model()
    _train(model, X, y, epochs=4)
    fp32 = predict_outputs(model, X, device="cuda")
    bf16 = predict_outputs(model, X, device="cuda", precision="bf16")
    cpu = predict_outputs(copy.deepcopy(model).cpu(), X, device="cpu")
    assert bf16.dtype == np.float32 and bf16.shape == fp32.shape
    np.testing.assert_allclose(fp32, cpu, atol=1e-4, rtol=1e-4)  # CUDA fp32 = CPU fp32
    agree = (bf16.argmax(1) == fp32.argmax(1)).mean()
    assert agree >= 0.97, agree
    # most rows within bf16 rounding; a row whose top-k gate flips may differ more
    diff, scale = np.abs(bf16 - fp32).max(1), np.abs(fp32).max()
    assert np.median(diff) <= 0.02 * scale + 0.01, np.median(diff)


def test_checkpoint_round_trip_cpu_and_cuda(tmp_path):
    from genemoe.train.checkpoint import cpu_state_dict, load_checkpoint, save_checkpoint
    from genemoe.train.loop import predict_outputs

    X, y = _data()
    gpu_model = _model()
    _train(gpu_model, X, y, epochs=2)
    common = {"optimizer_state": None, "scheduler_state": None, "epoch": 2, "rng_state": None,
              "best_state": None, "best_metric": 0.0, "history": []}
    path = save_checkpoint(tmp_path / "gpu.pt", model_state=gpu_model.state_dict(), **common)
    ckpt = load_checkpoint(path)  # map_location="cpu"
    assert all(v.device.type == "cpu" for v in ckpt["model_state"].values())
    cpu_model = _model(seed=1)
    cpu_model.load_state_dict(ckpt["model_state"])
    want = predict_outputs(gpu_model, X, device="cuda")
    np.testing.assert_allclose(predict_outputs(cpu_model, X, device="cpu"), want, atol=1e-4)
    # and back: CPU state (cpu_state_dict, as the trainer saves it) loaded onto the GPU
    path2 = save_checkpoint(tmp_path / "cpu.pt", model_state=cpu_state_dict(cpu_model.state_dict()),
                            **common)
    ckpt2 = load_checkpoint(path2, map_location="cuda")
    assert all(v.device.type == "cuda" for v in ckpt2["model_state"].values())
    again = _model(seed=2).cuda()
    again.load_state_dict(ckpt2["model_state"])
    np.testing.assert_allclose(predict_outputs(again, X, device="cuda"), want, atol=1e-5)


def test_pretraining_runs_on_cuda(tmp_path):
    import yaml

    from genemoe.data.scaling import fit_scaler
    from genemoe.train.pretrain import pretrain_data_from_arrays, pretrain_on_data

    X, _ = _data(n=96)
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(yaml.safe_dump({"model": {"genemoe": TINY},
                                    "pretrain": {"batch_size": 32, "n_critic": 2,
                                                 "critic_widths": [16]}}))
    ids = [f"s{i}" for i in range(len(X))]
    data = pretrain_data_from_arrays(
        X[:64], X[64:], gene_ids=[f"g{j}" for j in range(N_GENES)],
        scaler=fit_scaler(X[:64], method="standard", clip=10.0), train_ids=ids[:64],
        val_ids=ids[64:], synthetic=True)
    res = pretrain_on_data(data, out_dir=tmp_path / "run", config_path=tiny, epochs=2,
                           device="cuda", progress=False)
    assert res.finished and len(res.history) == 2
    for rec in res.history:
        assert math.isfinite(rec["loss/g_loss"]) and math.isfinite(rec["loss/critic_loss"])


def test_train_predict_explain_and_features_run_on_cuda(tmp_path):
    """The workflows end to end on the GPU: train's routing report fed CPU rows to a model
    left on the GPU (gate_values), and predict, explain and features had no --device."""
    for module in ("pyarrow", "h5py", "anndata", "sksurv", "lifelines", "captum", "optuna",
                   "matplotlib"):  # the whole pipeline's (device_check.sh: wheels in .whl/)
        pytest.importorskip(module, reason=f"the workflows need {module}; absent here")
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from genemoe.explain import explain_run
    from genemoe.workflows.features import analyse_features
    from genemoe.workflows.predict import predict_file
    from genemoe.workflows.train import train_run
    from synthetic_inputs import prepare_synthetic

    b, files, _ = prepare_synthetic(tmp_path, n_samples=160, n_genes=80, n_types=3, seed=5,
                                    clinical=False)
    run = train_run(b.path, out_dir=tmp_path / "run", model_name="genemoe", epochs=2,
                    progress=False, device="cuda", model_options=TINY)
    metrics = json.loads((run.out_dir / "metrics.json").read_text())
    assert metrics["protocol"]["device"].startswith("cuda") and metrics["routing"]
    predict_file(run.out_dir, files["counts"], out_path=tmp_path / "p.tsv", device="cuda")
    assert json.loads((tmp_path / "p.record.json").read_text())["device"].startswith("cuda")
    res = explain_run(run.out_dir, data=b.path, out_dir=tmp_path / "e", n_steps=8,
                      max_samples_per_class=2, progress=False, device="cuda")
    assert res.convergence["device"].startswith("cuda")
    feats = analyse_features(run.out_dir, data=b.path, out_dir=tmp_path / "f", n_features=3,
                             k=3, max_samples=30, device="cuda")
    assert feats.summary["device"].startswith("cuda")


def test_ddp_nccl_world_size_1_through_torchrun(tmp_path):
    torchrun = shutil.which("torchrun")
    if torchrun is None:
        pytest.skip("torchrun is not on the PATH")
    if not (torch.distributed.is_available() and torch.distributed.is_nccl_available()):
        pytest.skip("this torch build has no nccl")
    out = tmp_path / "ddp.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(var, None)
    proc = subprocess.run([torchrun, "--standalone", "--nproc_per_node=1", __file__, str(out)],
                          env=env, capture_output=True, text=True, timeout=150, cwd=tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    r = json.loads(out.read_text())
    assert r["backend"] == "nccl" and r["world_size"] == 1
    assert r["all_reduce"] == 1.0
    assert r["ddp_max_diff"] <= 1e-5, r
    assert all(math.isfinite(v) for v in r["train_losses"])


# ------------------------------------------------------------ the torchrun worker


def _ddp_worker(out: Path) -> None:
    """Under torchrun: nccl process group; DDP steps equal plain steps; train_model runs.

    At world size 1 DDP's all-reduce averages over one rank, so its weights must equal a
    plain model's after the same steps (up to CUDA's atomic-add ordering in the sparse
    dispatch); the trainer's gather across ranks is not exercised (it needs 2 GPUs).
    """
    import torch.distributed as dist

    from genemoe.train import distributed as ddp

    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    dist.init_process_group(backend="nccl", init_method="env://")  # world 1: genemoe's own
    try:  # init_distributed is a no-op there, so the group is made here
        x = torch.ones(1, device="cuda")
        dist.all_reduce(x)
        X, y = _data()
        Xt, yt = torch.from_numpy(X[:64]).cuda(), torch.from_numpy(y[:64]).cuda()
        states = []
        for wrap in (True, False):
            model = _model(dropout=0.0, noisy=False).cuda()
            net = (torch.nn.parallel.DistributedDataParallel(
                model, device_ids=[local], find_unused_parameters=True) if wrap else model)
            opt = torch.optim.SGD(model.parameters(), lr=0.1)  # updates follow the gradients
            for _ in range(3):
                opt.zero_grad()
                F.cross_entropy(net(Xt).out, yt).backward()
                opt.step()
            states.append(model.state_dict())
        diff = max(float((states[0][k] - states[1][k]).abs().max()) for k in states[0])
        res = _train(_model(), X, y, epochs=2)  # the trainer inside an initialised group
        info = ddp.get_dist_info()
        out.write_text(json.dumps({
            "backend": dist.get_backend(), "world_size": info.world_size,
            "all_reduce": float(x.item()), "ddp_max_diff": diff,
            "train_losses": [h["train_loss"] for h in res.history]}))
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    _ddp_worker(Path(sys.argv[1]))
