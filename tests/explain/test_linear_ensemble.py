"""A probe's finding: ``train --model logreg --ensemble 2`` was refused by explain with a
message that contradicted itself ("'logreg' is ... not linear ... or a linear one (coxnet,
coxph, logreg, svm_linear: exact)"). Each member is affine: the ensemble is explained
exactly, as the mean of its members' attributions, as neural ensembles are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.explain import explain_run
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_a_logreg_ensemble_is_explained_exactly_as_its_members_mean(tmp_path):
    from genemoe.explain.linear import LinearScore, linear_attributions
    from genemoe.train.model_file import load_model_file

    b, _, _ = prepare_synthetic(tmp_path, n_samples=90, n_genes=50, n_types=3, seed=3)
    train_run(b.path, out_dir=tmp_path / "lr", model_name="logreg", ensemble=2, progress=False)
    res = explain_run(tmp_path / "lr", data=b.path, out_dir=tmp_path / "e", progress=False,
                      max_maps=0)
    c = res.convergence
    assert c["method"] == "linear" and c["max_relative_delta"] < 1e-5
    assert c["ensemble"].startswith("2 ")
    payload = load_model_file(tmp_path / "lr")
    model = LinearScore(payload)
    table = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t", dtype={"sample_id": str})
    names = list(payload["class_names"])
    pos = pd.Index(b.sample_ids.astype(str)).get_indexer(table["sample_id"])
    ens = payload["estimator"].predict(model_scaled(payload, b, pos))
    assert (table["predicted"].to_numpy() == np.asarray(names, object)[ens]).all()  # the ensemble's
    X = model_scaled(payload, b, pos)
    target = np.asarray([names.index(p) for p in table["predicted"]])
    ref = np.zeros(X.shape[1])
    attr = np.load(tmp_path / "e" / "attributions.npy")
    per_member = []
    for member, t in model.parts:  # each member alone, as a one-model payload
        one = LinearScore({**payload, "estimator": member})
        a, _ = linear_attributions(one, X, target=target, reference=ref)
        per_member.append(a / t)
    np.testing.assert_allclose(attr, np.mean(per_member, axis=0), rtol=1e-4, atol=1e-6)


def model_scaled(payload, b, pos):
    from genemoe.data.scaling import Scaler

    cols = pd.Index(b.gene_ids.astype(str)).get_indexer(payload["gene_ids"])
    return Scaler.from_dict(payload["scaler"]).transform(np.asarray(b.X[pos])[:, cols])
