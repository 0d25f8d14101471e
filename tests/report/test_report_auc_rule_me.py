"""A benchmark page says what summary.md says of mixed AUC rules and backward types."""

from __future__ import annotations

import json

import genemoe.workflows.benchmark as bm
from genemoe.report.html import write_report


def test_the_page_warns_of_mixed_auc_rules_and_counts_types_ranked_backwards(
        synthetic_bundle, tmp_path, monkeypatch):
    """Old behaviour: summary.md warned of cells of the older AUC rule and counted folds with
    a type ranked backwards; the report page showed neither."""
    bundle = synthetic_bundle(seed=1)
    out = tmp_path / "bench"
    bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2, n_boot=20,
                     out_dir=out)
    cells = sorted((out / "cells").glob("coxnet__*.json"))
    cell = json.loads(cells[0].read_text())  # as a cell written before the floor
    cell["metrics"].pop("auc_censoring_floor", None)
    cell["metrics"]["auc_1y"] = cell["metrics"].get("auc_1y") or 0.7
    monkeypatch.setattr(bm, "rescored_auc", lambda *a: None)  # as a cell that cannot be
    #   recomputed under the floor (tests/test_bench_surv_probe_hAN_resume.py: one that can)
    cell["metrics"]["types_ranked_backwards"] = [{"type": "T1", "c_index": 0.21,
                                                  "ci": [0.0, 0.48]}]
    cells[0].write_text(json.dumps(cell))
    bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2, n_boot=20,
                     out_dir=out)
    assert "(T1 1)" in (out / "summary.md").read_text()
    page = write_report(out).read_text()
    assert "1 of 2 cells&#x27; AUCs were computed before the censoring floor" in page
    assert "Folds where a model ranks a cancer type backwards" in page and "(T1 1)" in page
