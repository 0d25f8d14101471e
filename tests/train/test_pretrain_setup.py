"""A pre-training's setup: the bundles' records, the YAML's extends: and pretrain: keys."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
import yaml

from genemoe.errors import InputError
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
