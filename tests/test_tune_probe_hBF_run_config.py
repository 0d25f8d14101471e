"""A survival run's config.yaml with or without the classifier's ``focal_gamma`` and
``class_alpha`` loads as ``--config`` (an outside probe, hBF).

A survival run's config.yaml kept them in its resolved ``train:`` section (best.yaml and
the run's ``loss`` drop them); :func:`task_options` is what best.yaml writes, and what
train's config.yaml should write. Both the old file and the trimmed one must load.
"""

from __future__ import annotations

import pytest
import yaml

from genemoe.train.fit import resolve_config
from genemoe.workflows.tune_text import task_options

_TRAIN = {"epochs": 2, "batch_size": 64, "lr": 0.0003, "weight_decay": 1.0e-05,
          "focal_gamma": 2.0, "class_alpha": "inverse_sqrt", "cox_ties": "efron",
          "patience": 8, "survival_selection": "partial_likelihood", "select_window": 3,
          "aux_weight": 0.01, "seed": 0, "device": "auto"}


def test_task_options_drop_only_the_other_tasks_keys():
    kept = task_options(_TRAIN, "survival")
    assert set(_TRAIN) - set(kept) == {"focal_gamma", "class_alpha"}
    assert set(_TRAIN) - set(task_options(_TRAIN, "classify")) == {"cox_ties",
                                                                  "survival_selection"}


@pytest.mark.parametrize("trimmed", [False, True])
def test_a_survival_runs_config_yaml_loads_as_config(tmp_path, trimmed):
    run = {"task": "survival", "model": "fcn", "preset": "small", "seed": 0, "endpoint": "OS",
           "ensemble": 1, "model_config": {"hidden": 256, "latent": 64, "dropout": 0.5},
           "train": task_options(_TRAIN, "survival") if trimmed else dict(_TRAIN)}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(run))
    _, model_cfg, train_cfg = resolve_config("small", path, "fcn", seed=0, device="cpu",
                                             epochs=None, task="survival")
    assert model_cfg["hidden"] == 256 and train_cfg["lr"] == 0.0003
    assert train_cfg["survival_selection"] == "partial_likelihood"
