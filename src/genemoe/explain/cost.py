"""What an explanation will cost, said before a long one where no progress bar shows it.

A default ``train_ig`` explanation of Gene-MOE on 19,420 genes takes about 12 minutes on
a CPU (74 samples x 8 references x 50 steps, and more for the samples IG integrates
again): with no bar (stderr a file or a pipe, ``--no-progress``) nothing said so. The
cost is counted in *gradient rows* (one input row through a forward and a backward pass)
and timed on one pass of the model before the work: a rough floor (captum's own work adds
to it: 1.0 against 0.76 ms a row for Gene-MOE on 19,420 genes on two CPU cores), and a
ceiling where every sample missing completeness is integrated again, up to ``--max-steps``
(most were, on Gene-MOE: 68 of 74 at 200 steps).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import torch
from torch import nn

from genemoe.explain.integrated_gradients import output_fn
from genemoe.explain.methods import refines

__all__ = ["gradient_rows", "seconds_per_row", "cost_text"]

log = logging.getLogger(__name__)

PROBE_FROM_ROWS = 5_000  # fewer rows: too cheap to time (the probe costs 3 passes)
SAY_FROM_SECONDS = 60.0  # estimates below this are not said


def gradient_rows(method: str, n_samples: int, *, n_steps: int, n_draws: int) -> tuple[int, str]:
    """Gradient rows of ``method`` before any re-integration, and how they are counted
    (``74 samples x 8 references x 50 steps``); ``(0, "")`` for the one-pass methods."""
    s = "s" if n_samples != 1 else ""
    if method in ("ig", "frozen_ig"):
        return n_samples * n_steps, f"{n_samples} sample{s} x {n_steps} steps"
    if method == "train_ig":
        return (n_samples * n_draws * n_steps,
                f"{n_samples} sample{s} x {n_draws} references x {n_steps} steps")
    if method == "gradient_shap":
        return n_samples * n_draws, f"{n_samples} sample{s} x {n_draws} draws"
    return 0, ""  # deeplift, linear: one pass per sample


def seconds_per_row(model: nn.Module, x: np.ndarray, *, target: int | None,
                    batch: int = 64) -> float:
    """Seconds one row takes through a forward and a backward pass of ``model``: the faster
    of two passes of ``batch`` copies of ``x`` ``(n_genes,)`` after one that warms up (a
    busy machine made one pass 10x slower)."""
    forward = output_fn(model)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    rows = torch.as_tensor(np.repeat(np.asarray(x, np.float32)[None], batch, 0)).to(device)
    took = []
    try:
        with torch.enable_grad():
            for _ in range(3):
                xb = rows.clone().requires_grad_(True)
                t0 = time.perf_counter()
                out = forward(xb)
                # the input's gradient only, as captum takes it: backward() also filled every
                # trainable parameter's (a rebuilt backbone's whole network), timing too high
                torch.autograd.grad((out if target is None else out[:, target]).sum(), xb)
                took.append(time.perf_counter() - t0)
    finally:
        model.train(was_training)
        model.zero_grad(set_to_none=True)
    return min(took[1:]) / batch


def _duration(seconds: float) -> str:
    """``under 1 s``, ``40 s``, ``12 min``, ``2.5 h``."""
    if seconds < 0.5:  # was "0 s"
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def _refine_factor(method: str, n_steps: int, max_steps: int) -> float:
    """The most an explanation's rows can grow by re-integration: a sample missing
    completeness is integrated again with 4x the steps, up to ``max_steps`` (50 steps then
    200 and 400: 13x); 1 for the methods without a path."""
    if method not in ("ig", "frozen_ig", "train_ig"):
        return 1.0
    steps = total = n_steps
    while steps < max_steps:
        steps = min(4 * steps, max_steps)
        total += steps
    return total / n_steps


def cost_text(model: nn.Module, X: np.ndarray, method: str, *, target: np.ndarray | None,
              n_steps: int, n_draws: int, batch: int, max_steps: int) -> str | None:
    """One line estimating a long explanation's cost, or None where it is short (fewer than
    :data:`PROBE_FROM_ROWS` rows, or under :data:`SAY_FROM_SECONDS` once timed, counting
    every re-integration) or the timing pass fails (the attribution then says why)."""
    rows, counted = gradient_rows(method, len(X), n_steps=n_steps, n_draws=n_draws)
    most = _refine_factor(method, n_steps, max_steps) if refines(method, model) else 1.0
    if rows * most < PROBE_FROM_ROWS:
        return None
    try:
        per_row = seconds_per_row(model, X[0], target=None if target is None else int(target[0]),
                                  batch=max(1, min(batch, 256)))
    except (RuntimeError, ValueError):  # out of memory, an odd model: the work itself will say
        return None
    seconds = rows * per_row
    if seconds * most < SAY_FROM_SECONDS:
        return None
    log.debug("explanation cost: %s = %s gradient rows at %.2g ms a row (timed on one pass)",
              counted, f"{rows:,}", per_row * 1e3)  # the detail behind -v: the line was ~190
    if seconds < SAY_FROM_SECONDS:  # long only at its ceiling: "at least 0 s" was said
        return (f"a long explanation if samples missing completeness are integrated again: up "
                f"to {_duration(seconds * most)}\n  (--max-steps {max_steps}); first "
                f"{rows:,} gradient rows, {per_row * 1e3:.2g} ms each ({_duration(seconds)})")
    again = (f"\n  up to {_duration(seconds * most)} if samples missing completeness are "
             f"integrated again (--max-steps {max_steps})" if most > 1 else "")
    return (f"a long explanation: at least {_duration(seconds)} ({rows:,} gradient rows, "
            f"{per_row * 1e3:.2g} ms each){again}")
