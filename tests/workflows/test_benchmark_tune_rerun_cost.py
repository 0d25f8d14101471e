"""A benchmark rerun with a larger ``--tune`` in the same ``--out`` continues each cell's
stored study (tuning.db): the probe's ``--tune 2`` then ``--tune 3`` warned "this
benchmark's cells are computed anew" unqualified, printed the 3 trials' seconds as this
call's ("26 s in the searches" for a 23 s run) and summary.md's seconds_tuning counted the
earlier trials. Now the reuse is said, and this call's cost stands beside the total."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.evaluate.benchmark_tables import tuning_cost_table
from genemoe.report.terminal import budget_line


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def test_a_larger_tune_rerun_says_the_trials_reused_and_this_call_s_cost(
        bundle, tmp_path, caplog):
    bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                     out_dir=tmp_path, tune=2)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                         out_dir=tmp_path, tune=3)
    assert "computed anew; their searches continue the stored studies in tuning.db" in caplog.text
    results = pd.read_csv(tmp_path / "results.csv")
    assert (results["tune_trials"] == 3).all() and (results["tune_trials_this_call"] == 1).all()
    assert (results["tune_seconds_this_call"] < results["tune_seconds"]).all()
    cost = tuning_cost_table(results)
    assert cost.loc[0, "trials"] == 6 and cost.loc[0, "trials_this_call"] == 2
    summary = (tmp_path / "summary.md").read_text()
    assert "`trials_this_call` and `seconds_this_call` this call's alone" in summary
    assert "| trials_this_call | seconds_this_call |" in summary
    line = budget_line({"tune": 3}, results)
    assert "continued stored studies (tuning.db): 2 trials per cell reused, 1 run" in line


def test_a_first_tuned_run_has_no_this_call_columns_in_its_cost(bundle, tmp_path):
    bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                     out_dir=tmp_path, tune=2)
    results = pd.read_csv(tmp_path / "results.csv")
    assert (results["tune_trials_this_call"] == 2).all()
    assert "trials_this_call" not in tuning_cost_table(results)
    assert "continued" not in budget_line({"tune": 2}, results)
