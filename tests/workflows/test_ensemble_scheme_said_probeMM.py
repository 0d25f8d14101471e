"""predict, explain and train name an ensemble's member scheme (outside probe MM): predict
said "an ensemble of 2 genemoe" and its record.json held no ensemble key; explain and
convergence.json said "an ensemble of 2 genemoe members"; train's title "genemoe × 2", while
config.yaml recorded ``members_scheme: folds``."""

from __future__ import annotations

import json

import pytest

from genemoe.explain import explain_run
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two logreg ensembles of 2 on one synthetic bundle, under ``folds`` and ``auto``."""
    d = tmp_path_factory.mktemp("ensemble_scheme")
    b, f, _ = prepare_synthetic(d, n_samples=90, n_genes=50, n_types=3, seed=5, clinical=False)
    out = {m: train_run(b.path, out_dir=d / m, task="classify", model_name="logreg",
                        ensemble=2, ensemble_members=m, progress=False)
           for m in ("folds", "auto")}
    return d, b, f, out


def test_predict_records_and_says_the_scheme(runs, tmp_path):
    d, _, f, out = runs
    line = predict_file(out["folds"].out_dir, f["counts"], out_path=tmp_path / "p.tsv")
    assert "an ensemble of 2 logreg (members on inner folds)" in line
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["ensemble"]["k"] == 2 and record["ensemble"]["members_scheme"] == "folds"
    line = predict_file(out["auto"].out_dir, f["counts"], out_path=tmp_path / "a.tsv")
    assert "an ensemble of 2 logreg (members by inner training folds)" in line
    record = json.loads((tmp_path / "a.record.json").read_text())
    assert record["ensemble"]["members_scheme"] == "auto"


def test_explain_says_the_scheme(runs, tmp_path):
    d, b, _, out = runs
    res = explain_run(out["folds"].out_dir, data=b.path, out_dir=tmp_path / "e",
                      progress=False, max_maps=0)
    c = res.convergence
    assert c["ensemble"].startswith("2 logreg (members on inner folds): the mean")
    assert c["ensemble_members"] == "folds"
    said = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert said["ensemble_members"] == "folds"
    text = res.describe()
    assert "an ensemble of 2 logreg (members on inner folds)" in text
    auto = explain_run(out["auto"].out_dir, data=b.path, out_dir=tmp_path / "a",
                       progress=False, max_maps=0).convergence
    assert auto["ensemble"].startswith("2 logreg members: the mean")  # as it was
    assert auto["ensemble_members"] == "auto"


def test_train_title_says_folds_only(runs):
    _, _, _, out = runs
    assert "logreg × 2 (folds) · classify" in out["folds"].describe()
    auto = out["auto"].describe()
    assert "logreg × 2 · classify" in auto and "(folds)" not in auto
