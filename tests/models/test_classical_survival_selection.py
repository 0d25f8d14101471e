"""coxnet / coxph choose on validation by the criterion they are given (``selection``):
the one the neural models choose their epoch by (``train: survival_selection``), the same
function (:func:`genemoe.train.fit.selection_metric`), recorded as ``criterion``."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from genemoe.models.registry import create_model
from genemoe.train.fit import selection_metric

FAST = {"coxnet": {"n_alphas": 8, "n_top_genes": 30}, "coxph": {"n_top_genes": 20}}


pytestmark = pytest.mark.usefixtures("quiet_convergence")  # tests/models/conftest.py


def _cohort(n: int = 240, n_genes: int = 60, seed: int = 1):
    """Expression and Cox follow-up driven by three genes; train = first 160 rows."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_genes)).astype(np.float32)
    beta = np.zeros(n_genes)
    beta[[3, 11, 40]] = [0.8, -0.6, 0.5]
    t_event = rng.exponential(100 * np.exp(-X @ beta))
    t_cens = rng.exponential(150, n)
    return X, np.minimum(t_event, t_cens), t_event <= t_cens


def _partial_likelihood(time: np.ndarray, event: np.ndarray):
    metric = selection_metric("survival", 1, survival="partial_likelihood")
    return lambda risk: metric(risk, {"time": time, "event": event})


@pytest.mark.parametrize("name", ["coxnet", "coxph"])
def test_validation_choice_follows_the_given_criterion_and_records_it(name):
    X, time, event = _cohort()
    tr, va = slice(0, 160), slice(160, None)
    score = _partial_likelihood(time[va], event[va])
    model = create_model(name, n_genes=60, n_outputs=1, task="survival", **FAST[name])
    model.fit(X[tr], time=time[tr], event=event[tr], X_val=X[va], y_val=(time[va], event[va]),
              gene_variance=np.ones(60), selection=("partial_likelihood", score))
    fitted = model.get_params()["fitted"]
    assert fitted["selection"] == "validation"
    assert fitted["criterion"] == "partial_likelihood"
    grid = [g["score"] for g in fitted["grid_scores"]]
    assert all(s is None or s < 0 for s in grid)  # log-likelihoods, not C-indices in [0, 1]
    assert fitted["score"] == max(s for s in grid if s is not None)
    # the chosen model's validation log-likelihood is the recorded score
    assert score(model.predict_risk(X[va])) == pytest.approx(fitted["score"], abs=1e-5)


@pytest.mark.parametrize("name", ["coxnet", "coxph"])
def test_without_a_criterion_harrells_c_is_used_and_named(name):
    X, time, event = _cohort()
    tr, va = slice(0, 160), slice(160, None)
    model = create_model(name, n_genes=60, n_outputs=1, task="survival", **FAST[name])
    model.fit(X[tr], time=time[tr], event=event[tr], X_val=X[va], y_val=(time[va], event[va]),
              gene_variance=np.ones(60))
    fitted = model.get_params()["fitted"]
    assert fitted["criterion"] == "c_index"
    assert 0.5 < fitted["score"] <= 1.0


def test_inner_cv_says_it_scores_by_harrells_c(caplog):
    X, time, event = _cohort()
    score = _partial_likelihood(time[160:], event[160:])
    model = create_model("coxnet", n_genes=60, n_outputs=1, task="survival",
                         n_folds=3, **FAST["coxnet"])
    with caplog.at_level(logging.WARNING, logger="genemoe.models.classical_survival"):
        model.fit(X[:160], time=time[:160], event=event[:160], gene_variance=np.ones(60),
                  selection=("partial_likelihood", score))
    fitted = model.get_params()["fitted"]
    assert fitted["selection"].startswith("inner CV")
    assert fitted["criterion"] == "c_index"
    assert "inner CV chooses by Harrell's C, not partial_likelihood" in caplog.text
