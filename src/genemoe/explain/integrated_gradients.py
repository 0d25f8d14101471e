"""Integrated Gradients (Sundararajan et al. 2017, via captum) for every genemoe neural model.

IG attributes ``f(x) - f(baseline)`` to the input genes by integrating the gradient along
the straight line from the baseline to ``x``:
``IG_i = (x_i - b_i) * ∫₀¹ ∂f(b + α(x - b))/∂x_i dα`` (a Riemann/Gauss-Legendre sum of
``n_steps`` points). Completeness: ``Σ_i IG_i = f(x) - f(b)`` up to the integration error,
which captum returns as the *convergence delta* ``Σ_i IG_i - (f(x) - f(b))``.

Every genemoe neural model takes the scaled gene vector ``(n, n_genes)`` as input, image
models included (their gene → pixel layout is a fixed scatter inside ``forward``), so
attributions are always per gene.

Baselines, in the scaled (z-scored) space the models see:

- ``"train_mean"``: the training split's mean profile. Under the usual z-scoring
  ``(x - train_mean) / train_std`` that is the zero vector; under the image models'
  ``global`` scaling (one shift and scale for all genes) it is the scaled per-gene mean
  (:meth:`~genemoe.data.scaling.Scaler.mean_profile`). Attributions then say how each
  gene's departure from the average training tumour moved the output.
- ``"zeros"``: zero expression on the log scale (no transcripts of any gene), mapped
  through the scaler: ``clip((0 - shift) / scale)``, i.e. ``-train_mean / train_std`` per
  gene, clipped exactly as data are. Needs the scaler.
- an array ``(n_genes,)`` or ``(n, n_genes)``: a baseline already in scaled space.

Sparse top-k routing (``moe``, ``genemoe``) makes the model jump where a sample's expert set
changes along the path, and completeness fails by the jump. ``routing="frozen"`` integrates
the model with each sample's routing frozen at its own experts
(:func:`genemoe.models.moe.frozen_routing`): a smooth function equal to the model at ``x``,
for which completeness holds. The convergence delta is then
``Σ attributions - (f(x) - f_frozen(baseline))``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from typing import Literal

import numpy as np
import torch
from torch import nn

from genemoe.data.scaling import Scaler
from genemoe.errors import input_error
from genemoe.models.moe import frozen_routing

__all__ = ["attribute", "baseline_vector", "convergence_summary", "samples_off", "off_mask",
           "barely_moved", "moved_cutoff", "BaselineName", "Routing", "output_fn"]

log = logging.getLogger(__name__)

BaselineName = Literal["zeros", "train_mean"]
Routing = Literal["live", "frozen"]


def baseline_vector(baseline: BaselineName | np.ndarray, n_genes: int, *,
                    scaler: Scaler | None = None) -> np.ndarray:
    """The baseline in scaled space: ``(n_genes,)`` or ``(n, n_genes)`` float32.

    See the module docstring for what ``"train_mean"`` and ``"zeros"`` mean.
    """
    if isinstance(baseline, str):
        if baseline == "train_mean":  # 0 under z-scoring; the scaled mean profile under `global`
            return np.zeros(n_genes, np.float32) if scaler is None else scaler.mean_profile()
        if baseline == "zeros":
            if scaler is None:
                raise input_error("the 'zeros' baseline needs the model's scaler",
                                  where="baseline", fix="pass scaler=Scaler.from_dict(payload['scaler'])")
            return scaler.transform(np.zeros((1, n_genes), np.float32))[0]
        raise input_error(f"unknown baseline {baseline!r}", where="--baseline",
                          fix="use train_mean or zeros")
    b = np.asarray(baseline, np.float32)
    if b.shape[-1] != n_genes or b.ndim > 2:
        raise input_error(f"baseline shape {b.shape} does not match {n_genes} genes", where="baseline",
                          fix="pass (n_genes,) or (n_samples, n_genes) in scaled space")
    return b


def output_fn(model: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """``x (B, n_genes) -> (B, n_outputs)`` logits, or ``(B,)`` risk for survival."""
    survival = getattr(model, "task", "classify") == "survival"

    def forward(x: torch.Tensor) -> torch.Tensor:
        out = model(x).out
        return out[:, 0] if survival else out

    return forward


def _check_target(model: nn.Module, target: int | np.ndarray | None, n: int) -> int | list[int] | None:
    task = getattr(model, "task", "classify")
    if task == "survival":
        if target is not None:
            raise input_error("a survival model has one output (the risk): target must be None",
                              where="target", fix="pass target=None")
        return None
    if target is None:
        raise input_error("a classifier needs a target class for each sample", where="target",
                          fix="pass the class index (int) or an (n,) array, e.g. the predicted class")
    if np.ndim(target) == 0:
        return int(target)
    t = np.asarray(target, dtype=np.int64).reshape(-1)
    if len(t) != n:
        raise input_error(f"{len(t)} targets for {n} samples", where="target",
                          fix="pass one class index per sample")
    return t.tolist()


def attribute(model: nn.Module, X: np.ndarray, *, target: int | np.ndarray | None,
              baseline: BaselineName | np.ndarray = "train_mean", scaler: Scaler | None = None,
              n_steps: int = 50, internal_batch_size: int = 64,
              method: str = "gausslegendre", routing: Routing = "live",
              progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integrated Gradients of ``model`` at scaled expression ``X``.

    Parameters
    ----------
    model
        A genemoe ``GeneModel`` (any family; evaluated in eval mode, its mode restored).
    X
        ``(n, n_genes)`` float32, scaled as the model was trained (the run's scaler).
    target
        Class index (int, or ``(n,)`` array, one per sample) of a classifier's logit to
        explain; ``None`` for a survival model (its risk).
    baseline
        ``"train_mean"``, ``"zeros"`` (needs ``scaler``) or an array in scaled space.
    n_steps
        Integration points per sample.
    internal_batch_size
        Rows per forward/backward pass (bounds memory: ``n * n_steps`` rows in all).
    method
        captum's integration rule (``"gausslegendre"``, ``"riemann_trapezoid"``, ...).
    routing
        ``"live"``: the model as it is; ``"frozen"``: every top-k gate keeps each sample's
        experts at ``x`` along the whole path (module docstring). Models without gates
        give the same numbers either way.
    progress
        A progress bar over chunks of samples.

    Returns
    -------
    tuple
        ``attributions (n, n_genes)`` float32 and ``delta (n,)`` float32, the convergence
        delta ``Σ attributions - (f(x) - f(baseline))``.
    """
    from captum.attr import IntegratedGradients
    from tqdm.auto import tqdm

    X = np.asarray(X, np.float32)
    if X.ndim != 2:
        raise input_error(f"X must be (n, n_genes), got shape {X.shape}", where="X")
    n, n_genes = X.shape
    if n == 0:
        return np.zeros((0, n_genes), np.float32), np.zeros(0, np.float32)
    tgt = _check_target(model, target, n)
    b = baseline_vector(baseline, n_genes, scaler=scaler)
    device = next(model.parameters()).device
    b = np.broadcast_to(b, X.shape)
    was_training = model.training
    model.eval()  # dropout off, MoE gates deterministic
    attrs, deltas = [], []
    # captum's internal batches hold every example at once (n rows at least); chunk the
    # samples so that no pass holds more than ``internal_batch_size`` rows. IG of one
    # sample never depends on another (eval mode), so chunking changes no number.
    chunk = max(1, int(internal_batch_size))
    try:
        with torch.enable_grad():
            ig = IntegratedGradients(output_fn(model))
            for i in tqdm(range(0, n, chunk), desc="integrated gradients", unit="chunk",
                          disable=not progress or n <= chunk):
                sl = slice(i, i + chunk)
                t = tgt[sl] if isinstance(tgt, list) else tgt
                xs = torch.from_numpy(X[sl]).to(device)
                # captum tiles the path points (row r is sample r % n): the "tile" layout
                freeze = frozen_routing(model, xs) if routing == "frozen" else nullcontext()
                with freeze:
                    a, d = ig.attribute(xs, baselines=torch.from_numpy(b[sl].copy()).to(device),
                                        target=t, n_steps=n_steps, method=method,
                                        internal_batch_size=max(internal_batch_size, len(X[sl])),
                                        return_convergence_delta=True)
                attrs.append(a.detach().cpu().numpy().astype(np.float32))
                deltas.append(d.detach().cpu().numpy().astype(np.float32).reshape(-1))
    finally:
        model.train(was_training)
    return np.concatenate(attrs), np.concatenate(deltas)


def convergence_summary(attributions: np.ndarray, delta: np.ndarray, *,
                        eps: float = 1e-8) -> dict[str, float]:
    """How well completeness held: absolute and relative deltas.

    ``f(x) - f(baseline)`` is recovered as ``Σ attributions - delta``; the relative delta
    of a sample is ``|delta| / |f(x) - f(baseline)|`` (samples whose output barely moved,
    :func:`barely_moved`, are left out of the relative numbers: their ratio is noise; the
    same rule as :func:`samples_off`'s count; this used ``|f(x) - f(b)| < 1e-3``, so a
    sample moved 0.004 against a median of 1 set the maximum but sat outside the count).

    ``n_measured`` counts the samples the relative numbers are of: 0 where no sample's
    output moved (a model whose output is the same for every input, an image model
    trained one epoch): completeness was then not measured, and the relative numbers,
    0.0, mean nothing (they read as "off by 0.00%" on a ranking of noise).
    """
    delta = np.asarray(delta, np.float64)
    diff = np.asarray(attributions, np.float64).sum(1) - delta  # f(x) - f(baseline)
    moved = ~barely_moved(attributions, delta)
    rel = np.abs(delta[moved]) / (np.abs(diff[moved]) + eps)
    return {
        "n_samples": int(len(delta)),
        "max_abs_delta": float(np.abs(delta).max()) if len(delta) else 0.0,
        "mean_abs_delta": float(np.abs(delta).mean()) if len(delta) else 0.0,
        "max_relative_delta": float(rel.max()) if len(rel) else 0.0,
        "median_relative_delta": float(np.median(rel)) if len(rel) else 0.0,
        "mean_abs_output_change": float(np.abs(diff).mean()) if len(diff) else 0.0,
        "n_relative": int(moved.sum()),
        "n_measured": int(moved.sum()),
    }


def samples_off(attr: np.ndarray, delta: np.ndarray, *, tolerance: float = 0.05,
                floor: float = 0.05) -> int:
    """How many samples miss completeness by more than ``tolerance`` of their output change.

    ``attr`` ``(n, genes)``, ``delta`` ``(n,)``. Samples whose output moved less than ``floor``
    times the median move (and less than 1e-3) are left out: a sample whose logit barely
    moved from the reference has a ratio of noise (one such sample, moved 0.005 against a
    median of 1.9, missed by 0.007 and raised the warning for a whole MLP explanation).
    """
    return int(off_mask(attr, delta, tolerance=tolerance, floor=floor).sum())


def off_mask(attr: np.ndarray, delta: np.ndarray, *, tolerance: float = 0.05,
             floor: float = 0.05) -> np.ndarray:
    """``(n,)`` True for the samples :func:`samples_off` counts."""
    delta = np.asarray(delta, np.float64)
    move = np.abs(np.asarray(attr, np.float64).sum(1) - delta)  # |f(x) - f(baseline)|
    return ~barely_moved(attr, delta, floor=floor) & (np.abs(delta) > tolerance * move)


def moved_cutoff(attr: np.ndarray, delta: np.ndarray, *, floor: float = 0.05) -> float:
    """The least move from the reference a sample needs to count in the relative numbers:
    ``max(1e-3, floor x the median move)``, the move being ``|Σ attributions - delta|``
    (the output change the attributions explain); 0.0 for no samples. The one rule of
    completeness, IG's refinement, the routing jump and the maps' titles (the routing jump
    took the median of the live change: a sample moved 0.1026 was left out of completeness,
    cutoff 0.105, and counted in the jump)."""
    delta = np.asarray(delta, np.float64)
    move = np.abs(np.asarray(attr, np.float64).sum(1) - delta)
    return max(1e-3, floor * float(np.median(move))) if len(move) else 0.0


def barely_moved(attr: np.ndarray, delta: np.ndarray, *, floor: float = 0.05) -> np.ndarray:
    """``(n,)`` True for the samples whose output moved from the reference by less than
    :func:`moved_cutoff` (``floor`` times the median move, at least 1e-3):
    :func:`samples_off` leaves them out."""
    delta = np.asarray(delta, np.float64)
    move = np.abs(np.asarray(attr, np.float64).sum(1) - delta)
    if not len(move):
        return np.zeros(0, bool)
    return move < moved_cutoff(attr, delta, floor=floor)
