"""The tables of ``genemoe benchmark``: results, mean ± std, paired comparisons, markdown.

``genemoe benchmark`` (:mod:`genemoe.workflows.benchmark`) writes the cells; these
functions turn finished cells (``results.csv`` rows) into tables and write nothing. The
paired comparisons' statistics are in :mod:`genemoe.evaluate.benchmark_pairs`, the preset
values chosen on data in :mod:`genemoe.evaluate.benchmark_tuned_on`, the time-dependent AUC in
:mod:`genemoe.evaluate.benchmark_auc`, the integrated Brier score's in
:mod:`genemoe.evaluate.benchmark_brier`, the types ranked backwards in
:mod:`genemoe.evaluate.benchmark_backwards` (their public names are re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_auc import AUC_COLUMNS, AUC_TEXT, auc_row, auc_table
from genemoe.evaluate.benchmark_auc import auc_lines as _auc_lines
from genemoe.evaluate.benchmark_backwards import backwards_columns, backwards_folds_text
from genemoe.evaluate.benchmark_brier import ibs_columns, ibs_window_text, null_reference_text
from genemoe.evaluate.benchmark_files import epoch_cap_note, grid_edges, trials_this_call_text
from genemoe.evaluate.benchmark_pairs import (
    FEW_PAIRS,
    PRIMARY_METRIC,
    PROPOSED_MODELS,
    corrected_resampled_t_p,
    few_pairs_note,
    fold_size_ratio,
    holm_adjusted,
    paired_comparisons,
)
from genemoe.evaluate.benchmark_pixels import image_columns
from genemoe.evaluate.benchmark_protocol import (
    chosen_where,
    options_lines,
    protocol_text,
    tuning_text,
)
from genemoe.evaluate.benchmark_tuned_on import tuned_on_in_run, tuned_on_lines, tuned_on_used_by
from genemoe.evaluate.markdown import markdown_table
from genemoe.evaluate.p_values import with_p_text
from genemoe.evaluate.survival_flags import degenerate_groups, is_degenerate
from genemoe.models.search_spaces import params_text

__all__ = ["PROPOSED_MODELS", "PRIMARY_METRIC", "METRICS", "results_table", "summary_table",
           "paired_comparisons", "holm_adjusted", "summary_markdown", "markdown_table",
           "comparison_markdown", "chosen_table", "degenerate_folds", "per_type_cell",
           "fold_size_ratio", "corrected_resampled_t_p", "tuning_cost_table", "few_pairs_note", "tuning_text",
           "FEW_PAIRS", "options_lines", "null_brier_text", "ibs_window_text", "chosen_where", "per_type_c_table",
           "auc_table", "AUC_TEXT", "PER_TYPE_TEXT", "routing_summary", "tuned_on_used_by",
           "tuned_on_in_run", "grid_points_by_model", "grid_points_text", "AUC_COLUMNS"]

Task = Literal["classify", "survival"]

METRICS = {  # results.csv columns summarised in summary.md, in order
    "classify": ("accuracy", "macro_precision", "macro_recall", "macro_f1", "weighted_f1", "ece"),
    "survival": ("c_index", "within_type_c_index", "type_only_c_index", "uno_c_index", "logrank_p",
                 "logrank_p_within_type", "integrated_brier_score"),
}


_DIRECTION = {"logrank_p": "logrank_high_died_sooner",  # each log-rank p's direction column
              "logrank_p_within_type": "logrank_within_type_high_died_sooner"}


def results_table(cells: list[dict]) -> pd.DataFrame:
    """One row per cell: identifiers, sizes, metrics (and per-type F1 or C-index)."""
    rows = []
    for c in cells:
        m = c["metrics"]
        row = {"model": c["model"], "repeat": c["repeat"], "fold": c["fold"], "seed": c["seed"],
               "n_train": c["n"]["train"], "n_val": c["n"]["val"], "n_test": c["n"]["test"],
               "n_genes": c["n_genes"], "seconds": round(c["seconds"], 3),
               "ensemble": int(((c.get("info") or {}).get("ensemble") or {}).get("k", 1)),
               "n_genes_used": _genes_used(c),  # Coxnet's 2,000 of the 18,886 (n_genes)
               "chosen": params_text(c.get("chosen") or {}),  # one short table cell
               "grid_edge": grid_edges(c.get("info") or {}),  # chosen at its grid's end
               "at_epoch_cap": epoch_cap_note(c.get("info") or {}) is not None,  # and epochs
               "options": params_text({k: v for k, v in (c.get("options") or {}).items()
                                       if k != "tune"}),  # the model's, as it ran (not the
               # grid switch --tune turns off: "tune=false" read as an option of the search)
               "type_separation": _first_separation(c.get("routing")),
               **image_columns(c)}  # genes a pixel (train warned, benchmark was silent)
        row.update(_tuning_columns(c.get("tuning")))
        if c["task"] == "classify":
            row.update({k: m.get(k, np.nan) for k in METRICS["classify"]})  # ece: newer cells
            row.update({f"f1_{t}": v["f1"] for t, v in m["per_class"].items()  # as macro_f1 counts
                        if v["support"] > 0 or v.get("predicted", 0) > 0})
        else:
            lo, hi = m["c_index_ci"]
            uno = m.get("uno_c_index")
            row.update(c_index=m["c_index"], c_index_lo=lo, c_index_hi=hi,
                       uno_c_index=np.nan if uno is None else uno, logrank_p=m["logrank_p"],
                       logrank_high_died_sooner=m.get("logrank_high_died_sooner"),  # newer cells
                       logrank_p_within_type=_or_nan(m.get("logrank_p_within_type")),
                       logrank_within_type_high_died_sooner=m.get(
                           "logrank_within_type_high_died_sooner"),
                       within_type_c_index=_or_nan(m.get("within_type_c_index")),
                       **_c_flags(m),  # a fold's 0/1 or tied C (cells/*.json only before)
                       type_only_c_index=_or_nan(m.get("type_only_c_index")),
                       uno_tau=m.get("uno_tau") or np.nan,  # its truncation day, if any
                       ibs_null_reference=m.get("ibs_null_reference", np.nan),
                       integrated_brier_score=m.get("integrated_brier_score", np.nan),
                       **ibs_columns(m),  # its days and intervals; cells/*.json only before
                       n_events=m["n_events"],
                       **auc_row(m),  # newer cells; each AUC's test deaths (metrics.json only)
                       **backwards_columns(m))  # types ranked backwards (metrics.json only)
            row.update({f"c_index_{t}": v["c_index"] for t, v in (m["c_index_by_type"] or {}).items()})
            row.update({f"events_{t}": v.get("n_events") for t, v in (m["c_index_by_type"] or {}).items()})
            row.update({f"degenerate_{t}": True  # only where flagged: constant risks' C 0.5
                        for t in degenerate_groups(m["c_index_by_type"])})
        rows.append(row)
    df = pd.DataFrame(rows)
    fixed = [c for c in df.columns if not c.startswith(("f1_", "c_index_", "events_", "degenerate_"))
             or c in ("c_index_lo", "c_index_hi")]
    per_type = sorted(c for c in df.columns if c not in fixed)
    counts = [c for c in ("tune_trials", "tune_pruned", "tune_too_big", "tune_trials_this_call",
                          "tune_grid_points", *(f"{a}_deaths" for a in AUC_COLUMNS),
                          *(f"{a}_controls" for a in AUC_COLUMNS), "n_types_ranked_backwards")
              if c in df]
    # whole numbers stay whole beside an untuned cell's blank (was "2.0")
    return df[fixed + per_type].astype(dict.fromkeys(counts, "Int64"))


def _tuning_columns(tuning: dict | None) -> dict[str, float]:
    """A tuned cell's search cost (``tune_*`` columns); none for an untuned cell."""
    if not tuning:
        return {}
    tuning = {"seconds_in_trials": tuning.get("seconds"), **tuning}  # older cells: the call's
    keys = {"tune_trials": "n_trials", "tune_pruned": "n_pruned", "tune_too_big": "n_too_big",
            "tune_seconds_per_trial": "seconds_per_trial", "tune_seconds": "seconds_in_trials",
            "tune_seconds_saved": "seconds_saved_by_pruning",
            "tune_trials_this_call": "n_trials_this_call",  # a resumed study: the rest reused
            "tune_seconds_this_call": "seconds_this_call",
            # a classical model's trial 0: the settings its own grid scored on validation
            "tune_grid_points": "grid_points", "tune_grid_seconds": "grid_seconds"}
    return {col: np.nan if tuning.get(k) is None else round(float(tuning[k]), 2)  # s, counts
            for col, k in keys.items()}


def tuning_cost_table(results: pd.DataFrame) -> pd.DataFrame:
    """Per model: trials, pruned by the pruner, ``too_big`` (draws pruned before training as
    too big for the free memory, not counted: others were drawn in their place), seconds per
    trial trained to the end, seconds in all, and the
    estimated seconds pruning saved (see :func:`genemoe.train.tuning_records.tuning_cost`).
    Where a classical model's own grid search chose its trial 0, ``trial_0`` says so per
    model: ``"its own grid (5 settings on validation)"``, ``"one setting"`` for the others
    (:func:`grid_points_by_model`): a drawn trial scores one setting, that grid many."""
    if "tune_trials" not in results.columns:
        return pd.DataFrame()
    g = results.dropna(subset=["tune_trials"]).groupby("model", sort=False)
    out = pd.DataFrame({"trials": g["tune_trials"].sum().astype(int),
                        "pruned": g["tune_pruned"].sum().astype(int),
                        "too_big": g["tune_too_big"].sum().astype(int),
                        "seconds_per_trial": g["tune_seconds_per_trial"].mean().round(1),
                        "seconds_tuning": g["tune_seconds"].sum()})
    saved = g["tune_seconds_saved"].sum(min_count=1)
    out["saved_by_pruning_s"] = saved.round(0)
    # the share before rounding the seconds (0.34 s rounded to 0 gave 0 / 0)
    out["saved_share"] = (saved / (saved + out["seconds_tuning"])).round(2)
    out["seconds_tuning"] = out["seconds_tuning"].round(0 if (out["seconds_tuning"] >= 10).all() else 1)
    if grid := grid_points_by_model(results):  # "the same budget" saw 16 settings beside 1
        out.insert(1, "trial_0", [f"its own grid ({grid[m]} settings on validation)"
                                  if m in grid else "one setting" for m in out.index])
    return _this_call_columns(out, g).reset_index()


def grid_points_by_model(results: pd.DataFrame) -> dict[str, str]:
    """``{"svm": "16", "logreg": "5"}``: the settings each classical model's own grid search
    scored on a fold's validation part to choose its trial 0's values (results.csv's
    ``tune_grid_points``; ``"4–5"`` where folds differ), where each drawn trial scores one.
    Models without such a grid (neural ones) are left out; {} for an untuned or older
    results.csv."""
    if "tune_grid_points" not in results:
        return {}
    out = {}
    for model, g in results.groupby("model", sort=False):
        n = pd.to_numeric(g["tune_grid_points"], errors="coerce").dropna().astype(int)
        if len(n):
            out[str(model)] = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    return out


def grid_points_text(results: pd.DataFrame) -> str:
    """summary.md's words for the classical models' trial 0 (its Tuning cost paragraph):
    ``"... a classical model's trial 0 is its own grid search, in each fold (logreg: trial 0
    = its own grid (5 settings on validation); ...), where each other trial scores one
    setting."``; "" where no model's grid chose its trial 0."""
    if not (grid := grid_points_by_model(results)):
        return ""
    said = "; ".join(f"{m}: trial 0 = its own grid ({n} settings on validation)"
                     for m, n in grid.items())
    return (" The same number of trials is not the same number of settings scored on the "
            "validation part: a classical model's trial 0 is its own grid search, in each "
            f"fold ({said}; its seconds counted in `seconds_tuning`), where each other trial "
            "scores one setting.")


def _this_call_columns(out: pd.DataFrame, g: Any) -> pd.DataFrame:
    """``trials_this_call`` and ``seconds_this_call`` beside the totals where a search
    continued a stored study (a rerun with a larger ``--tune``): ``seconds_tuning`` counted
    the earlier calls' trials as this benchmark's cost."""
    if "tune_trials_this_call" not in g.obj or "tune_seconds_this_call" not in g.obj:
        return out
    ran = g["tune_trials_this_call"].sum(min_count=1)
    if ran.isna().any() or (ran.astype(int) == out["trials"]).all():
        return out
    out["trials_this_call"] = ran.astype(int)
    secs = g["tune_seconds_this_call"].sum()
    out["seconds_this_call"] = secs.round(0 if (secs >= 10).all() else 1)
    return out


def _first_separation(routing: dict | None) -> float:
    """The first gate's type separation (the MoE layer's), NaN for models without gates."""
    if not routing:
        return float("nan")
    return float(next(iter(routing.values()))["type_separation"])


def _genes_used(cell: dict) -> int:
    """The genes a cell's model reads: a classical survival model's own selection
    (``n_selected_genes``, in the cell only; an ensemble's members each have one, and the
    largest is given: it read every gene of the fold), else every gene of its fold."""
    info = cell.get("info") or {}
    parts = [m.get("params") or {} for m in (info.get("ensemble") or {}).get("members") or ()]
    selected = [(p.get("fitted") or {}).get("n_selected_genes") for p in parts or [
        info.get("params") or {}]]
    return int(max((n for n in selected if n), default=0) or cell["n_genes"])


def chosen_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per model, one column per (repeat, fold): the values chosen on validation."""
    if "chosen" not in results.columns:
        return pd.DataFrame()
    wide = results.assign(cell=[f"r{r} f{f}" for r, f in zip(results["repeat"], results["fold"],
                                                               strict=True)])
    wide = wide.pivot_table(index="model", columns="cell", values="chosen", aggfunc="first",
                            sort=False).fillna("")
    wide.columns.name = None  # was a stray "cell" header above the model column
    return wide.reindex(results["model"].unique()).reset_index()


def summary_table(results: pd.DataFrame, task: Task,
                  columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean ± std over folds per model: one row per model, one ``"m ± s"`` column per metric
    (``columns``, default the task's :data:`METRICS`)."""
    cols = [c for c in (columns or METRICS[task]) if c in results.columns]
    out = []
    for model, g in results.groupby("model", sort=False):
        row = {"model": model, "folds": len(g)}
        for c in cols:
            v = g[c].dropna()
            if c.startswith("logrank_p"):  # p-values: a mean ± std ("0.000 ± 0.000") says little
                row[c] = "–" if v.empty else _p_values_text(v, len(g), g.get(_DIRECTION[c]))
                continue
            if c in _C_FLAG:  # a C of 0 or 1 is left out, as per type (was averaged in)
                row[c] = _c_cell(g, c)
                continue
            sd = f" ± {v.std(ddof=1):.3f}" if len(v) > 1 else ""
            row[c] = "–" if v.empty else f"{v.mean():.3f}{sd}" + (
                f" ({len(v)}/{len(g)} folds)" if len(v) < len(g) else "")
        out.append(row)
    return pd.DataFrame(out)


def _c_flags(metrics: dict) -> dict[str, bool]:
    """A survival cell's ``pooled_c_index_degenerate`` and ``within_type_c_index_degenerate``:
    True where its C is exactly 0 or 1 (too few pairs) or of risks all the same (flagged in
    metrics.json since 2026-12-05; the value alone in older cells)."""
    within = metrics.get("within_type_c_index")
    return {"pooled_c_index_degenerate":
            bool(metrics.get("c_index_degenerate") or is_degenerate(metrics.get("c_index"))),
            "within_type_c_index_degenerate":
            bool(metrics.get("within_type_c_index_degenerate") or is_degenerate(within))}


_C_FLAG = {"c_index": "pooled_c_index_degenerate",  # summary_table's flagged C columns
           "within_type_c_index": "within_type_c_index_degenerate"}


def _c_cell(g: pd.DataFrame, c: str) -> str:
    """One model's ``"m ± s"`` of the pooled or within-type C over its folds: a fold's C of
    exactly 0 or 1 (every pair in one order: too few to rank) is left out and counted,
    ``"0.640 ± 0.020 (3/4 folds; 1 degenerate)"`` (it was averaged in as if real); a fold
    of risks all the same keeps its 0.5 (what such a model ranks) and is counted,
    ``"(…; 1 of tied risks)"``."""
    values = pd.to_numeric(g[c], errors="coerce")
    zero_one = values.map(is_degenerate)
    tied = _flagged(g, _C_FLAG[c]) & ~zero_one
    kept = values[values.notna() & ~zero_one]
    if kept.empty and not zero_one.any():
        return "–"
    text = "–" if kept.empty else f"{kept.mean():.3f}" + (
        f" ± {kept.std(ddof=1):.3f}" if len(kept) > 1 else "")
    notes = [f"{int(zero_one.sum())} degenerate"] * bool(zero_one.any()) + [
        f"{int(tied.sum())} of tied risks"] * bool(tied.any())
    if len(kept) < len(g) or notes:
        text += f" ({len(kept)}/{len(g)} folds" + "".join(f"; {n}" for n in notes) + ")"
    return text


def _or_nan(value: Any) -> float:
    return np.nan if value is None else float(value)


def null_brier_text(results: pd.DataFrame) -> str:
    """What each metric of a survival benchmark is, and the integrated Brier score of no
    information on the same folds, with its spread ("" for classification). summary.md and
    the HTML report say it (the report left the reference out; neither named the C-index)."""
    if "c_index" not in results:
        return ""
    text = ("C-index: Harrell's, pooled over the cancer types; within_type_c_index: over pairs "
            "of one type only; type_only_c_index: of cancer type alone (each type's training "
            "death rate as the risk), what the types give the pooled C; Uno's C: weighted by the "
            "inverse probability of censoring (the training patients'), truncated where "
            "needed at the day that censoring survival falls below 0.2 (uno_tau in results.csv; "
            "it can differ by fold, so the folds' Uno's C cover different follow-up). "
            "logrank_p: the test patients split at their median risk, types pooled, so the "
            "types' own survival differences count, as in the C-index; logrank_p_within_type: "
            "each type split at its own median, log-rank stratified by type. A fold's C of "
            "exactly 0 or 1 (every pair in one order: too few to rank) is left out of a mean "
            "and counted (`k/n folds; d degenerate`); one of risks all the same keeps its 0.5 "
            "and is counted (`of tied risks`); results.csv flags both "
            "(`pooled_c_index_degenerate`, `within_type_c_index_degenerate`).")
    text += null_reference_text(results)
    return text


def _p_values_text(p: pd.Series, n_folds: int, sooner: pd.Series | None = None) -> str:
    """Per-fold p-values as their median and how many folds are below 0.05:
    ``"0.012 median, 7/9 < 0.05"`` (``"<0.001"`` for a median under 0.001); with each
    fold's direction (``sooner``: whether its higher-risk half died sooner), the folds below
    0.05 the other way are said: ``"7/9 < 0.05, 1 of them backwards"`` (they were counted
    with the rest: a two-sided p has no direction)."""
    med = float(p.median())
    text = "<0.001" if med < 0.001 else f"{med:.2g}" if med < 0.01 else f"{med:.3f}"
    low = p < 0.05
    wrong = 0 if sooner is None else int((low & (sooner.reindex(p.index) == False)).sum())  # noqa: E712
    return f"{text} median, {int(low.sum())}/{len(p)} < 0.05" + (
        f", {wrong} of them backwards (the lower-risk half died sooner)" if wrong else "") + (
        f" ({len(p)}/{n_folds} folds)" if len(p) < n_folds else "")


def summary_markdown(results: pd.DataFrame, protocol: dict) -> str:
    """``summary.md``: protocol, mean ± std per model, paired comparisons, per-type C-index."""
    task = protocol["task"]
    metric = PRIMARY_METRIC[task]
    if protocol.get("pretrained"):  # its rows read like a from-scratch model's (an ablation's)
        results = results.assign(model=results["model"].astype(str) + " (pre-trained)")
    synthetic = protocol.get("bundle_summary", {}).get("synthetic")
    ep = f" ({protocol['endpoint']})" if protocol.get("endpoint") else ""  # OS read as PFI
    lines = [f"# genemoe benchmark: {task}{ep}" + (" — SYNTHETIC DATA" if synthetic else ""), "",
             protocol_text(protocol), "", "## Mean ± std over folds", "",
             markdown_table(summary_table(results, task)), ""]
    if text := null_brier_text(results):
        lines += [text, ""]
    if text := ibs_window_text(results):
        lines += [text, ""]
    for line in protocol.get("inputs_clipped") or ():  # were clipped unsaid
        lines += [f"Note: {line}; each cell's counts per part are its `clipped` (cells/*.json).", ""]
    if results["model"].nunique() > 1:
        best, comp = paired_comparisons(results, task)
        lines += [f"## Paired comparisons against the best peer: {best}", "",
                  f"Difference in {metric} (model − {best}) over identical folds; two-sided "
                  "Wilcoxon signed-rank test (`scipy.stats.wilcoxon`) over the paired folds "
                  "(`p_value`), and the corrected resampled t-test (`corrected_p`; Nadeau & "
                  "Bengio 2003, Bouckaert & Frank 2004), which allows for the folds sharing "
                  f"training samples (test/training rows {fold_size_ratio(results):.2f}): the "
                  "Wilcoxon test takes the folds as independent and its p is optimistic. "
                  "`holm_p` adjusts `corrected_p` for the number of models tested against "
                  f"{best} (Holm 1979); no adjustment covers {best} having been picked as the "
                  "best peer after the fact." + (" A fold where either model's C is exactly 0 or "
                  "1 is left out of that pair, as of the means (`n_left_out`)."
                  if task == "survival" else ""), "",
                  comparison_markdown(comp), ""]
    if options := options_lines(results):  # image size, weights, widths: recorded nowhere
        lines += ["## Model options each model ran with", "", *options, ""]
    chosen = chosen_table(results)
    if len(chosen):
        lines += [f"## Chosen per fold: {chosen_where(protocol)}", "",
                  "With `--tune`: the values of the best Optuna trial (classical models: "
                  "drawn from continuous ranges spanning their grids; every model but the "
                  "forest also draws its input scaling, `model.input_scaling`, the scaler "
                  "fitted on the fold's training part). Without: classical models, the grid "
                  "values their validation part picked, under the preset's scaling (per-gene "
                  "z-scores unless it names one; each model's grid is in its `grid_scores`, "
                  "cells/*.json). Neural models: also the epoch early stopping kept. "
                  "The test part never takes part in a choice.", "",
                  markdown_table(chosen), ""]
    cost = tuning_cost_table(results)
    if len(cost):
        lines += ["## Tuning cost", "",
                  "Trials per model over all folds, those the median pruner stopped, and the "
                  "draws pruned before training as too big for the memory free then "
                  "(`too_big`: not counted in the trials, another was drawn for each); seconds "
                  "per trial that trained to the end; seconds in the searches (the final fits "
                  "not included); what the median pruner saved, estimated as each pruned "
                  "trial's shortfall from a full trial's mean cost (`too_big` trials left "
                  "out), and that saving's share of the unpruned total."
                  + (f" {reused[:-1]}; the seconds are those of the earlier calls that ran "
                     "them)" if (reused := trials_this_call_text(protocol)) else "")
                  + _continued_text(cost) + grid_points_text(results), "",
                  markdown_table(cost), ""]
    if len(sep := routing_summary(results)):
        lines += ["## Routing: does the gate separate tumour types?", "",
                  "Mutual information between cancer type and the MoE gate's experts over the "
                  "test part, divided by the experts' entropy (0: every type routed alike, 1: "
                  "the expert fixes the type); usage tables per type in cells/*.json.", "",
                  markdown_table(sep), ""]
    lines += tuned_on_lines(protocol, results)
    lines += _auc_lines(results)
    if len(per_type := per_type_c_table(results)):
        lines += ["## C-index per cancer type (mean ± std over folds; – : < 2 events in a fold)",
                  "", PER_TYPE_TEXT, "", markdown_table(per_type), ""]
    if text := backwards_folds_text(results):  # in cells/*.json only before
        lines += [text, ""]
    return "\n".join(lines)


def _continued_text(cost: pd.DataFrame) -> str:
    """The cost paragraph's words for searches that continued stored studies (their
    ``trials_this_call`` column), else ""."""
    if "trials_this_call" not in cost:
        return ""
    return (" The searches continued the studies an earlier call stored (tuning.db): "
            "`trials` and `seconds_tuning` count every trial of them, earlier calls' "
            "included; `trials_this_call` and `seconds_this_call` this call's alone.")


PER_TYPE_TEXT = ("Few deaths make a type's C-index swing from fold to fold: the last row gives "
                 "how many each test fold held (each fold's bootstrap interval per type is in "
                 "cells/*.json). A fold's C of exactly 0 or 1, or of risks all the same, is "
                 "degenerate (too few pairs to rank; no interval) and left out of the mean: "
                 "`(k/n folds; d degenerate)` is the mean of the k of n folds with a C; "
                 "`m without a C`: folds where the type had fewer than 2 test deaths.")


def per_type_c_table(results: pd.DataFrame) -> pd.DataFrame:
    """The C-index per cancer type, ``"m ± s"`` over folds per model, and a last row of the
    test deaths per fold (mean; cells since 2026-12-04); empty without per-type columns.

    A fold's degenerate C (exactly 0 or 1, or flagged ``degenerate_<type>``: risks all the
    same) is left out of the mean and counted: ``"0.700 ± 0.100 (3/4 folds; 1 degenerate)"``,
    ``"– (0/2 folds; 2 degenerate)"`` (was 1.000 from 6 pairs averaged in as if real)."""
    per_type = [c for c in results.columns if c.startswith("c_index_") and c not in
                ("c_index_lo", "c_index_hi")]
    if not per_type:
        return pd.DataFrame()
    rows = []
    for model, g in results.groupby("model", sort=False):
        rows.append([model, *(per_type_cell(g, c.removeprefix("c_index_")) for c in per_type)])
    cells = pd.DataFrame(rows, columns=["model", *(c.removeprefix("c_index_") for c in per_type)])
    events = results.drop_duplicates(["repeat", "fold"])  # the folds: one model's rows
    if all(f"events_{t}" in events for t in cells.columns[1:]):
        per_fold = [f"{events[f'events_{t}'].mean():.1f}" for t in cells.columns[1:]]
        cells.loc[len(cells)] = ["test deaths per fold (mean)", *per_fold]
    return cells


def degenerate_folds(results: pd.DataFrame, name: str) -> pd.Series:
    """Whether each row's C-index of type ``name`` is degenerate: exactly 0 or 1
    (:func:`~genemoe.evaluate.survival_flags.is_degenerate`) or flagged in its
    ``degenerate_<name>`` column (risks all the same; ``True``, or ``"True"`` read back from
    results.csv). Rows without a C are not. The benchmark's per-type table and the
    ablation's Table II leave these folds out of a type's mean.

    Returns
    -------
    pandas.Series of bool, indexed as ``results``
    """
    values = pd.to_numeric(results[f"c_index_{name}"], errors="coerce")
    return values.notna() & (values.map(is_degenerate) | _flagged(results, f"degenerate_{name}"))


def _flagged(results: pd.DataFrame, column: str) -> pd.Series:
    """A flag column as bools (``True``, or ``"True"`` read back from results.csv); all False
    where ``results`` has no such column."""
    flag = results.get(column)
    return (flag.astype(str).str.lower().eq("true") if flag is not None
            else pd.Series(False, index=results.index))


def per_type_cell(g: pd.DataFrame, name: str) -> str:
    """One model's ``"m ± s"`` of type ``name`` over its folds (``g``), degenerate folds left
    out and counted (3 decimals, as every table); "–" without a C (< 2 events)."""
    values = pd.to_numeric(g[f"c_index_{name}"], errors="coerce")
    bad = degenerate_folds(g, name)
    scored = values.notna()
    kept = values[scored & ~bad]
    n_bad = int(bad.sum())
    text = "–" if kept.empty else f"{kept.mean():.3f}" + (
        f" ± {kept.std(ddof=1):.3f}" if len(kept) > 1 else "")
    missing = int((~scored).sum())  # fewer than 2 events: a mean over fewer folds, unsaid
    notes = ([f"{len(kept)}/{int(scored.sum())} folds; {n_bad} degenerate"] if n_bad else []) + (
        [f"{missing} fold{'' if missing == 1 else 's'} without a C"]
        if missing and not kept.empty else [])
    return text + (f" ({'; '.join(notes)})" if notes else "")


def routing_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per model with a gate: ``mean``, ``std`` and ``count`` over folds of its routing's
    type separation (``results.csv``'s ``type_separation``); empty without one."""
    if "type_separation" not in results or results["type_separation"].isna().all():
        return pd.DataFrame(columns=["model", "mean", "std", "count"])
    return results.dropna(subset=["type_separation"]).groupby("model", sort=False)[
        "type_separation"].agg(["mean", "std", "count"]).round(3).reset_index()


def comparison_markdown(comp: pd.DataFrame) -> str:
    """:func:`paired_comparisons`' table in Markdown: ``mean_difference`` signed to 3
    decimals, as the terminal and the report's first screen show it (rounded to 4 and
    written to 4 significant digits, -0.103 and -0.3543 stood side by side), and the p
    values as :func:`~genemoe.evaluate.p_values.with_p_text` writes them."""
    diff = comp["mean_difference"].map(lambda v: "NaN" if pd.isna(v) else f"{float(v):+.3f}")
    return markdown_table(with_p_text(comp.assign(mean_difference=diff)))
