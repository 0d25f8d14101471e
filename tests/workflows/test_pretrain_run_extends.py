"""`genemoe pretrain --config X.yaml` (pretrain_run) records what the YAML extends, as the
Python path does (a probe: extends base was recorded as `preset: small`)."""

from __future__ import annotations

import json

import yaml

from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE


def test_the_command_records_what_its_config_extends(synthetic_bundle, tmp_path):
    cfg = tmp_path / "tb.yaml"
    cfg.write_text(yaml.safe_dump({"extends": "base", "model": {"genemoe": TINY_GENEMOE},
                                   "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1,
                                                "critic_widths": [8]}}))
    run = pretrain_run([synthetic_bundle(seed=5, clinical=False).path], out_dir=tmp_path / "p",
                       config_path=cfg, device="cpu", progress=False)
    summary = json.loads((run.out_dir / "summary.json").read_text())
    assert summary["extends"] == "base"
