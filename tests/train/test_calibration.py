"""Temperature scaling (train/calibration.py) and its wiring in fit_model: one method for
every classifier, fitted on the validation part only."""

from __future__ import annotations

import numpy as np
import pytest

import genemoe.train.calibration as calibration
import genemoe.train.fit as fit
from genemoe.train.task_data import TaskData


def _data(rng, sizes=(90, 30, 25), n_genes=10, n_classes=3, shift=1.0):
    def part(m):
        y = np.arange(m) % n_classes
        X = rng.normal(size=(m, n_genes)).astype(np.float32) + shift * y[:, None].astype(np.float32)
        return TaskData(X=X, rows=np.arange(m), y=y, time=None, event=None,
                        groups=np.array(["A"] * m, dtype=object))

    return dict(zip(("train", "val", "test"), (part(m) for m in sizes), strict=True))


@pytest.mark.parametrize("true_t", [0.4, 1.0, 2.5])
def test_fit_temperature_recovers_a_known_temperature(true_t):
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3.0, size=(20000, 5))
    p = calibration.apply_temperature(z, true_t)
    y = (p.cumsum(1) < rng.random((len(z), 1))).sum(1)  # y ~ softmax(z / T)
    t = calibration.fit_temperature(z, y)
    assert t == pytest.approx(true_t, rel=0.05)


def test_calibrated_outputs_sum_to_one_and_keep_the_argmax():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=4.0, size=(200, 7))
    for t in (0.05, 0.7, 3.0, 20.0):
        p = calibration.apply_temperature(z, t)
        np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-12)
        assert (p.argmax(1) == z.argmax(1)).all()
    probs = calibration.apply_temperature(z, 1.0)
    np.testing.assert_allclose(calibration.apply_temperature(calibration.as_logits(probs), 1.0), probs,
                               atol=1e-12)


def test_ece_of_hand_computed_data():
    # confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.7 (right); 5 bins of width 0.2,
    # right-inclusive: (0.8, 1] holds both 0.9s: |0.5 - 0.9| = 0.4, twice; (0.4, 0.6] holds
    # 0.6: |1 - 0.6| = 0.4; (0.6, 0.8] holds 0.7: |1 - 0.7| = 0.3 -> (0.8 + 0.4 + 0.3) / 4.
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    y = np.array([0, 1, 0, 1])
    assert calibration.expected_calibration_error(y, probs, n_bins=5) == pytest.approx(0.375)
    # one bin: |mean accuracy - mean confidence| = |0.75 - 0.775|
    assert calibration.expected_calibration_error(y, probs, n_bins=1) == pytest.approx(0.025)
    # perfectly calibrated: every sample in a bin of confidence 0.5 with half right
    half = np.full((4, 2), 0.5)
    assert calibration.expected_calibration_error(np.array([0, 1, 0, 1]), half) == pytest.approx(0.0)


def test_calibration_reads_the_validation_rows_only(rng, monkeypatch):
    seen = []
    real = calibration.fit_temperature
    monkeypatch.setattr(calibration, "fit_temperature",
                        lambda z, y, **kw: (seen.append((z.copy(), y.copy())), real(z, y, **kw))[1])
    data = _data(rng)
    res = fit.fit_model("logreg", "classify", data, model_cfg={}, train_cfg={"seed": 0}, n_outputs=3)
    assert len(seen) == 1
    z, y = seen[0]
    np.testing.assert_array_equal(y, data["val"].y)
    np.testing.assert_allclose(z, calibration.as_logits(res.model.predict_proba(data["val"].X)))
    cal = res.info["calibration"]
    assert cal["method"] == "temperature" and cal["fitted_on"] == "validation part"
    assert {"temperature", "ece_before", "ece_after"} <= set(cal)
    for part, d in data.items():  # every part is transformed with the one temperature
        raw = res.model.predict_proba(d.X)
        np.testing.assert_allclose(res.outputs[part],
                                   calibration.apply_temperature(np.log(raw), cal["temperature"]),
                                   atol=1e-9)
        assert (res.outputs[part].argmax(1) == raw.argmax(1)).all()


def test_neural_classifier_is_calibrated_and_keeps_its_predictions(rng):
    data = _data(rng, shift=0.6)
    res = fit.fit_model("fcn", "classify", data, model_cfg={"hidden": 16, "latent": 8},
                        train_cfg={"epochs": 15, "seed": 0, "device": "cpu", "focal_gamma": 2.0},
                        n_outputs=3)
    from genemoe.train.loop import predict_outputs

    cal = res.info["calibration"]
    for part, d in data.items():
        logits = predict_outputs(res.model, d.X, device="cpu")
        np.testing.assert_allclose(res.outputs[part].sum(1), 1.0, atol=1e-9)
        assert (res.outputs[part].argmax(1) == logits.argmax(1)).all()
    # T minimises the validation NLL, and T = 1 (no calibration) is inside its range
    val, yv = predict_outputs(res.model, data["val"].X, device="cpu"), data["val"].y
    nll = [-np.log(calibration.apply_temperature(val, t)[np.arange(len(yv)), yv]).mean()
           for t in (cal["temperature"], 1.0)]
    assert nll[0] <= nll[1] + 1e-9


def test_survival_fits_carry_their_risk_scale(rng):
    """Survival fits had no calibration; they now carry the risk scale fitted on validation
    (genemoe.train.risk_scale), which multiplies every part's risks and keeps their order."""
    data = _data(rng)
    for d in data.values():
        d.y, d.time, d.event = None, rng.uniform(1, 100, len(d.rows)), np.arange(len(d.rows)) % 2 == 0
    res = fit.fit_model("coxph", "survival", data, model_cfg={}, train_cfg={"seed": 0}, n_outputs=1)
    cal = res.info["calibration"]
    assert cal["fitted_on"] == "validation" and cal["risk_scale"] > 0
    for part, d in data.items():
        raw = res.model.predict_risk(d.X)
        np.testing.assert_allclose(res.outputs[part], raw * cal["risk_scale"], rtol=1e-12)
        assert res.outputs[part].ndim == 1


def test_a_separable_validation_split_does_not_drive_the_temperature_to_zero():
    """Every validation sample right: plain NLL runs T to its lower bound (probabilities of 1,
    mistakes included); the prior on log T stops it at a finite value."""
    rng = np.random.default_rng(2)
    y = np.arange(37) % 6
    z = rng.normal(size=(37, 6))
    z[np.arange(37), y] += 4.0  # every row's argmax is its label
    assert calibration.fit_temperature(z, y, prior_sd=None) == pytest.approx(0.05, rel=1e-3)
    t = calibration.fit_temperature(z, y)
    assert 0.15 < t < 1.0


def test_a_temperature_at_its_edge_names_the_model(rng, caplog):
    """"the fitted temperature 20 is at the edge of its range" named no model: a benchmark
    printed it among many cells."""
    logits = rng.normal(size=(2000, 3)) * 50  # confident and unrelated to the labels
    y = rng.integers(0, 3, 2000)
    with caplog.at_level("WARNING", logger="genemoe"):
        fit.calibrate_outputs({"val": logits}, y, "resnet50")
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert said and said[0].startswith("resnet50: the fitted temperature") and \
        "probabilities flattened" in said[0], said


def test_a_temperature_that_raises_validation_ece_is_said_so(caplog):
    """Old behaviour: "ECE 0.436 -> 0.549" logged without comment (T minimises the NLL).
    Now commented in the log and recorded (``ece_rose``); a run says it under its table
    (a warning here repeated for every benchmark cell and tuning trial)."""
    rng = np.random.default_rng(3)  # 8 samples whose NLL-optimal T (2.9) raises ECE
    z, y = rng.normal(size=(8, 3)) * 2, rng.integers(0, 3, 8)
    with caplog.at_level("INFO", logger="genemoe"):
        _, rec = calibration.calibrate(z, y, "mlp")
    assert rec["ece_after"] > rec["ece_before"] and rec["ece_rose"] is True
    assert "ECE rose: the temperature minimises the log-loss, not ECE, and the ECE of 8" in caplog.text
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_the_recorded_training_options_keep_one_order(rng):
    """Old behaviour: config.yaml's train_config was written in a set's order, which Python
    hashes anew in every process: two identical runs differed in 59 lines."""
    from dataclasses import fields

    from genemoe.train.loop import TrainConfig

    res = fit.fit_model("fcn", "classify", _data(rng), model_cfg={"hidden": 8, "latent": 4},
                        train_cfg={"seed": 0, "epochs": 1}, n_outputs=3)
    assert list(res.info["train_config"]) == [f.name for f in fields(TrainConfig)]
