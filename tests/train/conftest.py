"""Fixtures of the training tests: a small three-class train/validation split for tuning,
and a tiny fcn study on it (``tune_fcn``)."""

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


TINY_FCN = {"hidden": 16, "latent": 8}
FAST = {"epochs": 2, "batch_size": 32, "device": "cpu", "patience": None}


@pytest.fixture(scope="module")
def tune_fcn(tuning_parts):
    """``tune_fcn(url, n_trials, **options)``: a tiny fcn study on :func:`tuning_parts`
    (seed 0, study ``"t"``), stored at ``url``; ``options`` go to ``tune_model``."""
    from genemoe.train.tuning import tune_model

    def run(url: str, n_trials: int, **options):
        return tune_model("fcn", "classify", tuning_parts, base_model_cfg=TINY_FCN,
                          base_train_cfg=FAST, n_outputs=3, n_trials=n_trials, seed=0,
                          storage=url, study_name="t", **options)

    return run
