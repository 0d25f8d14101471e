"""A survival benchmark's page as an outsider reads it (probe hAR): the note summary.md gives
on AUCs recomputed on resume, and the cancer type alone's pooled C-index on the first
screen, beside the models' pooled C."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.report.first_screen import benchmark_panel
from genemoe.report.html import write_report


@pytest.fixture(scope="module")
def survival_bench(synthetic_bundle, tmp_path_factory):
    """A 2-fold coxnet survival benchmark of the synthetic cohort (3 types)."""
    out = tmp_path_factory.mktemp("hAR") / "bench"
    bm.run_benchmark(synthetic_bundle(seed=1).path, task="survival", models=["coxnet"],
                     n_folds=2, n_boot=20, out_dir=out)
    return out


def test_the_page_says_summary_mds_note_on_aucs_recomputed_on_resume(survival_bench):
    """Old behaviour: a resumed benchmark's recomputed AUCs were said in summary.md's note;
    the page showed them only in the auc_rule column of the every-fold table."""
    path = sorted((survival_bench / "cells").glob("coxnet__*.json"))[0]
    cell = json.loads(path.read_text())
    cell["metrics"]["auc_recomputed_on_resume"] = True  # as a resume over an older cell
    path.write_text(json.dumps(cell))
    page = write_report(survival_bench).read_text()
    assert "1 of 2 cells&#x27; AUCs were computed before the censoring floor (0.2) and " \
           "recomputed under it on resume" in page
    assert "the models were not refitted" in page


def _results(alone: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"model": ["coxnet", "coxnet", "genemoe", "genemoe"],
                         "repeat": [0, 0, 0, 0], "fold": [0, 1, 0, 1],
                         "c_index": [0.62, 0.61, 0.50, 0.51],
                         "within_type_c_index": [0.55, 0.54, 0.50, 0.51],
                         "type_only_c_index": alone + alone})


def _panel(results: pd.DataFrame) -> str:
    protocol = {"task": "survival", "models": ["coxnet", "genemoe"], "n_folds": 2,
                "n_repeats": 1, "endpoint": "OS"}
    return benchmark_panel(protocol=protocol, results=results, summary={}, record={},
                           figures=[], comparison=None)


def test_the_first_screen_gives_the_cancer_type_alones_pooled_c():
    """Old behaviour: the panel showed coxnet's pooled C 0.616 as the best, the type alone's
    0.631 (terminal and summary.md) unsaid."""
    panel = _panel(_results([0.63, 0.632]))
    assert "The cancer type alone (each type's training death rate as the risk)" in panel
    assert "<b>0.631 ± 0.001</b> over the 2 folds" in panel
    assert "at or above every model's pooled C-index" in panel
    below = _panel(_results([0.55, 0.56]))
    assert "<b>0.555 ± 0.007</b> over the 2 folds" in below
    assert "at or above" not in below


def test_the_protocol_table_says_the_samples_used_and_the_types_rarer_than_the_folds(
        survival_bench):
    """Old behaviour: summary.md's protocol said "Samples: 363 of the bundle's 364 (left out:
    1 no survival data)" and named the types with fewer samples than folds; the page said
    neither."""
    path = survival_bench / "protocol.json"
    protocol = json.loads(path.read_text())
    protocol["samples"] = {"n_bundle": 151, "n_used": 150, "left_out": {"no survival data": 1},
                           "types_under_folds": {"T9": 1}}
    path.write_text(json.dumps(protocol))
    page = write_report(survival_bench).read_text()
    assert ("150 of the bundle&#x27;s 151 (left out: 1 no survival data); types with fewer "
            "samples than folds: T9 1 (some test folds hold none of them)") in page


def test_the_type_alone_is_set_against_each_model_on_its_own_folds():
    """An unfinished benchmark: coxnet finished fold 0 only (0.70, the type alone 0.63 there);
    the type alone's 0.715 over both folds is not above coxnet on coxnet's fold."""
    results = pd.DataFrame({"model": ["coxnet", "genemoe", "genemoe"], "repeat": [0, 0, 0],
                            "fold": [0, 0, 1], "c_index": [0.70, 0.50, 0.51],
                            "type_only_c_index": [0.63, 0.63, 0.80]})
    panel = _panel(results)
    assert "<b>0.715 ± 0.120</b> over the 2 folds" in panel
    assert "at or above" not in panel
