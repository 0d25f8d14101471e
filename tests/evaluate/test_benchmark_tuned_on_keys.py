"""summary.md's "Preset values chosen on data" tells a whole-section entry (``train_classify``)
key by key against each fold's chosen values: the probe's `--tune` benchmark said
"used by fcn" for noise_std 0.3, label_smoothing 0.1 and weight decay 1e-2 while both folds'
searches had replaced all three (results.csv's ``chosen``)."""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import summary_markdown

PROTOCOL = {"task": "classify", "preset": "small", "epochs": None, "n_folds": 2,
            "n_repeats": 1, "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 2}
ENTRY = {"value": "noise_std 0.3, label_smoothing 0.1, adamw (weight decay 1e-2); mlp widths "
                  "512-256", "data": "elsewhere", "part": "unknown"}


def _used_by(chosen: list[str], key: str = "train_classify, model.widths",
             model: str = "fcn") -> str:
    """The "used by" cell of ``key``'s row for ``model``'s folds that chose ``chosen``."""
    results = pd.DataFrame([{"model": model, "repeat": 0, "fold": i, "macro_f1": 0.8,
                             "accuracy": 0.8, "chosen": c} for i, c in enumerate(chosen)])
    entry = {**ENTRY, "used_by": [model]}
    md = summary_markdown(results, {**PROTOCOL, "preset_tuned_on": {key: entry}})
    section = md.split("## Preset values chosen on data (`small`)")[1].split("\n## ")[0]
    row = next(line for line in section.splitlines() if line.startswith(f"| {key} |"))
    return row.rstrip(" |").rsplit(" | ", 1)[1]


def test_section_keys_every_fold_replaced_are_start_values_only():
    chosen = ["train.lr=0.00265, train.weight_decay=3.95e-06, train.noise_std=0.303, "
              "train.label_smoothing=0.0926, model.dropout=0.481, epoch=3",
              "train.lr=0.001, train.weight_decay=1e-05, train.noise_std=0.2, "
              "train.label_smoothing=0.05, model.dropout=0.3, epoch=2"]
    assert _used_by(chosen) == ("fcn (train.noise_std, train.label_smoothing, "
                                "train.weight_decay: start values only, replaced in 2/2 folds; "
                                "its other values used)")


def test_section_keys_kept_in_a_fold_are_counted_per_key():
    chosen = ["train.weight_decay=0.01, train.noise_std=0.3, train.label_smoothing=0.2",
              "train.weight_decay=0.001, train.noise_std=0.3, train.label_smoothing=0.05"]
    assert _used_by(chosen) == ("fcn (train.label_smoothing: start values only, replaced in "
                                "2/2 folds; train.weight_decay: replaced in 1/2 folds; its other "
                                "values used)")


def test_a_section_no_fold_searched_stays_used():
    assert _used_by(["model.dropout=0.4, epoch=3", "epoch=2"]) == "fcn"


# probe MM's `--tune` benchmark said of the mlp "model.widths: start values only, replaced in
# 2/2 folds" while both folds chose ``model.widths=[512, 256]``, the ``small`` preset's own
# (its start was read from ``model`` instead of ``model.mlp``, so any value counted as new);
# these three tests were tests/evaluate/test_tuned_on_list_values_probeMM.py


def test_kept_widths_in_every_fold_are_not_replaced():
    chosen = ["train.lr=0.001, train.weight_decay=0.01, train.noise_std=0.3, "
              "train.label_smoothing=0.1, model.dropout=0.5, model.widths=[512, 256], "
              "model.batchnorm=true, epoch=[2, 2]"] * 2
    assert _used_by(chosen, model="mlp") == "mlp"


def test_widths_written_another_way_still_kept():
    chosen = ["model.widths=[512,256.0], train.noise_std=0.3", "model.widths=[512, 256]"]
    assert _used_by(chosen, model="mlp") == "mlp"


def test_replaced_widths_counted_per_fold():
    chosen = ["model.widths=[1024, 256], train.noise_std=0.3", "model.widths=[512, 256]"]
    assert _used_by(chosen, model="mlp") == ("mlp (model.widths: replaced in 1/2 folds; its "
                                             "other values used)")
