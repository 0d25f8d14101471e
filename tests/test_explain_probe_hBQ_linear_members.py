"""A linear ensemble's members' agreement, and low agreement warned (probe hBQ).

Old behaviour: ``genemoe explain`` of ``train --model logreg --ensemble 2`` (or coxnet)
attributed the ensemble in one pass (explain/linear.py), so convergence.json had no
``members_agreement`` and nothing said how far the members agree, though a neural
ensemble's was kept (probe hBL). Agreement under half in the median class was said but not
warned, while the reference draw's halves warn under the same 50%
(``references.STEADY``). And a linear member's genes without weight (attribution exactly
0) filled its top 10 in index order, so two members sharing no gene with weight but the
first could be counted as agreeing fully. Seeded synthetic fixtures: seconds.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from genemoe.explain import explain_run
from genemoe.explain.members import member_agreement, with_agreement
from genemoe.report.explanation_section import explanation_section
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_genes_without_attribution_are_not_a_members_top_genes():
    """Hand-computed: each member moves two genes, sharing gene 0; top 3. Old: the zero
    genes filled both top-3 lists in index order ({0, 1, 2} twice: 100%); now 1 of 2."""
    a = np.array([[4.0, 3.0, 0.0, 0.0, 0.0]])
    b = np.array([[4.0, 0.0, 3.0, 0.0, 0.0]])
    rec = member_agreement([a, b], np.array(["X"]), survival=True, top=3)["members_agreement"]
    assert rec["by_class"] == {"X": 0.5}


def test_low_agreement_is_warned_on_the_terminal_and_in_the_record(caplog):
    """Two members with disjoint top genes: 0% < 50%, warned; identical members: none."""
    a = np.tile(np.arange(20.0), (3, 1))
    b = a[:, ::-1].copy()
    groups = np.array(["X", "X", "X"])
    with caplog.at_level(logging.WARNING, logger="genemoe.explain.members"):
        conv = with_agreement({"ensemble": "2 logreg members"}, [a, b], groups, survival=False)
    warn = conv["members_warning"]
    assert "members share < 50% of their own top-10 genes in the median class (0%)" in warn
    assert "disagree" in warn and "more data or epochs steady the members" in warn
    assert any("members share < 50%" in r.getMessage() for r in caplog.records)
    assert "members_warning" not in with_agreement({}, [a, a], groups, survival=False)
    from genemoe.explain.members import agreement_warning

    assert agreement_warning({"median": 0.5, "n_members": 2, "top": 10}) is None  # 50%: steady


def _explained(d, task, model, **train):
    b, _, _ = prepare_synthetic(d, n_samples=120, n_genes=50, n_types=3, seed=4)
    train_run(b.path, out_dir=d / "run", task=task, model_name=model, ensemble=2,
              progress=False, **train)
    res = explain_run(d / "run", data=b.path, out_dir=d / "e", max_maps=0, progress=False,
                      max_samples_per_class=4)
    return res, json.loads((d / "e" / "convergence.json").read_text()), b


@pytest.mark.parametrize("task,model", [("classify", "logreg"), ("survival", "coxnet")])
def test_a_linear_ensemble_records_and_says_its_members_agreement(tmp_path, task, model):
    res, conv, _ = _explained(tmp_path, task, model)
    assert conv["method"] == "linear"
    rec = conv["members_agreement"]
    assert rec["n_members"] == 2 and rec["top"] == 10
    want = {"risk"} if task == "survival" else set(res.ranking["class"].astype(str))
    assert set(rec["by_class"]) == want
    assert all(0.0 <= v <= 1.0 for v in rec["by_class"].values())
    assert "the members' own top-10 genes agree" in " ".join(res.describe().split())
    assert ("members_warning" in conv) == (rec["median"] < 0.5)
    page = " ".join(explanation_section(tmp_path / "e").split())
    assert "the members&#x27; own top-10 genes agree" in page
    if "members_warning" in conv:  # the page's banner
        assert "members share &lt; 50%" in page


def test_the_linear_members_attributions_are_exact_and_average_to_the_ensembles(tmp_path):
    """Each member's attributions add up to its own output's change, and their mean is the
    ensemble's attributions.npy: the agreement compares the members the mean is made of."""
    from genemoe.data.scaling import Scaler
    from genemoe.explain.linear import LinearScore, member_attributions
    from genemoe.train.model_file import load_model_file

    _, _, b = _explained(tmp_path, "classify", "logreg")
    payload = load_model_file(tmp_path / "run")
    model = LinearScore(payload)
    table = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t", dtype={"sample_id": str})
    pos = pd.Index(b.sample_ids.astype(str)).get_indexer(table["sample_id"])
    cols = pd.Index(b.gene_ids.astype(str)).get_indexer(payload["gene_ids"])
    X = Scaler.from_dict(payload["scaler"]).transform(np.asarray(b.X[pos])[:, cols])
    names = list(payload["class_names"])
    target = np.asarray([names.index(p) for p in table["predicted"]])
    each = member_attributions(model, X, target=target, reference=np.zeros(X.shape[1]))
    assert len(each) == 2
    attr = np.load(tmp_path / "e" / "attributions.npy")
    np.testing.assert_allclose(np.mean(each, 0), attr, rtol=1e-4, atol=1e-6)
    for (member, t), a in zip(model.parts, each, strict=True):  # each its own output's change
        z = np.asarray(member.estimator_.decision_function(X), np.float64)
        z0 = np.asarray(member.estimator_.decision_function(np.zeros((1, X.shape[1]))))
        change = (z[np.arange(len(X)), target] - z0[0, target]) / t
        np.testing.assert_allclose(a.sum(1), change, rtol=1e-4, atol=1e-5)
