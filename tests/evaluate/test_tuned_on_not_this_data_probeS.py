"""summary.md's "Preset values chosen on data" (probeS): a benchmark on a synthetic bundle
listed "sits in a benchmark's test folds: True" for values tuned on pancan33 samples, and
the note "If this benchmark runs on that data ..." under it: none of pancan33's samples can
be in a synthetic bundle's folds."""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import summary_markdown

PROTOCOL = {"task": "classify", "preset": "small", "epochs": None, "n_folds": 3,
            "n_repeats": 1, "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 0}
ENTRY = {"value": 20, "data": "pancan33_random100, default split (prepare --seed 0)",
         "part": "validation split", "overlaps_benchmark_test_folds": True, "used_by": ["mlp"]}
RESULTS = pd.DataFrame({"model": ["mlp"] * 3, "repeat": [0] * 3, "fold": [0, 1, 2],
                        "macro_f1": [0.5] * 3, "accuracy": [0.6] * 3})


def _section(protocol: dict) -> str:
    md = summary_markdown(RESULTS, {**PROTOCOL, **protocol})
    return md.split("## Preset values chosen on data (`small`)")[1].split("\n## ")[0]


def test_a_synthetic_bundle_is_not_the_data_a_preset_was_tuned_on():
    section = _section({"preset_tuned_on": {"train.patience": ENTRY},
                        "bundle_summary": {"synthetic": True, "n_samples": 900},
                        "samples": {"n_bundle": 900, "n_used": 900}})
    assert ("| not this data (0 of its samples are in these folds: their 900 samples are "
            "synthetic) |") in section
    assert "| True |" not in section
    assert "If this benchmark runs on that data" not in section


def test_real_data_keeps_the_hedged_true():
    section = _section({"preset_tuned_on": {"train.patience": ENTRY},
                        "bundle_summary": {"synthetic": False, "n_samples": 900}})
    assert "| True |" in section and "If this benchmark runs on that data" in section


def test_a_checked_tune_entry_says_how_many_or_not_this_data():
    tune = {**ENTRY, "study": "s", "test_folds_overlap": "...", "n_test_folds": 116}
    none = _section({"preset_tuned_on": {"train.patience": {**tune, "n_test_folds_tuned_on": 0}}})
    assert "| not this data (0 of its samples are among the 116 in these folds) |" in none
    some = _section({"preset_tuned_on": {"train.patience": {**tune, "n_test_folds_tuned_on": 5}}})
    assert "| 5 of its 116 |" in some
