"""Process-wide set-up for the ``genemoe`` command line only (library code never calls it)."""

from __future__ import annotations

import os

__all__ = ["training_process"]


def training_process() -> None:
    """Set up a process that trains: freed memory kept by glibc for reuse.

    Training allocates and frees the same large buffers each step (weight gradients,
    gathered rows); glibc otherwise returns them and page-faults them in again every step
    (``benchmarks/bench_moe.py``: a k = 2 MoE training step 1.2-1.8 x faster with them
    kept). The process's resident memory then stays near its peak.
    ``GENEMOE_RETAIN_MEMORY=0`` opts out.
    """
    from genemoe.models.dispatch import retain_freed_memory

    if os.environ.get("GENEMOE_RETAIN_MEMORY", "1") != "0":
        retain_freed_memory()
