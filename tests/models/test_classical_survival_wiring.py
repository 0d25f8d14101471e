"""fit_model gives coxnet / coxph the training recipe's survival_selection: they choose on
validation by the criterion the neural models choose their epoch by."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from genemoe.train.fit import fit_model
from genemoe.train.task_data import TaskData


def _part(X, time, event, groups):
    return TaskData(X=X, y=None, time=time, event=event, groups=groups, rows=np.arange(len(X)))


@pytest.mark.parametrize("criterion", ["c_index", "partial_likelihood", "c_index_by_type"])
def test_classical_survival_models_choose_by_survival_selection(criterion):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 40)).astype(np.float32)
    t_event = rng.exponential(100 * np.exp(-0.8 * X[:, 3] + 0.6 * X[:, 11]))
    t_cens = rng.exponential(150, 240)
    time, event = np.minimum(t_event, t_cens), t_event <= t_cens
    groups = np.array(["A", "B"] * 120, dtype=object)
    data = {p: _part(X[s], time[s], event[s], groups[s])
            for p, s in {"train": slice(0, 160), "val": slice(160, None)}.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_model("coxnet", "survival", data, n_outputs=1,
                        model_cfg={"n_alphas": 8, "n_top_genes": 20},
                        train_cfg={"seed": 0, "survival_selection": criterion},
                        gene_variance=np.ones(40))
    fitted = fit.info["params"]["fitted"]
    assert fitted["criterion"] == criterion and fitted["selection"] == "validation"
