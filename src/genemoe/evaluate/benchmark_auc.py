"""The time-dependent AUC of ``genemoe benchmark``'s survival cells: results.csv's columns
and summary.md's (and the report's) table.

Each AUC at 1, 3 or 5 years rests on the test deaths by its horizon and the test patients
followed past it, its controls (:func:`genemoe.evaluate.brier.time_dependent_auc` counts
them, ``auc_1y_deaths``, ``auc_1y_controls``); a fold with few of either gives an AUC that
swings widely (one death: that patient's rank among the controls), so results.csv carries
the counts beside each AUC and the table flags the folds under :data:`FEW_AUC_DEATHS` and
:data:`FEW_AUC_CONTROLS`. Pooled over the cancer types, the AUC also rewards the types' own
survival differences: the table gives cancer type alone beside it (``type_only_auc_1y``,
:func:`genemoe.evaluate.brier.type_only_auc`), as ``type_only_c_index`` is given beside the
C-index. Cells computed before the censoring floor (no ``auc_censoring_floor``) are
recomputed under it on resume from their stored test risks, times and events
(:func:`rescored_auc`; ``auc_rule`` :data:`RULE_RESCORED`, said by :func:`rescored_line`);
those that could not be are counted apart (:data:`RULE_OLDER`): :func:`auc_rule_line` warns
where a resumed run mixes them. Pure functions of cells and ``results.csv`` rows; they write
nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genemoe.evaluate.brier import CENSORING_FLOOR, time_dependent_auc, type_only_auc
from genemoe.evaluate.markdown import markdown_table
from genemoe.evaluate.survival import type_rate_risk

__all__ = ["AUC_COLUMNS", "AUC_TEXT", "FEW_AUC_DEATHS", "FEW_AUC_CONTROLS", "auc_row",
           "auc_table", "auc_lines", "auc_cell", "deaths_text", "auc_rule_line", "older_auc_cells",
           "RULE_FLOOR", "RULE_OLDER", "RULE_RESCORED", "rescored_auc", "rescored_line"]

AUC_COLUMNS = ("auc_1y", "auc_3y", "auc_5y")  # cumulative/dynamic AUC (evaluate.brier)
FEW_AUC_DEATHS = 10  # below this many test deaths by its horizon a fold's AUC is flagged
FEW_AUC_CONTROLS = 10  # ... or below this many test patients followed past it
DEATHS_ROW = "test deaths by the horizon per fold (fewest–most, mean)"
CONTROLS_ROW = "test patients followed past the horizon per fold (fewest–most, mean)"
TYPE_ONLY_ROW = "cancer type alone (each type's training death rate as the risk)"
RULE_FLOOR = f"censoring floor {CENSORING_FLOOR}"  # results.csv's auc_rule of a cell now
RULE_OLDER = "no censoring floor (older cell)"  # ... of a cell computed before the floor
RULE_RESCORED = f"censoring floor {CENSORING_FLOOR}, recomputed on resume"  # ... and since

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
            "deaths per fold, and results.csv each fold's (`auc_1y_deaths` etc.). So does one "
            f"resting on fewer than {FEW_AUC_CONTROLS} test patients followed past its horizon "
            f"(its controls): `under {FEW_AUC_CONTROLS} controls`, a row of them per fold, "
            "`auc_1y_controls` etc. The row `cancer type alone` is the AUC of a risk that is "
            "each test patient's type's training death rate (`type_only_auc_1y` etc.), what "
            "the types' own survival differences give the pooled AUC, as "
            "type_only_c_index is for the C-index.")


def auc_row(metrics: dict) -> dict[str, Any]:
    """A survival cell's results.csv columns: each AUC, the test deaths by its horizon and
    the test patients followed past it (``auc_1y``, ``auc_1y_deaths``, ``auc_1y_controls``,
    ...; NaN where undefined or in older cells, which counted neither), cancer type alone's
    AUC (``type_only_auc_1y``, ...; NaN likewise) and the rule the AUCs were computed under
    (``auc_rule``: :data:`RULE_FLOOR`, :data:`RULE_RESCORED` for one recomputed under it on
    resume, :data:`RULE_OLDER` for a cell with an AUC from before the censoring floor, "" for
    a cell without one)."""
    row: dict[str, Any] = {}
    for col in AUC_COLUMNS:
        value = metrics.get(col)
        row[col] = np.nan if value is None else float(value)
        for count in ("deaths", "controls"):
            n = metrics.get(f"{col}_{count}")
            row[f"{col}_{count}"] = np.nan if value is None or n is None else float(n)
    for col in AUC_COLUMNS:
        row[f"type_only_{col}"] = _or_nan(metrics.get(f"type_only_{col}"))
    row["auc_rule"] = (RULE_RESCORED if metrics.get("auc_recomputed_on_resume")
                       else RULE_FLOOR if "auc_censoring_floor" in metrics
                       else RULE_OLDER if any(metrics.get(c) is not None for c in AUC_COLUMNS)
                       else "")
    return row


def _auc_key(key: str) -> bool:
    """Whether metrics.json's ``key`` is the time-dependent AUC's (``auc_1y``,
    ``auc_1y_deaths``, ``type_only_auc_1y``, ``auc_censoring_floor``, ...)."""
    return key.startswith(("auc_", "type_only_auc_"))


def rescored_auc(metrics: dict, test: dict, time_train: np.ndarray, event_train: np.ndarray,
                 groups_train: np.ndarray) -> dict | None:
    """A cell's ``metrics`` with its time-dependent AUCs (and cancer type alone's, where it
    has ``type_only_c_index``) recomputed under the censoring floor from its stored test
    record (``test``: cells/*.json's ``time``, ``event``, ``risk``, ``cancer_type``) and its
    fold's training part (``time_train``, ``event_train``, ``groups_train``: the censoring
    weights and each type's death rate), flagged ``auc_recomputed_on_resume``. A resumed
    run kept such cells' AUCs of the older rule and averaged them with the new ones. None
    where the record lacks a time, event or risk per test patient."""
    t, e, r = (np.asarray(test.get(k, []), np.float64) for k in ("time", "event", "risk"))
    if not r.size or not t.size == e.size == r.size:
        return None
    out = {k: v for k, v in metrics.items() if not _auc_key(k)}
    out.update(time_dependent_auc(time_train, event_train, t, e.astype(bool), r))
    types = test.get("cancer_type")
    if "type_only_c_index" in metrics and types is not None and len(types) == r.size:
        by_type = type_rate_risk(time_train, event_train, groups_train, types)
        out.update(type_only_auc(time_train, event_train, t, e.astype(bool), by_type))
    return {**out, "auc_recomputed_on_resume": True}


def _or_nan(value: Any) -> float:
    return np.nan if value is None else float(value)


def auc_cell(g: pd.DataFrame, col: str) -> str:
    """One model's ``"m ± s"`` of AUC ``col`` over its folds ``g``: the folds without one
    counted (``"(2/3 folds)"``), and those resting on fewer than :data:`FEW_AUC_DEATHS`
    test deaths or :data:`FEW_AUC_CONTROLS` controls (``"(1/3 folds under 10 deaths)"``,
    ``"(2/3 folds; 1 under 10 deaths; 1 under 10 controls)"``; a mean over 2 deaths read
    like one over 40, and one over 2 controls was not flagged at all)."""
    values = pd.to_numeric(g[col], errors="coerce")
    kept = values.dropna()
    if kept.empty:
        return "–"
    text = f"{kept.mean():.3f}" + (f" ± {kept.std(ddof=1):.3f}" if len(kept) > 1 else "")
    few = [(k, f"under {limit} {count}") for count, limit in
           (("deaths", FEW_AUC_DEATHS), ("controls", FEW_AUC_CONTROLS))
           if (k := _few(g, values, f"{col}_{count}", limit))]
    if len(kept) < len(g):
        return text + f" ({len(kept)}/{len(g)} folds" + "".join(f"; {k} {w}" for k, w in few) + ")"
    return text + (" (" + "; ".join(f"{k}/{len(g)} folds {w}" for k, w in few) + ")"
                   if few else "")


def _few(g: pd.DataFrame, values: pd.Series, name: str, limit: int) -> int:
    """The folds of ``g`` with an AUC whose count ``name`` is below ``limit`` (0 where
    results.csv has no such count: older cells)."""
    counts = pd.to_numeric(g.get(name, pd.Series(np.nan, index=g.index)), errors="coerce")
    return int((values.notna() & (counts < limit)).sum())


def deaths_text(results: pd.DataFrame, col: str, count: str = "deaths") -> str:
    """The test deaths by AUC ``col``'s horizon (``count="controls"``: the test patients
    followed past it) over the folds that have one: ``"1–6 (3.7)"`` (``"6 (6.0)"`` where
    every fold holds as many); "–" without a count."""
    name = f"{col}_{count}"
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
    if any(f"type_only_{c}" in results and results[f"type_only_{c}"].notna().any() for c in cols):
        rows.append({"model": TYPE_ONLY_ROW, "folds": _n_folds(results),
                     **{c: _type_only_text(results, c) for c in cols}})
    for count, label in (("deaths", DEATHS_ROW), ("controls", CONTROLS_ROW)):
        if any(f"{c}_{count}" in results and results[f"{c}_{count}"].notna().any() for c in cols):
            rows.append({"model": label, "folds": "",
                         **{c: deaths_text(results, c, count) for c in cols}})
    return pd.DataFrame(rows)


def _per_fold(results: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name``, one value per (repeat, fold) (the first model's that has one): a
    fold's type-only AUC is the same for every model."""
    values = pd.to_numeric(results[name], errors="coerce")
    if {"repeat", "fold"} <= set(results):
        values = values.groupby([results["repeat"], results["fold"]]).first()
    return values


def _n_folds(results: pd.DataFrame) -> int:
    """The (repeat, fold) pairs of ``results`` (its rows where it names none)."""
    if {"repeat", "fold"} <= set(results):
        return int(results[["repeat", "fold"]].drop_duplicates().shape[0])
    return len(results)


def _type_only_text(results: pd.DataFrame, col: str) -> str:
    """Cancer type alone's AUC ``col``, ``"m ± s"`` over the folds with one (``"(2/3
    folds)"`` where some have none); "–" without one."""
    name = f"type_only_{col}"
    if name not in results:
        return "–"
    values = _per_fold(results, name)
    kept = values.dropna()
    if kept.empty:
        return "–"
    text = f"{kept.mean():.3f}" + (f" ± {kept.std(ddof=1):.3f}" if len(kept) > 1 else "")
    return text + (f" ({len(kept)}/{len(values)} folds)" if len(kept) < len(values) else "")


def older_auc_cells(results: pd.DataFrame) -> tuple[int, int]:
    """(the rows of ``results`` whose AUCs predate the censoring floor, the rows with an
    AUC, recomputed ones included): results.csv's ``auc_rule``; (0, 0) without the column."""
    rule = results.get("auc_rule")
    if rule is None:
        return 0, 0
    older = int((rule == RULE_OLDER).sum())
    return older, older + int(rule.isin([RULE_FLOOR, RULE_RESCORED]).sum())


def auc_rule_line(results: pd.DataFrame) -> str | None:
    """One warning line where results.csv mixes AUCs computed under the censoring floor
    (:data:`RULE_FLOOR`) with cells computed before it (:data:`RULE_OLDER`: a resumed run
    keeps such cells, their fingerprint unchanged); None otherwise."""
    older, total = older_auc_cells(results)
    if not 0 < older < total:
        return None
    return (f"Warning: {older} of {total} cells' AUCs were computed before the "
            f"censoring floor ({CENSORING_FLOOR}; `auc_rule` in results.csv) and are averaged "
            "with the others; to score all under one rule, rerun into a fresh --out.")


def rescored_line(results: pd.DataFrame) -> str | None:
    """summary.md's note on the cells whose AUCs, computed before the censoring floor, a
    resumed run recomputed under it (:data:`RULE_RESCORED`); None where none was."""
    rule = results.get("auc_rule")
    n = 0 if rule is None else int((rule == RULE_RESCORED).sum())
    if not n:
        return None
    total = older_auc_cells(results)[1]
    return (f"Note: {n} of {total} cells' AUCs were computed before the censoring floor "
            f"({CENSORING_FLOOR}) and recomputed under it on resume, from each cell's stored "
            "test risks, times and events and its fold's training patients (`auc_rule` in "
            "results.csv); the models were not refitted.")


def auc_lines(results: pd.DataFrame) -> list[str]:
    """summary.md's time-dependent AUC section, or []."""
    if not len(table := auc_table(results)):
        return []
    mixed = [line, ""] if (line := auc_rule_line(results)) else []
    mixed += [line, ""] if (line := rescored_line(results)) else []
    return ["## Time-dependent AUC (cumulative/dynamic) at 1, 3 and 5 years", "", *mixed,
            AUC_TEXT, "", markdown_table(table), ""]
