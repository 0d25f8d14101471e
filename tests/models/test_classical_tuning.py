"""Classical classifiers choose their hyper-parameters on validation rows (else an inner
CV of the training rows), record what they chose, and honour the user's grid and options."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import f1_score

from genemoe.errors import InputError
from genemoe.models import classical
from genemoe.models.classical import LOGREG_GRID, SVM_GRID
from genemoe.models.registry import create_model, get_spec
from genemoe.models.svm_calibration import TopLabelSVC

pytestmark = pytest.mark.usefixtures("quiet_convergence")  # tests/models/conftest.py


def _tiny_scale_signal(seed: int = 0, n: int = 600, n_genes: int = 30):
    """Two classes told apart only by gene 0, which lives on a tiny scale (sd 0.03, shift
    ±0.05): L2 at the default C = 1 shrinks its weight away; C = 10 keeps it."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, n_genes))
    X[:, 0] = 0.05 * (2 * y - 1) + rng.normal(scale=0.03, size=n)
    return X.astype(np.float32), y


def _blobs(n: int = 120, n_genes: int = 12, n_classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.normal(size=(n_classes, n_genes))[y] + rng.normal(scale=1.5, size=(n, n_genes))
    return X.astype(np.float32), y


def test_tuning_finds_the_good_C_where_the_default_is_poor():
    X, y = _tiny_scale_signal()
    tr, va, te = slice(0, 200), slice(200, 300), slice(300, None)
    fixed = create_model("logreg", n_genes=30, n_outputs=2, task="classify", tune=False)
    tuned = create_model("logreg", n_genes=30, n_outputs=2, task="classify")
    fixed.fit(X[tr], y[tr], X_val=X[va], y_val=y[va])
    tuned.fit(X[tr], y[tr], X_val=X[va], y_val=y[va])
    f1 = {m: f1_score(y[te], m.predict(X[te]), average="macro") for m in (fixed, tuned)}
    assert f1[fixed] < 0.7 < 0.78 < f1[tuned]  # seed 0: 0.57 -> 0.86
    fitted = tuned.get_params()["fitted"]
    assert fitted["chosen"] == {"C": 10.0} and fitted["selection"] == "validation"
    assert tuned.estimator_.C == 10.0  # the final model uses the chosen value
    assert fixed.get_params()["fitted"]["selection"] == "not tuned" and fixed.estimator_.C == 1.0


@pytest.mark.parametrize("name", ["logreg", "svm", "svm_linear", "rf"])
def test_validation_choice_is_recorded(name):
    X, y = _blobs()
    cfg = {"n_estimators": 20} if name == "rf" else {}
    model = create_model(name, n_genes=12, n_outputs=3, task="classify", **cfg)
    model.fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:])
    fitted = model.get_params()["fitted"]
    json.dumps(fitted)
    grid = model.grid
    assert fitted["selection"] == "validation"
    assert len(fitted["grid_scores"]) == int(np.prod([len(v) for v in grid.values()]))
    assert set(fitted["chosen"]) == set(grid)
    assert all(fitted["chosen"][k] in grid[k] for k in grid)
    best = max(g["score"] for g in fitted["grid_scores"])
    assert fitted["score"] == best
    # ties go to the first (most regularised) grid point
    first_best = next(g for g in fitted["grid_scores"] if g["score"] == best)
    assert {k: first_best[k] for k in grid} == fitted["chosen"]


def test_inner_cv_without_validation_rows():
    X, y = _tiny_scale_signal(n=300)
    model = create_model("logreg", n_genes=30, n_outputs=2, task="classify", n_folds=4)
    fitted = model.fit(X, y).get_params()["fitted"]
    assert fitted["selection"] == "inner CV, 4 folds"
    assert fitted["chosen"] == {"C": 10.0}
    assert [g["C"] for g in fitted["grid_scores"]] == LOGREG_GRID["C"]


def test_grid_override_and_fixed_options():
    X, y = _blobs()
    model = create_model("logreg", n_genes=12, n_outputs=3, task="classify", grid={"C": [0.5, 2.0]})
    fitted = model.fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:]).get_params()["fitted"]
    assert [g["C"] for g in fitted["grid_scores"]] == [0.5, 2.0]
    assert fitted["chosen"]["C"] in (0.5, 2.0)

    svm = create_model("svm", n_genes=12, n_outputs=3, task="classify", C=10.0)
    assert svm.grid == {"gamma_scale": SVM_GRID["gamma_scale"]}  # C is fixed by the user
    svm.fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:])
    assert set(svm.get_params()["fitted"]["chosen"]) == {"gamma_scale"}
    assert svm.estimator_.svm_.C == 10.0
    # a numeric gamma fixes the width entirely (gamma_scale only multiplies "scale"/"auto")
    assert create_model("svm", n_genes=12, n_outputs=3, task="classify", gamma=0.01).grid == {
        "C": SVM_GRID["C"]
    }
    plain = create_model("svm", n_genes=12, n_outputs=3, task="classify", C=1.0, gamma=0.01)
    assert plain.fit(X, y).get_params()["fitted"]["selection"] == "not tuned"


def test_grid_option_errors():
    with pytest.raises(InputError, match="both as a value and in grid"):
        create_model("logreg", n_genes=5, n_outputs=2, task="classify", C=1.0, grid={"C": [1.0]})
    with pytest.raises(InputError, match="not an option"):
        create_model("logreg", n_genes=5, n_outputs=2, task="classify", grid={"gamma": [1.0]})
    with pytest.raises(InputError, match="non-empty list"):
        create_model("logreg", n_genes=5, n_outputs=2, task="classify", grid={"C": []})


def test_precomputed_rbf_scores_equal_plain_svc_scores():
    """The RBF grid is scored on precomputed kernels; it must be the same model as SVC."""
    X, y = _blobs(n=90, n_genes=8)
    spec_make = classical._make_svm
    cfg = {**classical.SVM_DEFAULTS}
    points = [{"C": c, "gamma_scale": g} for c in (0.1, 1.0, 10.0) for g in (0.3, 3.0)]
    splits = classical._inner_folds(X, y, 3, 0)
    fast = classical._score_svm_rbf(spec_make, cfg, points, splits)
    slow = classical._score_generic(spec_make, cfg, points, splits)
    np.testing.assert_allclose(fast, slow, atol=0.02)  # float32 vs float64 kernels


def test_svm_probabilities_keep_the_svms_class():
    """No per-class Platt sigmoids (they reorder classes): the linear SVM scales its margins
    by one temperature, the RBF SVM calibrates its votes' class (top-label)."""
    X, y = _blobs()
    linear = create_model("svm_linear", n_genes=12, n_outputs=3, task="classify", tune=False)
    assert "temperature" in get_spec("svm_linear").description
    assert linear.fit(X, y).estimator_.method == "temperature"
    rbf = create_model("svm", n_genes=12, n_outputs=3, task="classify", tune=False).fit(X, y)
    assert "top-label" in get_spec("svm").description
    assert isinstance(rbf.estimator_, TopLabelSVC)
    from sklearn.svm import SVC

    votes = SVC(C=1.0, gamma=rbf.estimator_.svm_.gamma, class_weight="balanced").fit(X, y)
    np.testing.assert_array_equal(rbf.predict(X), votes.decision_function(X).argmax(axis=1))
    assert rbf.get_params()["fitted"]["calibration"]["folds"] == 5


def test_rf_genes_per_split_are_multiples_of_sqrt():
    c = {**classical.RF_DEFAULTS}
    assert [
        classical._rf_max_features({**c, "max_features_factor": f}, 100)
        for f in classical.RF_GRID["max_features_factor"]
    ] == [10, 5, 20]
    assert classical._rf_max_features({**c, "max_features": 0.3}, 100) == 0.3
    rf = create_model("rf", n_genes=100, n_outputs=2, task="classify", max_features=0.3)
    assert rf.grid == {"min_samples_leaf": classical.RF_GRID["min_samples_leaf"]}


def test_classifiers_accept_and_ignore_gene_variance():
    """One fit call for every classical model: the survival models' keyword is harmless."""
    X, y = _blobs()
    model = create_model("logreg", n_genes=12, n_outputs=3, task="classify", tune=False)
    a = model.fit(X, y).predict_proba(X)
    b = model.fit(X, y, gene_variance=np.ones(12)).predict_proba(X)
    np.testing.assert_array_equal(a, b)
