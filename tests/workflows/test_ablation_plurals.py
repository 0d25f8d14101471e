"""``genemoe ablation``: counts of one read in the singular ("first 1 epochs", "of 1 runs",
"(1 folds)": an outside probe's plural sweep)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.workflows.ablation import (
    PER_FOLD_LABELS,
    PRETRAINED,
    AblationResult,
    ablation_tables,
)


def _results(models: list[str], values: list[float]) -> pd.DataFrame:
    rows = [{"model": m, "repeat": 0, "fold": f, "seed": 0, "macro_f1": v, "accuracy": v,
             "macro_precision": v, "macro_recall": v} for m in models
            for f, v in enumerate(values)]
    res = pd.DataFrame(rows)
    res.insert(1, "label", res["model"].map(PER_FOLD_LABELS))
    return res


def test_one_frozen_epoch_and_one_run_read_singular():
    res = _results(["fcn", "moe", "genemoe", PRETRAINED], [0.5, 0.6])
    per_fold = {"n_folds": 2, "freeze_encoder_epochs": 1, "pretrain_from": None, "models": {
        "genemoe": {"epochs": 2, "n_runs": 1, "val_r2": 0.2, "val_r_sample": 0.9,
                    "val_r_sample_baseline": 0.8, "n_collapsed": 0}}}
    md = ablation_tables(res, "classify", n_folds=2, n_repeats=1, seed=0, preset="small",
                         pretrained=None, synthetic=True, per_fold=per_fold)
    assert "(encoder frozen for the first 1 epoch)" in md
    assert "collapse flagged in 0 of 1 run." in md


def test_a_row_of_one_fold_reads_one_fold(tmp_path):
    res = _results(["fcn"], [0.5, np.nan])  # one fold without a score
    text = AblationResult(tmp_path, "classify", res, "", None, 1.0).describe()
    assert "0.500  (1 fold)" in text
