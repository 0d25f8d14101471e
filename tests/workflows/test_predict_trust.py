"""What predict says about how far to trust a prediction: calibrated probabilities, the top 3
types, the calibration method, risk percentiles, and the unfamiliar-sample flag."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("trust")
    b, f, _ = prepare_synthetic(d, n_samples=240, n_genes=100, n_types=4, seed=11)
    train_run(b.path, out_dir=d / "fcn", task="classify", model_name="fcn", epochs=4, progress=False)
    train_run(b.path, out_dir=d / "logreg", task="classify", model_name="logreg", progress=False)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxph", progress=False)
    return d, f


def _shuffled_genes(counts_path, out_path, seed=0):
    """Every sample's values shuffled across genes: a profile unlike any tissue."""
    counts = pd.read_csv(counts_path, sep="\t", index_col=0)
    rng = np.random.default_rng(seed)
    shuffled = counts.apply(lambda col: pd.Series(rng.permutation(col.to_numpy()), index=col.index))
    shuffled.to_csv(out_path, sep="\t")
    return out_path


@pytest.mark.parametrize("model", ["fcn", "logreg"])
def test_predict_writes_calibrated_probabilities_and_the_top_three(runs, model, tmp_path):
    d, f = runs
    said = " ".join(predict_file(d / model, f["counts"], out_path=tmp_path / "p.csv").split())
    metrics = json.loads((d / model / "metrics.json").read_text())
    assert (f"probabilities: temperature-scaled on the model's {metrics['val']['n']:,} validation "
            f"samples; expected calibration error on its test split {metrics['test']['ece']:.3f}"
            ) in said  # the summary said nothing of the calibration
    out = pd.read_csv(tmp_path / "p.csv")
    probs = out[[c for c in out if c.startswith("prob_")]]
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (out["top1"] == out["predicted_type"]).all()
    np.testing.assert_allclose(out["top1_prob"], out["confidence"])
    assert (out["top1_prob"] >= out["top2_prob"]).all() and (out["top2_prob"] >= out["top3_prob"]).all()
    assert out["calibration"].str.startswith("temperature (T = ").all()
    assert {"ood_score", "looks_like_training"} <= set(out.columns)
    # predict applies the run's temperature: same probabilities as the run's predictions
    run = pd.read_csv(d / model / "predictions.tsv", sep="\t").set_index("sample_id")
    mine = out.set_index("sample_id").loc[run.index]
    cols = [c for c in run if c.startswith("prob_")]
    np.testing.assert_allclose(mine[cols].to_numpy(), run[cols].to_numpy(), atol=2e-4)
    payload = load_model_file(d / model)
    metrics = json.loads((d / model / "metrics.json").read_text())
    assert payload["calibration"]["temperature"] > 0 and payload["calibration"]["fitted_on"] == "validation part"
    assert {"ece", "reliability"} <= set(metrics["test"]) and metrics["ood"]["false_alarm"] == 0.05


@pytest.mark.parametrize("model", ["fcn", "logreg"])
def test_a_foreign_profile_is_flagged(runs, model, tmp_path):
    d, f = runs
    predict_file(d / model, f["counts"], out_path=tmp_path / "same.csv")
    shuffled = _shuffled_genes(f["counts"], tmp_path / "shuffled.tsv")
    report = predict_file(d / model, shuffled, out_path=tmp_path / "foreign.csv")
    same, foreign = pd.read_csv(tmp_path / "same.csv"), pd.read_csv(tmp_path / "foreign.csv")
    assert foreign["looks_like_training"].mean() < 0.2
    assert same["looks_like_training"].mean() > 0.8  # train, val and test samples of the cohort
    assert "look unlike the training data" in report


def test_predict_says_which_samples_the_model_was_fitted_on(runs, tmp_path):
    """Old behaviour: the model's own training samples were scored like new ones, and on wide
    data most of them were counted "unlike the training data" (in-sample distances)."""
    d, f = runs
    report = predict_file(d / "logreg", f["counts"], out_path=tmp_path / "p.csv")
    out = pd.read_csv(tmp_path / "p.csv").set_index("sample_id")
    run = pd.read_csv(d / "logreg" / "predictions.tsv", sep="\t").set_index("sample_id")
    assert (out.loc[run.index, "model_split"] == run["split"]).all()
    assert (out.drop(index=run.index)["model_split"] == "new").all()
    n_train, n_val = int((run["split"] == "train").sum()), int((run["split"] == "val").sum())
    assert f"{n_train} training and {n_val} validation samples of the model itself" in report
    outside = out[out["model_split"] != "train"]
    # the flag is not meant for the model's own training samples: empty there (most read
    # False, which contradicted their model_split)
    assert out.loc[out["model_split"] == "train", "looks_like_training"].isna().all()
    assert outside["looks_like_training"].notna().all()
    # the validation samples set the threshold: flagged in the file, not counted (hBJ)
    counted = outside[outside["model_split"] != "val"]
    n_flagged = int((~counted["looks_like_training"].astype(bool)).sum())
    assert (f"{n_flagged} of {len(counted)} samples not the model's own" in report if n_flagged
            else "every sample not the model's own looks like the training data" in report)
    metrics = json.loads((d / "logreg" / "metrics.json").read_text())
    assert metrics["ood"]["threshold_rule"].startswith("split conformal: the ")


def test_survival_predictions_carry_a_risk_percentile(runs, tmp_path):
    d, f = runs
    said = predict_file(d / "cox", f["counts"], out_path=tmp_path / "s.csv")
    types = load_model_file(d / "cox")["survival_baseline"]["cancer_types"]
    assert len(types) > 1  # one Breslow baseline pooled over them: said (was read per type)
    assert (f"survival_1y/3y/5y and risk_percentile: one baseline and one ranking pooled over "
            f"the training's {len(types)} cancer types ({types[0]}, ") in " ".join(said.split())
    out = pd.read_csv(tmp_path / "s.csv")
    assert out["risk_percentile"].between(0, 100).all()
    order = np.argsort(out["risk"].to_numpy())
    assert (np.diff(out["risk_percentile"].to_numpy()[order]) >= 0).all()
    assert {"ood_score", "looks_like_training"} <= set(out.columns) and "top1" not in out
    metrics = json.loads((d / "cox" / "metrics.json").read_text())
    assert metrics["test"]["integrated_brier_score"] is not None


def test_model_files_from_before_calibration_still_predict(runs):
    from genemoe.data.annotation import read_annotation
    from genemoe.data.read import read_expression
    from genemoe.workflows.predict import predict_table

    d, f = runs
    payload = load_model_file(d / "fcn")
    for key in ("calibration", "ood", "train_risk"):
        payload.pop(key)
    out, report = predict_table(payload, read_expression(f["counts"]),
                                annotation=read_annotation(f["annotation"]))
    assert (out["calibration"] == "none").all() and "ood_score" not in out
    assert report["n_unfamiliar"] is None
    np.testing.assert_allclose(out[[c for c in out if c.startswith("prob_")]].sum(1), 1.0, atol=1e-5)


def test_the_models_own_samples_are_found_however_their_barcode_is_written():
    """Old behaviour (of the first version of model_split): only the exact id matched, so the
    same tumour as an aliquot barcode or a patient id was "new"."""
    from genemoe.workflows.predict import model_splits

    splits = {"train": ["TCGA-D8-A27E-01", "SAMPLE-7"], "val": ["TCGA-OR-A5J1-01A"], "test": []}
    ids = ["TCGA-D8-A27E-01A-11R-A29S-07", "TCGA-D8-A27E", "tcga-or-a5j1-01", "TCGA-OR-A5J1",
           "TCGA-D8-A27E-11A-11R-A29S-07", "SAMPLE-7", "SAMPLE-8", "TCGA-ZZ-ZZZZ-01"]
    # a normal (-11) of a training patient: another tissue, but that patient's outcome is the
    # survival model's own (was "new", and counted among the samples not used in training)
    assert model_splits(ids, splits) == ["train", "train", "val", "val", "train patient", "train",
                                         "new", "new"]
    from genemoe.workflows.predict_text import lines, unfamiliar_notes

    assert ("1 other sample (another sample type) of the model's own patients (model_split "
            "'... patient'): not independent of the model, and their outcome is the model's "
            "own") in lines(unfamiliar_notes({"n_samples": 8, "n_same_patient": 1,
                                              "task": "survival"}))
    # a classifier's: survival was named where it did not apply
    said = lines(unfamiliar_notes({"n_samples": 8, "n_same_patient": 1, "task": "classify"}))
    assert said.endswith("(model_split '... patient'): not independent of the model")
