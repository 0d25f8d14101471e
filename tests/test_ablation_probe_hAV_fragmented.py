"""A probe (helper hAV) of a real survival ablation: its end printed pandas'
"warning: PerformanceWarning: DataFrame is highly fragmented ... (workflows/ablation.py:496)",
from labelling the concatenated rows (per-type C-index columns added one by one)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from genemoe.workflows.ablation import labelled_results


def _fragmented(model: str) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # built as the benchmark's rows grow: column by column
        df = pd.DataFrame({"model": [model, model], "repeat": [0, 0], "fold": [0, 1]})
        for i in range(120):
            df[f"c_index_T{i}"] = rng.uniform(size=2)
    return df


def test_the_rows_are_labelled_without_a_pandas_warning():
    parts = [_fragmented("fcn"), _fragmented("genemoe_pretrained")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a PerformanceWarning fails the test
        out = labelled_results(parts, {"fcn": "FC", "genemoe_pretrained": "pre-trained"})
    assert list(out.columns[:4]) == ["model", "label", "repeat", "fold"]
    assert out["label"].tolist() == ["FC", "FC", "pre-trained", "pre-trained"]
    assert out.drop(columns="label").equals(pd.concat(parts, ignore_index=True))
