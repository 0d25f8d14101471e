"""CPU benchmark of the sparse MoE layer and the ``small`` Gene-MOE preset at ~25k genes.

Measures
--------
1. ``layer_k_scaling``: forward+backward time of ``MixtureOfExperts(25,000 → hidden)`` with
   ``E`` experts at ``k = 2`` and at ``k = E``; sparse dispatch should make the ratio
   close to ``E / 2``.
2. ``small_preset``: training (forward, backward, Adam step) and inference (eval,
   ``inference_mode``) samples/s of the ``small`` preset's ``genemoe`` at 25,000 genes.
3. ``paper_layer``: forward+backward samples/s of the paper-width MoE layer
   (25,182 → 1,024, 15 experts, top-6).

Usage::

    python benchmarks/bench_moe.py --quick --out bench_moe.json
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from genemoe.config_presets import load_preset, model_config
from genemoe.models.moe import MixtureOfExperts
from genemoe.models.registry import create_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import cpu_model  # noqa: E402  (one CPU probe for every benchmark)

logger = logging.getLogger("bench_moe")

N_GENES = 25_000


def _median_seconds(fn: Callable[[], Any], reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_layer(
    d_in: int,
    d_out: int,
    n_experts: int,
    k: int,
    *,
    batch: int,
    reps: int,
) -> dict[str, float]:
    """Forward+backward seconds and samples/s of one MoE layer in training mode."""
    layer = MixtureOfExperts(d_in, d_out, n_experts, k, dropout=0.5).train()
    x = torch.rand(batch, d_in) * 2 - 1  # (batch, d_in), scaled like min-max data

    def step() -> None:
        layer.zero_grad(set_to_none=False)
        y = layer(x)
        (y.square().mean() + layer.last_aux["importance"] + layer.last_aux["load"]).backward()

    sec = _median_seconds(step, reps)
    return {
        "d_in": d_in,
        "d_out": d_out,
        "n_experts": n_experts,
        "k": k,
        "batch": batch,
        "seconds_per_step": sec,
        "samples_per_s": batch / sec,
    }


def bench_k_scaling(*, hidden: int, n_experts: int, batch: int, reps: int) -> dict[str, Any]:
    """The same layer at ``k = 2`` and ``k = n_experts``: time ratio vs the ideal ``E / 2``."""
    sparse = bench_layer(N_GENES, hidden, n_experts, 2, batch=batch, reps=reps)
    dense = bench_layer(N_GENES, hidden, n_experts, n_experts, batch=batch, reps=reps)
    return {
        "k2": sparse,
        f"k{n_experts}": dense,
        "time_ratio_kE_over_k2": dense["seconds_per_step"] / sparse["seconds_per_step"],
        "ideal_ratio": n_experts / 2,
    }


def bench_small_preset(*, train_batch: int, infer_batch: int, reps: int) -> dict[str, Any]:
    """Training and inference samples/s of the ``small`` preset's ``genemoe`` (33 classes).

    Training: float32, fused Adam (``fused=True`` works on CPU since torch 2.4 and is ~5x
    faster than the foreach step at this size), gradients zeroed in place. Inference: the
    float32 model, and a bfloat16 copy of it (AMX / AVX-512-BF16 matmuls where the CPU has
    them; the gates still route in float32).
    """
    cfg = model_config(load_preset("small"), "genemoe")
    model = create_model("genemoe", n_genes=N_GENES, n_outputs=33, task="classify", **cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    x = torch.rand(max(train_batch, infer_batch), N_GENES) * 2 - 1
    y = torch.randint(0, 33, (x.shape[0],))

    def train_step() -> None:
        opt.zero_grad(set_to_none=False)
        res = model(x[:train_batch])
        loss = torch.nn.functional.cross_entropy(res.out, y[:train_batch])
        (loss + 0.01 * sum(res.aux_losses.values())).backward()
        opt.step()

    model.train()
    out: dict[str, Any] = {
        "config": cfg,
        "n_genes": N_GENES,
        "n_params": sum(p.numel() for p in model.parameters()),
        "train_batch": train_batch,
        "infer_batch": infer_batch,
        "infer_goal_samples_per_s": 5000,
        "train_samples_per_s": train_batch / _median_seconds(train_step, reps),
    }
    model.eval()
    for precision, dtype in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
        m = model if dtype == torch.float32 else copy.deepcopy(model).to(dtype)
        xs = x[:infer_batch].to(dtype)

        def infer(m: torch.nn.Module = m, xs: torch.Tensor = xs) -> None:
            with torch.inference_mode():
                m(xs)

        out[f"infer_samples_per_s_{precision}"] = infer_batch / _median_seconds(infer, reps)
    return out


def _environment() -> dict[str, Any]:
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmarks; write JSON to ``--out`` if given; return the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller batches")
    parser.add_argument("--out", type=Path, default=None, help="write results as JSON here")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    reps = 3 if args.quick else 10
    results: dict[str, Any] = {"environment": _environment(), "quick": args.quick}
    results["layer_k_scaling"] = bench_k_scaling(
        hidden=256, n_experts=6, batch=128 if args.quick else 256, reps=reps
    )
    logger.info(
        "MoE 25,000->256, 6 experts: k=6 / k=2 time ratio %.2f (ideal 3.0)",
        results["layer_k_scaling"]["time_ratio_kE_over_k2"],
    )
    results["small_preset"] = bench_small_preset(
        train_batch=64, infer_batch=512 if args.quick else 1024, reps=reps
    )
    small = results["small_preset"]
    logger.info(
        "small preset @25k genes: train %.0f samples/s (float32, fused Adam); "
        "inference %.0f samples/s float32, %.0f bfloat16 (goal 5,000)",
        small["train_samples_per_s"],
        small["infer_samples_per_s_float32"],
        small["infer_samples_per_s_bfloat16"],
    )
    results["paper_layer"] = bench_layer(
        25_182, 1024, 15, 6, batch=32 if args.quick else 128, reps=2 if args.quick else 5
    )
    logger.info(
        "paper MoE layer 25,182->1,024 (15 experts, k=6): %.1f samples/s fwd+bwd",
        results["paper_layer"]["samples_per_s"],
    )
    results["environment"]["load_average_1m_end"] = os.getloadavg()[0]
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
