"""A resumed study reuses trial 0's grid choice the study recorded, not fitting the grid again.

Old behaviour: every resume of a classical model's study (same setup) refitted its whole
grid search to re-derive trial 0's values (an SVM's 16 settings on thousands of genes,
minutes), a cost counted in no trial's seconds.
"""

from __future__ import annotations

import optuna

import genemoe.train.fit as fit_mod
from genemoe.train.tuning_start import GRID_CHOICE
from genemoe.workflows.tune import tune_run


def test_a_resume_reuses_the_recorded_grid_choice(synthetic_bundle, tmp_path, monkeypatch):
    bundle = synthetic_bundle()
    opts = dict(out_dir=tmp_path / "t", model_name="logreg", progress=False)
    first = tune_run(bundle.path, n_trials=2, **opts)
    study = optuna.load_study(study_name="logreg-classify", storage=first.storage)
    kept = study.user_attrs[GRID_CHOICE]
    assert kept["n_points"] == first.result.grid_points > 1 and kept["chosen"]
    grids = []
    real = fit_mod.fit_model

    def counting(*args, **kwargs):
        if (kwargs.get("model_cfg") or {}).get("tune") is True:
            grids.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("genemoe.train.tuning_start.fit_model", counting)
    again = tune_run(bundle.path, n_trials=3, **opts)
    assert not grids  # the grid was not fitted again
    assert again.result.n_done_before == 2 and len(again.result.this_call) == 1
    assert again.result.grid_points == first.result.grid_points
    assert again.result.best_params == first.result.best_params or again.result.best_value >= \
        first.result.best_value
