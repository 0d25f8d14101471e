"""Outside probe hS: the pre-training page of a run of ``genemoe ablation
--pretrain-per-fold`` said "the bundles' test splits left out" (it read a fold's training
part, test-split samples among them, and left out the fold's test part), and gave the
loss terms (WGAN-GP critic, KL, L1, balance) in a figure only."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml

from genemoe.report.pretrain_page import pretrain_context

FINAL = {"loss/critic_loss": 4.576777, "loss/critic_gap": 0.0632180, "loss/gp": 0.000412,
         "loss/g_loss": 17.511177, "loss/adv": -0.0649171, "loss/kl": 0.5664985,
         "loss/l1": 0.7476383, "loss/importance": 0.1889749, "loss/load": 0.0108653,
         "val/r2": 0.27, "val/r_gene": 0.49, "val/r_sample": 0.90,
         "val/r_sample_baseline": 0.86, "val/mse": 2.06, "val/mse_baseline": 2.84}


def _run(tmp_path: Path, bundle: dict) -> Path:
    """A finished pre-training folder (its files as `genemoe pretrain` writes them)."""
    d = tmp_path / "run"
    d.mkdir()
    (d / "pretrained.pt").write_bytes(b"")
    (d / "history.jsonl").write_text(json.dumps({"epoch": 1, **FINAL}) + "\n")
    (d / "config.yaml").write_text(yaml.safe_dump({"preset": "small", "pretrain": {
        "seed": 0, "lambda_gp": 10.0, "lambda_adv": 0.1, "lambda_kl": 1.0, "lambda_l1": 20.0,
        "lambda_balance": 10.0}}))
    (d / "summary.json").write_text(json.dumps({
        "finished": True, "epochs_run": 1, "model": "genemoe", "n_genes": 100, "n_train": 420,
        "n_val": 73, "bundles": [{"path": str(tmp_path / "bundle"), "n_train": 420,
                                  "n_val": 73, "n_test_excluded": 493, **bundle}],
        "final": FINAL, "collapse": {"collapsed": False}}))
    return d


def _text(part: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", part)))


def test_a_fold_run_says_which_rows_it_read(tmp_path: Path) -> None:
    d = _run(tmp_path, {"repeat": 0, "fold": 1, "rows": "fold training part (validation "
                        "part monitored; test part not read)"})
    context = pretrain_context(d, tmp_path / "plots")
    what = str(context["protocol"]["what"])
    assert "test splits left out" not in what
    assert "repeat 0, fold 1: fold training part (validation part monitored" in what
    assert "repeat 0, fold 1: fold training part" in _text(context["metrics"])  # its table


def test_a_run_on_training_splits_says_so(tmp_path: Path) -> None:
    context = pretrain_context(_run(tmp_path, {}), tmp_path / "plots")
    assert str(context["protocol"]["what"]).endswith("the bundles' test splits left out")
    assert "rows pre-trained on" not in context["metrics"]


def test_the_losses_are_given_rounded_with_their_weights(tmp_path: Path) -> None:
    text = _text(pretrain_context(_run(tmp_path, {}), tmp_path / "plots")["metrics"])
    assert "Losses (last epoch" in text
    for row in ("KL | | 0.566 | | 1 | | 0.566", "L1 reconstruction | | 0.748 | | 20 | | 14.953",
                "gradient penalty (GP) | | 0.000412 | | 10 | | –",
                "balance, importance + load over the gates | | 0.200 | | 10 | | 1.998",
                "adversarial, −E D(reconstruction) | | -0.065 | | 0.1 | | -0.006"):
        assert row in text, row
