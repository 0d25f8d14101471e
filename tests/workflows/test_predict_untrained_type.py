"""predict --clinical on a cohort of a type the survival model was not trained on: warned
with counts and recorded; the predicted survival at 1/3/5 years set against the scored
patients' Kaplan–Meier estimate; Uno's C on every part of the scores table (probe AA)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A coxph run of a synthetic bundle of 2 types (ACC, BLCA), and its files."""
    d = tmp_path_factory.mktemp("untrained_type")
    b, f, _ = prepare_synthetic(d, n_samples=80, n_genes=50, n_types=2, seed=3)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxph", progress=False)
    return d, f


def _flat(text: str) -> str:
    return " ".join(text.split())


def _clinical(f, tmp_path, **change) -> str:
    clin = pd.read_csv(f["clinical"], sep="\t")
    for col, value in change.items():
        clin[col] = value(clin[col]) if callable(value) else value
    path = tmp_path / "clin.tsv"
    clin.to_csv(path, sep="\t", index=False)
    return path


def test_a_cohort_of_an_untrained_type_is_warned_and_recorded(run, tmp_path):
    d, f = run
    out = tmp_path / "p.csv"
    said = _flat(predict_file(d / "cox", f["counts"], out_path=out,
                              clinical_path=_clinical(f, tmp_path, acronym="UVM")))
    assert ("80 of 80 samples are UVM, a type the model was not trained on (ACC, BLCA"
            in said), said
    assert "risk ranks within UVM may still hold" in said
    record = json.loads(out.with_suffix(".record.json").read_text())
    types = record["cancer_types"]
    assert types["untrained"] == {"UVM": 80} and types["training_types"] == ["ACC", "BLCA"]
    assert "acronym" in types["source"]
    assert any(w["code"] == "untrained_cancer_type" for w in record["warnings"])


def test_the_training_types_are_not_warned(run, tmp_path):
    d, f = run
    out = tmp_path / "p.csv"
    said = _flat(predict_file(d / "cox", f["counts"], out_path=out, clinical_path=f["clinical"]))
    record = json.loads(out.with_suffix(".record.json").read_text())
    assert record["cancer_types"]["n_untrained"] == 0
    assert record["cancer_types"]["n_typed"] == 80
    assert "a type the model was not trained on" not in said


def test_predicted_survival_is_set_against_kaplan_meier(run, tmp_path):
    """Times ×20 (deaths years later than the model learnt): the mean predicted survival
    falls below the observed interval, and one line says so."""
    d, f = run
    out = tmp_path / "p.csv"
    said = _flat(predict_file(d / "cox", f["counts"], out_path=out,
                              clinical_path=_clinical(f, tmp_path, **{"OS.time": lambda t: t * 20})))
    record = json.loads(out.with_suffix(".record.json").read_text())
    rows = record["survival_scores"]["horizons"]
    assert rows and rows[0]["horizon"] == "1 year"
    pred = pd.read_csv(out)
    head = pred[pred["model_split"].isin(["new", "test"]) & pred["time"].notna()]
    assert rows[0]["predicted"] == pytest.approx(head["survival_1y"].mean(), abs=1e-3)
    lo, hi = rows[0]["observed_ci"]
    assert lo <= rows[0]["observed"] <= hi
    off = [r for r in rows if r["outside"]]
    assert off
    r = off[0]
    assert not r["observed_ci"][0] <= r["predicted"] <= r["observed_ci"][1]
    y = r["horizon"].split()[0]
    assert (f"predicted {y}-year survival {r['predicted']:.3f}, observed {r['observed']:.3f}"
            in said), said
    assert "the model's baseline does not fit this cohort" in said


def test_uno_c_is_given_on_every_part(run, tmp_path):
    d, f = run
    out = tmp_path / "p.csv"
    predict_file(d / "cox", f["counts"], out_path=out, clinical_path=f["clinical"])
    table = pd.read_csv(tmp_path / "p.scores.tsv", sep="\t")
    scored = table[table["c_index"].notna()]
    assert len(scored) > 1
    assert scored["uno_c_index"].notna().all(), table
    record = json.loads(out.with_suffix(".record.json").read_text())
    for part in record["survival_scores"]["by_split"].values():
        assert part["c_index"] is None or np.isfinite(part["uno_c_index"])


def test_no_uno_c_on_a_part_says_why(run, tmp_path):
    """The run's bundle gone: each part's reason column says why Uno's C is empty."""
    d, f = run
    moved = shutil.copytree(d / "cox", tmp_path / "cox")
    bundle = load_model_file(moved)["bundle_path"]
    hidden = tmp_path / "bundle_hidden"
    shutil.move(bundle, hidden)
    try:
        predict_file(moved, f["counts"], out_path=tmp_path / "p.csv", clinical_path=f["clinical"])
    finally:
        shutil.move(hidden, bundle)
    table = pd.read_csv(tmp_path / "p.scores.tsv", sep="\t")
    scored = table[table["c_index"].notna()]
    assert len(scored) > 1
    assert scored["reason"].fillna("").str.contains("bundle").all(), table


def _h5ad_of_counts(f, path, cancer_type: str):
    """The cohort's counts as an AnnData whose obs names a cancer type and no survival."""
    import anndata

    counts = pd.read_csv(f["counts"], sep="\t", index_col=0).T  # samples x genes
    obs = pd.DataFrame({"cancer_type": cancer_type}, index=counts.index.astype(str))
    anndata.AnnData(counts.to_numpy(np.float32), obs=obs,
                    var=pd.DataFrame(index=counts.columns.astype(str))).write_h5ad(path)
    return path


def test_an_untrained_type_named_by_the_obs_is_warned_without_survival(run, tmp_path):
    """An AnnData whose obs names the samples' type, without survival: the warning needed
    survival data (--clinical or an export carrying it) and was never given."""
    d, f = run
    out = tmp_path / "p.csv"
    said = _flat(predict_file(d / "cox", _h5ad_of_counts(f, tmp_path / "x.h5ad", "UVM"),
                              out_path=out))
    assert "80 of 80 samples are UVM, a type the model was not trained on" in said, said
    record = json.loads(out.with_suffix(".record.json").read_text())
    assert record["cancer_types"]["untrained"] == {"UVM": 80}
    assert "survival_scores" not in record and "clinical" not in record
    said = _flat(predict_file(d / "cox", _h5ad_of_counts(f, tmp_path / "y.h5ad", "ACC"),
                              out_path=tmp_path / "q.csv"))
    assert "not trained on" not in said
