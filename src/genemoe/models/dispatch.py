"""Sparse dispatch of a batch to top-k experts, at a cost that follows ``k``.

The work of a sparse MoE layer is the routed rows' arithmetic: ``batch * k`` rows through
one expert each. Around it sit fixed costs that grow with the number of experts or of
operations rather than with ``k``: one gather per expert, one scatter per expert, and the
per-operation overhead of autograd and of OpenMP barriers (which on a shared machine cost
more than the arithmetic of a thin matrix product). :func:`sparse_dispatch` keeps them
small:

* the routed slots are sorted by expert once (:func:`plan_routes`) and ``x`` is gathered
  once into one contiguous block; each expert reads a contiguous slice of it (a view, no
  copy), and an expert that receives the whole batch (``k = n_experts``, or a batch of
  one) reads ``x`` itself with no gather at all;
* the experts' outputs are concatenated once and put back in slot order by one
  ``index_select`` (a permutation), then combined with the gate values in one batched
  product, so nothing is scattered with ``index_add`` and no per-expert temporaries of
  the output width are made.

``torch._grouped_mm`` (one call over all experts' row blocks on a stacked weight) exists
in torch 2.13's CPU build and gives the same result, but measured 1.2-1.4x *slower* than
this loop over contiguous slices on the benchmark machine (AMD EPYC, AVX-512, 1 and 2
threads, float32 and bfloat16), and it would need the experts' weights stacked in one
parameter; the experts stay separate modules (any module works: dense experts, attention
experts) and their state-dict keys are unchanged.

What remains fixed in ``k`` is mostly memory: every expert that gets a row reads its whole
weight in the forward pass and writes a whole weight gradient in the backward pass, and
with glibc's default ``malloc`` those fresh 25 MB gradient buffers (and the gathered
rows) are handed back to the kernel after each step and page-faulted in again on the
next. :func:`retain_freed_memory` keeps freed memory in the process instead; on the
benchmark machine it removed ~47,000 page faults per training step of an 8-expert layer
at 25,000 genes and made its ``k = 2`` step 1.2-1.8x faster in back-to-back processes
(see ``benchmarks/README.md``).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["RoutePlan", "plan_routes", "retain_freed_memory", "release_freed_memory",
           "sparse_dispatch"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutePlan:
    """Where each routed slot of a batch goes, grouped by expert.

    A slot is one (sample, choice) pair: ``batch * k`` of them, numbered ``b * k + j``.

    Attributes
    ----------
    rows
        ``(n_gathered,)`` the sample of each slot whose expert does not receive the whole
        batch, sorted by expert (then by sample): the rows of the one gather of ``x``.
    inverse
        ``(batch * k,)`` for slot ``b * k + j``, its row in the experts' concatenated
        output (experts in index order, each with its rows in sample order).
    counts
        Rows per expert, ``len == n_experts``.
    full
        Per expert, whether it receives every sample of the batch (it then reads ``x``
        itself, and its rows are ``0..batch-1`` in order).
    """

    rows: torch.Tensor
    inverse: torch.Tensor
    counts: list[int]
    full: list[bool]


def plan_routes(indices: torch.Tensor, n_experts: int) -> RoutePlan:
    """Sort a batch's routed slots by expert (one stable sort, one ``bincount``).

    Parameters
    ----------
    indices
        ``(batch, k)`` distinct expert indices per sample (a top-k gate's choice).
    n_experts
        Number of experts.

    Returns
    -------
    RoutePlan
    """
    batch, k = indices.shape
    flat = indices.reshape(-1)  # (B*k,) expert of each slot
    order = torch.argsort(flat, stable=True)  # (B*k,) slots grouped by expert, samples ascending
    counts_t = torch.bincount(flat, minlength=n_experts)  # (E,)
    counts = counts_t.tolist()
    full = [c == batch for c in counts]
    rows = torch.div(order, k, rounding_mode="floor")  # (B*k,) sample of each sorted slot
    if any(full):  # those experts read x directly: leave their slots out of the gather
        partial_slot = ~torch.tensor(full, device=flat.device)[flat[order]]  # (B*k,)
        rows = rows[partial_slot]
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(order.numel(), device=order.device)  # (B*k,)
    return RoutePlan(rows=rows, inverse=inverse, counts=counts, full=full)


def sparse_dispatch(
    x: torch.Tensor,
    indices: torch.Tensor,
    weights: torch.Tensor,
    experts: Sequence[nn.Module],
    d_out: int,
) -> torch.Tensor:
    """``y_b = sum_j weights[b, j] * experts[indices[b, j]](x_b)``, computed sparsely.

    Each expert runs once, on only the rows routed to it (a contiguous slice of one
    gather of ``x``; see the module docstring); experts with no rows are not called. The
    rows an expert sees are independent of each other, so (in eval mode) a sample's output
    never depends on its batch-mates. Under autocast the output follows the experts'
    dtype (the gate values are cast to it).

    Parameters
    ----------
    x
        ``(batch, d_in)``.
    indices
        ``(batch, k)`` distinct expert indices per sample.
    weights
        ``(batch, k)`` gate value per routed slot.
    experts
        The ``n_experts`` modules, each ``(rows, d_in) -> (rows, d_out)``.
    d_out
        Output width.

    Returns
    -------
    torch.Tensor
        ``(batch, d_out)``.
    """
    batch, k = indices.shape
    plan = plan_routes(indices, len(experts))
    xs = x.index_select(0, plan.rows) if plan.rows.numel() else None  # (n_gathered, d_in)
    outs: list[torch.Tensor] = []
    start = 0
    for expert, n_rows, full in zip(experts, plan.counts, plan.full, strict=True):
        if n_rows == 0:
            continue
        if full:
            outs.append(expert(x))  # (batch, d_out): every sample, in order
        else:
            outs.append(expert(xs.narrow(0, start, n_rows)))  # (n_rows, d_out)
            start += n_rows
    if not outs:  # an empty batch
        return x.new_zeros(batch, d_out)
    ys = torch.cat(outs) if len(outs) > 1 else outs[0]  # (B*k, d_out), grouped by expert
    per_slot = ys.index_select(0, plan.inverse).view(batch, k, d_out)  # (B, k, d_out)
    return torch.bmm(weights.to(ys.dtype).unsqueeze(1), per_slot).squeeze(1)  # (B, d_out)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters (malloc.h)
_MALLOPT_SAID: set[tuple[int, int]] = set()  # settings taken and logged in this process


def retain_freed_memory(*, mmap_threshold: int = 256 * 2**20, trim_threshold: int = 2**30) -> bool:
    """Let glibc ``malloc`` keep freed memory for reuse instead of returning it each time.

    Sets ``M_MMAP_THRESHOLD`` (allocations up to this size come from the heap, not from a
    fresh ``mmap`` that is page-faulted in and unmapped on free) and ``M_TRIM_THRESHOLD``
    (up to this much free memory at the top of the heap is kept). Training steps that
    allocate and free the same large buffers every step (weight gradients, gathered rows)
    then stop paying the kernel to zero and map those pages again. The cost: the
    process's resident memory stays near its peak. Process-wide; call it once, at the
    start of a training or benchmark process (the library never calls it by itself).

    Parameters
    ----------
    mmap_threshold, trim_threshold
        Bytes (at most ``2**31 - 1`` each: ``mallopt`` takes an ``int``).

    Returns
    -------
    bool
        True if both settings were taken; False off Linux/glibc (nothing changed).
    """
    if not sys.platform.startswith("linux"):
        return False
    if max(mmap_threshold, trim_threshold) > 2**31 - 1 or min(mmap_threshold, trim_threshold) < 0:
        raise ValueError("mallopt thresholds must be in 0 .. 2**31 - 1 bytes")
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other libcs have no mallopt
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, trim_threshold) == 1 and ok
    settings = (mmap_threshold, trim_threshold)
    if not ok or settings not in _MALLOPT_SAID:  # once per process (was each run and cell)
        logger.debug("mallopt mmap_threshold=%d trim_threshold=%d: %s", mmap_threshold,
                     trim_threshold, "ok" if ok else "refused")
    if ok:
        _MALLOPT_SAID.add(settings)
    return ok


def release_freed_memory() -> bool:
    """Hand the memory freed so far back to the system (glibc ``malloc_trim(0)``).

    With :func:`retain_freed_memory` a process keeps what it frees, which one training run
    reuses at every step; a process that trains many models of other shapes one after the
    other (tuning trials, benchmark cells) instead piles up heap it cannot reuse: a gdc6
    ``benchmark --tune 10 --ensemble 3`` worker held 14.5 GB while fitting a Cox-nnet, and
    two of them ran the 24 GB machine out of memory. Called between such fits (after each
    trial and each cell), it keeps the speed inside a fit and the memory flat across fits
    (measured: 300 samples × 8,000 genes, 8 Gene-MOE trials: RSS 0.79 → 1.47 GB with freed
    memory retained, flat at 0.49 GB with this after each trial). Python's garbage is
    collected first.

    Returns
    -------
    bool
        True where glibc took the call; False elsewhere (nothing to do there).
    """
    gc.collect()
    if not sys.platform.startswith("linux"):
        return False
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl and other libcs
        return False
    trim(0)
    return True
