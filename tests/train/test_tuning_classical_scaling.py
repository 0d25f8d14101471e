"""Under ``--tune`` the classical models search the input scaling as the neural ones do
(an outside fairness audit: the neural spaces drew ``standard`` or ``centred`` while every
classical trial got per-gene z-scores). Trial 0 stays the model's grid choice on today's
z-scores; the forest, scale-invariant, does not search it."""

from __future__ import annotations

import numpy as np
import pytest

import genemoe.models.search_spaces as spaces
import genemoe.train.tuning as tuning
from genemoe.data.scaling import fit_scaler
from genemoe.models.registry import create_model
from genemoe.models.search_spaces import Categorical, search_space
from genemoe.train.fit import fit_model, selection_metric
from genemoe.train.task_data import TaskData
from genemoe.train.tuning import tune_model

SCALE_SENSITIVE = [("svm", "classify"), ("svm_linear", "classify"), ("logreg", "classify"),
                   ("coxnet", "survival"), ("coxph", "survival")]


@pytest.mark.parametrize(("name", "task"), SCALE_SENSITIVE)
def test_scale_sensitive_classical_spaces_search_the_neural_scalings(name, task):
    """Old behaviour: no classical space held ``model.input_scaling``."""
    assert search_space(name, task)["model.input_scaling"] == \
        search_space("fcn", task)["model.input_scaling"] == Categorical(("standard", "centred"))


def test_the_forest_does_not_search_a_scaling_that_changes_nothing_and_says_why():
    assert "model.input_scaling" not in search_space("rf", "classify")
    assert "scale-invariant" in " ".join(spaces.__doc__.split())


def _raw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Three classes apart on 3 genes of spread 1; 197 quiet genes (spread 0.05) of noise,
    which per-gene z-scores raise to the signal genes' level."""
    y = rng.integers(0, 3, n)
    X = rng.normal(scale=0.05, size=(n, 200))
    X[:, :3] = rng.normal(size=(n, 3)) + 1.2 * np.eye(3)[y]
    return X, y


@pytest.fixture(scope="module")
def raw() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    return {"train": _raw(rng, 60), "val": _raw(rng, 60)}


def _parts(raw: dict, method: str) -> dict[str, TaskData]:
    """Both parts scaled by ``method``, the scaler fitted on the training part only."""
    scaler = fit_scaler(raw["train"][0], method=method)
    start = {"train": 0, "val": len(raw["train"][1])}
    return {part: TaskData(scaler.transform(X).astype(np.float32), start[part] + np.arange(len(y)),
                           y, None, None, np.zeros(len(y), int))
            for part, (X, y) in raw.items()}


def test_a_logreg_tune_can_choose_centred_input_and_trial_0_is_its_tune_0_fit(raw, monkeypatch):
    """Trial 0: the grid's own C on z-scores, scored as ``--tune 0`` scores it; a trial that
    draws ``centred`` trains on the parts scaled so (one scale for every gene, each gene's
    training mean removed), and on these data wins."""
    seen: list[tuple[str, np.ndarray]] = []
    real = tuning.fit_model

    def spy(name, task, parts, **kw):
        seen.append((kw["model_cfg"].get("input_scaling"), parts["train"].X))
        return real(name, task, parts, **kw)

    standard = _parts(raw, "standard")
    untuned = fit_model("logreg", "classify", standard, model_cfg={}, train_cfg={"seed": 0},
                        n_outputs=3)
    at_tune_0 = selection_metric("classify", 3)(untuned.outputs["val"], standard["val"].y)
    monkeypatch.setattr(tuning, "fit_model", spy)
    res = tune_model("logreg", "classify", standard, base_model_cfg={}, base_train_cfg={},
                     n_outputs=3, n_trials=3, seed=0, storage=None, study_name="s",
                     rescaled=lambda method: _parts(raw, method))
    first = res.trials.iloc[0]
    assert first["model.input_scaling"] == "standard"
    assert first["model.C"] == pytest.approx(untuned.info["params"]["fitted"]["chosen"]["C"])
    assert first["value"] == pytest.approx(at_tune_0)
    assert res.best_params["model.input_scaling"] == "centred"
    assert res.best_model_cfg["input_scaling"] == "centred"
    assert res.best_value > at_tune_0 + 0.1  # z-scores raise the noise genes; centred does not
    trained = [(m, X) for m, X in seen if m is not None]  # the grid's fit of trial 0 names none
    assert {m for m, _ in trained} == {"standard", "centred"}
    centred = _parts(raw, "centred")["train"].X  # its scaler fitted on the training part
    assert all(np.array_equal(X, centred if m == "centred" else standard["train"].X)
               for m, X in trained)


def test_the_forest_sees_the_same_ranks_under_either_scaling(raw):
    """Why ``rf`` does not search it: both scalings shift and scale each gene without
    reordering it, so the same forest grows (no value here reaches the ±10 clip)."""
    probs = []
    for method in ("standard", "centred"):
        parts = _parts(raw, method)
        model = create_model("rf", n_genes=200, n_outputs=3, task="classify", tune=False,
                             n_estimators=20)
        model.fit(parts["train"].X, parts["train"].y)
        probs.append(model.predict_proba(parts["val"].X))
    assert np.array_equal(probs[0], probs[1])
