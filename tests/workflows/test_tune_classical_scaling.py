"""A classical model's tuned input scaling travels: ``genemoe tune``'s best.yaml trains
with it (``genemoe train --config``), and ``genemoe benchmark --tune`` fits each cell with
its best trial's scaling and shows it under "Chosen per fold" in summary.md, as it does a
neural model's (an outside fairness audit: classical trials always got z-scores)."""

from __future__ import annotations

import json

import pytest
import yaml

import genemoe.workflows.benchmark as bm
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from genemoe.workflows.tune import tune_run


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    # on this bundle and seed, trial 1 draws centred input and beats trial 0 (0.651 vs
    # 0.630 validation macro-F1): the grid's own C on z-scores
    return synthetic_bundle(seed=7, clinical=False)


def test_a_logreg_tune_that_chooses_centred_writes_a_best_yaml_that_trains_centred(
        bundle, tmp_path):
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=3,
                   seed=0, device="cpu", progress=False)
    first = run.result.trials.iloc[0]
    assert first["model.input_scaling"] == "standard"  # trial 0: the grid's choice, z-scores
    assert run.result.best_params["model.input_scaling"] == "centred"
    best = yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())
    assert best["model"]["logreg"]["input_scaling"] == "centred"
    assert "model.input_scaling" in next(iter(best["tuned_on"]))
    train_run(bundle.path, out_dir=tmp_path / "run", model_name="logreg",
              config_path=tmp_path / "t" / "best.yaml", device="cpu", progress=False)
    trained = load_model_file(tmp_path / "run")
    assert trained["scaler"]["method"] == "centred"  # fitted on the training split
    assert len(set(trained["scaler"]["scale"])) == 1  # one scale for every gene
    assert trained["model_config"]["C"] == pytest.approx(run.result.best_params["model.C"])


def test_a_benchmark_tune_shows_and_uses_a_classical_models_chosen_scaling(bundle, tmp_path):
    bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                     out_dir=tmp_path, tune=2)
    cells = [json.loads(p.read_text()) for p in sorted((tmp_path / "cells").glob("*.json"))]
    assert len(cells) == 2
    for cell in cells:
        chosen = cell["chosen"]["model.input_scaling"]
        assert cell["options"]["input_scaling"] == chosen
        assert {r["method"] for r in cell["clipped"].values()} == {chosen}  # its fit's scaler
    summary = (tmp_path / "summary.md").read_text()
    chosen_part = summary.split("## Chosen per fold")[1].split("\n## ")[0]
    row = next(line for line in chosen_part.splitlines() if line.startswith("| logreg |"))
    assert row.count("model.input_scaling=") == 2
