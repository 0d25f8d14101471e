"""A classical model's trial 0 is the values its own grid search chooses on validation,
as ``--tune 0`` fits it (probeII): it was the library's defaults (an RBF SVM's C = 1,
gamma_scale = 1) while a neural model's trial 0 is the preset, tuned on data, so a small
``--tune`` ran the SVM below its untuned self on the same folds (0.480 at ``--tune 0``,
0.217 at ``--tune 2``)."""

from __future__ import annotations

import pytest

from genemoe.train.fit import fit_model, selection_metric
from genemoe.train.task_data import TaskData
from genemoe.train.tuning import tune_model


@pytest.fixture(scope="module")
def parts() -> dict[str, TaskData]:
    """Three classes apart on a few of 30 genes, at a scale the default gamma misses."""
    from synthetic_inputs import three_class_parts

    return three_class_parts(seed=4, n_train=120, n_val=60, n_genes=30)


@pytest.mark.parametrize("name", ["svm", "logreg"])
def test_trial_0_is_the_grid_choice_and_scores_as_tune_0(parts, name):
    untuned = fit_model(name, "classify", parts, model_cfg={}, train_cfg={"seed": 0},
                        n_outputs=3)
    chosen = untuned.info["params"]["fitted"]["chosen"]
    metric = selection_metric("classify", 3)
    at_tune_0 = metric(untuned.outputs["val"], parts["val"].y)
    res = tune_model(name, "classify", parts, base_model_cfg={}, base_train_cfg={},
                     n_outputs=3, n_trials=1, seed=0, storage=None, study_name="g")
    held = {"model.tune", "model.input_scaling"}  # the scaling: held at the arrays' own
    got = {k.removeprefix("model."): v for k, v in res.best_params.items() if k not in held}
    assert got == pytest.approx(chosen)
    assert res.best_params["model.input_scaling"] == "standard"  # trial 0: on z-scores
    assert res.best_value == pytest.approx(at_tune_0)


def test_a_start_with_the_grid_off_is_kept(parts):
    """`tune: false` given: the starting values are the given ones, no grid is fitted."""
    res = tune_model("svm", "classify", parts, base_model_cfg={"tune": False, "C": 3.0},
                     base_train_cfg={}, n_outputs=3, n_trials=1, seed=0, storage=None,
                     study_name="g2")
    assert res.best_params.get("model.C") == pytest.approx(3.0)
