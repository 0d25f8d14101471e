"""A pre-training run's config.yaml given back as ``--config`` reproduces the run's
settings and what it was built on: the preset its --config extended (recorded in the
file's first line) or its own preset, not only the command's ``--preset``."""

from __future__ import annotations

import json
import logging

import yaml

from genemoe.train.pretrain_config import config_extends, extends_comment
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE

RESOLVED = {"preset": "paper", "pretrain": {"epochs": 1}, "model": {"genemoe": TINY_GENEMOE}}


def test_a_run_config_extends_what_its_run_was_built_on(tmp_path):
    """Old behaviour: None for both (the file has no extends: key; the run's preset was
    dropped), so a rerun from a paper run's values was recorded as `preset: small`."""
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(RESOLVED, sort_keys=False))
    assert config_extends(plain) == "paper"
    extended = tmp_path / "extended.yaml"
    extended.write_text(extends_comment("small", "/some where/base.yaml")
                        + yaml.safe_dump({**RESOLVED, "preset": "small"}, sort_keys=False))
    assert config_extends(extended) == "/some where/base.yaml"
    user = tmp_path / "user.yaml"
    user.write_text("extends: base\npretrain: {epochs: 1}\n")
    assert config_extends(user) == "base"


def test_a_runs_config_given_back_reproduces_its_settings_and_record(synthetic_bundle, tmp_path,
                                                                     caplog):
    bundle = synthetic_bundle(seed=5, clinical=False)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"extends": "paper", "model": {"genemoe": TINY_GENEMOE},
                                   "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1,
                                                "critic_widths": [16]}}))
    first = pretrain_run([bundle.path], out_dir=tmp_path / "r1", config_path=cfg,
                         device="cpu", progress=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        again = pretrain_run([bundle.path], out_dir=tmp_path / "r2",
                             config_path=first.out_dir / "config.yaml", device="cpu",
                             progress=False)
    a, b = (yaml.safe_load((r.out_dir / "config.yaml").read_text()) for r in (first, again))
    assert a == b  # every value, the preset too (paper's critic_lr, lambda_adv: 1.0 ...)
    assert b["pretrain"]["lambda_adv"] == 1.0  # the paper's, not small's 0.1
    summary = json.loads((again.out_dir / "summary.json").read_text())
    assert summary["preset"] == "small" and summary["extends"] == "paper"
    assert "extends paper: its values override --preset small's" in caplog.text
    text = (again.out_dir / "config.yaml").read_text()
    assert text.startswith("# preset small with a --config that extends paper")
    # a run of its own preset given back with that preset records no extends
    third = pretrain_run([bundle.path], out_dir=tmp_path / "r3",
                         config_path=again.out_dir / "config.yaml", preset="paper",
                         device="cpu", progress=False)
    assert "extends" not in third.summary
    assert yaml.safe_load((third.out_dir / "config.yaml").read_text())["pretrain"] == b["pretrain"]
