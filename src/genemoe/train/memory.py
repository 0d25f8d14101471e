"""How much memory this process may still take, and what training a model holds.

:func:`available_memory` is what the streaming decision of pre-training, the warning before
a fit and the tuning's memory check read. The kernel's ``MemAvailable`` is the machine's
free memory; a process inside a control group with a memory limit (a Slurm job's
``--mem``, ``docker run --memory``, a Kubernetes pod's limit) is killed at that limit
however much the machine has free, so the group's headroom counts too: its limit minus its
working set (usage less the inactive file cache the kernel reclaims first, as ``docker
stats`` and the kubelet count it), for the process's own group and every group above it
that has a limit. Version 2 (``memory.max``) and version 1 (``memory.limit_in_bytes``)
hierarchies are both read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["available_memory", "cgroup_headroom", "training_memory_bytes", "activation_bytes"]

CGROUP_ROOT = Path("/sys/fs/cgroup")


def available_memory(*, proc: Path = Path("/proc"), cgroup_root: Path = CGROUP_ROOT) -> int:
    """Bytes this process can still allocate: the least of the machine's ``MemAvailable``
    (physical memory where ``/proc/meminfo`` cannot be read) and the headroom of every
    memory-limited control group the process sits in (:func:`cgroup_headroom`)."""
    machine = None
    try:
        with open(proc / "meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    machine = int(line.split()[1]) * 1024  # the kernel writes kB (KiB)
                    break
    except (OSError, ValueError, IndexError):
        pass
    if machine is None:
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    group = cgroup_headroom(proc=proc, cgroup_root=cgroup_root)
    return machine if group is None else min(machine, group)


def cgroup_headroom(*, proc: Path = Path("/proc"), cgroup_root: Path = CGROUP_ROOT) -> int | None:
    """Bytes left below the tightest memory limit among this process's control groups (its
    own and their ancestors); None where no group sets a limit or none can be read.

    A group's headroom is its limit minus its working set (``memory.current`` less the
    ``inactive_file`` cache of ``memory.stat``; version 1: ``memory.usage_in_bytes`` less
    ``total_inactive_file``), never below 0.
    """
    try:
        lines = (proc / "self" / "cgroup").read_text().splitlines()
    except OSError:
        return None
    dirs: list[tuple[Path, tuple[str, str, str]]] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        if controllers == "":  # version 2, the unified hierarchy
            dirs += [(d, ("memory.max", "memory.current", "inactive_file"))
                     for d in _up(cgroup_root, rel)]
        elif "memory" in controllers.split(","):  # version 1, the memory controller's
            dirs += [(d, ("memory.limit_in_bytes", "memory.usage_in_bytes",
                          "total_inactive_file")) for d in _up(cgroup_root / "memory", rel)]
    rooms = [r for d, names in dirs if (r := _room(d, *names)) is not None]
    return min(rooms) if rooms else None


def _up(base: Path, rel: str) -> list[Path]:
    """``base/rel`` and its parents up to ``base`` (inside a container's own cgroup namespace
    ``rel`` is ``/`` and ``base`` is the container's group)."""
    parts = [p for p in rel.strip().split("/") if p and p != ".."]
    return [base.joinpath(*parts[:i]) for i in range(len(parts), -1, -1)]


def _room(d: Path, limit_file: str, usage_file: str, inactive_key: str) -> int | None:
    """One group's headroom; None when it sets no limit or its files cannot be read."""
    try:
        raw = (d / limit_file).read_text().strip()
        if raw == "max":
            return None
        limit = int(raw)
        if limit >= 2**62:  # version 1's "no limit" (a page-rounded LONG_MAX)
            return None
        usage = int((d / usage_file).read_text().strip())
    except (OSError, ValueError):
        return None
    inactive = 0
    try:
        for line in (d / "memory.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == inactive_key:
                inactive = int(value)
                break
    except (OSError, ValueError):
        pass
    return max(0, limit - max(0, usage - inactive))


def training_memory_bytes(weight_bytes: int, *, ema: bool) -> int:
    """A floor on the memory that training weights of ``weight_bytes`` with Adam holds: the
    weights, their gradients, Adam's two moments, the kept best state and the EMA copy
    (activations, data and the allocator's slack come on top)."""
    return weight_bytes * (5 + int(ema))


def activation_bytes(model: Any, n_genes: int) -> int:
    """About the bytes one training sample's activations hold for the backward pass: the
    outputs of every leaf module from the first one that trains on (frozen layers before it
    keep none), measured by one forward pass on the ``meta`` device (shapes only: no memory,
    no arithmetic). 0 where the model cannot run there.

    A CNN's activations grow with the image's area and dwarf its weights: VGG-19 holds about
    0.13 GB per sample at 224 × 224 and 62 GB at 5,000 × 5,000, where `train --image-size
    5000` was killed for memory with no word (the check counted weights only).
    """
    import torch
    from torch.func import functional_call

    held = {name: (t if t.dtype == torch.bool else torch.empty_like(t, device="meta"))
            for name, t in [*model.named_parameters(), *model.named_buffers()]}
    leaves = [m for m in model.modules() if not any(m.children())]
    trainable = {id(m) for m in leaves if any(p.requires_grad for p in m.parameters())}  # before
    total, trains = [0], [False]  # the call swaps in meta tensors, which train nothing

    def count(module: Any, inputs: Any, output: Any) -> None:
        trains[0] = trains[0] or id(module) in trainable
        if trains[0] and isinstance(output, torch.Tensor):
            total[0] += output.numel() * output.element_size()

    hooks = [m.register_forward_hook(count) for m in leaves]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            functional_call(model, held, (torch.empty(1, n_genes, device="meta"),))
    except Exception:  # noqa: BLE001 (an operation without a meta kernel: no estimate)
        return 0
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return int(total[0])
