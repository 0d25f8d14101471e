"""Per-type expert usage (issue 11, item 6): the tables and the separation measure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from genemoe.explain.routing import routing_report, type_separation, usage_by_group
from genemoe.models.registry import create_model


def test_type_separation_is_zero_for_shared_and_one_for_private_experts():
    counts = pd.Series({"A": 10, "B": 30})
    shared = pd.DataFrame([[0.5, 0.5], [0.5, 0.5]], index=["A", "B"])
    private = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["A", "B"])
    assert type_separation(shared, counts) == pytest.approx(0.0)
    assert type_separation(private, counts) == pytest.approx(1.0)
    partial = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], index=["A", "B"])
    assert 0 < type_separation(partial, counts) < 1


def test_usage_rows_sum_to_one_and_report_covers_every_gate():
    torch.manual_seed(0)
    model = create_model("genemoe", n_genes=12, n_outputs=3, task="classify", hidden=16,
                         n_experts=4, k=2, moae_experts=3, moae_k=1, n_tokens=4, n_heads=2, latent=4)
    X = np.random.default_rng(0).normal(size=(40, 12)).astype(np.float32)
    groups = np.array(["A", "B"] * 20, dtype=object)
    rep = routing_report(model, X, groups)
    assert len(rep) == 2  # the MoE gate and the MOAE gate
    for r in rep.values():
        usage = pd.DataFrame.from_dict(r["usage_by_type"], orient="index")
        np.testing.assert_allclose(usage.sum(1), 1, atol=1e-3)
        assert 0 <= r["type_separation"] <= 1 and r["n_samples"] == 40
    assert routing_report(create_model("fcn", n_genes=12, n_outputs=3, task="classify"), X, groups) == {}
    assert usage_by_group(np.eye(2)[[0, 1, 0]], np.array(["x", "y", "x"])).loc["x", "expert0"] == 1


def test_a_moe_run_writes_its_routing(synthetic_bundle, tmp_path):
    import json

    from genemoe.workflows.train import train_run

    b = synthetic_bundle(seed=3)
    res = train_run(b.path, out_dir=tmp_path / "r", model_name="moe", epochs=2, progress=False)
    routing = json.loads((tmp_path / "r" / "routing.json").read_text())
    assert routing and "routing" in res.metrics
    assert set(next(iter(routing.values()))["usage_by_type"]) <= set(b.class_names)
