"""benchmarks/device_check.py runs in ``--cpu`` mode (small sizes) and writes its JSON, so
the GPU script is known to work before a GPU is lent (issue 15.3)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "device_check.py"


@pytest.fixture(scope="module")
def device_check():
    spec = importlib.util.spec_from_file_location("device_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["device_check"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("device_check", None)


def test_cpu_mode_writes_every_stage(device_check, tmp_path):
    assert device_check.main(["--cpu", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "device_check.json").read_text())
    assert r["ok"] and r["failed"] == [] and r["mode"] == "cpu"
    assert "tests" not in r  # the CUDA tests run only on a GPU (or with --tests)
    assert {"env", "matmul", "finetune", "pretrain", "pretrain_run", "resnet50", "sizes",
            "seconds_total"} <= set(r)
    assert r["env"]["torch"] == torch.__version__ and r["matmul"]["measured_tflops"] > 0
    ft = r["finetune"]
    for key in ("samples_per_s", "median_s", "tflops", "mfu_measured_matmul",
                "flops_per_step_analytic", "peak_rss_mib_process", "infer_samples_per_s_fp32"):
        assert ft[key] > 0, key
    assert ft["n_genes"] == 2000 and ft["batch"] == 32 and ft["steps"] == 3
    # the analytic active-FLOP count (k of n experts) is what torch's counter sees run
    assert ft["flops_per_step_counted"] == pytest.approx(ft["flops_per_step_analytic"], rel=1e-6)
    pt = r["pretrain"]
    assert pt["finite"] and pt["samples_per_s"] > 0 and pt["n_critic"] == 5
    assert pt["flops_per_step_analytic"] > pt["generator_flops_per_step_analytic"] > 0
    run = r["pretrain_run"]  # pretrain_on_data end to end: one epoch, its files written
    assert run["finished"] and run["finite"] and run["n_train"] == 64
    assert "pretrained.pt" in run["files_mib"] and "checkpoint.pt" not in run["files_mib"]
    rn = r["resnet50"]
    assert "skipped" in rn or (rn["samples_per_s"] > 0 and rn["image_size"] == 64)


def test_gpu_mode_without_cuda_says_so(device_check, tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    assert device_check.main(["--out", str(tmp_path)]) == 2
    assert "--cpu" in capsys.readouterr().err


def test_analytic_flops_follow_k_not_n(device_check):
    cfg = {"hidden": 1024, "n_experts": 15, "k": 6, "moae_experts": 4, "moae_k": 2,
           "n_tokens": 16, "latent": 256}
    f6 = device_check.genemoe_flops(25_182, cfg, train=False)
    f2 = device_check.genemoe_flops(25_182, {**cfg, "k": 2}, train=False)
    # four more experts of 2 G H, and their share of the combine (2 k H)
    assert f6 - f2 == pytest.approx(4 * 2 * 25_182 * 1024 + 4 * 2 * 1024)
    # training: the gates' noise projections join the forward; 3 x that forward less the
    # input gradient of the layers reading the genes
    fwd_train = f6 + 2 * 25_182 * 15 + 2 * 1024 * 4
    first = 2 * 2 * 25_182 * 15 + 6 * 2 * 25_182 * 1024
    assert device_check.genemoe_flops(25_182, cfg) == pytest.approx(3 * fwd_train - first)
