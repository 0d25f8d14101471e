"""coxnet / coxph: genes ranked on the *unscaled* training variance, hyper-parameters
chosen by Harrell's C on validation rows (else an inner CV), choices recorded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sksurv.metrics import concordance_index_censored

from genemoe.errors import InputError
from genemoe.models.classical_survival import COXNET_GRID, COXPH_GRID
from genemoe.models.registry import create_model

FAST = {"coxnet": {"n_alphas": 10, "n_folds": 3}, "coxph": {}}
PLANTED = np.array([7, 33, 58, 120, 190])  # high-variance genes that drive the hazard


pytestmark = pytest.mark.usefixtures("quiet_convergence")  # tests/models/conftest.py


def _planted_cohort(n: int = 400, n_genes: int = 200, seed: int = 0):
    """Raw log-expression (sd 1, the 5 PLANTED genes sd 3) and Cox follow-up driven by
    the planted genes; also the per-gene z-scored matrix (training rows = first half)."""
    rng = np.random.default_rng(seed)
    sd = np.ones(n_genes)
    sd[PLANTED] = 3.0
    raw = 5.0 + rng.normal(size=(n, n_genes)) * sd
    beta = np.zeros(n_genes)
    beta[PLANTED] = np.array([1.0, -1.0, 0.8, -0.8, 0.6]) / 3.0
    t_event = rng.exponential(100 * np.exp(-(raw - 5.0) @ beta))
    t_cens = rng.exponential(150, n)
    time, event = np.minimum(t_event, t_cens), t_event <= t_cens
    train = raw[: n // 2]
    z = (raw - train.mean(0)) / train.std(0)  # what the models receive
    return raw, z.astype(np.float32), time, event


@pytest.mark.parametrize("name", ["coxnet", "coxph"])
def test_genes_ranked_on_unscaled_variance_when_input_is_z_scored(name):
    raw, z, time, event = _planted_cohort()
    tr, te = slice(0, 200), slice(200, None)
    model = create_model(
        name, n_genes=200, n_outputs=1, task="survival", n_top_genes=5, **FAST[name]
    )
    # the old behaviour: top variance of z-scored X is arbitrary (float rounding)
    assert set(np.argsort(-z[tr].var(0))[:5]) != set(PLANTED)
    with pytest.raises(InputError, match="gene_variance"):
        model.fit(z[tr], time=time[tr], event=event[tr])
    model.fit(z[tr], time=time[tr], event=event[tr], gene_variance=raw[tr].var(0))
    np.testing.assert_array_equal(model.selected_genes_, PLANTED)
    c = concordance_index_censored(event[te], time[te], model.predict_risk(z[te]))[0]
    assert c > 0.7
    clipped = np.clip(z[tr], -1.5, 1.5)  # z-scores clipped (run.py clips at 10): still caught
    clipped[:, 50:] = z[tr, 50:]  # a quarter of the genes clipped hard
    with pytest.raises(InputError, match="looks standardised"):
        model.fit(clipped, time=time[tr], event=event[tr])
    with pytest.raises(InputError, match="looks standardised"):
        model.fit(z[tr] * np.sqrt(199 / 200), time=time[tr], event=event[tr])  # ddof=1 scaling
    with pytest.raises(InputError, match="gene_variance must be"):
        model.fit(z[tr], time=time[tr], event=event[tr], gene_variance=np.ones(3))


def test_unscaled_input_still_ranks_on_its_own_variance():
    raw, _, time, event = _planted_cohort(seed=1)
    model = create_model("coxph", n_genes=200, n_outputs=1, task="survival", n_top_genes=5)
    model.fit(raw[:200].astype(np.float32), time=time[:200], event=event[:200])
    np.testing.assert_array_equal(model.selected_genes_, PLANTED)


def test_z_scored_input_is_fine_when_no_gene_is_dropped():
    _, z, time, event = _planted_cohort(n_genes=200)
    model = create_model(
        "coxnet", n_genes=200, n_outputs=1, task="survival", n_top_genes=None, **FAST["coxnet"]
    )
    model.fit(z[:200], time=time[:200], event=event[:200])
    assert model.selected_genes_.size == 200


def test_coxph_tuned_on_validation_and_recorded():
    raw, z, time, event = _planted_cohort(seed=2)
    tr, va = slice(0, 200), slice(200, 300)
    model = create_model("coxph", n_genes=200, n_outputs=1, task="survival")
    model.fit(
        z[tr],
        time=time[tr],
        event=event[tr],
        X_val=z[va],
        y_val=(time[va], event[va]),
        gene_variance=raw[tr].var(0),
    )
    fitted = model.get_params()["fitted"]
    json.dumps(fitted)
    assert fitted["selection"] == "validation"
    assert len(fitted["grid_scores"]) == len(COXPH_GRID["n_top_genes"]) * len(COXPH_GRID["alpha"])
    assert fitted["chosen"]["n_top_genes"] in COXPH_GRID["n_top_genes"]
    assert fitted["chosen"]["alpha"] in COXPH_GRID["alpha"]
    assert model.selected_genes_.size == fitted["chosen"]["n_top_genes"]
    assert set(PLANTED) <= set(model.selected_genes_.tolist())
    assert model.estimator_.alpha == fitted["chosen"]["alpha"]
    assert fitted["score"] == max(g["score"] for g in fitted["grid_scores"] if g["score"])


def test_coxph_fixed_options_leave_the_grid():
    raw, z, time, event = _planted_cohort(seed=3)
    model = create_model("coxph", n_genes=200, n_outputs=1, task="survival", alpha=5.0, n_folds=3)
    assert model.grid == {"n_top_genes": COXPH_GRID["n_top_genes"]}
    model.fit(z[:200], time=time[:200], event=event[:200], gene_variance=raw[:200].var(0))
    fitted = model.get_params()["fitted"]
    assert fitted["selection"] == "inner CV, 3 folds" and set(fitted["chosen"]) == {"n_top_genes"}
    assert model.estimator_.alpha == 5.0


@pytest.mark.parametrize("use_val", [True, False])
def test_coxnet_chooses_l1_ratio_and_alpha(use_val):
    raw, z, time, event = _planted_cohort(seed=4)
    tr, va = slice(0, 200), slice(200, 300)
    model = create_model(
        "coxnet", n_genes=200, n_outputs=1, task="survival", n_top_genes=50, **FAST["coxnet"]
    )
    val = {"X_val": z[va], "y_val": (time[va], event[va])} if use_val else {}
    model.fit(z[tr], time=time[tr], event=event[tr], gene_variance=raw[tr].var(0), **val)
    fitted = model.get_params()["fitted"]
    json.dumps(fitted)
    assert fitted["selection"] == ("validation" if use_val else "inner CV, 3 folds")
    assert {g["l1_ratio"] for g in fitted["grid_scores"]} == set(COXNET_GRID["l1_ratio"])
    assert fitted["chosen"]["l1_ratio"] == fitted["l1_ratio"] == model.estimator_.l1_ratio
    assert fitted["chosen"]["alpha"] == fitted["alpha"]
    assert fitted["alpha"] in model.estimator_.alphas_
    assert fitted["score"] == max(g["score"] for g in fitted["grid_scores"] if g["score"])
    untuned = create_model(
        "coxnet",
        n_genes=200,
        n_outputs=1,
        task="survival",
        tune=False,
        n_top_genes=50,
        **FAST["coxnet"],
    )
    untuned.fit(z[tr], time=time[tr], event=event[tr], gene_variance=raw[tr].var(0), **val)
    assert {g["l1_ratio"] for g in untuned.get_params()["fitted"]["grid_scores"]} == {0.5}
