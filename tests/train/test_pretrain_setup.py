"""A pre-training's setup: the bundles' records, the YAML's extends: and pretrain: keys."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
import torch
import yaml

from genemoe.errors import InputError
from genemoe.train.pretrain import resolve_pretrain_config
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE


@pytest.fixture(scope="module")
def tiny_cfg(tmp_path_factory):
    path = tmp_path_factory.mktemp("setup_cfg") / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 2, "batch_size": 32, "n_critic": 1, "critic_widths": [8]}}))
    return path


def _prepare_again(bundle_dir) -> None:
    """As `prepare` again with another --normalisation over the same genes and samples:
    only the record (and the values) change."""
    record = json.loads((bundle_dir / "record.json").read_text())
    record["normalisation_again"] = "log2tpm"
    (bundle_dir / "record.json").write_text(json.dumps(record))


def test_a_finished_run_is_not_reused_once_its_bundle_was_prepared_again(
        synthetic_bundle, tiny_cfg, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(synthetic_bundle(seed=5, clinical=False).path, b)
    out = tmp_path / "p"
    run = pretrain_run([b], out_dir=out, config_path=tiny_cfg, device="cpu", progress=False)
    sha = json.loads((out / "summary.json").read_text())["bundles"][0]["record_sha256"]
    payload = torch.load(out / "pretrained.pt", map_location="cpu", weights_only=True)
    assert payload["bundle_records"] == {str(b): sha} and len(sha) == 64
    assert pretrain_run([b], out_dir=out, config_path=tiny_cfg, device="cpu",
                        progress=False).reused and run.finished
    _prepare_again(b)
    with pytest.raises(InputError, match=r"prepared again since \(record.json changed\)") as e:
        pretrain_run([b], out_dir=out, config_path=tiny_cfg, device="cpu", progress=False)
    assert "new --out directory" in str(e.value)


def test_a_checkpoint_is_not_resumed_once_its_bundle_was_prepared_again(
        synthetic_bundle, tiny_cfg, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(synthetic_bundle(seed=5, clinical=False).path, b)
    out = tmp_path / "p"
    pretrain_run([b], out_dir=out, config_path=tiny_cfg, device="cpu", progress=False,
                 max_epochs_this_call=1)
    assert (out / "checkpoint.pt").is_file()
    _prepare_again(b)
    with pytest.raises(InputError, match=r"different pre-training setup \(bundle .*prepared "
                                         r"again since \(record.json changed\)"):
        pretrain_run([b], out_dir=out, config_path=tiny_cfg, device="cpu", progress=False)


def test_a_config_that_extends_another_preset_is_said_and_recorded(synthetic_bundle, tmp_path,
                                                                   caplog):
    from genemoe.config_presets import read_config_yaml
    from genemoe.train.pretrain import load_pretrain_data, pretrain_on_data

    cfg = tmp_path / "tb.yaml"
    cfg.write_text(yaml.safe_dump({"extends": "base", "model": {"genemoe": TINY_GENEMOE},
                                   "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1,
                                                "critic_widths": [8]}}))
    with caplog.at_level(logging.WARNING):
        resolve_pretrain_config("small", cfg)
    assert f"{cfg} extends base: its values override --preset small's" in caplog.text
    data = load_pretrain_data([synthetic_bundle(seed=5, clinical=False).path])
    out = tmp_path / "p"
    pretrain_on_data(data, out_dir=out, config_path=cfg, device="cpu", progress=False)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["preset"] == "small" and summary["extends"] == "base"
    text = (out / "config.yaml").read_text()
    assert "extends base" in text.splitlines()[0]
    assert torch.load(out / "pretrained.pt", weights_only=True)["extends"] == "base"
    assert read_config_yaml(out / "config.yaml")["pretrain"]["epochs"] == 1  # still a --config


@pytest.mark.parametrize(("key", "value", "flag"), [("seed", 7, "--seed 7"),
                                                     ("device", "cpu", "--device cpu"),
                                                     ("progress", False, "--no-progress")])
def test_command_line_options_in_a_yaml_are_refused_not_replaced_unsaid(tmp_path, key, value,
                                                                        flag):
    cfg = tmp_path / "seed7.yaml"
    cfg.write_text(yaml.safe_dump({"pretrain": {"epochs": 1, key: value}}))
    with pytest.raises(InputError, match=rf"pretrain: {key} in a YAML would not be read") as e:
        resolve_pretrain_config("small", cfg)
    assert f"pass {flag}" in str(e.value) and str(cfg) in str(e.value)


def test_the_valid_pretraining_keys_leave_out_the_command_lines(tmp_path):
    cfg = tmp_path / "typo.yaml"
    cfg.write_text(yaml.safe_dump({"pretrain": {"epoch": 1}}))
    with pytest.raises(InputError, match="did you mean epochs") as e:
        resolve_pretrain_config("small", cfg)
    listed = str(e.value).split("use only:")[1]
    assert "epochs" in listed and not any(k in listed.split(", ") for k in ("seed", "device",
                                                                            "progress"))
