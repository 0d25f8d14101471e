"""A resumed survival benchmark over cells whose time-dependent AUCs predate the censoring
floor: each cell keeps its test times, events and risks, so the AUCs are recomputed under
the current rule on resume (the models are not refitted), said on the terminal, in the
cell, results.csv (``auc_rule``) and summary.md. Before: the older AUCs were kept, averaged
with the new ones and only warned of ("rerun into a fresh --out")."""

from __future__ import annotations

import json
import logging

import pandas as pd

import genemoe.workflows.benchmark as bm

AUCS = ("auc_1y", "auc_3y", "auc_5y")


def test_a_resume_recomputes_auc_of_the_older_rule_from_the_cells_risks(
        synthetic_bundle, tmp_path, caplog):
    bundle = synthetic_bundle(seed=1)
    out = tmp_path / "bench"
    kw = dict(task="survival", models=["coxnet"], n_folds=2, n_boot=20, out_dir=out)
    bm.run_benchmark(bundle.path, **kw)
    path = sorted((out / "cells").glob("coxnet__*.json"))[0]
    fresh = json.loads(path.read_text())
    key = next(k for k in AUCS if fresh["metrics"].get(k) is not None)
    old = json.loads(path.read_text())  # as a cell written before the floor
    old["metrics"].pop("auc_censoring_floor")
    old["metrics"][key] = 0.123  # the older rule's value, here one that differs
    path.write_text(json.dumps(old))
    with caplog.at_level(logging.INFO):
        res = bm.run_benchmark(bundle.path, **kw)
    assert res.n_reused == 2 and res.n_computed == 0  # the same fingerprint: not refitted
    now = json.loads(path.read_text())["metrics"]
    assert now[key] == fresh["metrics"][key]  # as a fresh run computes it
    assert now["auc_censoring_floor"] == 0.2 and now["auc_recomputed_on_resume"] is True
    said = [r.getMessage() for r in caplog.records if "censoring floor" in r.getMessage()]
    assert said == ["1 cell's AUCs predated the censoring floor: recomputed from the stored "
                    "risks (auc_rule)"]
    assert all(len(line) <= 100 for line in said)
    results = pd.read_csv(out / "results.csv")
    assert sorted(results["auc_rule"].fillna("")) == ["censoring floor 0.2",
                                                      "censoring floor 0.2, recomputed on resume"]
    md = (out / "summary.md").read_text()
    assert "fresh --out" not in md and "recomputed under it on resume" in md


def test_a_cell_without_its_risks_is_left_as_it_was():
    from genemoe.evaluate.benchmark_auc import rescored_auc

    metrics = {"c_index": 0.7, "auc_1y": 0.8}
    assert rescored_auc(metrics, {"time": [1.0], "event": [1]}, [1.0], [1], ["A"]) is None
    assert rescored_auc(metrics, {}, [1.0], [1], ["A"]) is None
