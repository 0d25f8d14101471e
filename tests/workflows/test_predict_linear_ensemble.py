"""``genemoe predict`` of an ensemble of a linear classifier (``logreg`` or ``svm_linear``
with ``--ensemble K``, either member scheme) failed with ``AttributeError:
'EnsembleEstimator' object has no attribute 'estimator_'`` (outside probe MM): the weight
share of missing genes read one fitted model's classes. A single logreg, a Coxnet ensemble
and ``explain`` of the same ensemble worked."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("linear_ensemble")
    b, f, _ = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=3, seed=7, clinical=False)
    return d, b, f


@pytest.mark.parametrize(("model", "members"), [("logreg", "folds"), ("logreg", "auto"),
                                                ("svm_linear", "auto")])
def test_an_ensemble_of_a_linear_classifier_predicts(inputs, tmp_path, model, members):
    d, b, f = inputs
    run = train_run(b.path, out_dir=tmp_path / "run", task="classify", model_name=model,
                    ensemble=2, ensemble_members=members, progress=False).out_dir
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    dropped = counts.drop(index=counts.index[:3])  # three genes absent: the weight share read
    dropped.to_csv(tmp_path / "few.tsv", sep="\t")
    predict_file(run, tmp_path / "few.tsv", out_path=tmp_path / "p.tsv")
    out = pd.read_csv(tmp_path / "p.tsv", sep="\t")
    assert len(out) == counts.shape[1] and out["predicted_type"].notna().all()
    record = json.loads((tmp_path / "p.record.json").read_text())
    shares = out["missing_weight_share"].to_numpy(float)
    assert np.isfinite(shares).all() and (shares > 0).all() and (shares < 1).all()
    assert record["n_genes_absent_from_file"] == 3
