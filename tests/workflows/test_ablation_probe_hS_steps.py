"""Outside probe hS: tables.md tested every model against the best one other than Gene-MOE,
each difference a bare mean: what pre-training adds (pre-trained Gene-MOE against Gene-MOE
from scratch), the ablation's point, was nowhere, nor any difference's spread."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.ablation_tables import PRETRAINED, ablation_tables


def _results() -> pd.DataFrame:
    """Three folds of the four arms (macro F1), sizes as results.csv has them."""
    f1 = {"fcn": [0.50, 0.52, 0.54], "moe": [0.60, 0.60, 0.66], "genemoe": [0.62, 0.61, 0.63],
          PRETRAINED: [0.72, 0.61, 0.68]}
    return pd.DataFrame([{"model": m, "label": m, "repeat": 0, "fold": f, "seed": 0,
                          "n_train": 60, "n_val": 6, "n_test": 33, "accuracy": v,
                          "macro_precision": v, "macro_recall": v, "macro_f1": v}
                         for m, vs in f1.items() for f, v in enumerate(vs)])


def test_tables_say_what_each_step_adds_with_its_spread() -> None:
    text = ablation_tables(_results(), "classify", n_folds=3, n_repeats=1, seed=0,
                           preset="small", pretrained=None, synthetic=True)
    assert "## What each step adds" in text
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:7]
            for line in text.splitlines() if line.startswith(("| the ", "| pre-training"))}
    assert rows["the experts: MOE − two FC layers"] == ["+0.100", "0.020", "3", "0", "0", "3"]
    assert rows["the MOAE: Gene-MOE − MOE"] == ["+0.000", "0.026", "2", "0", "1", "3"]
    assert rows["pre-training: pre-trained Gene-MOE − Gene-MOE"] == [
        "+0.050", "0.050", "2", "1", "0", "3"]
