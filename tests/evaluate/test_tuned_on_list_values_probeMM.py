"""summary.md's "Preset values chosen on data" counts a list option a fold kept as kept:
probe MM's `--tune` benchmark said of the mlp "model.widths: start values only, replaced in
2/2 folds" while both folds chose ``model.widths=[512, 256]``, the ``small`` preset's own
(its start was read from ``model`` instead of ``model.mlp``, so any value counted as new)."""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import summary_markdown

KEY = "train_classify, model.widths"
PROTOCOL = {"task": "classify", "preset": "small", "epochs": None, "n_folds": 2,
            "n_repeats": 1, "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 2}
ENTRY = {"value": "noise_std 0.3, label_smoothing 0.1, adamw (weight decay 1e-2); mlp widths "
                  "512-256", "data": "elsewhere", "part": "unknown", "used_by": ["mlp"]}


def _used_by(chosen: list[str]) -> str:
    """The "used by" cell of the ``train_classify, model.widths`` row for mlp folds that
    chose ``chosen``."""
    results = pd.DataFrame([{"model": "mlp", "repeat": 0, "fold": i, "macro_f1": 0.8,
                             "accuracy": 0.8, "chosen": c} for i, c in enumerate(chosen)])
    md = summary_markdown(results, {**PROTOCOL, "preset_tuned_on": {KEY: ENTRY}})
    section = md.split("## Preset values chosen on data (`small`)")[1].split("\n## ")[0]
    row = next(line for line in section.splitlines() if line.startswith(f"| {KEY} |"))
    return row.rstrip(" |").rsplit(" | ", 1)[1]


def test_kept_widths_in_every_fold_are_not_replaced():
    chosen = ["train.lr=0.001, train.weight_decay=0.01, train.noise_std=0.3, "
              "train.label_smoothing=0.1, model.dropout=0.5, model.widths=[512, 256], "
              "model.batchnorm=true, epoch=[2, 2]"] * 2
    assert _used_by(chosen) == "mlp"


def test_widths_written_another_way_still_kept():
    chosen = ["model.widths=[512,256.0], train.noise_std=0.3", "model.widths=[512, 256]"]
    assert _used_by(chosen) == "mlp"


def test_replaced_widths_counted_per_fold():
    chosen = ["model.widths=[1024, 256], train.noise_std=0.3", "model.widths=[512, 256]"]
    assert _used_by(chosen) == "mlp (model.widths: replaced in 1/2 folds; its other values used)"
