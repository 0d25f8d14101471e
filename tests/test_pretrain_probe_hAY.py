"""Outside probe hAY of pre-training leftovers: a ``genemoe train --pretrained`` run's lines
under the table, the pre-training report page, and the critic-gap note.

``train --pretrained`` on a bundle lacking 15 of the pre-training's 100 genes printed a
155-character line; the page left out ``bundles[].clipped`` and ``loss_weights``; the
critic note fired at a gap of -0.0045 (noise of a 2-epoch run).
"""

from __future__ import annotations

from genemoe.workflows.train_record import pretrained_text

_PRE = {"run": "/tmp/a/rather/long/folder/of/pre-training/runs/P", "model_name": "genemoe",
        "encoder_modules": ["encoder"], "n_tensors": 70, "n_genes_pretrained": 100,
        "n_genes_shared": 85, "n_genes_new": 0, "n_genes_missing": 15, "n_genes_absent": 15,
        "n_genes_filtered": 0}


def test_pretrained_lines_fit_100_characters_and_say_the_same():
    said = pretrained_text(_PRE)
    lines = said.split("\n")[1:]
    assert said.startswith("\n  started from the pre-trained")
    assert max(map(len, lines)) <= 100, [len(line) for line in lines]
    words = " ".join(said.split())
    assert ("15 of the pre-training's 100 genes are not among the model's: 15 absent from the "
            "bundle, 0 removed by its gene filter (metrics.json: protocol.pretrained)") in words
    assert words.endswith("(metrics.json: protocol.pretrained)")
    assert all(line.startswith("  ") for line in lines)  # each under the table, indented


# ---- (2) the pre-training page: summary.json's bundles[].clipped and loss_weights ----------

_FINAL = {"loss/critic_loss": 6.72, "loss/critic_gap": 0.0755, "loss/gp": 0.68,
          "loss/g_loss": 18.25, "loss/adv": 0.0252, "loss/kl": 0.51, "loss/l1": 0.794,
          "loss/importance": 0.18, "loss/load": 0.005, "val/r2": 0.165, "val/r_gene": 0.42,
          "val/r_sample": 0.88, "val/r_sample_baseline": 0.86, "val/mse": 2.0,
          "val/mse_baseline": 2.4}
_CLIPPED = {"train": {"method": "standard", "clip": 10.0, "n_values": 188, "n_samples": 40,
                      "n_genes": 158, "n_rows": 693, "n_total": 69300, "max_abs": 15.93},
            "val": {"method": "standard", "clip": 10.0, "n_values": 0, "n_samples": 0,
                    "n_genes": 0, "n_rows": 100, "n_total": 10000, "max_abs": 5.3}}
_WEIGHTS = {"lambda_l1": 20.0, "lambda_kl": 1.0, "lambda_adv": 0.1, "lambda_balance": 10.0,
            "lambda_gp": 10.0, "n_critic": 3}


def _page_run(tmp_path, config_pretrain: dict):
    """A finished pre-training folder as `genemoe pretrain` writes it (hand-made)."""
    import json

    import yaml

    d = tmp_path / "run"
    d.mkdir()
    (d / "pretrained.pt").write_bytes(b"")
    (d / "history.jsonl").write_text(json.dumps({"epoch": 2, **_FINAL}) + "\n")
    (d / "config.yaml").write_text(yaml.safe_dump({"preset": "small",
                                                   "pretrain": {"seed": 0, **config_pretrain}}))
    (d / "summary.json").write_text(json.dumps({
        "finished": True, "epochs_run": 2, "model": "genemoe", "n_genes": 100,
        "n_train": 693, "n_val": 100, "loss_weights": _WEIGHTS,
        "bundles": [{"path": str(tmp_path / "A"), "n_train": 693, "n_val": 100,
                     "n_test_excluded": 197, "clipped": _CLIPPED}],
        "final": _FINAL, "collapse": {"collapsed": False}}))
    return d


def _page_text(part: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", part)))


def test_the_page_says_what_the_scaler_clipped_per_bundle_and_split(tmp_path):
    from genemoe.report.pretrain_page import pretrain_context

    context = pretrain_context(_page_run(tmp_path, _WEIGHTS), tmp_path / "plots")
    text = _page_text(context["metrics"])
    assert "values clipped by the scaler" in text
    assert ("±10 z: train 188 of 69,300 (0.3%), val 0 of 10,000 (0.0%); 158 genes, "
            "largest |z| 15.9") in text
    # the protocol's line is the terminal's (train.pretrain_record.clipped_words)
    assert str(context["protocol"]["inputs clipped"]).startswith(
        "inputs clipped to ±10 z: train 188 values (0.3%), val 0 (0.0%)")


def test_the_page_weights_are_summary_json_loss_weights(tmp_path):
    """A config.yaml without the weights (or with others) gave '–' (or those): the page's
    weights are the ones the run recorded, and the critic's steps are said."""
    from genemoe.report.pretrain_page import pretrain_context

    context = pretrain_context(_page_run(tmp_path, {"lambda_l1": 5.0}), tmp_path / "plots")
    text = _page_text(context["metrics"])
    for row in ("KL | | 0.510 | | 1 | | 0.510", "L1 reconstruction | | 0.794 | | 20 | | 15.880",
                "gradient penalty (GP) | | 0.680 | | 10 | | –",
                "adversarial, −E D(reconstruction) | | 0.025 | | 0.1 | | 0.00252"):
        assert row in text, row
    assert "Weights from summary.json's loss_weights; the critic took 3 steps per generator" in text


# ---- (3) the critic-gap note: not at a gap within its noise of 0 ---------------------------

def _epochs(gaps: list[float]) -> list[dict]:
    return [{"epoch": i + 1, "loss/kl": 0.5, "loss/critic_gap": g, "val/r2": 0.4,
             "val/mse": 1.0, "val/mse_baseline": 2.0, "val/mae": 0.8, "val/mae_baseline": 1.0}
            for i, g in enumerate(gaps)]


def test_a_gap_of_minus_0_0045_is_noise_and_draws_no_note():
    """A 2-epoch run's last gap of -0.0045 drew "the critic preferring reconstructions"."""
    from genemoe.train.pretrain_metrics import collapse_report

    report = collapse_report(_epochs([0.012, -0.0045]), kl_collapse=0.01)
    assert report["notes"] == [] and report["critic_fooled"] is False
    assert report["critic_gap_noise"] >= 0.01  # recorded beside the gap


def test_the_noise_follows_the_gaps_own_spread_over_epochs():
    from genemoe.train.pretrain_metrics import collapse_report, critic_gap_noise

    swinging = [0.5, -0.3, 0.4, -0.2, 0.3, -0.1]  # the last 5: sd 0.30
    assert critic_gap_noise(swinging) > 0.25
    assert collapse_report(_epochs(swinging), kl_collapse=0.01)["notes"] == []
    (note,) = collapse_report(_epochs([0.08, 0.06, -0.3]), kl_collapse=0.01)["notes"]
    assert "critic preferring reconstructions" in note and "-0.3" in note
    assert "below 0 by more than its noise" in note


def test_the_temperature_line_fits_100_characters():
    """Beside the pretrained lines under train's table: it ran to 117 characters."""
    from genemoe.workflows.train_record import ece_rose_text

    said = ece_rose_text({"temperature": 1.0041, "ece_before": 0.082, "ece_after": 0.086,
                          "ece_rose": True, "n": 1_000, "method": "temperature"})
    assert said.startswith("\n  temperature T = 1.00 (1.0041) raised validation ECE 0.082 → 0.086")
    assert max(len(line) for line in said.split("\n")) <= 100, said
    assert " ".join(said.split()).endswith("kept (it minimises log-loss; ECE of 1000 samples "
                                           "is noisy)")
