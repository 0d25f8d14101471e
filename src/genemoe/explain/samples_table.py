"""``samples.tsv`` of an explanation: its survival columns and the words convergence.json's
``samples_tsv`` gives its columns.

A survival explanation's ``risk`` is predict's: the model's raw risk times the run's risk
scale (``calibration.risk_scale``); the attributions, ``output_change`` and ``live_change``
are of the raw risk, the output the model gives and the attributions add up to. Both stay
(``risk`` matches predict's output and the maps' titles), and the words say which is which:
they stood side by side unexplained (risk -1.35 beside output_change -3.36, a scale 0.497).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genemoe.explain.summary_text import compared_with

__all__ = ["outcome_columns", "samples_tsv_words", "samples_records", "survival_attributed"]


def _risk_scale(payload: dict[str, Any]) -> float:
    """The run's risk scale (1 where none was fitted)."""
    return float((payload.get("calibration") or {}).get("risk_scale", 1.0))


def outcome_columns(bundle: Any, rows: np.ndarray, out: np.ndarray,
                    payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """samples.tsv's survival columns: ``risk`` (predict's, the scaled output) and the
    bundle's ``time`` and ``event`` where it has them (the report's figure captions)."""
    cols = {"risk": out[:, 0].astype(np.float64) * _risk_scale(payload)}
    if {"time", "event"} <= set(bundle.obs.columns):
        time = bundle.obs["time"].to_numpy(np.float64)[rows]
        has = (bundle.obs["has_survival"].to_numpy(bool)[rows] if "has_survival" in bundle.obs
               else np.isfinite(time))  # a status without a time read event False, censored
        cols["time"] = np.where(has, time, np.nan)
        cols["event"] = np.where(has, bundle.obs["event"].to_numpy(object)[rows], None)
    return cols


def samples_tsv_words(conv: dict[str, Any], payload: dict[str, Any]) -> dict[str, str]:
    """convergence.json's ``samples_tsv``: what ``output_change``, ``live_change`` and
    ``split`` hold, and for survival ``risk`` (its scale, named: it was not described) and
    ``time, event``."""
    words = {"output_change": f"what the attributions add up to: {compared_with(conv)}",
             "live_change": "f(x) - f(baseline), routing live",
             "split": "the run's split (train, val, test); new: not in the run; "
                      "no outcome: left out of a survival run, no survival time"}
    if conv.get("task") != "survival":
        return words
    scale = _risk_scale(payload)
    words["output_change"] += " (of the raw risk)"
    words["risk"] = (f"predict's risk: the raw risk x the run's risk scale {scale:.3g} "
                     "(calibration.risk_scale); the attributions, output_change and "
                     f"live_change are of the raw risk: divide risk by {scale:.3g} to compare")
    words["time, event"] = "the bundle's survival time (days) and event, where it has them"
    return words


def survival_attributed(scale: float, *, frozen: bool = False) -> str:
    """What a survival explanation attributes, for people: the raw risk (a log relative
    hazard) against the reference's, and how predict's risk relates to it (``scale``, the
    run's risk scale). Neither the terminal nor the page said what "risk" was attributed:
    the figures' titles gave predict's risk (5.1) over bars adding up to the raw risk's
    change (2.09 less the reference's: a scale 2.44). ``frozen``: the routing frozen, the
    reference's output is the frozen model's (as completeness checks it)."""
    head = ("the model's raw risk, a log relative hazard (higher = shorter survival): each "
            "sample's attributions add up to its raw risk minus the reference's"
            + (" (routing frozen at the sample's experts: f(x) - f_frozen(reference))"
               if frozen else ""))
    if abs(scale - 1.0) < 1e-12:
        return head + "; predict's risk is the raw risk (no risk scale fitted)"
    return (head + f"; predict's risk (samples.tsv risk, the figures' titles) is the raw risk "
                   f"x the run's risk scale {scale:.3g}")


def samples_records(conv: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """convergence.json's entries about the explained samples: ``samples_tsv``
    (:func:`samples_tsv_words`) and, for survival, ``attributed`` (:func:`survival_attributed`)
    and ``risk_scale`` (the number the words name)."""
    out: dict[str, Any] = {"samples_tsv": samples_tsv_words(conv, payload)}
    if conv.get("task") == "survival":
        out["risk_scale"] = _risk_scale(payload)
        out["attributed"] = survival_attributed(out["risk_scale"],
                                                frozen=conv.get("routing") == "frozen")
    return out
