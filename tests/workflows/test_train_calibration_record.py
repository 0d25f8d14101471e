"""A run's metrics.json keeps its calibration (an outside probe).

A kept temperature that raised validation ECE (0.041 -> 0.061 on its own fitting set) was an
INFO line and a block of config.yaml: metrics.json, where a run's scores are read, had
nothing of it.
"""

from __future__ import annotations

import json
from pathlib import Path

from genemoe.workflows.train import train_run


def test_metrics_json_holds_the_temperature_and_the_ece_it_gave(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=5, clinical=False)
    train_run(bundle.path, out_dir=tmp_path / "r", model_name="logreg", progress=False)
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    calib = metrics["calibration"]
    assert calib["method"] == "temperature" and calib["fitted_on"] == "validation part"
    assert calib["ece_rose"] == (calib["ece_after"] > calib["ece_before"])
    assert calib["n"] == len(bundle.indices("val")) and calib["temperature"] > 0


def test_a_run_says_under_its_table_that_its_temperature_raised_the_ece():
    """The rise was an INFO line (behind -v); a run's table now says it, once."""
    from genemoe.workflows.train import RunResult

    calib = {"temperature": 0.49, "ece_before": 0.041, "ece_after": 0.061, "ece_rose": True,
             "n": 15, "method": "temperature"}
    metrics = {"val": {"accuracy": 0.9, "macro_f1": 0.9}, "test": {"accuracy": 0.9, "macro_f1": 0.9},
               "calibration": calib}
    said = RunResult(Path("r"), metrics, "classify", "mlp", 1.0).describe()
    assert ("temperature T = 0.49 raised validation ECE 0.041 → 0.061; kept (it minimises "
            "log-loss; ECE of 15 samples is noisy)") in " ".join(said.split())  # wrapped at 100
    assert "raised validation ECE" not in RunResult(
        Path("r"), {**metrics, "calibration": {**calib, "ece_rose": False}}, "classify", "mlp",
        1.0).describe()


def test_a_temperature_that_rounds_to_one_is_given_in_full():
    """probeAA: "temperature T = 1.00 raised validation ECE 0.082 → 0.086" read as no
    scaling changing the calibration (T was 1.0041)."""
    from genemoe.workflows.train import RunResult

    calib = {"temperature": 1.0041, "ece_before": 0.082, "ece_after": 0.086, "ece_rose": True,
             "n": 97, "method": "temperature"}
    metrics = {"val": {"accuracy": 0.9, "macro_f1": 0.9}, "test": {"accuracy": 0.9, "macro_f1": 0.9},
               "calibration": calib}
    said = RunResult(Path("r"), metrics, "classify", "logreg", 1.0).describe()
    assert "temperature T = 1.00 (1.0041) raised validation ECE 0.082 → 0.086" in said
