"""The time-dependent AUC of ``genemoe benchmark``'s survival cells: results.csv's columns
and summary.md's (and the report's) table.

Each AUC at 1, 3 or 5 years rests on the test deaths by its horizon
(:func:`genemoe.evaluate.brier.time_dependent_auc` counts them, ``auc_1y_deaths``); a fold
with few of them gives an AUC that swings widely (one death: that patient's rank among the
controls), so results.csv carries the count beside each AUC and the table flags the folds
under :data:`FEW_AUC_DEATHS`. Pure functions of cells and ``results.csv`` rows; they write
nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genemoe.evaluate.brier import CENSORING_FLOOR
from genemoe.evaluate.markdown import markdown_table

__all__ = ["AUC_COLUMNS", "AUC_TEXT", "FEW_AUC_DEATHS", "auc_row", "auc_table", "auc_lines",
           "auc_cell", "deaths_text"]

AUC_COLUMNS = ("auc_1y", "auc_3y", "auc_5y")  # cumulative/dynamic AUC (evaluate.brier)
FEW_AUC_DEATHS = 10  # below this many test deaths by its horizon a fold's AUC is flagged
DEATHS_ROW = "test deaths by the horizon per fold (fewest–most, mean)"

AUC_TEXT = ("Uno et al. 2007 (scikit-survival's `cumulative_dynamic_auc`, censoring weights from "
            "the fold's training patients): how well the risk tells the test patients who died "
            "by the horizon from those alive after it, pooled over the cancer types (as the "
            "C-index: the types' own survival differences count); a fold without a test death "
            "by it, without patients followed past it, or whose training patients' censoring "
            f"survival has fallen below {CENSORING_FLOOR} by it (weights over "
            f"{1 / CENSORING_FLOOR:.0f}, as the integrated Brier "
            "score's window ends) has none (the fold count is said). An AUC "
            f"resting on fewer than {FEW_AUC_DEATHS} test deaths by its horizon swings widely "
            "(one death: that patient's rank among the others): `k/n folds under "
            f"{FEW_AUC_DEATHS} deaths` counts such folds in a mean, the last row gives the "
            "deaths per fold, and results.csv each fold's (`auc_1y_deaths` etc.).")


def auc_row(metrics: dict) -> dict[str, float]:
    """A survival cell's results.csv columns: each AUC and the test deaths by its horizon
    (``auc_1y``, ``auc_1y_deaths``, ...; NaN where undefined or in older cells, which
    counted no deaths)."""
    row: dict[str, float] = {}
    for col in AUC_COLUMNS:
        value, deaths = metrics.get(col), metrics.get(f"{col}_deaths")
        row[col] = np.nan if value is None else float(value)
        row[f"{col}_deaths"] = np.nan if value is None or deaths is None else float(deaths)
    return row


def auc_cell(g: pd.DataFrame, col: str) -> str:
    """One model's ``"m ± s"`` of AUC ``col`` over its folds ``g``: the folds without one
    counted (``"(2/3 folds)"``), and those resting on fewer than :data:`FEW_AUC_DEATHS`
    test deaths (``"(1/3 folds under 10 deaths)"``, ``"(2/3 folds; 1 under 10 deaths)"``;
    a mean over 2 deaths read like one over 40)."""
    values = pd.to_numeric(g[col], errors="coerce")
    kept = values.dropna()
    if kept.empty:
        return "–"
    text = f"{kept.mean():.3f}" + (f" ± {kept.std(ddof=1):.3f}" if len(kept) > 1 else "")
    deaths = pd.to_numeric(g.get(f"{col}_deaths", pd.Series(np.nan, index=g.index)),
                           errors="coerce")
    few = int((values.notna() & (deaths < FEW_AUC_DEATHS)).sum())
    under = f"under {FEW_AUC_DEATHS} deaths"
    if len(kept) < len(g):
        return text + f" ({len(kept)}/{len(g)} folds" + (f"; {few} {under})" if few else ")")
    return text + (f" ({few}/{len(g)} folds {under})" if few else "")


def deaths_text(results: pd.DataFrame, col: str) -> str:
    """The test deaths by AUC ``col``'s horizon over the folds that have one: ``"1–6
    (3.7)"`` (``"6 (6.0)"`` where every fold holds as many); "–" without a count."""
    name = f"{col}_deaths"
    if name not in results:
        return "–"
    deaths = pd.to_numeric(results[name], errors="coerce")
    if {"repeat", "fold"} <= set(results):  # the folds' test parts, whichever model has one
        deaths = deaths.groupby([results["repeat"], results["fold"]]).max()
    deaths = deaths.dropna()
    if deaths.empty:
        return "–"
    lo, hi = int(deaths.min()), int(deaths.max())
    return f"{lo}" + (f"–{hi}" if hi != lo else "") + f" ({deaths.mean():.1f})"


def auc_table(results: pd.DataFrame) -> pd.DataFrame:
    """The time-dependent AUC, ``"m ± s"`` over the folds where a horizon is defined, per
    model (:func:`auc_cell`), and a last row of the test deaths by each horizon per fold
    where results.csv counts them; empty without an AUC (classification, older cells)."""
    cols = [c for c in AUC_COLUMNS if c in results and results[c].notna().any()]
    if not cols:
        return pd.DataFrame()
    rows: list[dict[str, Any]] = [
        {"model": model, "folds": len(g), **{c: auc_cell(g, c) for c in cols}}
        for model, g in results.groupby("model", sort=False)]
    if any(f"{c}_deaths" in results and results[f"{c}_deaths"].notna().any() for c in cols):
        rows.append({"model": DEATHS_ROW, "folds": "",
                     **{c: deaths_text(results, c) for c in cols}})
    return pd.DataFrame(rows)


def auc_lines(results: pd.DataFrame) -> list[str]:
    """summary.md's time-dependent AUC section, or []."""
    if not len(table := auc_table(results)):
        return []
    return ["## Time-dependent AUC (cumulative/dynamic) at 1, 3 and 5 years", "", AUC_TEXT, "",
            markdown_table(table), ""]
