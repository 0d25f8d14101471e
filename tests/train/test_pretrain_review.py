"""`genemoe pretrain` after an outside review: the collapse flags and notes say which
per-gene constant the reconstruction beats, its numbers are rounded alike, a file of a bundle
is answered with its folder and each unused config key with its own reason."""

from __future__ import annotations

import json
import logging

import pytest
import yaml

from genemoe.errors import InputError
from genemoe.train.pretrain_metrics import collapse_report
from genemoe.workflows.pretrain import pretrain_run
from tiny_configs import TINY_GENEMOE

# R² -0.0069 and MSE 4.53 against the mean's 4.50, MAE beating both constants
WORSE_THAN_MEAN = {"epoch": 3, "loss/kl": 0.5, "val/r2": -0.0069, "val/mse": 4.53,
                   "val/mse_baseline": 4.50, "val/mae": 1.05, "val/mae_baseline": 1.12,
                   "val/mae_median_baseline": 1.08}
# R² 0.00504 with MAE 1.113 worse than the median's 1.015
WORSE_THAN_MEDIAN = {"epoch": 3, "loss/kl": 0.5, "val/r2": 0.005036, "val/mse": 4.477,
                     "val/mse_baseline": 4.50, "val/mae": 1.113, "val/mae_baseline": 1.12,
                     "val/mae_median_baseline": 1.015}


def test_a_reconstruction_worse_than_the_mean_is_not_said_to_beat_it():
    """Old behaviour: "recon_no_better_than_mean": false and "explains little beyond the
    per-gene training mean (R² -0.00690)" for a run whose MSE trailed the mean's."""
    report = collapse_report([WORSE_THAN_MEAN], kl_collapse=0.01)
    assert report["recon_no_better_than_mean"] is True
    assert report["recon_beats"] == {"mean_squared": False, "mean_absolute": True,
                                     "median_absolute": True}
    assert not report["recon_no_better_than_constant"] and not report["collapsed"]
    note = report["notes"][0]
    assert note.startswith("validation reconstruction is no better than the per-gene training "
                           "mean by squared error")
    assert "not the per-gene mean by squared error (R² -0.007; MSE 4.530 vs 4.500)" in note
    assert "explains little beyond" not in note


def test_a_reconstruction_worse_than_the_median_is_flagged():
    """Old behaviour: MAE 1.113 against the median's 1.015 (R² 0.005) got no collapse flag."""
    report = collapse_report([WORSE_THAN_MEDIAN], kl_collapse=0.01)
    assert report["recon_no_better_than_constant"] and report["collapsed"]
    assert not report["recon_no_better_than_mean"]
    warning = report["warnings"][-1]
    assert "beats the per-gene mean by squared error (R² 0.005; MSE 4.477 vs 4.500)" in warning
    assert "not the per-gene median by absolute error (MAE 1.113 vs 1.015)" in warning
    assert "0.00504" not in warning  # 3 decimals, as the terminal's "R² vs the mean 0.005"
    good = collapse_report([{**WORSE_THAN_MEDIAN, "val/r2": 0.3, "val/mae": 0.9}],
                           kl_collapse=0.01)
    assert not good["collapsed"] and good["notes"] == []


@pytest.fixture(scope="module")
def tiny(synthetic_bundle, tmp_path_factory):
    bundle = synthetic_bundle(seed=5, clinical=False)
    cfg = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 1, "batch_size": 32, "lr": 3e-3, "n_critic": 1,
                     "critic_widths": [16]}}))
    return bundle, cfg


def test_the_report_compares_like_numbers_and_reads_old_summaries(tiny, tmp_path):
    """Old behaviour: the report's table showed R² 0.005036 and "MAE 1.113 | 1.12"."""
    from genemoe.report.pretrain_page import pretrain_context, reconstruction_checks

    bundle, cfg = tiny
    run = pretrain_run([bundle.path], out_dir=tmp_path / "run", config_path=cfg, device="cpu",
                       progress=False)
    summary = json.loads((run.out_dir / "summary.json").read_text())
    summary["final"].update({f"val/{k}": v for k, v in (
        ("r2", 0.005036), ("mae", 1.113), ("mae_baseline", 1.12), ("mse", 4.477),
        ("mse_baseline", 4.5), ("mae_median_baseline", 1.015))})
    summary["collapse"] = collapse_report([WORSE_THAN_MEDIAN], kl_collapse=0.01)
    (run.out_dir / "summary.json").write_text(json.dumps(summary))
    metrics = pretrain_context(run.out_dir, tmp_path / "plots")["metrics"]
    assert "0.005036" not in metrics and "<td>0.005</td>" in metrics
    assert "<td>1.113</td>" in metrics and "<td>1.120</td>" in metrics
    assert "median by absolute error: no" in metrics
    # an older summary: its recon_no_better_than_mean meant "by R² nor by absolute error"
    old = reconstruction_checks({"recon_no_better_than_mean": False}, {"val/r2": -0.0069})
    assert old == {"reconstruction no better than the per-gene mean (R² ≤ 0)": True,
                   "reconstruction no better than a per-gene constant by R² nor by absolute "
                   "error": False}


def test_a_file_of_a_bundle_is_answered_with_its_folder(tiny, tmp_path):
    """Old behaviour: "make a bundle of it first: genemoe prepare --expression
    d/bundle/X.npy ..." for a file inside a bundle folder."""
    bundle, cfg = tiny
    with pytest.raises(InputError, match=r"fix: pass the folder: --data ") as e:
        pretrain_run([bundle.path / "X.npy"], out_dir=tmp_path / "r", config_path=cfg,
                     device="cpu", progress=False)
    assert str(bundle.path) in str(e.value) and "genemoe prepare" not in str(e.value)


def test_each_unused_config_key_is_given_its_own_reason(tmp_path, caplog):
    """Old behaviour: "unused here: model.genemoe (its learning rate, epochs and batch size
    are pretrain: keys)": model.genemoe holds widths; the parenthesis was a train: section's."""
    from genemoe.train.pretrain import resolve_pretrain_config

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE},
                                   "train": {"lr": 0.01, "epochs": 3}}))
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        resolve_pretrain_config("small", cfg, model="vaecox", progress=False)
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "model.genemoe (the widths of another model: this run pre-trains vaecox)" in said
    assert ("train: (epochs, lr) — pre-training's learning rate, epochs and batch size are "
            "pretrain: keys") in said
    assert "model.genemoe (its learning rate" not in said
