"""Ensembles (issue 11, item 4): K members averaged; one run that predict and benchmark take."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch

from genemoe.models.ensemble import EnsembleEstimator, EnsembleModel
from genemoe.models.registry import create_model
from genemoe.train.calibration import apply_temperature, as_logits
from genemoe.train.ensemble import fit_ensemble
from genemoe.train.task_data import TaskData


def _data(rng, task="classify", n=90, n_genes=10):
    def part(m):
        y = np.arange(m) % 3
        X = (rng.normal(size=(m, n_genes)) + y[:, None]).astype(np.float32)
        t, e = rng.exponential(100, m), rng.random(m) < 0.6
        return TaskData(X=X, rows=np.arange(m), y=y if task == "classify" else None,
                        time=t if task == "survival" else None,
                        event=e if task == "survival" else None, groups=np.array(["A"] * m, object))

    return {"train": part(n), "val": part(30), "test": part(30)}


def test_neural_ensemble_averages_the_members_probabilities(rng):
    data = _data(rng)
    res = fit_ensemble("fcn", "classify", data, 3, model_cfg={"hidden": 8, "latent": 4},
                       train_cfg={"epochs": 2, "seed": 0, "device": "cpu"}, n_outputs=3)
    assert isinstance(res.model, EnsembleModel) and len(res.model.members) == 3
    res.model.eval()
    x = torch.as_tensor(data["test"].X)
    with torch.no_grad():
        temps = res.model.temperatures  # each member's validation temperature
        members = torch.stack([torch.softmax(m(x).out / t, -1)
                               for m, t in zip(res.model.members, temps, strict=True)]).mean(0)
        whole = torch.softmax(res.model(x).out, -1)
    torch.testing.assert_close(whole, members)
    t = res.info["calibration"]["temperature"]  # one more, on the average (validation)
    np.testing.assert_allclose(res.outputs["test"],
                               apply_temperature(np.log(members.numpy()), t), atol=1e-5)
    assert res.info["ensemble"]["members_differ_by"] == "seed"
    assert res.info["calibration"]["member_temperatures"] == pytest.approx(temps.tolist())
    # rebuilt through the registry, as predict does from model.pt
    again = create_model("ensemble", n_genes=10, n_outputs=3, task="classify", member="fcn",
                         member_config={"hidden": 8, "latent": 4}, k=3)
    again.load_state_dict(res.model.state_dict())


def test_classical_ensemble_fits_members_on_inner_folds(rng):
    data = _data(rng)
    res = fit_ensemble("logreg", "classify", data, 3, model_cfg={}, train_cfg={"seed": 0},
                       n_outputs=3)
    assert isinstance(res.model, EnsembleEstimator)
    coefs = [m.estimator_.coef_ for m in res.model.members]
    assert not np.allclose(coefs[0], coefs[1])  # different rows: different members
    assert len(res.model.temperatures) == 3
    t = res.info["calibration"]["temperature"]
    np.testing.assert_allclose(
        res.outputs["test"], apply_temperature(as_logits(res.model.predict_proba(data["test"].X)), t),
        atol=1e-6)


def test_a_forest_s_members_differ_by_seed_and_see_every_training_row(rng, monkeypatch):
    """A random forest's members used to fit on inner folds, each on two thirds of the
    training rows, where its seed alone makes them differ."""
    import genemoe.train.ensemble as ens

    data, seen = _data(rng), []
    real = ens.fit_model

    def spy(name, task, part, **kw):
        seen.append((len(part["train"].X), kw["train_cfg"]["seed"]))
        return real(name, task, part, **kw)

    monkeypatch.setattr(ens, "fit_model", spy)
    res = fit_ensemble("rf", "classify", data, 3, train_cfg={"seed": 4}, n_outputs=3,
                       model_cfg={"n_estimators": 20, "tune_n_estimators": 10, "n_jobs": 1})
    assert seen == [(90, 4), (90, 5), (90, 6)]
    assert res.info["ensemble"]["members_differ_by"] == "seed"
    probs = [m.predict_proba(data["test"].X) for m in res.model.members]
    assert not np.allclose(probs[0], probs[1])
    seen.clear()
    fit_ensemble("logreg", "classify", data, 3, model_cfg={}, train_cfg={"seed": 4}, n_outputs=3)
    assert seen == [(60, 4)] * 3  # deterministic: the inner folds, as before


def test_a_class_too_small_for_k_folds_is_in_every_member(rng):
    """pancan33's rarest types have 2-3 training samples in a fold: --ensemble 3 used to
    stop the whole benchmark there ('too few for 3 inner folds')."""
    from dataclasses import replace

    from genemoe.train.ensemble import member_rows

    train = _data(rng)["train"]
    y = train.y.copy()
    y[:2] = 3  # a fourth class of two samples
    train = replace(train, y=y)
    members = member_rows(train, "classify", 3, seed=0)
    assert len(members) == 3
    assert all({0, 1} <= set(m.tolist()) for m in members)  # the rare class in every member
    left_out = np.concatenate([np.setdiff1d(np.arange(90), m) for m in members])
    assert sorted(left_out.tolist()) == list(range(2, 90))  # the others left out once each
    res = fit_ensemble("logreg", "classify", {**_data(rng), "train": train}, 3, model_cfg={},
                       train_cfg={"seed": 0}, n_outputs=4)
    assert res.outputs["test"].shape == (30, 4)


def test_survival_ensemble_averages_risks(rng):
    data = _data(rng, "survival")
    res = fit_ensemble("fcn", "survival", data, 2, model_cfg={"hidden": 8, "latent": 4},
                       train_cfg={"epochs": 2, "seed": 0, "device": "cpu", "lr": 1e-3},
                       n_outputs=1)
    assert res.outputs["test"].shape == (30,)
    # the model averages its members' raw risks; one risk scale, fitted on validation, on top
    res.model.eval()
    with torch.no_grad():
        raw = res.model(torch.as_tensor(data["test"].X)).out.reshape(-1).double().numpy()
    scale = res.info["calibration"]["risk_scale"]
    np.testing.assert_allclose(res.outputs["test"], raw * scale, rtol=1e-5)


def test_a_survival_run_is_scored_by_predict_as_in_training(synthetic_bundle, tmp_path):
    """predict applies the run's risk scale: its risks are the run's own (predictions.tsv),
    single model and ensemble alike."""
    from genemoe.train.model_file import load_model_file
    from genemoe.workflows.predict import predict_file
    from genemoe.workflows.train import train_run

    b = synthetic_bundle(seed=2)
    counts = next(i["path"] for i in b.record["inputs"] if i["role"] == "expression")
    for k in (1, 2):
        run = tmp_path / f"run{k}"
        train_run(b.path, out_dir=run, task="survival", model_name="fcn", epochs=2,
                  progress=False, ensemble=k)
        assert load_model_file(run)["calibration"]["risk_scale"] > 0
        said = predict_file(run, counts, out_path=tmp_path / f"p{k}.csv")
        scale = load_model_file(run)["calibration"]["risk_scale"]  # the column's meaning was unsaid
        assert (f"risk: log relative hazard, higher = shorter survival (× {scale:.3g}, the scale "
                "fitted on validation") in said and "beyond the last training death" not in said
        got = pd.read_csv(tmp_path / f"p{k}.csv").set_index("sample_id")
        want = pd.read_csv(run / "predictions.tsv", sep="\t").set_index("sample_id")
        np.testing.assert_allclose(got.loc[want.index, "risk"], want["risk"], rtol=1e-4, atol=1e-6)
        surv = got[["survival_1y", "survival_3y", "survival_5y"]].to_numpy()
        assert np.isfinite(surv).all() and ((surv > 0) & (surv < 1)).all()
        assert (np.diff(surv, axis=1) <= 0).all()  # fewer alive later
        hi, lo = got["risk"].idxmax(), got["risk"].idxmin()
        assert (got.loc[hi, ["survival_1y", "survival_3y"]] < got.loc[lo, ["survival_1y",
                                                                         "survival_3y"]]).all()


def test_train_and_predict_take_an_ensemble_run(synthetic_bundle, tmp_path):
    from genemoe.train.model_file import load_model_file
    from genemoe.workflows.predict import predict_file
    from genemoe.workflows.train import train_run

    b = synthetic_bundle(seed=2)
    run = train_run(b.path, out_dir=tmp_path / "run", model_name="fcn", epochs=2,
                    progress=False, ensemble=2)
    assert run.describe().startswith("fcn × 2 · classify")  # said "fcn · classify"
    payload = load_model_file(tmp_path / "run")
    assert payload["model_name"] == "ensemble" and payload["model_config"]["member"] == "fcn"
    counts = next(i["path"] for i in b.record["inputs"] if i["role"] == "expression")
    out = tmp_path / "p.csv"
    said = predict_file(tmp_path / "run", counts, out_path=out)  # the raw counts it came from
    assert "with an ensemble of 2 fcn (members by seed) (classify" in said  # "with ensemble"
    pred = pd.read_csv(out)
    assert len(pred) >= b.n_samples and pred.filter(like="prob_").sum(1).round(4).eq(1).all()
    from genemoe.report.html import write_report

    html = write_report(tmp_path / "run").read_text()  # its title said "fcn", one training run
    assert "genemoe run — fcn × 2 (classify)" in html
    assert "one ensemble run: 2 members differing by seed" in html
    assert re.search(r"kept epochs \d+, \d+ \(one per member\)", html)  # was "kept epoch [2, 2]"
    # the summary panel's model line too (it read "fcn · classify", an outside probe found)
    assert "<code>fcn</code> × 2 (an ensemble: members differ by seed) · classify" in html


def test_ensemble_needs_two_members(rng):
    from genemoe.errors import InputError

    with pytest.raises(InputError, match="at least 2"):
        fit_ensemble("fcn", "classify", _data(rng), 1, model_cfg={}, train_cfg={}, n_outputs=3)


def test_the_average_of_calibrated_members_is_calibrated_again_on_validation():
    """Pool, then calibrate: members that disagree average to under-confident
    probabilities (pancan33's tuned ensembles of 3: confidence 0.02-0.07 below accuracy).
    One temperature on the average, fitted on validation, sharpens it (T < 1); the class
    is kept, and the model file's temperature is that one."""
    from genemoe.train.ensemble import _calibrate_average

    rng = np.random.default_rng(0)
    n, k = 400, 4
    y = rng.integers(0, k, n)
    members = []
    for _ in range(3):  # each member right about 85 % of the time, confidently so
        pred = np.where(rng.random(n) < 0.85, y, rng.integers(0, k, n))
        members.append(np.full((n, k), 0.05 / (k - 1)) + 0.95 * np.eye(k)[pred]
                       - 0.05 / (k - 1) * np.eye(k)[pred])
    avg = np.mean(members, axis=0)
    outputs, record = _calibrate_average({"val": avg[:200], "test": avg[200:]}, y[:200],
                                         [1.0, 1.0, 1.0])
    assert record["temperature"] < 1 and record["ece_after"] < record["ece_before"]
    assert record["member_temperatures"] == [1.0, 1.0, 1.0]
    np.testing.assert_array_equal(outputs["test"].argmax(1), avg[200:].argmax(1))
    assert outputs["test"].max(1).mean() > avg[200:].max(1).mean()
    assert _calibrate_average({}, y[:200], [1.0])[1]["temperature"] == 1.0  # torchrun rank > 0


def test_an_ensemble_of_no_members_is_refused(tmp_path):
    """``genemoe train --ensemble 0`` trained one model and said nothing."""
    from genemoe.errors import InputError
    from genemoe.workflows.benchmark import run_benchmark
    from genemoe.workflows.train import train_run

    with pytest.raises(InputError, match=r"--ensemble: must be 1 .*got 0"):
        train_run(tmp_path / "no_bundle", out_dir=tmp_path / "r", model_name="mlp", ensemble=0)
    with pytest.raises(InputError, match=r"--ensemble: must be 1 .*got -1"):
        run_benchmark(tmp_path / "no_bundle", task="classify", out_dir=tmp_path / "b",
                      models=["logreg"], ensemble=-1)


def test_ensemble_is_not_a_model_to_train(tmp_path):
    """``genemoe train --model ensemble`` said create_ensemble() misses an argument."""
    from genemoe.errors import InputError
    from genemoe.workflows.benchmark import run_benchmark
    from genemoe.workflows.train import train_run
    from genemoe.workflows.tune import tune_run

    with pytest.raises(InputError, match=r"(?s)--model: 'ensemble' is how.*--ensemble 5"):
        train_run(tmp_path / "no_bundle", out_dir=tmp_path / "r", model_name="ensemble")
    with pytest.raises(InputError, match="--model: 'ensemble' is how"):
        tune_run(tmp_path / "no_bundle", out_dir=tmp_path / "t", model_name="ensemble")
    with pytest.raises(InputError, match="--models: 'ensemble' is how"):
        run_benchmark(tmp_path / "no_bundle", task="classify", out_dir=tmp_path / "b",
                      models=["ensemble", "logreg"])


def test_members_of_an_earlier_larger_ensemble_are_removed(tmp_path, caplog):
    """Old behaviour: `--ensemble 3` stopped, then `--ensemble 2` in the same folder left
    member2/ (its checkpoint and history), which the report then read as a member."""
    from genemoe.workflows.train import train_run
    from synthetic_inputs import prepare_synthetic

    b, _, _ = prepare_synthetic(tmp_path, n_samples=150, n_genes=60, n_types=3, seed=3)
    stale = tmp_path / "run" / "member2"
    stale.mkdir(parents=True)
    (stale / "history.jsonl").write_text('{"epoch": 1}\n')
    with caplog.at_level("WARNING", logger="genemoe"):
        train_run(b.path, out_dir=tmp_path / "run", model_name="fcn", epochs=1, ensemble=2,
                  progress=False)
    assert not stale.exists() and (tmp_path / "run" / "member1").exists()
    assert "a member of an earlier, larger ensemble in this folder (this one has 2)" in caplog.text
