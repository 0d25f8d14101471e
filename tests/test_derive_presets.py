"""benchmarks/derive_presets.py: a preset's values from a tuned benchmark's per-fold studies."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import yaml

from benchmark_scripts import load_script


def _module():
    return load_script("derive_presets")


def _bench(tmp_path: Path) -> Path:
    """Three folds' studies of one model: configs A and B in every fold, C in one only."""
    storage = f"sqlite:///{tmp_path / 'tuning.db'}"
    scores = {"A": (0.80, 0.70, 0.75), "B": (0.74, 0.76, 0.78), "C": (0.99, None, None)}
    dist = {"train.lr": optuna.distributions.FloatDistribution(1e-4, 1e-2, log=True),
            "model.widths": optuna.distributions.CategoricalDistribution(["[256, 64]", "[512, 128]"])}
    params = {"A": {"train.lr": 1e-3, "model.widths": "[256, 64]"},
              "B": {"train.lr": 2e-3, "model.widths": "[512, 128]"},
              "C": {"train.lr": 5e-3, "model.widths": "[256, 64]"}}
    for fold in range(3):
        study = optuna.create_study(study_name=f"abcdef123456-mlp-r0-f{fold}", storage=storage,
                                    direction="maximize")
        for name, values in scores.items():
            if values[fold] is not None:
                study.add_trial(optuna.trial.create_trial(params=params[name], distributions=dist,
                                                          value=values[fold]))
        study.add_trial(optuna.trial.create_trial(params=params["A"], distributions=dist,
                                                  state=optuna.trial.TrialState.PRUNED))
    (tmp_path / "protocol.json").write_text(json.dumps(
        {"study_key": "abcdef1234567890", "n_folds": 3, "task": "classify", "tune": 3, "seed": 0,
         "bundle_path": "bundles/pc33"}))
    return tmp_path


def test_the_config_every_fold_finished_with_the_best_mean_validation_score_wins(tmp_path):
    bench = _bench(tmp_path)
    rows = _module().shared_configs(f"sqlite:///{bench / 'tuning.db'}", "abcdef123456", "mlp", 3)
    assert [round(r["mean"], 3) for r in rows] == [0.76, 0.75]  # B, then A; C ran in one fold only
    assert rows[0]["params"] == {"train.lr": 2e-3, "model.widths": [512, 128]}  # lists decoded


def test_the_fragment_is_a_preset_with_its_provenance(tmp_path):
    bench = _bench(tmp_path)
    out = tmp_path / "derived.yaml"
    assert _module().main([str(bench), "--models", "mlp", "--out", str(out)]) == 0
    frag = yaml.safe_load(out.read_text())
    assert frag["model"]["mlp"] == {"widths": [512, 128]}
    assert frag["train_classify_models"]["mlp"] == {"lr": 2e-3}
    (entry,) = frag["tuned_on"].values()
    assert entry["overlaps_benchmark_test_folds"] is True
    assert "0.760 (folds: 0.740, 0.760, 0.780)" in entry["part"]
