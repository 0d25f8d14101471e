"""A benchmark's grid-edge counts (summary.md and the terminal) and the tuned_on column's
overlap with its test folds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_protocol import grid_edge_counts
from genemoe.evaluate.benchmark_tuned_on import tuned_on_overlap


def test_grid_edge_counts_count_cells_and_each_value():
    g = pd.DataFrame({"grid_edge": ["C 10 (largest)", np.nan, "",
                                    "C 10 (largest), n_top_genes 100 (largest)"]})
    assert grid_edge_counts(g) == (2, {"C 10 (largest)": 2, "n_top_genes 100 (largest)": 1})


def test_grid_edge_counts_of_none_or_an_older_results_csv():
    assert grid_edge_counts(pd.DataFrame({"grid_edge": [np.nan, np.nan]})) == (0, {})
    assert grid_edge_counts(pd.DataFrame({"model": ["svm"]})) == (0, {})


def test_a_checked_entry_is_counted():
    assert tuned_on_overlap({"n_test_folds": 116, "n_test_folds_tuned_on": 5}, {}) == "5 of its 116"
    assert tuned_on_overlap({"n_test_folds": 1200, "n_test_folds_tuned_on": 0}, {}) == (
        "not this data (0 of its samples are among the 1,200 in these folds)")


def test_a_presets_note_on_a_synthetic_bundle_is_not_this_data():
    entry = {"data": "pancan33 (TCGA)", "overlaps_benchmark_test_folds": True}
    synthetic = {"bundle_summary": {"synthetic": True}, "samples": {"n_used": 900}}
    assert tuned_on_overlap(entry, synthetic) == (
        "not this data (0 of its samples are in these folds: their 900 samples are synthetic)")
    assert tuned_on_overlap(entry, {"bundle_record": {"synthetic": True}}) == (
        "not this data (0 of its samples are in these folds: their samples are synthetic)")
    assert tuned_on_overlap(entry, {"bundle_summary": {"synthetic": False}}) is True
    own = {"data": "synthetic cohort", "overlaps_benchmark_test_folds": True}
    assert tuned_on_overlap(own, synthetic) is True
    assert tuned_on_overlap("a string", synthetic) is None
