"""A run's config.yaml keeps only the training options its task reads (as best.yaml does)."""

from __future__ import annotations

import pytest
import yaml

from genemoe.workflows.train import train_run


@pytest.mark.parametrize(("task", "other"), [("survival", {"focal_gamma", "class_alpha"}),
                                             ("classify", {"cox_ties", "survival_selection"})])
def test_config_yaml_leaves_out_the_other_tasks_options(synthetic_bundle, tmp_path, task, other):
    """Old behaviour: a survival run's config.yaml kept focal_gamma and class_alpha in its
    resolved train: section (and a classifier's cox_ties), options its trainer never read."""
    bundle = synthetic_bundle()
    run = train_run(bundle.path, out_dir=tmp_path / "run", task=task, model_name="fcn",
                    epochs=1, device="cpu", progress=False)
    cfg = yaml.safe_load((run.out_dir / "config.yaml").read_text())
    assert not other & set(cfg["train"]), cfg["train"]
    assert "lr" in cfg["train"]
    again = train_run(bundle.path, out_dir=tmp_path / "again", task=task, model_name="fcn",
                      config_path=run.out_dir / "config.yaml", epochs=1, device="cpu",
                      progress=False)
    assert (again.out_dir / "model.pt").exists()
