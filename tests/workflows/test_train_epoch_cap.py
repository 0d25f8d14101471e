"""A run whose best validation score came at its last allowed epoch records the
undertraining note in metrics.json (``epoch_cap``) and its report says it: it reached the
terminal only (an outside probe: ``--epochs 8`` kept epoch 8, the page said "kept epoch 8")."""

from __future__ import annotations

import json

from genemoe.workflows.train import train_run


def test_a_run_at_its_epoch_cap_records_and_reports_the_note(synthetic_bundle, tmp_path):
    from genemoe.report.html import write_report

    train_run(synthetic_bundle().path, out_dir=tmp_path / "r", task="classify",
              model_name="fcn", epochs=1, progress=False)
    m = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert "kept the last epoch allowed (1)" in m["epoch_cap"]
    assert "may be undertrained" in write_report(tmp_path / "r").read_text()


def test_a_model_without_epochs_records_no_note(synthetic_bundle, tmp_path):
    train_run(synthetic_bundle().path, out_dir=tmp_path / "lr", task="classify",
              model_name="logreg", progress=False)
    assert "epoch_cap" not in json.loads((tmp_path / "lr" / "metrics.json").read_text())
