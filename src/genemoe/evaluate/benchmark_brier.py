"""The integrated Brier score of ``genemoe benchmark``'s survival cells: results.csv's
columns and summary.md's (and the report's) words on it.

Each cell's score (:func:`genemoe.evaluate.brier.integrated_brier`) comes with its window
of days, the no-information reference on the same fold, and 95% bootstrap intervals over
the test patients: of the score (``ibs_ci``) and of its difference from no information's
(``ibs_minus_null_ci``). Pure functions of cells and ``results.csv`` rows; they write
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["ibs_columns", "null_reference_text", "ibs_window_text", "ibs_interval_text"]


def ibs_columns(metrics: dict) -> dict[str, float]:
    """A survival cell's integrated Brier score times (``ibs_from``, ``ibs_to``, days), its
    test patients censored at the training follow-up's end (0 where none), and the fold's
    95% bootstrap intervals of the score (``ibs_lo``, ``ibs_hi``) and of the score minus no
    information's (``ibs_minus_null_lo``, ``ibs_minus_null_hi``; in cells/*.json only
    before); NaN without a score or in older cells."""
    times = metrics.get("ibs_times")
    out = {"ibs_from": np.nan, "ibs_to": np.nan, "ibs_censored_at_training_end": np.nan,
           "ibs_censoring_cut": np.nan}
    if times:
        out = {"ibs_from": float(times[0]), "ibs_to": float(times[-1]),
               "ibs_censored_at_training_end": float(metrics.get("ibs_censored_at_training_end",
                                                                 0)),
               "ibs_censoring_cut": float(metrics.get("ibs_censoring_cut", np.nan))}
    return out | _bounds("ibs", metrics.get("ibs_ci")) | _bounds(
        "ibs_minus_null", metrics.get("ibs_minus_null_ci"))


def _bounds(name: str, ci: Sequence[float] | None) -> dict[str, float]:
    """``{name_lo, name_hi}`` of an interval, NaN where there is none."""
    lo, hi = (ci if ci is not None and len(ci) == 2 else (None, None))
    return {f"{name}_lo": np.nan if lo is None else float(lo),
            f"{name}_hi": np.nan if hi is None else float(hi)}


def null_reference_text(results: pd.DataFrame) -> str:
    """summary.md's words on no information's integrated Brier score over the folds, the
    models above it fold by fold and the folds whose interval tells a model from it; ""
    without the reference (classification, older cells)."""
    if (ref := results.get("ibs_null_reference")) is None or not ref.notna().any():
        return ""
    folds = results.drop_duplicates(["repeat", "fold"])["ibs_null_reference"].dropna()
    spread = f" ± {folds.std():.3f}" if len(folds) > 1 else ""  # was in cells/*.json only
    return (f" Integrated Brier score of one survival curve for all (the training patients' "
            f"Nelson–Aalen estimate: no information) on the same folds: "
            f"{folds.mean():.3f}{spread} ({len(folds)} fold{'s' * (len(folds) != 1)}); a "
            "model above it predicts worse than no model."
            + _worse_than_none(results) + ibs_interval_text(results))


def ibs_interval_text(results: pd.DataFrame) -> str:
    """Per model, the folds where the 95% bootstrap interval of its score minus no
    information's lies wholly below 0 (told better) or wholly above (told worse); ""
    without the intervals (older results.csv). The mean alone, 0.118 against 0.192, read
    as clearly better where 2 of 3 folds' intervals held 0."""
    if "ibs_minus_null_lo" not in results or results["ibs_minus_null_lo"].isna().all():
        return ""
    have = results.dropna(subset=["ibs_minus_null_lo", "ibs_minus_null_hi"])
    parts, any_above = [], False
    for model, g in have.groupby("model", sort=False):
        below, above = int((g["ibs_minus_null_hi"] < 0).sum()), int((g["ibs_minus_null_lo"] > 0).sum())
        any_above |= above > 0
        parts.append(f"{model} {below}/{len(g)}" + (f" (wholly above 0 in {above})" if above else ""))
    return (" Each fold's 95% bootstrap interval of a model's score minus it (the test "
            "patients resampled; `ibs_minus_null_lo`, `_hi` in results.csv) lies wholly "
            "below 0, the model told better than no information, in: " + ", ".join(parts)
            + " folds; in the others it holds 0 (not told apart"
            + (", or worse where said)." if any_above else ")."))


def _worse_than_none(results: pd.DataFrame) -> str:
    """The models whose integrated Brier score is above the no-information one in some fold
    (same fold), named with the count: only the reference's mean was said, so a reader had
    to compare (Coxnet 0.234 against 0.219 on average, 0.331 against 0.254 in one fold)."""
    if "integrated_brier_score" not in results:
        return ""
    worse = results["integrated_brier_score"] > results["ibs_null_reference"]
    have = results["integrated_brier_score"].notna() & results["ibs_null_reference"].notna()
    parts = []
    for model, g in results[have].groupby("model", sort=False):
        if (k := int(worse[g.index].sum())):
            parts.append(f"{model} in {k}/{len(g)} (mean {g['integrated_brier_score'].mean():.3f}"
                         f" against {g['ibs_null_reference'].mean():.3f})")
    return (" Above it, fold by fold: " + "; ".join(parts) + ".") if parts else ""


def ibs_window_text(results: pd.DataFrame) -> str:
    """One line on the integrated Brier score's days over the folds and the test patients
    cut at their training follow-up's end ("" without them: classification, older cells).
    Each fold's window (:mod:`genemoe.evaluate.brier`) was in cells/*.json only."""
    if "ibs_from" not in results or results["ibs_from"].isna().all():
        return ""
    folds = results.dropna(subset=["ibs_from"]).drop_duplicates(["repeat", "fold"])
    cut = int(folds["ibs_censored_at_training_end"].sum())
    n = len(folds)
    floor = (" and before the day its training patients' censoring survival falls below "
             "0.2 (weights over 5)" if "ibs_censoring_cut" in folds else "")
    return (f"Integrated Brier score days (10th–90th percentile of each test fold's follow-up, "
            f"cut at its training follow-up's end{floor}): from day {_days(folds['ibs_from'])} to day "
            f"{_days(folds['ibs_to'])} over {n} fold{'s' * (n != 1)}; {cut} test patient"
            f"{'s were' if cut != 1 else ' was'} followed beyond their fold's training "
            "follow-up and censored at its end.")


def _days(days: pd.Series) -> str:
    """``"132"`` or the range over folds ``"132–317"``, whole days with thousands commas."""
    lo, hi = round(float(days.min())), round(float(days.max()))
    return f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
