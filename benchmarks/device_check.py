"""The GPU path in one short script: CUDA tests, then the ``paper`` preset timed (issue 15.3).

Run on a machine with one GPU (``bash benchmarks/device_check.sh``, which sets the paths
and calls this) or anywhere with ``--cpu`` (small sizes; CI runs it through
``tests/test_device_check.py``). Stages, each recorded in ``OUT/device_check.json``
(rewritten atomically after every stage, so a run cut short keeps what it measured;
timing, memory and FLOP helpers are in ``device_check_measure.py``):

1. ``env``: torch, CUDA, the device, which optional packages import (``--cpu`` too).
2. ``tests``: ``pytest -m cuda tests/test_cuda.py`` in a subprocess (AMP, fused Adam,
   bf16 inference, checkpoint CPU<->CUDA, pre-training on CUDA, DDP with nccl at world
   size 1 through ``torchrun``). Skipped in ``--cpu`` mode unless ``--tests``.
3. ``matmul``: a same-run matmul (8192^3 bf16 on GPU, 512^3 fp32 on CPU): the measured
   ceiling beside the datasheet's bf16 peak.
4. ``finetune``: ``genemoe`` at the ``paper`` widths (15 experts of 1,024, top-6; MOAE
   4/top-2; latent 256) on ``n_genes`` synthetic genes, 33 classes, batch 256: optimiser
   steps as ``train_model`` takes them (bf16 autocast on CUDA, fused Adam from
   ``build_optimizer``, focal loss + 0.01 x the balance losses, gradient clipping at 1),
   samples/s, peak GPU memory, and model FLOP utilisation: the analytic active FLOPs
   (k of n experts; forward x 3 less the input gradient of the first layer) and the FLOPs
   ``torch.utils.flop_counter`` counts in one step, over the seconds per step, against
   the bf16 peak. Also inference samples/s in fp32 and bf16.
5. ``pretrain``: one ``genemoe pretrain`` step as ``genemoe.train.pretrain`` takes it
   (the public ``critic_step`` x ``n_critic`` and ``generator_step`` of the ``paper``
   ``pretrain:`` section, generator with its decoder, Mish critic): fp32, as the package
   trains it today (no autocast in pre-training); on CUDA the same step again with TF32
   matmuls and with bf16 autocast (``variants_samples_per_s``), to show what either gains.
6. ``pretrain_run``: one epoch of ``pretrain_on_data`` (``pretrain_data_from_arrays``
   of ``batch x steps`` synthetic rows, the ``paper`` preset) end to end: the epoch's
   seconds as the run records them, and the call's with its checkpoint and
   ``pretrained.pt`` written (in a temporary folder, removed after).
7. ``resnet50``: ``create_model("resnet50", image_size=224, weights="none",
   finetune="all")`` training at batch 256 (bf16 autocast, fused Adam) and inference
   samples/s, FLOPs as ``torch.utils.flop_counter`` counts them.

Sizing (GPU): a step of stage 4 is 161 GFLOP and of stage 5 0.91 TFLOP (the critic's five
steps with their gradient penalty are 0.75 of it), ResNet-50 ~3 x 4.1 GFLOP per image
(3.2 TFLOP a step at batch 256). Even at 5 % of the bf16 peak (fp32 pre-training: ~15 %
of fp32's 67 TFLOP/s) a step is under 0.1 s, so 35 fine-tuning steps, 3 x 10 pre-training
steps and 18 ResNet steps take seconds; the models (~400M parameters each, ~7 GB with
Adam) are built on the GPU in about a second; ``torch`` start-up, ``timm``'s import and
the CUDA tests (a ``torchrun`` start included, ~1 minute) dominate: the whole script
should end in 2 to 4 minutes, inside the 8 asked; ``device_check.sh`` stops it at 9
minutes regardless, and the JSON written after each stage keeps what was measured.

Usage::

    python benchmarks/device_check.py --out DIR          # GPU sizes (needs CUDA)
    python benchmarks/device_check.py --cpu --out DIR    # small sizes, any machine
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing genemoe
    sys.path.insert(0, str(ROOT / "src"))
HERE = str(Path(__file__).resolve().parent)  # device_check_measure.py, also when imported
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

try:
    import torch
except ImportError as exc:  # the machine's python3 without torch: was a traceback, even for --help
    raise SystemExit(f"device_check: cannot import torch ({exc})\n  python: {sys.executable}"
                     "\n  fix: run it with a python that has torch: "
                     "PYTHON=/path/to/python bash benchmarks/device_check.sh") from None
import torch.nn.functional as F  # noqa: E402
from device_check_measure import (  # noqa: E402
    N_CLASSES,
    counted_flops,
    critic_flops,
    flop_rate,
    genemoe_flops,
    memory_stats,
    reset_memory,
    time_steps,
    utilisation,
)
from torch import nn  # noqa: E402

from genemoe.data.atomic import atomic_write_text  # noqa: E402

logger = logging.getLogger("device_check")

# Dense bf16 peak (no sparsity) by the vendors' datasheets, TFLOP/s; matched on the name.
BF16_PEAK_TFLOPS = {"H200": 989.4, "H100": 989.4, "GH200": 989.4, "A100": 312.0,
                    "L40S": 362.1, "L4": 121.0, "A10": 125.0, "RTX 4090": 165.2}
AUX_WEIGHT = 0.01  # TrainConfig's default aux_weight
OPTIONAL = ("pandas", "scipy", "sklearn", "yaml", "tqdm", "pytest", "timm", "torchvision",
            "sksurv", "lifelines", "anndata", "optuna")


@dataclass(frozen=True)
class Sizes:
    """What each stage runs: GPU (the issue's sizes) or ``--cpu`` (CI-small)."""

    n_genes: int
    batch: int
    warmup: int
    steps: int
    pretrain_batch: int
    pretrain_warmup: int
    pretrain_steps: int
    image_size: int
    image_batch: int
    image_warmup: int
    image_steps: int
    matmul_n: int
    hidden: int | None  # None: the paper's 1,024


GPU = Sizes(n_genes=25_182, batch=256, warmup=5, steps=30, pretrain_batch=256, pretrain_warmup=2,
            pretrain_steps=8, image_size=224, image_batch=256, image_warmup=3, image_steps=15,
            matmul_n=8192, hidden=None)
CPU = Sizes(n_genes=2_000, batch=32, warmup=1, steps=3, pretrain_batch=32, pretrain_warmup=1,
            pretrain_steps=2, image_size=64, image_batch=4, image_warmup=1, image_steps=2,
            matmul_n=512, hidden=128)


# ---------------------------------------------------------------------------- helpers


def paper_widths(sizes: Sizes) -> dict[str, Any]:
    """``model.genemoe`` of the ``paper`` preset (``hidden`` shrunk in ``--cpu`` mode)."""
    from genemoe.config_presets import load_preset, model_config

    cfg = model_config(load_preset("paper"), "genemoe")
    if sizes.hidden is not None:
        cfg["hidden"] = sizes.hidden
    return cfg




# ---------------------------------------------------------------------------- stages


def stage_env(device: torch.device) -> dict[str, Any]:
    """What the script runs on: versions, device, optional packages present."""
    env: dict[str, Any] = {
        "python": sys.version.split()[0], "platform": platform.platform(),
        "torch": torch.__version__, "cuda_available": torch.cuda.is_available(),
        "cuda_version": torch.version.cuda, "cpu_count": os.cpu_count(),
        "device": str(device), "torch_threads": torch.get_num_threads(),
        "packages": {m: importlib.util.find_spec(m) is not None for m in OPTIONAL},
    }
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        env.update(gpu=p.name, capability=f"{p.major}.{p.minor}", sm_count=p.multi_processor_count,
                   gpu_memory_gib=p.total_memory / 2**30, bf16=torch.cuda.is_bf16_supported(),
                   nccl=torch.distributed.is_available() and torch.distributed.is_nccl_available(),
                   tf32_matmul=torch.backends.cuda.matmul.allow_tf32)
    return env


def stage_tests(out: Path, timeout_s: int) -> dict[str, Any]:
    """``pytest -m cuda tests/test_cuda.py`` in a subprocess; its counts and log tail."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "cuda", "-p", "no:cacheprovider",
           "-o", "addopts=-ra", f"--junitxml={out / 'test_cuda.xml'}", "tests/test_cuda.py"]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        text = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
        return {"ok": False, "error": f"timed out after {timeout_s} s",
                "tail": (text or "")[-3000:]}
    text = proc.stdout + proc.stderr
    (out / "test_cuda.log").write_text(text)
    last = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or [""]
    return {"ok": proc.returncode == 0, "returncode": proc.returncode, "summary": last[0],
            **_junit_counts(out / "test_cuda.xml"), "seconds": time.perf_counter() - t0,
            "tail": text[-3000:]}


def _junit_counts(path: Path) -> dict[str, int]:
    """tests / failures / errors / skipped of pytest's JUnit XML (empty if unreadable)."""
    import xml.etree.ElementTree as ET

    try:
        suite = ET.parse(path).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        return {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    except (OSError, ET.ParseError, AttributeError, ValueError):
        return {}


def stage_matmul(device: torch.device, n: int) -> dict[str, Any]:
    """A same-run ``n^3`` matmul (bf16 on CUDA, fp32 on CPU): the measured ceiling."""
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a, b = (torch.randn(n, n, device=device, dtype=dtype) for _ in range(2))
    t = time_steps(lambda: a @ b, warmup=3, steps=10, device=device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else ""
    sheet = next((v for k, v in BF16_PEAK_TFLOPS.items() if k in name), None)
    return {"n": n, "dtype": str(dtype).replace("torch.", ""),
            "measured_tflops": 2 * n**3 / t["median_s"] / 1e12, "datasheet_bf16_tflops": sheet,
            "datasheet_source": "vendor datasheet, dense bf16" if sheet else None}


def _synthetic(n: int, n_genes: int, device: torch.device, seed: int = 0
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled-looking rows ``(n, n_genes)`` with a class signal, and labels ``(n,)``."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    y = torch.randint(0, N_CLASSES, (n,), generator=g)
    centres = torch.randn(N_CLASSES, n_genes, generator=g) * 0.5
    x = centres[y] + torch.randn(n, n_genes, generator=g)
    return x.to(device), y.to(device)


def _train_step_fn(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor,
                   y: torch.Tensor, amp: torch.dtype | None) -> Callable[[], float]:
    """One optimiser step as ``genemoe.train.loop`` takes it (focal loss + balance losses)."""
    from genemoe.models.base import collect_aux
    from genemoe.train.losses import focal_loss

    dev = x.device

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        with torch.autocast(dev.type, dtype=amp or torch.bfloat16, enabled=amp is not None):
            out = model(x).out
            aux, _ = collect_aux(model)
            loss = focal_loss(out.float(), y, gamma=2.0)
            loss = loss + AUX_WEIGHT * sum(aux.values(), torch.zeros((), device=dev))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return float(loss.detach())
    return step


def _infer_rate(model: nn.Module, x: torch.Tensor, amp: torch.dtype | None, reps: int) -> float:
    """Inference samples/s on ``x`` (eval, no grad, autocast ``amp``)."""
    model.eval()
    dev = x.device

    def fwd() -> None:
        with torch.no_grad(), torch.autocast(dev.type, dtype=amp or torch.bfloat16,
                                             enabled=amp is not None):
            model(x)
    t = time_steps(fwd, warmup=1, steps=reps, device=dev)
    model.train()
    return x.shape[0] / t["median_s"]


def stage_finetune(device: torch.device, sizes: Sizes, peak: dict[str, Any]) -> dict[str, Any]:
    """``genemoe`` at the paper widths: training and inference throughput, memory, MFU."""
    from genemoe.models.registry import create_model
    from genemoe.train.loop import TrainConfig, build_optimizer

    cfg = paper_widths(sizes)
    reset_memory(device)
    torch.manual_seed(0)
    with torch.device(device):
        model = create_model("genemoe", n_genes=sizes.n_genes, n_outputs=N_CLASSES,
                             task="classify", **cfg)
    opt = build_optimizer(model.parameters(), TrainConfig(optimizer="adam", lr=1e-3))
    amp = torch.bfloat16 if device.type == "cuda" else None
    x, y = _synthetic(sizes.batch, sizes.n_genes, device)
    step = _train_step_fn(model, opt, x, y, amp)
    t = time_steps(step, warmup=sizes.warmup, steps=sizes.steps, device=device)
    mem = memory_stats(device)
    loss = step()
    analytic = genemoe_flops(sizes.n_genes, cfg) * sizes.batch
    res = {"model": "genemoe", "widths": cfg, "n_genes": sizes.n_genes, "batch": sizes.batch,
           "params": sum(p.numel() for p in model.parameters()), "amp": str(amp),
           "fused_adam": bool(opt.defaults.get("fused")), **t,
           "samples_per_s": sizes.batch / t["median_s"], "final_loss": loss, **mem,
           "flops_per_step_analytic": analytic, "flops_per_step_counted": counted_flops(step),
           **utilisation(analytic, t["median_s"], peak)}
    xi, _ = _synthetic(4 * sizes.batch, sizes.n_genes, device, seed=1)
    res["infer_batch"] = xi.shape[0]
    res["infer_samples_per_s_fp32"] = _infer_rate(model, xi, None, max(3, sizes.steps // 3))
    if device.type == "cuda":
        res["infer_samples_per_s_bf16"] = _infer_rate(model, xi, torch.bfloat16,
                                                      max(3, sizes.steps // 3))
    return res


def stage_pretrain(device: torch.device, sizes: Sizes, peak: dict[str, Any]) -> dict[str, Any]:
    """One pre-training step (n_critic critic steps + a generator step), paper options."""
    from genemoe.models.base import collect_aux
    from genemoe.models.critic import Critic
    from genemoe.models.registry import create_model
    from genemoe.train.pretrain import critic_step, generator_step, resolve_pretrain_config

    config, _ = resolve_pretrain_config("paper", device=str(device.type), progress=False)
    cfg = paper_widths(sizes)
    reset_memory(device)
    torch.manual_seed(0)
    with torch.device(device):
        model = create_model("genemoe", n_genes=sizes.n_genes, n_outputs=1, task="classify",
                             with_decoder=True, **cfg)
        critic = Critic(sizes.n_genes, config.critic_widths)
    gen_params = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt_g = torch.optim.Adam(gen_params, lr=config.lr, betas=tuple(config.betas))
    opt_d = torch.optim.Adam(critic.parameters(), lr=config.lr, betas=tuple(config.betas))
    xb, _ = _synthetic(sizes.pretrain_batch, sizes.n_genes, device)
    last: dict[str, float] = {}

    amp: list[torch.dtype | None] = [None]

    def step() -> None:  # genemoe.train.pretrain._train_batch, less its bookkeeping
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp[0] is not None):
            x_noisy = xb + config.noise_std * torch.randn_like(xb)
            recon, mu, logvar = model.reconstruct(x_noisy)
            aux, _ = collect_aux(model)
            for _ in range(config.n_critic):
                last.update(critic_step(critic, opt_d, x_noisy, recon, lambda_gp=config.lambda_gp))
            last.update(generator_step(model, critic, opt_g, recon, x_noisy, mu, logvar, aux,
                                       config))

    t = time_steps(step, warmup=sizes.pretrain_warmup, steps=sizes.pretrain_steps, device=device)
    mem = memory_stats(device)
    finite = all(np.isfinite(v) for v in last.values())
    variants = _pretrain_variants(step, amp, device, sizes) if device.type == "cuda" else {}
    gen = genemoe_flops(sizes.n_genes, cfg, n_outputs=0, decoder=True) * sizes.pretrain_batch
    crit = critic_flops(sizes.n_genes, config.critic_widths, config.n_critic) * sizes.pretrain_batch
    return {"model": "genemoe + decoder, Mish critic", "n_genes": sizes.n_genes,
            "batch": sizes.pretrain_batch, "n_critic": config.n_critic, "precision": "fp32",
            "params_generator": sum(p.numel() for p in model.parameters()),
            "params_critic": sum(p.numel() for p in critic.parameters()), **t,
            "samples_per_s": sizes.pretrain_batch / t["median_s"], **mem,
            "flops_per_step_analytic": gen + crit, "generator_flops_per_step_analytic": gen,
            "critic_flops_per_step_analytic": crit, "flops_per_step_counted": counted_flops(step),
            **utilisation(gen + crit, t["median_s"], peak), "variants_samples_per_s": variants,
            "finite": finite,
            "last_losses": {k: float(v) for k, v in last.items()}}


def _pretrain_variants(step: Callable[[], None], amp: list[torch.dtype | None],
                       device: torch.device, sizes: Sizes) -> dict[str, float]:
    """Samples/s of the same step with TF32 matmuls and with bf16 autocast: what the
    package would gain from either (it trains pre-training in plain fp32 today)."""
    rates: dict[str, float] = {}
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        t = time_steps(step, warmup=1, steps=sizes.pretrain_steps, device=device)
        rates["tf32"] = sizes.pretrain_batch / t["median_s"]
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before
    amp[0] = torch.bfloat16
    try:
        t = time_steps(step, warmup=1, steps=sizes.pretrain_steps, device=device)
        rates["bf16_autocast"] = sizes.pretrain_batch / t["median_s"]
    finally:
        amp[0] = None
    return rates


def stage_pretrain_run(device: torch.device, sizes: Sizes) -> dict[str, Any]:
    """One epoch of ``pretrain_on_data`` at the ``paper`` options, end to end: host-side
    batches copied to the device, validation, checkpoint and ``pretrained.pt`` written."""
    import tempfile

    import yaml

    from genemoe.data.scaling import fit_scaler
    from genemoe.train.pretrain import pretrain_data_from_arrays, pretrain_on_data

    n_train, n_val = sizes.pretrain_batch * sizes.pretrain_steps, sizes.pretrain_batch
    X, _ = _synthetic(n_train + n_val, sizes.n_genes, torch.device("cpu"), seed=2)
    X = X.numpy()
    ids = [f"s{i}" for i in range(len(X))]
    data = pretrain_data_from_arrays(
        X[:n_train], X[n_train:], gene_ids=[f"g{j}" for j in range(sizes.n_genes)],
        scaler=fit_scaler(X[:n_train], method="standard", clip=10.0), train_ids=ids[:n_train],
        val_ids=ids[n_train:], synthetic=True)
    reset_memory(device)
    with tempfile.TemporaryDirectory(prefix="device_check_") as tmp:
        over = Path(tmp) / "over.yaml"  # --cpu: the paper preset with narrower experts
        over.write_text(yaml.safe_dump({"model": {"genemoe": {"hidden": sizes.hidden}}}
                                       if sizes.hidden else {}))
        t0 = time.perf_counter()
        res = pretrain_on_data(data, out_dir=Path(tmp) / "run", preset="paper",
                               config_path=over, epochs=1, device=device.type, progress=False)
        seconds = time.perf_counter() - t0
        files = {f.name: f.stat().st_size / 2**20 for f in (Path(tmp) / "run").iterdir()}
    rec = res.history[-1]
    return {"n_train": n_train, "n_val": n_val, "n_genes": sizes.n_genes,
            "batch": sizes.pretrain_batch, "finished": res.finished,
            "epoch_seconds": rec["seconds"], "call_seconds": seconds,
            "samples_per_s": n_train / rec["seconds"], **memory_stats(device),
            "finite": all(np.isfinite(rec[k]) for k in ("loss/g_loss", "loss/critic_loss")),
            "val_r_gene": rec.get("val/r_gene"), "files_mib": files}


def stage_resnet(device: torch.device, sizes: Sizes, peak: dict[str, Any]) -> dict[str, Any]:
    """ResNet-50 (timm, random init, every layer trained) on gene images."""
    if importlib.util.find_spec("timm") is None:
        return {"skipped": "timm is not installed (pip install 'genemoe[image]')"}
    from genemoe.models.registry import create_model

    n_genes = min(sizes.n_genes, 4096) if device.type == "cpu" else sizes.n_genes
    reset_memory(device)
    torch.manual_seed(0)
    model = create_model("resnet50", n_genes=n_genes, n_outputs=N_CLASSES, task="classify",
                         image_size=sizes.image_size, weights="none", finetune="all").to(device)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-4,
                           fused=device.type == "cuda")
    amp = torch.bfloat16 if device.type == "cuda" else None
    x, y = _synthetic(sizes.image_batch, n_genes, device)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp is not None):
            loss = F.cross_entropy(model(x).out.float(), y)
        loss.backward()
        opt.step()

    t = time_steps(step, warmup=sizes.image_warmup, steps=sizes.image_steps, device=device)
    mem = memory_stats(device)
    counted = counted_flops(step)
    return {"model": "resnet50", "image_size": sizes.image_size, "n_genes": n_genes,
            "batch": sizes.image_batch, "amp": str(amp), "finetune": "all", "weights": "none",
            "params": sum(p.numel() for p in model.parameters()), **t,
            "samples_per_s": sizes.image_batch / t["median_s"], **mem,
            "flops_per_step_counted": counted, **utilisation(counted, t["median_s"], peak),
            "infer_samples_per_s": _infer_rate(model, x, amp, max(2, sizes.image_steps // 3))}


# ---------------------------------------------------------------------------- driver


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cpu", action="store_true", help="small sizes on the CPU (CI)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for device_check.json (default: $OUT, else ./device_check_out)")
    p.add_argument("--tests", dest="tests", action="store_true", default=None,
                   help="run the CUDA tests (default: on GPU, not with --cpu)")
    p.add_argument("--no-tests", dest="tests", action="store_false")
    p.add_argument("--only", nargs="+",
                   choices=["finetune", "pretrain", "pretrain_run", "resnet50"],
                   help="run only these timing stages")
    p.add_argument("--tests-timeout", type=int, default=300, help="seconds for the CUDA tests")
    return p.parse_args(argv)


def write_json(path: Path, result: dict[str, Any]) -> None:
    """Write ``result`` to ``path`` atomically (a temporary sibling renamed over it), so a
    run killed mid-write (the wrapper's 9-minute limit) leaves the last whole JSON."""
    atomic_write_text(path, json.dumps(result, indent=2, default=str))


def _run_stage(result: dict[str, Any], name: str, fn: Callable[[], dict[str, Any]],
               path: Path) -> None:
    """Run one stage, record its result or its error, rewrite the JSON."""
    t0 = time.perf_counter()
    logger.info("stage %s ...", name)
    try:
        result[name] = fn()
    except Exception as exc:  # a stage's failure is a result: record it, run the next
        result[name] = {"error": f"{type(exc).__name__}: {exc}",
                        "traceback": traceback.format_exc()[-3000:]}
        logger.error("stage %s failed: %s", name, exc)
    result[name]["stage_seconds"] = time.perf_counter() - t0
    write_json(path, result)
    logger.info("stage %s done in %.1f s", name, result[name]["stage_seconds"])


def main(argv: list[str] | None = None) -> int:
    """Run the stages; write ``OUT/device_check.json``; 0 when every stage succeeded."""
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.cpu and not torch.cuda.is_available():
        print("device_check: CUDA is not available here; use --cpu for the small CPU run",
              file=sys.stderr)
        return 2
    sizes = CPU if args.cpu else GPU
    device = torch.device("cpu" if args.cpu else "cuda")
    out = args.out or Path(os.environ.get("OUT") or "device_check_out")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "device_check.json"
    t0 = time.perf_counter()
    result: dict[str, Any] = {"mode": "cpu" if args.cpu else "gpu", "sizes": asdict(sizes)}
    _run_stage(result, "env", lambda: stage_env(device), path)
    if args.tests if args.tests is not None else not args.cpu:
        _run_stage(result, "tests", lambda: stage_tests(out, args.tests_timeout), path)
    _run_stage(result, "matmul", lambda: stage_matmul(device, sizes.matmul_n), path)
    peak = {k: result["matmul"].get(k) for k in ("measured_tflops", "datasheet_bf16_tflops")}
    stages = {"finetune": stage_finetune, "pretrain": stage_pretrain,
              "pretrain_run": lambda d, s, _: stage_pretrain_run(d, s), "resnet50": stage_resnet}
    for name, fn in stages.items():
        if args.only is None or name in args.only:
            _run_stage(result, name, lambda fn=fn: fn(device, sizes, peak), path)
    stage_names = [k for k, v in result.items() if isinstance(v, dict) and "stage_seconds" in v]
    failed = [k for k in stage_names if "error" in result[k] or result[k].get("ok") is False]
    result.update(seconds_total=time.perf_counter() - t0, failed=failed, ok=not failed)
    write_json(path, result)
    print(summarise(result))
    return 0 if not failed else 1


def summarise(result: dict[str, Any]) -> str:
    """A few lines for the log: the headline of each stage."""
    lines = [f"device_check ({result['mode']}): {result.get('env', {}).get('gpu', 'cpu')}, "
             f"torch {result.get('env', {}).get('torch')}, {result.get('seconds_total', 0):.0f} s"]
    if "tests" in result:
        r = result["tests"]
        lines.append(f"  tests: {r.get('summary') or r.get('error')} "
                     f"({r.get('tests', '?')} run, {r.get('skipped', '?')} skipped)")
    for name in ("matmul", "finetune", "pretrain", "pretrain_run", "resnet50"):
        r = result.get(name, {})
        if "error" in r or "skipped" in r:
            lines.append(f"  {name}: {r.get('error') or r.get('skipped')}")
        elif name == "matmul" and r:
            lines.append(f"  matmul {r['n']}^3 {r['dtype']}: {flop_rate(r['measured_tflops'])}")
        elif name == "pretrain_run" and r:
            lines.append(f"  pretrain_run: one epoch of {r['n_train']} rows in "
                         f"{r['epoch_seconds']:.1f} s ({r['samples_per_s']:.0f} samples/s), "
                         f"{r['call_seconds']:.1f} s with the files written")
        elif r:
            mem = r.get("peak_gpu_mib", r.get("peak_rss_mib_process", float("nan")))
            mfu = r.get("mfu_datasheet_bf16")
            lines.append(f"  {name}: {r['samples_per_s']:.0f} samples/s at batch {r['batch']}, "
                         f"{flop_rate(r['tflops'])}"
                         + (f" = {mfu:.1%} of bf16 peak" if mfu else "") + f", peak {mem:.0f} MiB")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
