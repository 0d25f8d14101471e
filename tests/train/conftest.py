"""Fixtures of the training tests: a small three-class train/validation split for tuning."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.train.task_data import TaskData


def _part(rng: np.random.Generator, n: int, offset: int) -> TaskData:
    y = np.arange(n) % 3
    X = (rng.normal(size=(n, 12)) + y[:, None] * 0.8).astype(np.float32)
    return TaskData(X=X, rows=np.arange(offset, offset + n), y=y, time=None, event=None,
                    groups=np.array(["A", "B", "C"], object)[y])


@pytest.fixture(scope="module")
def tuning_parts() -> dict[str, TaskData]:
    """``{"train": 60 rows, "val": 30 rows}``, 12 genes, classes shifted by 0.8 (seeded)."""
    rng = np.random.default_rng(3)
    return {"train": _part(rng, 60, 0), "val": _part(rng, 30, 60)}
