"""A resumed survival benchmark that keeps cells computed before the AUC's censoring floor
(commit db76ce0) mixes two AUC rules: the cells' fingerprint is unchanged, so they were
reused and averaged with the new ones, unsaid. Each new cell records its rule
(``auc_censoring_floor`` in metrics.json); a rerun over such a cell that cannot be
recomputed (it lacks its test risks) warns on the terminal and in summary.md, with the
fix."""

from __future__ import annotations

import json
import logging

import genemoe.workflows.benchmark as bm


def test_a_rerun_over_cells_of_the_older_auc_rule_says_so(synthetic_bundle, tmp_path, caplog):
    bundle = synthetic_bundle(seed=1)
    out = tmp_path / "bench"
    bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2, n_boot=20,
                     out_dir=out)
    cells = sorted((out / "cells").glob("coxnet__*.json"))
    metrics = [json.loads(p.read_text())["metrics"] for p in cells]
    have = [m.get("auc_censoring_floor") for m in metrics if m.get("auc_1y") is not None]
    assert have and set(have) == {0.2}  # each new cell with an AUC names its rule
    md = (out / "summary.md").read_text()
    assert "fresh --out" not in md
    cell = json.loads(cells[0].read_text())  # as a cell written before the floor
    cell["metrics"].pop("auc_censoring_floor")
    cell["metrics"]["auc_1y"] = cell["metrics"].get("auc_1y") or 0.7
    cell["test"].pop("risk")  # a cell keeping its risks is recomputed on resume instead
    cells[0].write_text(json.dumps(cell))  # (tests/test_bench_surv_probe_hAN_resume.py)
    with caplog.at_level(logging.WARNING):
        res = bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2,
                               n_boot=20, out_dir=out)
    assert res.n_reused == 2 and res.n_computed == 0  # the same fingerprint: reused
    said = [r.getMessage() for r in caplog.records if "censoring floor" in r.getMessage()]
    assert said == ["1 of 2 cells' AUCs predate the censoring floor (auc_rule): rerun into a "
                    "fresh --out"]
    assert all(len(line) <= 100 for line in said)
    md = (out / "summary.md").read_text()
    assert "Warning: 1 of 2 cells' AUCs were computed before the censoring floor" in md
