"""Measuring for ``device_check.py``: timing, memory, and FLOPs (counted and analytic).

Moved out of ``benchmarks/device_check.py`` (which imports these names, so
``device_check.time_steps`` etc. still work) to keep each module under 600 lines.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

logger = logging.getLogger("device_check")

N_CLASSES = 33


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(step: Callable[[], Any], *, warmup: int, steps: int,
               device: torch.device) -> dict[str, float]:
    """Seconds per call of ``step`` (synchronised), after ``warmup`` untimed calls."""
    for _ in range(warmup):
        step()
    sync(device)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        sync(device)
        times.append(time.perf_counter() - t0)
    return {"steps": steps, "warmup": warmup, "median_s": float(np.median(times)),
            "mean_s": float(np.mean(times)), "min_s": float(np.min(times))}


def counted_flops(step: Callable[[], Any]) -> float | None:
    """FLOPs that ``torch.utils.flop_counter`` counts in one call of ``step`` (matmuls,
    convolutions, attention; elementwise work is not counted), or None where the counter
    cannot follow the step (its module tracker refuses ``autograd.grad``, which the
    gradient penalty of pre-training calls)."""
    from torch.utils.flop_counter import FlopCounterMode

    try:
        with FlopCounterMode(display=False) as counter:
            step()
    except RuntimeError as exc:
        logger.info("flop counter: %s", exc)
        return None
    return float(counter.get_total_flops())


def reset_memory(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def memory_stats(device: torch.device) -> dict[str, float]:
    if device.type == "cuda":
        return {"peak_gpu_mib": torch.cuda.max_memory_allocated(device) / 2**20}
    return {"peak_rss_mib_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def utilisation(flops_per_step: float, seconds: float, peak: dict[str, float | None]
                ) -> dict[str, float | None]:
    """Achieved TFLOP/s and its share of the datasheet peak and of the measured matmul."""
    achieved = flops_per_step / seconds / 1e12
    sheet, measured = peak.get("datasheet_bf16_tflops"), peak.get("measured_tflops")
    return {"tflops": achieved, "mfu_datasheet_bf16": achieved / sheet if sheet else None,
            "mfu_measured_matmul": achieved / measured if measured else None}


def flop_rate(tflops: float) -> str:
    """``tflops`` (TFLOP/s) for a log line, in the unit that keeps its digits: ``"312 TFLOP/s"``,
    ``"1.23 TFLOP/s"``, ``"41.9 GFLOP/s"`` below 1 TFLOP/s, ``"850 MFLOP/s"`` below 1 GFLOP/s
    (the CPU run's lines read "0.0 TFLOP/s" and "0.00 TFLOP/s": no figure at all)."""
    value, unit = tflops, "TFLOP/s"
    for smaller in ("GFLOP/s", "MFLOP/s"):
        if abs(value) >= 1 or not value:
            break
        value, unit = value * 1e3, smaller
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:.{digits}f} {unit}"


def genemoe_flops(n_genes: int, cfg: dict[str, Any], *, n_outputs: int = N_CLASSES,
                  decoder: bool = False, train: bool = True) -> float:
    """Active matmul FLOPs per sample of ``genemoe`` (k of n experts run), analytic.

    Forward: the gates (clean + noise projections in training), ``k`` experts of
    ``2 G H``, ``moae_k`` attention experts (q/k/v/out projections, scores and weighted
    sum over ``n_tokens`` tokens, the feed-forward of width 2 d), ``mu`` (+ ``logvar``),
    the head; with ``decoder``, its gate, ``k`` experts of ``2 L H`` and the ``2 H G``
    output layer; each sparse layer's combine (a batched product of the ``k`` gate values
    and the routed outputs). Training: 3 x forward (input and weight gradients) less the input
    gradient of the layers that read the genes (nothing needs it).
    """
    G, H, L = n_genes, cfg.get("hidden", 1024), cfg.get("latent", 256)
    E, k = cfg.get("n_experts", 15), cfg.get("k", 6)
    Em, km, T = cfg.get("moae_experts", 4), cfg.get("moae_k", 2), cfg.get("n_tokens", 16)
    gate_mult = 2 if train else 1  # noisy gating: a second projection in training
    first = gate_mult * 2 * G * E + k * 2 * G * H  # layers reading the genes
    d = H // T
    attn = T * (2 * d * 3 * d + 2 * 2 * T * d + 2 * d * d + 2 * 2 * (d * 2 * d))
    combine = 2 * k * H + 2 * km * H  # the gate-weighted sum of the k (km) routed outputs
    fwd = first + gate_mult * 2 * H * Em + km * attn + (2 if decoder else 1) * 2 * H * L
    fwd += 2 * L * n_outputs + combine
    if decoder:
        fwd += gate_mult * 2 * L * E + k * 2 * L * H + 2 * H * G + 2 * k * H
    return float(3 * fwd - first) if train else float(fwd)


def critic_flops(n_genes: int, widths: tuple[int, ...], n_critic: int) -> float:
    """Matmul FLOPs per sample of the critic's work in one pre-training step (estimate).

    With ``C = 2 (G w1 + w1 w2 + ... + w_last)`` one critic forward: each critic step
    runs real and fake forward + backward (``3C`` less the first layer's input gradient,
    ``2 G w1``, each) and the gradient penalty (forward, input gradient, and the double
    backward through both: about ``6C``); the generator step adds a critic forward and
    an input-gradient pass (``2C``).
    """
    dims = (n_genes, *widths, 1)
    c = 2.0 * sum(a * b for a, b in zip(dims[:-1], dims[1:], strict=True))
    first = 2.0 * n_genes * widths[0]
    return n_critic * (2 * (3 * c - first) + 6 * c) + 2 * c
