"""Runs the explanation tests share (each was trained once per test module)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def moe_and_cox_runs(tmp_path_factory):
    """A small synthetic bundle (4 types, 120 samples × 60 genes), a sparse ``moe``
    classifier in ``d / "moe"`` and an ``fcn`` Cox model in ``d / "cox"``: ``(d, bundle)``."""
    from genemoe.workflows.train import train_run
    from synthetic_inputs import prepare_synthetic

    d = tmp_path_factory.mktemp("explain_runs")
    b, _, _ = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=4, seed=3)
    train_run(b.path, out_dir=d / "moe", task="classify", model_name="moe", epochs=2,
              progress=False)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="fcn", epochs=2, progress=False)
    return d, b
