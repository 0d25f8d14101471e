"""A benchmark ``--tune`` cell's records (an outside probe, hAX): coxnet's
``n_top_genes`` 2000 on a bundle of fewer genes, where the fit used every gene."""

from __future__ import annotations

import json


def test_a_benchmark_tune_cell_records_the_genes_coxnet_used(synthetic_bundle, tmp_path):
    """A benchmark ``--tune`` cell of coxnet on a 78-gene bundle recorded ``n_top_genes``
    2000 in ``options`` and ``tuning.params`` (results.csv: ``n_top_genes=2000``): the fit
    kept the 78 genes there are, which best.yaml of a ``genemoe tune`` writes."""
    import genemoe.workflows.benchmark as bm

    bundle = synthetic_bundle(seed=1, n_samples=150, n_genes=60)
    bm.run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2,
                     out_dir=tmp_path, tune=1)
    cells = sorted((tmp_path / "cells").glob("coxnet__*.json"))
    assert cells
    for path in cells:
        cell = json.loads(path.read_text())
        n = int(cell["n_genes"])
        assert n < 2000 and cell["options"]["n_top_genes"] == n, cell["options"]
        assert cell["tuning"]["params"]["model.n_top_genes"] == n, cell["tuning"]["params"]
    assert "n_top_genes=2000" not in (tmp_path / "results.csv").read_text()
