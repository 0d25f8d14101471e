"""Seeded training without touching the caller's random state.

Training seeds torch's global generator (model initialisation, dropout, the noisy gate's
noise), so that a seed reproduces a run. From Python that reset the user's generator: after
``train_run(...)`` a notebook's ``torch.rand(3)`` gave the same numbers whatever seed it had
set. :func:`keeps_global_rng` gives a function torch's CPU (and CUDA) generator states, and
numpy's and Python's global ones, back as they were when it returns or raises.

A process's first import of some libraries draws from Python's generator as well
(``import sklearn.metrics`` pulls in ``rich.style``, which calls ``getrandbits``): an entry
point that promises the caller's states back (``train_run``) is wrapped whole, not only
its fit, so that an import inside it is covered too.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch

__all__ = ["keeps_global_rng"]

F = TypeVar("F", bound=Callable[..., Any])


def keeps_global_rng(fn: F) -> F:
    """Decorate ``fn`` so that the global random states are restored after it."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
        devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
        try:
            with torch.random.fork_rng(devices=devices):
                return fn(*args, **kwargs)
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)  # noqa: NPY002

    return wrapper  # type: ignore[return-value]
