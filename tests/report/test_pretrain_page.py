"""``genemoe report`` on a ``genemoe pretrain`` folder (it was refused: "has no page for it")."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.report.html import report_kind, write_report
from genemoe.report.pretrain_page import reconstruction_rows
from genemoe.workflows.pretrain import pretrain_run

TINY = {"genemoe": {"hidden": 16, "n_experts": 3, "k": 2, "moae_experts": 2, "moae_k": 1,
                    "n_tokens": 4, "n_heads": 1, "latent": 8},
        "vaecox": {"hidden": 16, "latent": 4}}


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def runs(synthetic_bundle, tmp_path_factory):
    bundle = synthetic_bundle(seed=3, clinical=False)
    d = tmp_path_factory.mktemp("pretrain_page")
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": TINY, "pretrain": {
        "epochs": 2, "batch_size": 32, "n_critic": 1, "critic_widths": [8]}}))
    return {m: pretrain_run([bundle.path], out_dir=d / m, config_path=cfg, model=m, seed=0,
                            device="cpu", progress=False).out_dir for m in ("genemoe", "vaecox")}


def test_a_pretrain_folder_has_a_page_with_its_reconstruction_and_checks(runs):
    run = runs["genemoe"]
    assert report_kind(run) == "pretrain"
    page = write_report(run).read_text()
    text = _text(page)
    summary = json.loads((run / "summary.json").read_text())
    final = summary["final"]
    assert "genemoe pre-training — genemoe" in text and "SYNTHETIC DATA" in text
    assert f"validation r per sample {final['val/r_sample']:.3f}" in text
    assert f"per-gene mean {final['val/r_sample_baseline']:.3f}" in text
    assert "Validation reconstruction (last epoch)" in text and "Collapse checks" in text
    assert "2 epochs" in text and "no label read" in text
    n_left = summary["bundles"][0]["n_test_excluded"]
    assert f"{n_left} test samples left out" in text
    for png in ("pretrain_losses", "pretrain_reconstruction", "pretrain_experts"):
        assert (run / "plots" / f"{png}.png").is_file()
    assert page.count("data:image/png;base64,") == 4  # three figures and the thumbnail
    verdict = ("COLLAPSE: " if summary["collapse"]["collapsed"] else "no collapse flagged:")
    assert verdict in text
    assert summary["genemoe_version"]  # the page's "versions when computed"


def test_a_model_without_experts_is_not_said_to_use_them(runs):
    page = _text(write_report(runs["vaecox"]).read_text())
    assert "genemoe pre-training — vaecox" in page and "every expert" not in page
    assert not (runs["vaecox"] / "plots" / "pretrain_experts.png").exists()


def test_collapse_warnings_lead_the_first_screen(runs, tmp_path):
    import shutil

    run = tmp_path / "collapsed"
    shutil.copytree(runs["genemoe"], run)
    summary = json.loads((run / "summary.json").read_text())
    summary["collapse"] = {**summary["collapse"], "collapsed": True, "kl_collapsed": True,
                           "warnings": ["KL per latent dimension 0.001 < 0.01: posterior collapse"]}
    (run / "summary.json").write_text(json.dumps(summary))
    page = write_report(run).read_text()
    first = _text(page).split("Data ")[0]
    assert "COLLAPSE: KL per latent dimension 0.001 &lt; 0.01" in first
    # the metrics section's copy was written unescaped ("< 0.01" opened a tag)
    assert "0.001 < 0.01" not in page and page.count("0.001 &lt; 0.01") == 2


def test_reconstruction_rows_compare_each_measure_with_its_baseline():
    final = {"val/r_sample": 0.9, "val/r_sample_baseline": 0.95, "val/r_gene": 0.3,
             "val/r2": 0.1, "val/mse": 1.0, "val/mse_baseline": 1.2, "val/mae": 0.8,
             "val/mae_baseline": 0.9}  # no median baseline: its row left out
    rows = reconstruction_rows(final).set_index("measure")["better"].to_dict()
    assert list(rows.values()) == ["no", "–", "yes", "yes", "yes"]


def test_the_cli_reports_a_pretrain_folder(runs, tmp_path):
    out = tmp_path / "page.html"
    r = CliRunner().invoke(app, ["report", str(runs["genemoe"]), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.is_file() and (tmp_path / "page_plots" / "pretrain_losses.png").is_file()


def test_a_run_worse_than_the_median_is_not_said_to_beat_a_constant(runs, tmp_path):
    """Old behaviour: "no collapse: ... the reconstruction beats a per-gene constant" of a run
    whose MAE lost to the per-gene median (1.622 vs 1.512) while R² was +0.0015 (the collapse
    check flags only a run worse by both measures); the MAE figure drew no median line."""
    import shutil

    run = tmp_path / "median"
    shutil.copytree(runs["genemoe"], run)
    summary = json.loads((run / "summary.json").read_text())
    summary["final"].update({"val/r2": 0.0015, "val/mae": 1.622, "val/mae_median_baseline": 1.512})
    summary["collapse"] = {**summary["collapse"], "collapsed": False, "warnings": []}
    (run / "summary.json").write_text(json.dumps(summary))
    text = _text(write_report(run).read_text())
    assert "beats a per-gene constant" not in text
    assert "R² vs the per-gene mean 0.002 (better); MAE 1.622 vs the per-gene median's 1.512 (worse)" in text


def test_a_model_without_gates_has_no_balance_terms_nor_dead_experts_row(runs):
    """A VAE-Cox pre-training's summary had "loss/importance": 0.0 and "loss/load": 0.0 and
    its page "dead experts (last epoch) none", of a model with no experts."""
    summary = json.loads((runs["vaecox"] / "summary.json").read_text())
    assert not {"loss/importance", "loss/load"} & set(summary["final"])
    assert "dead_experts" not in summary["collapse"]
    assert "dead experts" not in _text(write_report(runs["vaecox"]).read_text())
    gated = json.loads((runs["genemoe"] / "summary.json").read_text())  # kept where there are
    assert {"loss/importance", "loss/load"} <= set(gated["final"])
    assert "dead experts (last epoch)" in _text(write_report(runs["genemoe"]).read_text())


def test_a_difference_hidden_by_the_rounding_shown_is_level_not_better():
    """Old behaviour: r per sample 0.9011 against its baseline's 0.9007, shown as 0.901 and
    0.901, was marked "better: yes" (the outside probe KK, 37 validation samples)."""
    final = {"val/r_sample": 0.9011, "val/r_sample_baseline": 0.9007, "val/mse": 1.2004,
             "val/mse_baseline": 1.2001, "val/mae": 0.8, "val/mae_baseline": 0.9}
    rows = reconstruction_rows(final).set_index("measure")["better"].to_dict()
    assert list(rows.values()) == ["level", "level", "yes"]
