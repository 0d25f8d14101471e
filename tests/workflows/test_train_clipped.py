"""A run counts what its scaler clips to ±10 z per split, in metrics.json and on the
terminal (a benchmark's cells were given the counts; a train run still clipped unsaid)."""

from __future__ import annotations

import json

import numpy as np

from genemoe.data.bundle import Bundle, write_bundle
from genemoe.workflows.train import train_run


def test_a_run_counts_and_says_the_values_it_clipped(synthetic_bundle, tmp_path):
    b = synthetic_bundle(seed=1)
    X = np.array(b.X, dtype=np.float32)
    gene = int(np.argmax(X.var(0)))
    test = np.flatnonzero(b.obs["split"].to_numpy() == "test")[:3]
    X[test, gene] = X[:, gene].max() + 60 * X[:, gene].std()  # far beyond ±10 z
    far = write_bundle(Bundle(X=X, obs=b.obs, var=b.var, record=b.record), tmp_path / "far")
    res = train_run(far, out_dir=tmp_path / "run", model_name="logreg", progress=False)
    clipped = json.loads((tmp_path / "run" / "metrics.json").read_text())["protocol"]["clipped"]
    assert set(clipped) == {"train", "val", "test"}
    assert clipped["test"]["n_values"] >= 3 and clipped["test"]["max_abs"] > 10
    said = res.describe()
    assert "inputs clipped to ±10 z: train" in said and "folds summed" not in said
    assert f"test {clipped['test']['n_values']:,} (" in said


def test_a_runs_clip_line_says_its_gene_count_is_one_parts():
    """A probe: "(180 genes; ...)" was the training part's count, read as the run's (205)."""
    from genemoe.data.scaling import clip_summary, clip_text

    rep = {"method": "standard", "clip": 10.0, "n_samples": 2, "n_rows": 10, "n_total": 1000,
           "max_abs": 20.1}
    said = clip_text(clip_summary([{"part": "train", **rep, "n_values": 5, "n_genes": 180},
                                   {"part": "test", **rep, "n_values": 2, "n_genes": 40}]))
    assert "(up to 180 genes in a part; largest |z| 20.1)" in said
