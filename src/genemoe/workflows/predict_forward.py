"""A loaded model's forward on scaled profiles and the columns that say how far to trust it.

:func:`model_outputs` runs a model file's estimator or network (calibrated probabilities or
risk, and the features the unfamiliar-sample score reads); :func:`trust_columns` adds the
top-3 types, the calibration, risk percentiles, survival at the horizons, the
unfamiliar-sample flag and which split of the model's own bundle a sample was in
(moved from :mod:`genemoe.workflows.predict`, which wires them).
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
import pandas as pd

from genemoe.errors import input_error
from genemoe.evaluate.brier import survival_at_horizons
from genemoe.train.calibration import apply_temperature, as_logits
from genemoe.train.ood import model_features, ood_score
from genemoe.workflows.model_split import model_splits

__all__ = ["PRECISIONS", "Precision", "check_precision", "device_used", "model_outputs", "trust_columns"]

log = logging.getLogger(__name__)

Precision = Literal["fp32", "bf16"]
PRECISIONS = ("fp32", "bf16")


def check_precision(payload: dict, precision: str) -> None:
    """Refuse an unknown ``precision``, or ``bf16`` for a classical estimator."""
    if precision not in PRECISIONS:
        raise input_error(f"unknown precision {precision!r}", where="--precision",
                          fix="use fp32 (default) or bf16")
    if precision == "bf16" and payload["kind"] == "sklearn":
        raise input_error(f"{payload['model_name']} is a classical estimator: bf16 applies only to "
                          f"neural models", where="--precision", fix="omit --precision (fp32)")


def model_outputs(payload: dict, X: np.ndarray, precision: Precision = "fp32",
           device: str = "auto") -> dict[str, np.ndarray]:
    """Model outputs for scaled ``X``: calibrated probabilities or risk, and the features.

    Parameters
    ----------
    payload
        A loaded model file (:func:`~genemoe.train.model_file.load_model_file`).
    X
        ``(n, n_genes)`` float32, scaled as in training.
    precision
        ``fp32`` or ``bf16`` (neural models only; see :func:`~genemoe.train.loop.predict_outputs`).
    device
        ``auto`` (CUDA when available), ``cpu``, ``cuda`` or ``cuda:N``: where a neural
        model's forward runs (it ran on the CPU whatever the machine had).

    Returns
    -------
    dict
        ``{"probs": (n, n_classes), "logits": (n, n_classes)}`` (probabilities
        temperature-scaled with the model file's temperature; rows sum to 1) or
        ``{"risk": (n,)}``, plus ``"features"`` ``(n, n_features)``: what the
        unfamiliar-sample score reads.
    """
    check_precision(payload, precision)
    task = payload["task"]
    if payload["kind"] == "sklearn":
        est = payload["estimator"]
        out = ({"logits": as_logits(est.predict_proba(X))} if task == "classify"
               else {"risk": est.predict_risk(X)})
        model = est
    else:
        from genemoe.train.loop import predict_outputs
        from genemoe.train.model_file import rebuild_model

        model = rebuild_model(payload, n_genes=X.shape[1])  # a backbone restored: no warning
        raw = predict_outputs(model, X, batch_size=1024, device=device, precision=precision)
        raw = raw.astype(np.float32, copy=False)  # bf16 logits arrive as float32
        out = {"logits": raw} if task == "classify" else {"risk": raw.reshape(-1)}
    if "logits" in out:
        out["probs"] = apply_temperature(out["logits"], _temperature(payload))
    else:  # the risk scale fitted on validation (1 for model files written before it)
        scale = float((payload.get("calibration") or {}).get("risk_scale", 1.0))
        out["risk"] = np.asarray(out["risk"], np.float64) * scale  # as at training
    if payload.get("ood") is not None and payload["ood"]["method"] == "mahalanobis":
        out["features"] = model_features(model, payload["kind"], X)
    return out


def device_used(payload: dict, device: str) -> str:
    """The device the forward ran on, as recorded and said (``cuda:0``, ``cpu``); a device
    asked of a classical model is said to apply to neural models (as train and tune say)."""
    if payload["kind"] == "sklearn":
        if device not in ("auto", "cpu"):  # was taken without a word
            log.warning("--device %s applies to neural models; %s is scored by scikit-learn on "
                        "the CPU", device, payload["model_name"])
        return "cpu (scikit-learn)"
    from genemoe.train.distributed import resolve_device

    return str(resolve_device(device))


def _temperature(payload: dict) -> float:
    """The calibration temperature of a model file (1.0 for files written before it)."""
    calib = payload.get("calibration") or {}
    return float(calib.get("temperature", 1.0))


def _calibration_method(payload: dict) -> str:
    calib = payload.get("calibration")
    return f"temperature (T = {calib['temperature']:.3g}, validation)" if calib else "none"


def trust_columns(df: pd.DataFrame, payload: dict, out: dict[str, np.ndarray]) -> None:
    """Top-3 types, the calibration, risk percentile and the unfamiliar-sample flag, in place."""
    if "probs" in out:
        names = np.asarray(payload["class_names"], dtype=object)
        order = np.argsort(-out["probs"], axis=1, kind="stable")
        rows = np.arange(len(df))
        for k in range(min(3, len(names))):
            df[f"top{k + 1}"] = names[order[:, k]]
            df[f"top{k + 1}_prob"] = out["probs"][rows, order[:, k]]
        df["calibration"] = _calibration_method(payload)
    elif payload.get("train_risk") is not None:
        ref = np.asarray(payload["train_risk"], np.float64)  # sorted at training
        df["risk_percentile"] = 100.0 * np.searchsorted(ref, out["risk"], side="right") / len(ref)
        for name, p in survival_at_horizons(payload.get("survival_baseline"), out["risk"]).items():
            df[name] = p
    ood = payload.get("ood")
    if ood is not None:
        values = out["features"] if ood["method"] == "mahalanobis" else out["logits"]
        score = ood_score(ood, values)
        df["ood_score"] = score
        df["looks_like_training"] = score <= ood["threshold"]
    splits = payload.get("split_ids")
    if splits:  # which samples the model was fitted or selected on (model files since 2026-12)
        df["model_split"] = model_splits(df["sample_id"], splits)
        if "looks_like_training" in df:  # not meant for in-sample rows: most of a wide model's
            #                             own samples read False (in-sample distances); left empty
            df["looks_like_training"] = df["looks_like_training"].astype("boolean").mask(
                df["model_split"] == "train")
