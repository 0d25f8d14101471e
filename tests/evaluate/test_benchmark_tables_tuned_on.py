"""summary.md's "Preset values chosen on data": a model whose search replaced a preset value
in its folds is said so beside its name (the "used by" column is decided before tuning)."""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import summary_markdown

PROTOCOL = {"task": "classify", "preset": "small", "epochs": None, "n_folds": 2,
            "n_repeats": 1, "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 20}


def _section(chosen: dict[str, list[str]], tuned_on: dict) -> str:
    results = pd.DataFrame([{"model": m, "repeat": 0, "fold": i, "macro_f1": 0.8, "accuracy": 0.8,
                             "chosen": c} for m, cs in chosen.items() for i, c in enumerate(cs)])
    md = summary_markdown(results, {**PROTOCOL, "preset_tuned_on": tuned_on})
    return md.split("## Preset values chosen on data (`small`)")[1].split("\n## ")[0]


def test_a_value_the_search_replaced_in_every_fold_is_a_start_value_only():
    """The probe: `model.dropout | 0.5 … | used by | fcn` while Chosen per fold showed fcn
    ran with model.dropout=0.352 in both folds."""
    tuned_on = {"model.dropout": {"value": "0.5 (kept; 0.25 did not pass)", "data": "pancan",
                                  "part": "val", "used_by": ["fcn", "mlp"]}}
    section = _section({"fcn": ["model.dropout=0.352, train.lr=0.000216, epoch=12",
                                "model.dropout=0.352, train.lr=0.0003, epoch=9"],
                        "mlp": ["epoch=4", "epoch=5"]}, tuned_on)
    assert "| fcn: start value only, replaced in 2/2 folds, mlp |" in section


def test_a_fold_that_kept_the_value_is_not_counted():
    tuned_on = {"model.dropout": {"value": 0.5, "data": "pancan", "part": "val",
                                  "used_by": ["fcn"]},
                "train_classify": {"value": "noise_std 0.3", "data": "pancan", "part": "val",
                                   "used_by": ["fcn"]}}
    section = _section({"fcn": ["model.dropout=0.5, train.noise_std=0.1",
                                "model.dropout=[0.2, 0.3], epoch=3"]}, tuned_on)
    assert "| fcn: replaced in 1/2 folds |" in section  # fold 0's search kept 0.5
    # a section entry is told option by option (tests/evaluate/test_benchmark_tuned_on_keys.py)
    assert ("| train_classify | noise_std 0.3 | pancan | val |  | fcn (train.noise_std: "
            "replaced in 1/2 folds; its other values used) |") in section
