"""``genemoe tune`` follow-ups of real runs (an outside probe, hAT).

Old behaviour: search.png drew every pruned trial at the worst finished value's height
(trials.csv held its own, the last value it reported); a survival tune's
best.yaml carried the classifier's ``focal_gamma`` and ``class_alpha``, and Coxnet's
``n_top_genes: 2000`` on a bundle of 60 or 80 genes; the resuming line said "--trials 3
runs up to 2 more" when trials running in other workers already filled the budget (that
scenario's test is tests/workflows/test_tune_probe_hAM.py's, which sets it up alike).
"""

from __future__ import annotations

import json

import numpy as np
import optuna
import pandas as pd
import yaml

import genemoe.report.tuning_plots as tuning_plots
from genemoe.train.tuning_records import trials_table
from genemoe.workflows.tune import tune_run


def test_a_pruned_trial_is_drawn_at_its_last_reported_value(tmp_path, search_axes):
    """trials.csv's value of a pruned trial is Optuna's: the last value it reported."""
    trials = pd.DataFrame({"number": [0, 1, 2, 3], "state": ["COMPLETE", "COMPLETE", "PRUNED",
                                                             "FAIL"],
                           "value": [0.5, 0.7, 0.31, np.nan]})
    tuning_plots.plot_search(trials, tmp_path / "s.png")
    handles, labels = search_axes[0].get_legend_handles_labels()
    pruned = [h for h, label in zip(handles, labels, strict=True) if label.startswith("pruned")]
    assert len(pruned) == 1, labels
    # old behaviour: pruned and failed alike at 0.5, the worst finished value
    assert list(pruned[0].get_offsets()[:, 1]) == [0.31]
    assert any(label.startswith("no value") for label in labels), labels


def test_a_pruned_trials_value_in_the_table_is_its_last_reported_one():
    """What the plot draws a pruned trial at (a guard: Optuna sets it, genemoe keeps it)."""
    study = optuna.create_study(direction="maximize")

    def objective(trial: optuna.Trial) -> float:
        if trial.number == 1:
            trial.report(0.2, 0)
            trial.report(0.25, 3)
            raise optuna.TrialPruned()
        return 0.6

    study.optimize(objective, n_trials=2)
    t = trials_table(study).set_index("number")
    assert t.loc[1, "state"] == "PRUNED" and t.loc[1, "value"] == 0.25


def test_a_survival_best_yaml_holds_only_options_the_task_reads(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle()
    run = tune_run(bundle.path, out_dir=tmp_path / "t", model_name="fcn", task="survival",
                   n_trials=1, epochs=1, progress=False)
    doc = yaml.safe_load((run.out_dir / "best.yaml").read_text())
    # old behaviour: focal_gamma 2.0 and class_alpha inverse_sqrt, read by a classifier only
    assert not {"focal_gamma", "class_alpha"} & set(doc["train"]), doc["train"]
    assert doc["train"]["cox_ties"] == "efron"


def test_coxnet_best_yaml_writes_the_genes_it_had(os_and_pfi, caplog):
    os_bundle, _, best = os_and_pfi
    n_genes = int(os_bundle.gene_mask().sum())
    text = best.read_text()
    top = yaml.safe_load(text)["model"]["coxnet"]["n_top_genes"]
    assert top == n_genes, top  # old behaviour: 2000 on 60 genes
    assert f"written as {n_genes}" in text
    summary = json.loads((best.parent / "summary.json").read_text())  # the report's table
    assert summary["best_params"]["model.n_top_genes"] == n_genes


def test_an_inner_fold_partial_likelihood_is_not_said_to_be_a_runs(synthetic_bundle, tmp_path,
                                                                   monkeypatch):
    """Old behaviour: ``--cv 2`` on pancan33 said "best validation partial_likelihood:
    -5.152 (mean of 2 inner folds) (... a run keeps it in config.yaml:
    calibration.val_pll_per_event_after)"; the run retrained from best.yaml kept -3.794 (its
    98-patient validation split: the value per event falls with the patients at risk)."""
    monkeypatch.chdir(tmp_path)  # the title and the retrain line name the folder
    run = tune_run(synthetic_bundle().path, out_dir="t", model_name="coxnet",
                   task="survival", n_trials=1, cv=2, progress=False)
    text = run.describe()
    assert "a run keeps it" not in text, text
    assert "not comparable with a\n    run's calibration.val_pll_per_event_after" in text, text
    assert max(map(len, text.splitlines())) <= 100
