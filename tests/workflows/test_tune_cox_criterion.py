"""A tuned Coxnet's best.yaml carries the selection criterion its trials and grid points
were chosen by (an outside probe: best.yaml held no ``train:``, so a retrain from it under
``small`` chose its penalty by the partial likelihood after a Harrell's C tune, and scored
validation C 0.722 where the tune said 0.741)."""

from __future__ import annotations

import yaml

from genemoe.workflows.train import train_run
from genemoe.workflows.tune import tune_run


def test_a_retrain_from_a_cox_tunes_best_yaml_chooses_as_the_tune_did(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=3)
    cfg = tmp_path / "cidx.yaml"
    cfg.write_text("extends: small\ntrain_survival:\n  survival_selection: c_index\n")
    tune_run(bundle.path, out_dir=tmp_path / "t", model_name="coxnet", task="survival",
             n_trials=1, config_path=cfg, progress=False)
    best = yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())
    assert best["train"]["survival_selection"] == "c_index"
    assert set(best["train"]) == {"survival_selection", "cox_ties"}  # what Coxnet reads
    train_run(bundle.path, out_dir=tmp_path / "r", model_name="coxnet", task="survival",
              config_path=tmp_path / "t" / "best.yaml", progress=False)
    saved = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())
    assert saved["train"]["survival_selection"] == "c_index"


def test_a_classifiers_best_yaml_still_has_no_train_section(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=3)
    tune_run(bundle.path, out_dir=tmp_path / "t", model_name="logreg", n_trials=1, progress=False)
    assert "train" not in yaml.safe_load((tmp_path / "t" / "best.yaml").read_text())
