"""protocol.json's device for a run of classical models only."""

from __future__ import annotations

import genemoe.workflows.benchmark_protocol as bp


def test_a_classical_only_benchmark_records_the_cpu_it_ran_on(monkeypatch):
    """Old behaviour: ``device`` was what ``--device auto`` resolves to (``cuda:0`` on a GPU
    machine), though scikit-learn's models ran on the CPU."""
    monkeypatch.setattr(bp, "resolve_device", lambda asked: "cuda:0")
    rec = bp.device_record("auto", ["logreg", "svm", "rf"])
    assert rec["device"] == "cpu" and rec["device_asked"] == "auto"
    assert "classical models only" in rec["device_note"]
    assert bp.device_record("auto", ["logreg", "mlp"]) == {"device": "cuda:0",
                                                            "device_asked": "auto"}
    assert bp.device_record(None) == {"device": "cuda:0", "device_asked": "auto"}
