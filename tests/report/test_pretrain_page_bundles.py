"""The pre-training page's bundles: each one's facts, and one prepared again since."""

from __future__ import annotations

import json
import re
import shutil

import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.report.html import write_report
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _cfg(tmp_path):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE}, "pretrain": {
        "epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]}}))
    return cfg


def test_a_bundle_prepared_again_since_is_said_not_shown_as_the_runs(synthetic_bundle,
                                                                     tmp_path):
    b = tmp_path / "bQ2"
    shutil.copytree(synthetic_bundle(seed=5, clinical=False).path, b)
    out = tmp_path / "p"
    pretrain_run([b], out_dir=out, config_path=_cfg(tmp_path), device="cpu", progress=False)
    before = _text(write_report(out).read_text())
    assert "was prepared again" not in before and "log2tpm" not in before
    record = json.loads((b / "record.json").read_text())
    record["normalisation_again"] = "log2tpm"
    (b / "record.json").write_text(json.dumps(record))
    summary = json.loads((b / "summary.json").read_text())
    summary["normalisation"] = "log2tpm"  # the bundle's values now: not the run's
    (b / "summary.json").write_text(json.dumps(summary))
    text = _text(write_report(out).read_text())
    assert "bQ2 was prepared again since: its summary and record now are not this one's" in text
    assert f"{b} was prepared again since this pre-training (its record.json changed)" in text
    assert "log2tpm" not in text


def test_a_multi_bundle_page_lists_each_bundles_facts_and_genes_left_out(synthetic_bundle,
                                                                         tmp_path):
    bundle = synthetic_bundle(seed=5, clinical=False)
    other = load_bundle(bundle.path)
    var = other.var.copy()
    var.loc[var.index[:10], "gene_id"] = [f"NEW{i}" for i in range(10)]
    other.var = var
    other.obs = other.obs.assign(sample_id="copy-" + other.obs["sample_id"].astype(str),
                                 patient_id="copy-" + other.obs["patient_id"].astype(str))
    write_bundle(other, tmp_path / "bB")
    out = tmp_path / "p"
    pretrain_run([bundle.path, tmp_path / "bB"], out_dir=out, config_path=_cfg(tmp_path),
                 device="cpu", progress=False)
    summary = json.loads((out / "summary.json").read_text())
    text = _text(write_report(out).read_text())
    assert "Bundles pre-trained on" in text
    for b in summary["bundles"]:
        assert b["n_genes_left_out"] > 0
        assert (f"{b['path']} ({b['n_train']} train, {b['n_val']} validation, "
                f"{b['n_test_excluded']} test left out, {b['n_genes_left_out']} genes left "
                "out: not in every bundle)") in text
        # the clip column (598d410) stands between the genes left out and "prepared again"
        assert re.search(rf"{b['path'].split('/')[-1]} {re.escape(b['path'])} {b['n_train']} "
                         rf"{b['n_val']} {b['n_test_excluded']} {b['n_genes_left_out']} "
                         r"(±10 z: train [\d,]+ of [\d,]+ .*?; [\d,]+ genes?, largest \|z\| "
                         r"[\d.]+|not recorded) no", text)


def test_a_config_that_extends_another_preset_is_on_the_page(synthetic_bundle, tmp_path):
    from genemoe.train.pretrain import load_pretrain_data, pretrain_on_data

    cfg = _cfg(tmp_path)
    cfg.write_text(cfg.read_text() + "extends: base\n")
    out = tmp_path / "p"
    pretrain_on_data(load_pretrain_data([synthetic_bundle(seed=5, clinical=False).path]),
                     out_dir=out, config_path=cfg, device="cpu", progress=False)
    text = _text(write_report(out).read_text())
    assert "preset small, with a --config that extends base" in text
