"""tables.md's "Preset values chosen on data" put a preset ``tuned_on:`` entry that names
several options in one pair of backticks: a real `small` ablation said
"`train_classify, model.widths`" and "`train_survival.survival_selection,
train_survival.select_window`", which read as odd single keys. Each option now has its
own backticks."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.ablation_tables import MODEL_LABELS, ablation_tables


def _tuned() -> dict:
    return {"value": 20, "data": "pancan33_random100, default split", "part": "validation",
            "overlaps_benchmark_test_folds": True, "used_by": ["fcn", "moe", "genemoe"]}


def test_each_option_of_a_tuned_on_entry_is_named_apart():
    rows = [{"model": "fcn", "repeat": 0, "fold": f, "seed": 0, "macro_f1": 0.5,
             "accuracy": 0.5, "macro_precision": 0.5, "macro_recall": 0.5} for f in (0, 1)]
    res = pd.DataFrame(rows)
    res.insert(1, "label", res["model"].map(MODEL_LABELS))
    protocol = {"preset": "small", "bundle_summary": {"synthetic": False}, "preset_tuned_on": {
        "model.dropout": _tuned(), "train_classify, model.widths": _tuned()}}
    md = ablation_tables(res, "classify", n_folds=2, n_repeats=1, seed=0, preset="small",
                         pretrained=None, synthetic=True, protocol=protocol)
    line = next(ln for ln in md.splitlines() if ln.startswith("Preset values chosen on data"))
    assert "`small`'s `model.dropout`, `train_classify`, `model.widths` (used by" in line, line
