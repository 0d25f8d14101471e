"""Follow-ups (hK): a benchmark's protocol.json records the device it trained on."""

from __future__ import annotations

import json

import torch

import genemoe.workflows.benchmark as bm


def test_protocol_records_the_resolved_device_and_a_rerun_resumes(synthetic_bundle, tmp_path,
                                                                  monkeypatch):
    """Old behaviour: protocol.json said ``"device": "auto"``, not the device used (cpu).
    The device is no option a rerun compares: the same run asked on ``cpu`` reuses its cells."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # auto: the CPU here
    bundle = synthetic_bundle(seed=1)
    out = tmp_path / "bench"
    bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, epochs=1,
                     device="auto", out_dir=out)
    protocol = json.loads((out / "protocol.json").read_text())
    assert protocol["device"] == "cpu" and protocol["device_asked"] == "auto"
    again = bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                             epochs=1, device="cpu", out_dir=out)
    assert again.n_computed == 0 and again.n_reused == 2
    protocol = json.loads((out / "protocol.json").read_text())
    assert protocol["device"] == "cpu" and protocol["device_asked"] == "cpu"
