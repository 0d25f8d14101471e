"""A survival cell recorded ``survival_selection`` (the criterion its epoch was chosen by) in
``info.loss`` only where the preset set it; a cell of the default said nothing, and the
ablation's recipe line filled in today's default, not what the fit used. Every survival
fit now records the value it ran; older cells (without it) still read as the default."""

from __future__ import annotations

import numpy as np

import genemoe.train.fit as fit
from genemoe.train.task_data import TaskData
from genemoe.workflows.ablation_recipe import recipe_line


def _survival_data(seed: int = 0, n_genes: int = 8) -> dict[str, TaskData]:
    rng = np.random.default_rng(seed)

    def part(m: int) -> TaskData:
        X = rng.normal(size=(m, n_genes)).astype(np.float32)
        time = rng.uniform(10, 1000, size=m)
        event = np.arange(m) % 2 == 0  # half events: every part can be scored
        return TaskData(X=X, rows=np.arange(m), y=None, time=time, event=event,
                        groups=np.array(["A"] * m, dtype=object))

    return {"train": part(40), "val": part(16), "test": part(16)}


def _fit(train_cfg: dict) -> dict:
    res = fit.fit_model("fcn", "survival", _survival_data(),
                        model_cfg={"hidden": 8, "latent": 4},
                        train_cfg={"epochs": 1, "seed": 0, "device": "cpu", **train_cfg},
                        n_outputs=1)
    return res.info


def test_a_survival_fit_records_the_default_selection_it_ran():
    info = _fit({})
    assert info["loss"]["survival_selection"] == fit.LOSS_DEFAULTS["survival_selection"]
    assert "cox_ties" not in info["loss"]  # only the selection is filled in


def test_a_set_selection_is_recorded_as_set():
    assert _fit({"survival_selection": "partial_likelihood"})["loss"]["survival_selection"] \
        == "partial_likelihood"


def test_an_older_cell_without_it_still_reads():
    cfg = {"epochs": 1, "patience": 20, "batch_size": 32, "optimizer": "adamw", "lr": 0.001,
           "weight_decay": 0.01}
    cells = [{"model": m, "info": {"train_config": cfg, "loss": {}}} for m in ("fcn", "moe")]
    assert "model selection on validation c_index" in recipe_line(cells, "survival")
