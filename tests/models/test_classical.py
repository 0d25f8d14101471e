"""Classical baselines: registration, the shared interface, accuracy on easy synthetic data,
and feature selection that never sees test rows."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sksurv.metrics import concordance_index_censored

from genemoe.errors import InputError
from genemoe.models.classical import top_variance_genes
from genemoe.models.registry import create_model, get_spec, list_models

CLASSIFIERS = ["logreg", "rf", "svm", "svm_linear"]
SURVIVAL = ["coxnet", "coxph"]
# Small, fast settings for the tests (the defaults are sized for TCGA).
FAST = {
    "rf": {"n_estimators": 50, "tune_n_estimators": 20},
    "coxnet": {"n_alphas": 10, "n_folds": 3},
}


pytestmark = pytest.mark.usefixtures("quiet_convergence")  # tests/models/conftest.py


def _blobs(n: int = 240, n_genes: int = 40, n_classes: int = 4, seed: int = 0):
    """Gaussian classes around random centres; classes are well but not trivially separated."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    centres = rng.normal(size=(n_classes, n_genes))
    X = centres[y] + rng.normal(scale=1.5, size=(n, n_genes))
    return X.astype(np.float32), y


def _cox_cohort(n: int, seed: int, n_genes: int = 100):
    """Cox model with 5 informative genes; they are the most variable (sd 1.5 vs 1), as the
    top-variance filter of the survival baselines assumes."""
    rng = np.random.default_rng(seed)
    sd = np.ones(n_genes)
    sd[:5] = 1.5
    X = rng.normal(size=(n, n_genes)) * sd
    beta = np.zeros(n_genes)
    beta[:5] = np.array([1.0, -1.0, 0.8, -0.8, 0.6]) / 1.5
    t_event = rng.exponential(100 * np.exp(-X @ beta))
    t_cens = rng.exponential(150, n)
    return X.astype(np.float32), np.minimum(t_event, t_cens), t_event <= t_cens


def test_registered():
    names = list_models(kind="sklearn")
    assert set(CLASSIFIERS + SURVIVAL) <= set(names)
    for name in CLASSIFIERS:
        assert get_spec(name).tasks == ("classify",)
    for name in SURVIVAL:
        assert get_spec(name).tasks == ("survival",)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifier_beats_chance_with_valid_probs(name):
    X, y = _blobs()
    n_out = 5  # class 4 never occurs in training: its column must be there, and zero
    model = create_model(
        name, n_genes=X.shape[1], n_outputs=n_out, task="classify", **FAST.get(name, {})
    )
    assert model.fit(X[:160], y[:160]) is model
    probs = model.predict_proba(X[160:])
    assert probs.shape == (80, n_out)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(probs >= 0) and np.all(probs[:, 4] == 0)
    pred = model.predict(X[160:])
    np.testing.assert_array_equal(pred, probs.argmax(axis=1))
    assert np.mean(pred == y[160:]) > 0.75  # chance is 0.25
    params = model.get_params()
    json.dumps(params)
    assert params["model"] == name and params["fitted"]["classes_seen"] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("coxnet", FAST["coxnet"]),
        ("coxph", {}),
        ("coxph", {"n_top_genes": None, "n_components": 10}),
    ],
)
def test_survival_model_ranks_risk(name, config):
    X, time, event = _cox_cohort(500, seed=0)
    model = create_model(name, n_genes=100, n_outputs=1, task="survival", **config)
    model.fit(X[:200], time=time[:200], event=event[:200])
    risk = model.predict_risk(X[200:])
    assert risk.shape == (300,) and np.all(np.isfinite(risk))
    c = concordance_index_censored(event[200:], time[200:], risk)[0]  # risk: higher = worse
    assert c > 0.6
    json.dumps(model.get_params())


def test_coxnet_selects_penalty_on_validation_rows():
    X, time, event = _cox_cohort(300, seed=1)
    model = create_model("coxnet", n_genes=100, n_outputs=1, task="survival", **FAST["coxnet"])
    model.fit(
        X[:150], time=time[:150], event=event[:150], X_val=X[150:], y_val=(time[150:], event[150:])
    )
    fitted = model.get_params()["fitted"]
    assert fitted["alpha"] in model.estimator_.alphas_
    assert 0 < fitted["n_nonzero"] <= 100
    with pytest.raises(InputError, match="y_val must be"):
        model.fit(X[:150], time=time[:150], event=event[:150], X_val=X[150:], y_val=time[150:])


@pytest.mark.parametrize("name", SURVIVAL)
def test_gene_selection_uses_training_rows_only(name):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 30))
    X[:80, :10] *= 3.0  # training rows: genes 0-9 are the most variable
    X[80:, 20:] *= 30.0  # test rows: genes 20-29 would dominate if they leaked in
    X = X.astype(np.float32)
    time = rng.exponential(100, 120)
    event = rng.random(120) < 0.7
    expected = top_variance_genes(X[:80], 10)
    np.testing.assert_array_equal(expected, np.arange(10))
    assert not np.array_equal(top_variance_genes(X, 10), expected)  # the trap is real

    model = create_model(
        name, n_genes=30, n_outputs=1, task="survival", n_top_genes=10, **FAST.get(name, {})
    )
    model.fit(X[:80], time=time[:80], event=event[:80])
    np.testing.assert_array_equal(model.selected_genes_, expected)
    model.predict_risk(X[80:])
    np.testing.assert_array_equal(model.selected_genes_, expected)  # predicting refits nothing


@pytest.mark.parametrize("name", SURVIVAL)
def test_survival_input_checks(name):
    X, time, event = _cox_cohort(60, seed=2, n_genes=20)
    model = create_model(name, n_genes=20, n_outputs=1, task="survival", n_top_genes=10)
    with pytest.raises(InputError, match="all samples are censored"):
        model.fit(X, time=time, event=np.zeros(60, bool))
    with pytest.raises(InputError, match="need time and event"):
        model.fit(X)
    with pytest.raises(InputError, match="shape"):
        model.fit(X, time=time[:10], event=event)
    with pytest.raises(RuntimeError, match="fit"):
        model.predict_risk(X)
    with pytest.raises(InputError, match="one output"):
        create_model(name, n_genes=20, n_outputs=3, task="survival")


def test_classifier_input_checks():
    X, y = _blobs(n=60, n_genes=10, n_classes=3)
    model = create_model("svm", n_genes=10, n_outputs=3, task="classify")
    with pytest.raises(InputError, match="created for 10"):
        model.fit(X[:, :5], y)
    with pytest.raises(InputError, match="outside 0..2"):
        model.fit(X, y + 1)
    with pytest.raises(InputError, match="only one class"):
        model.fit(X, np.zeros(60, dtype=int))
    y_rare = y.copy()
    y_rare[:] = np.where(y == 2, 1, y)
    y_rare[0] = 2  # a single sample of class 2: calibrated on 2 folds, one without it
    assert model.fit(X, y_rare).predict_proba(X).shape == (60, 3)  # was refused
    bad = X.copy()
    bad[3, 4] = np.nan
    with pytest.raises(InputError, match="NaN"):
        model.fit(bad, y)


def test_factory_checks_options_and_task():
    with pytest.raises(InputError, match="unknown option.*'svm'"):
        create_model("svm", n_genes=5, n_outputs=3, task="classify", CC=2.0)
    with pytest.raises(InputError, match="does not support task"):
        create_model("coxph", n_genes=5, n_outputs=1, task="classify")
    with pytest.raises(InputError, match="n_components"):
        X, time, event = _cox_cohort(30, seed=3, n_genes=20)
        create_model("coxph", n_genes=20, n_outputs=1, task="survival", n_components=100).fit(
            X, time=time, event=event
        )


@pytest.mark.parametrize("name", list_models(kind="sklearn"))
def test_every_registered_sklearn_model_outputs(name):
    """One parametrised check over every registered classical model: width, no NaN."""
    spec = get_spec(name)
    cfg = FAST.get(name, {})
    if "classify" in spec.tasks:
        X, y = _blobs(n=90, n_genes=12, n_classes=3)
        out = (
            create_model(name, n_genes=12, n_outputs=3, task="classify", **cfg)
            .fit(X, y)
            .predict_proba(X)
        )
        assert out.shape == (90, 3)
    else:
        X, time, event = _cox_cohort(90, seed=4, n_genes=12)
        out = (
            create_model(name, n_genes=12, n_outputs=1, task="survival", **cfg)
            .fit(X, time=time, event=event)
            .predict_risk(X)
        )
        assert out.shape == (90,)
    assert np.all(np.isfinite(out))


def test_random_forest_leaves_the_callers_warning_filters_as_they_were(monkeypatch):
    """scikit-learn's joblib workers each enter ``warnings.catch_warnings()`` and reset the
    filters; that is not thread-safe before Python 3.14, and two workers finishing out of
    order can leave the process with a worker's list, sometimes empty. Every later parallel
    call then warned once per task ("`sklearn.utils.parallel.delayed` should be used with
    ..."): 95,577 lines in one tuned pancan33 benchmark log. The race is simulated here: each
    forest fit or prediction leaves the filters emptied, as the unlucky interleaving does."""
    from sklearn.ensemble import RandomForestClassifier

    real_fit, real_proba = RandomForestClassifier.fit, RandomForestClassifier.predict_proba
    empty_on_entry = []

    def racing(real):
        def call(self, *args, **kwargs):
            empty_on_entry.append(not warnings.filters)
            out = real(self, *args, **kwargs)
            warnings.filters = []  # what the workers' race can leave behind
            return out
        return call

    monkeypatch.setattr(RandomForestClassifier, "fit", racing(real_fit))
    monkeypatch.setattr(RandomForestClassifier, "predict_proba", racing(real_proba))
    X, y = _blobs()
    before = list(warnings.filters)
    model = create_model("rf", task="classify", n_genes=X.shape[1], n_outputs=4, **FAST["rf"])
    model.fit(X[:160], y[:160], X_val=X[160:], y_val=y[160:])  # a 9-point grid, then the fit
    model.predict_proba(X[160:])
    assert len(empty_on_entry) >= 10 and not any(empty_on_entry)
    assert warnings.filters == before
