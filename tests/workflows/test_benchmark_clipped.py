"""Each benchmark cell records what its fold's scaler clipped, per part, and the terminal says
it once (standardised inputs beyond ±10 were clipped in every fold without a word: gdc6
fold 0, 6,591 test values of 182 of 182 samples, 3,069 genes, max |z| 23.2)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.data.bundle import Bundle, write_bundle


@pytest.fixture(scope="module")
def far(synthetic_bundle, tmp_path_factory):
    """The synthetic bundle with one gene of five samples far above the rest."""
    b = synthetic_bundle(seed=1)
    X = np.array(b.X, dtype=np.float32)
    gene = int(np.argmax(X.var(0)))
    X[:5, gene] = X[:, gene].max() + 60 * X[:, gene].std()
    return write_bundle(Bundle(X=X, obs=b.obs, var=b.var, record=b.record),
                        tmp_path_factory.mktemp("far") / "bundle")


def test_the_cells_record_and_the_terminal_says_what_was_clipped(far, tmp_path):
    res = bm.run_benchmark(far, task="classify", models=["logreg", "svm_linear"], n_folds=2,
                           out_dir=tmp_path / "bench")
    cells = [json.loads(p.read_text()) for p in sorted((tmp_path / "bench" / "cells").glob("*.json"))]
    assert len(cells) == 4 and all(set(c["clipped"]) == {"train", "val", "test"} for c in cells)
    test = [c["clipped"]["test"] for c in cells if c["model"] == "logreg"]
    assert sum(t["n_values"] for t in test) >= 5 and all(t["clip"] == 10.0 for t in test)
    assert max(t["max_abs"] for t in test) > 10
    said = res.describe()
    assert said.count("inputs clipped to ±10 z, 2 folds summed: train") == 1  # folds, not cells
    total = sum(t["n_values"] for t in test)
    assert f"test {total:,} (" in said
    summary = (tmp_path / "bench" / "summary.md").read_text()
    assert "Note: inputs clipped to ±10 z, 2 folds summed: train" in summary  # terminal only


def test_a_resumed_benchmarks_older_cells_are_said_to_be_left_out_of_the_count():
    """A probe: a rerun reusing a cell from before the counts were kept said one fold's
    counts as the whole benchmark's, "2 folds summed" gone and nothing said."""
    from genemoe.workflows.benchmark_protocol import clipped_lines

    rep = {"method": "standard", "clip": 10.0, "n_values": 98, "n_samples": 3, "n_genes": 5,
           "n_rows": 50, "n_total": 5000, "max_abs": 12.5}
    cells = [{"model": "logreg", "repeat": 0, "fold": 0, "clipped": {"train": rep}},
             {"model": "logreg", "repeat": 0, "fold": 1}]
    (line,) = clipped_lines(cells)
    assert line.endswith("(1 of 2 folds counted: the others' cells are from before the "
                         "counts were kept)")
    assert "of 2 folds counted" not in clipped_lines(cells[:1])[0]
