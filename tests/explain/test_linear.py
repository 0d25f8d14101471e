"""Exact explanations of the classical linear models (coxnet, coxph, logreg).

Old behaviour: ``genemoe explain`` refused every classical model ("Integrated Gradients
needs a differentiable (neural) model"), though a linear model's attribution is exact:
coefficient x (x - reference). Reference values: the fitted estimators' own coefficients
(scikit-survival's ``coef_`` column at the chosen alpha; scikit-learn's ``coef_``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.data.scaling import Scaler
from genemoe.errors import InputError
from genemoe.explain import explain_run
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("linear")
    b, _, _ = prepare_synthetic(d, n_samples=160, n_genes=50, n_types=3, seed=7)
    for name, task in (("coxnet", "survival"), ("coxph", "survival"), ("logreg", "classify"),
                       ("svm_linear", "classify"), ("rf", "classify")):
        train_run(b.path, out_dir=d / name, task=task, model_name=name, progress=False)
    return d, b


def _scaled(b, payload, ids):
    rows = pd.Index(b.sample_ids.astype(str)).get_indexer(ids)
    cols = pd.Index(b.gene_ids.astype(str)).get_indexer(payload["gene_ids"])
    return Scaler.from_dict(payload["scaler"]).transform(np.asarray(b.X[rows])[:, cols])


def test_coxnet_is_explained_as_its_coefficients_times_the_centred_values(runs, tmp_path):
    d, b = runs
    res = explain_run(d / "coxnet", data=b, out_dir=tmp_path / "ex", progress=False)
    attr = np.load(tmp_path / "ex" / "attributions.npy")
    samples = pd.read_csv(tmp_path / "ex" / "samples.tsv", sep="\t")
    payload = load_model_file(d / "coxnet")
    model = payload["estimator"]
    coef = np.zeros(len(payload["gene_ids"]))
    est = model.estimator_
    coef[model.selected_genes_] = est.coef_[:, np.argmin(np.abs(est.alphas_ - model.alpha_))]
    X = _scaled(b, payload, samples["sample_id"].astype(str).tolist())
    np.testing.assert_allclose(attr, coef[None, :] * X, rtol=1e-4, atol=1e-6)  # reference 0
    assert res.convergence["method"] == "linear"
    assert np.abs(samples["delta"]).max() < 1e-6  # exact
    risk = model.predict_risk(X) - model.predict_risk(np.zeros((1, X.shape[1])))
    np.testing.assert_allclose(attr.sum(1), risk, rtol=1e-5, atol=1e-6)
    assert (attr[:, coef == 0] == 0).all()  # genes the penalty dropped carry nothing


def test_coxph_and_logreg_are_exact_and_rf_is_refused(runs, tmp_path):
    d, b = runs
    for name in ("coxph", "logreg"):
        res = explain_run(d / name, data=b, out_dir=tmp_path / name, progress=False)
        assert res.convergence["method"] == "linear", name
        samples = pd.read_csv(tmp_path / name / "samples.tsv", sep="\t")
        assert np.abs(samples["delta"]).max() < 1e-5, name
    payload = load_model_file(d / "logreg")
    samples = pd.read_csv(tmp_path / "logreg" / "samples.tsv", sep="\t")
    X = _scaled(b, payload, samples["sample_id"].astype(str).tolist())
    inner = payload["estimator"].estimator_
    pred = inner.classes_[inner.decision_function(X).argmax(1)]
    attr = np.load(tmp_path / "logreg" / "attributions.npy")
    np.testing.assert_allclose(attr, inner.coef_[np.searchsorted(inner.classes_, pred)] * X,
                               rtol=1e-4, atol=1e-6)  # the predicted class's logit
    with pytest.raises(InputError, match=r"'rf' is a classical scikit-learn model and not linear"):
        explain_run(d / "rf", data=b, out_dir=tmp_path / "rf", progress=False)
    with pytest.raises(InputError, match=r"--method: coxnet is a classical linear model"):
        explain_run(d / "coxnet", data=b, out_dir=tmp_path / "ig", method="ig", progress=False)


def test_the_cli_explains_a_linear_model(runs, tmp_path):
    d, b = runs
    r = CliRunner().invoke(app, ["explain", "--model", str(d / "coxnet"), "--data", str(b.path),
                                 "--out", str(tmp_path / "cli"), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "linear" in r.output and (tmp_path / "cli" / "genes_by_class.csv").is_file()


def test_classes_no_explained_sample_stood_for_are_named(runs, tmp_path):
    """Old behaviour: a class no explained sample was predicted as vanished from
    genes_by_class.csv, the terminal and the report without a word (a probe: 8 of 33)."""
    from genemoe.report.html import write_report

    d, b = runs
    test = b.sample_ids[b.indices("test")].astype(str)
    payload = load_model_file(d / "logreg")
    X = _scaled(b, payload, test.tolist())
    pred = np.asarray(payload["class_names"])[payload["estimator"].predict_proba(X).argmax(1)]
    one = test[pred == pred[0]][:2]  # samples of one predicted class only
    res = explain_run(d / "logreg", data=b, out_dir=d / "ex_one", samples=one, progress=False)
    others = sorted(set(payload["class_names"]) - {pred[0]})
    assert res.convergence["classes_without_samples"] == others
    assert f"not ranked: {len(others)} classes with no explained sample predicted as them: " \
           f"{', '.join(others)}" in res.describe()
    page = write_report(d / "logreg").read_text()
    assert f"Not ranked (no explained sample stood for them): {', '.join(others)}." in page


def test_compare_refuses_a_linear_model_naming_compare(runs, tmp_path):
    """Old behaviour: explain --compare on coxnet said "--method ig needs gradients"."""
    from genemoe.explain.compare import compare_methods

    d, b = runs
    with pytest.raises(InputError, match=r"--compare: coxnet is a classical linear model"):
        compare_methods(d / "coxnet", data=b, out_dir=tmp_path / "cmp")


def test_samples_say_their_split_and_training_samples_are_warned(runs, tmp_path, caplog):
    """Old behaviour: samples.tsv had no split, and explaining a training sample by id
    said nothing (an explain probe)."""
    import logging

    d, b = runs
    train_id = str(b.sample_ids[b.indices("train")][0])
    test_id = str(b.sample_ids[b.indices("test")][0])
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        explain_run(d / "coxnet", data=b, out_dir=tmp_path / "s", samples=[train_id, test_id],
                    progress=False)
    table = pd.read_csv(tmp_path / "s" / "samples.tsv", sep="\t").set_index("sample_id")
    assert table.loc[train_id, "split"] == "train" and table.loc[test_id, "split"] == "test"
    assert "the run fitted or monitored 1 of the samples asked for (1 train)" in caplog.text
    # old behaviour (note42): said in the terminal only, not on the explanation's report page
    from genemoe.report.html import write_report

    page = write_report(tmp_path / "s").read_text()
    assert "the run fitted or monitored 1 of the samples asked for (1 train)" in page


def test_zero_coefficients_stay_zero_from_any_reference_and_two_classes_match_coef(runs,
                                                                                   tmp_path):
    """Old behaviour (a verification probe): --baseline zeros gave coxnet's 18,862
    unselected genes attributions of ~6e-16 (unit-step rounding), ranked as drivers; a
    two-class logreg's attributions were half of sklearn's coef_ x difference."""
    from sklearn.linear_model import LogisticRegression

    from genemoe.explain.linear import LinearScore, linear_attributions

    d, b = runs
    payload = load_model_file(d / "coxnet")
    model = LinearScore(payload)
    X = _scaled(b, payload, b.sample_ids[:5].astype(str).tolist())
    ref = Scaler.from_dict(payload["scaler"]).transform(np.zeros((1, X.shape[1]), np.float32))[0]
    attr, _ = linear_attributions(model, X, target=None, reference=ref.astype(np.float64))
    est = payload["estimator"]
    nonzero = np.zeros(X.shape[1], bool)
    coef = est.estimator_.coef_[:, np.argmin(np.abs(est.estimator_.alphas_ - est.alpha_))]
    nonzero[est.selected_genes_[coef != 0]] = True
    assert (attr[:, ~nonzero] == 0).all() and (attr[:, nonzero] != 0).any()
    rng = np.random.default_rng(0)
    Xb, yb = rng.normal(size=(60, 4)), rng.integers(0, 2, 60)
    clf = LogisticRegression().fit(Xb, yb)

    class _Wrapped:  # SklearnClassifier's estimator_ attribute, as the model file holds it
        estimator_ = clf

    two = LinearScore({"estimator": _Wrapped(), "task": "classify", "model_name": "logreg",
                       "gene_ids": list("abcd"), "n_outputs": 2})
    a, _ = linear_attributions(two, Xb[:3], target=np.array([1, 1, 0]), reference=np.zeros(4))
    np.testing.assert_allclose(a[:2], clf.coef_[0] * Xb[:2], rtol=1e-5)
    np.testing.assert_allclose(a[2], -clf.coef_[0] * Xb[2], rtol=1e-5)


def test_survival_maps_are_shared_out_over_the_cancer_types(runs, tmp_path):
    """Old behaviour: every per-sample map of a survival explanation was of the bundle's
    first type (12 ACC of a 16 ACC / 16 UVM test split; a verification probe)."""
    d, b = runs
    res = explain_run(d / "coxnet", data=b, out_dir=tmp_path / "m", max_maps=3, progress=False)
    table = pd.read_csv(tmp_path / "m" / "samples.tsv", sep="\t").set_index("sample_id")
    drawn = [p.stem for p in res.files if p.parent.name == "maps"]
    assert len(drawn) == 3 and table.loc[drawn, "cancer_type"].nunique() == 3


def test_the_linear_svm_is_explained_as_its_margins_over_its_temperature(runs, tmp_path):
    """Old behaviour: svm_linear was refused as "not linear" (a LinearSVC is)."""
    d, b = runs
    res = explain_run(d / "svm_linear", data=b, out_dir=tmp_path / "svm", progress=False)
    assert res.convergence["method"] == "linear"
    samples = pd.read_csv(tmp_path / "svm" / "samples.tsv", sep="\t")
    assert np.abs(samples["delta"]).max() < 1e-5
    payload = load_model_file(d / "svm_linear")
    X = _scaled(b, payload, samples["sample_id"].astype(str).tolist())
    inner = payload["estimator"].estimator_
    margins = inner.svm_.decision_function(X) / inner.temperature_
    names = np.asarray(payload["class_names"])
    assert (samples["predicted"].to_numpy() == names[inner.classes_[margins.argmax(1)]]).all()
    cls = margins.argmax(1)
    attr = np.load(tmp_path / "svm" / "attributions.npy")
    np.testing.assert_allclose(attr, inner.svm_.coef_[cls] * X / inner.temperature_,
                               rtol=1e-4, atol=1e-6)


def test_a_linear_explanation_says_it_is_exact_and_its_maps_are_captioned(runs, tmp_path):
    """The terminal gave a linear model's `off by 0.00%` without saying its attributions are
    exact; the report captioned every sample figure "attribution per gene (or per pixel)",
    without the sample's type or risk (samples.tsv held no risk, time or event)."""
    from genemoe.report.html import write_report

    d, b = runs
    res = explain_run(d / "coxnet", data=b, out_dir=tmp_path / "ex", max_maps=2, progress=False)
    assert "  exact: a linear model's attributions" in res.describe()
    assert "  reference: the training mean (--baseline train_mean)" in res.describe()
    table = pd.read_csv(tmp_path / "ex" / "samples.tsv", sep="\t").set_index("sample_id")
    preds = pd.read_csv(d / "coxnet" / "predictions.tsv", sep="\t").set_index("sample_id")
    np.testing.assert_allclose(table["risk"], preds.loc[table.index, "risk"], rtol=1e-4, atol=1e-6)
    obs = b.obs.set_index("sample_id").loc[table.index]
    assert (table["event"].astype(bool) == obs["event"].astype(bool)).all()
    text = write_report(tmp_path / "ex").read_text()
    sid = next(p.stem for p in res.files if p.parent.name == "maps")
    risk = f"risk {table.loc[sid, 'risk']:.3g}"
    assert f"Sample {sid} ({table.loc[sid, 'cancer_type']}, {risk}, " in text
    assert "or per pixel" not in text


def test_a_patient_without_survival_has_no_event_in_samples_tsv():
    """A patient with a death status but no time (TCGA-CDR's TCGA-KN-8430) read ``event False``
    with an empty time in samples.tsv: censored, which the table never said."""
    from types import SimpleNamespace

    from genemoe.explain.api import _outcome  # noqa: PLC2701 (the columns under test)

    obs = pd.DataFrame({"time": [412.0, np.nan, 2000.0], "event": [True, False, False],
                        "has_survival": [True, False, True]})
    cols = _outcome(SimpleNamespace(obs=obs), np.arange(3), np.array([[0.5], [1.0], [-0.2]]),
                    {"calibration": {"risk_scale": 2.0}})
    assert cols["event"].tolist() == [True, None, False]
    assert np.isnan(cols["time"][1]) and cols["risk"].tolist() == [1.0, 2.0, -0.4]
