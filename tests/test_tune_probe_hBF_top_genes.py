"""``n_top_genes`` as each trial of a coxnet tune used it (an outside probe, hBF).

Old behaviour: trials.csv listed the drawn ``model.n_top_genes`` (2000) on every trial of a
60-gene bundle, and the terminal's best values and best.yaml's ``tuned_on`` value said 2000
too, while best.yaml's ``n_top_genes`` and summary.json's ``best_params`` said 60.
"""

from __future__ import annotations

import pandas as pd
import yaml

from genemoe.workflows.tune import tune_run


def test_trials_csv_says_the_genes_each_trial_used(os_and_pfi):
    os_bundle, _, best = os_and_pfi
    n_genes = int(os_bundle.gene_mask().sum())
    t = pd.read_csv(best.parent / "trials.csv")
    assert (t["model.n_top_genes"] == n_genes).all(), t["model.n_top_genes"]
    assert (t["n_top_genes_capped_from"] == 2000).all(), t.columns  # the drawn value, said where cut
    entry = next(iter(yaml.safe_load(best.read_text())["tuned_on"].values()))
    assert "n_top_genes 2000" not in entry["value"], entry["value"]


def test_a_resumed_study_keeps_its_trials_and_says_the_genes_used(os_and_pfi, tmp_path):
    """The study's key is unchanged: the same command with a larger budget resumes it."""
    os_bundle, _, best = os_and_pfi
    n_genes = int(os_bundle.gene_mask().sum())
    out = tmp_path / "t"
    tune_run(os_bundle.path, out_dir=out, model_name="coxnet", task="survival", n_trials=1,
             progress=False)
    run = tune_run(os_bundle.path, out_dir=out, model_name="coxnet", task="survival",
                   n_trials=2, progress=False)
    assert run.result.n_done_before == 1
    assert list(run.result.trials["model.n_top_genes"]) == [n_genes, n_genes]
    assert run.result.best_params["model.n_top_genes"] == n_genes
