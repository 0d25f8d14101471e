"""A run's metrics.json keeps its calibration (an outside probe).

A kept temperature that raised validation ECE (0.041 -> 0.061 on its own fitting set) was an
INFO line and a block of config.yaml: metrics.json, where a run's scores are read, had
nothing of it.
"""

from __future__ import annotations

import json

from genemoe.workflows.train import train_run


def test_metrics_json_holds_the_temperature_and_the_ece_it_gave(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=5, clinical=False)
    train_run(bundle.path, out_dir=tmp_path / "r", model_name="logreg", progress=False)
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    calib = metrics["calibration"]
    assert calib["method"] == "temperature" and calib["fitted_on"] == "validation part"
    assert calib["ece_rose"] == (calib["ece_after"] > calib["ece_before"])
    assert calib["n"] == len(bundle.indices("val")) and calib["temperature"] > 0
