"""What ``genemoe train`` and ``genemoe benchmark`` print: one compact table each.

``RunResult.describe()`` and ``BenchmarkResult.describe()`` (:mod:`genemoe.workflows`)
return these strings; numbers follow :mod:`genemoe.report.text` (metrics to 3 decimals,
C-index with its 95% bootstrap interval, p-values to two significant digits).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_backwards import backwards_line
from genemoe.evaluate.benchmark_files import EPOCH_CAP_ADVICE, trials_this_call_text
from genemoe.evaluate.benchmark_pairs import paired_metric
from genemoe.evaluate.benchmark_pixels import crowded_lines
from genemoe.evaluate.benchmark_protocol import grid_edge_counts
from genemoe.evaluate.benchmark_tables import (
    PRIMARY_METRIC,
    few_pairs_note,
    grid_points_by_model,
    paired_comparisons,
)
from genemoe.evaluate.survival_flags import degenerate_text, within_flags
from genemoe.report.text import (
    chosen_on_validation,
    fmt_apart,
    fmt_ci,
    fmt_count,
    fmt_mean_sd,
    fmt_p,
    fmt_seconds,
    fmt_value,
    text_table,
    wilson_interval,
)

__all__ = ["run_table", "benchmark_table", "budget_line", "epoch_cap_line", "epoch_caps",
           "grid_edge_line", "grid_line", "within_c_reason", "within_c_text", "within_types_line"]

WIDTH = 100  # the widest terminal line

_SHOWN = {"classify": (("accuracy", "accuracy"), ("macro_f1", "macro-F1")),
          "survival": (("c_index", "C-index"), ("uno_c_index", "Uno C"))}


def run_table(metrics: dict, *, task: str, title: str) -> str:
    """Validation and test metrics of one run, one row per split, under ``title``."""
    parts = [(s, metrics[s]) for s in ("val", "test") if s in metrics]
    if task == "classify":
        cols = ["split", "n", "accuracy", "95% CI", "macro-F1"]
        rows = [[s, fmt_count(m.get("n")), fmt_value(m.get("accuracy")), fmt_ci(_wilson(m)),
                 fmt_value(m.get("macro_f1"))] for s, m in parts]
        if any(m.get("ece") is not None for _, m in parts):
            cols.append("ECE")
            for row, (_, m) in zip(rows, parts, strict=True):
                row.append(fmt_value(m.get("ece")))
    else:
        cols = ["split", "n", "events", "C-index", "95% CI", "log-rank p"]
        rows = [[s, fmt_count(m.get("n")), fmt_count(m.get("n_events")),
                 fmt_value(m.get("c_index")), fmt_ci(m.get("c_index_ci"))
                 or m.get("c_index_reason") or m.get("c_index_ci_reason", ""),
                 fmt_p(m.get("logrank_p")) + (" (backwards)" if m.get("logrank_high_died_sooner")
                                              is False else "")] for s, m in parts]
        if any(m.get("integrated_brier_score") is not None for _, m in parts):
            cols.append("Brier (none)")  # beside no information: above it is worse than none
            for row, (_, m) in zip(rows, parts, strict=True):
                ibs, ref = m.get("integrated_brier_score"), m.get("ibs_null_reference")
                shown = fmt_apart(ibs, ref) if ibs is not None and ref is not None else None
                row.append("–" if ibs is None else fmt_value(ibs) if shown is None else (
                    f"{shown[0]} ({shown[1]})" + (" worse" if _worse(m) else "")))
    caption = None
    if "val" in metrics:  # a tuned run's val score was printed beside test unflagged
        caption = f"  val: where {chosen_on_validation(metrics)}, so optimistic; test: scored once"
    if task == "classify":  # test accuracy of 197 samples was printed without its spread
        caption = (caption + "\n" if caption else "") + "  95% CI: accuracy's (Wilson)" + (
            "; ECE: expected calibration error of the probabilities (0: calibrated)"
            if "ECE" in cols else "") + _macro_types(parts)  # ECE was said nowhere
    elif within := _within_types(metrics.get("test", {})):  # pooled over types: said apart
        caption = (caption + "\n" if caption else "") + within
    if "Brier (none)" in cols:  # an integrated Brier score above no information was unsaid
        caption = (caption + "\n" if caption else "") + (
            "  Brier: integrated Brier score (none: one survival curve for all;"
            " worse: the gap's 95% CI above 0)"
            + _brier_gap(metrics.get("test") or {}))
    return text_table(cols, rows, title=title, caption=caption, right=cols[1:])


def _macro_types(parts: list[tuple[str, dict]]) -> str:
    """``"\n  macro-F1 over the types a split holds or predicts: test 31 of 33"`` where a
    split's macro mean left types out (``n_classes_in_macro``; unsaid, as if over all 33);
    "" where none did, or for runs that did not record it."""
    short = [f"{s} {m['n_classes_in_macro']:,} of {m['n_classes']:,}" for s, m in parts
             if m.get("n_classes_in_macro") is not None and m.get("n_classes") is not None
             and m["n_classes_in_macro"] < m["n_classes"]]
    return ("\n  macro-F1 over the types a split holds or predicts: " + ", ".join(short)
            if short else "")


def _worse(m: dict) -> bool:
    """Whether a split's integrated Brier score is worse than no information's: the 95%
    interval of the gap (``ibs_minus_null_ci``) above 0, the rule of :func:`_brier_gap`'s
    line; False without it (an older run: a point gap alone tells nothing). Old: "worse"
    where the score was above at all, beside "not told apart from none" (-0.016 to +0.020)."""
    ci = m.get("ibs_minus_null_ci")
    return bool(ci) and len(ci) == 2 and ci[0] > 0


def _brier_gap(m: dict) -> str:
    """``"\n  test Brier minus none: -0.012 (95% CI -0.020 to -0.004): better"``: the gap to no
    information with its bootstrap interval (metrics.json's ``ibs_minus_null_ci``), and
    ``better``/``worse`` only where the interval excludes 0; "" without it (older runs)."""
    ci, ibs, ref = (m.get("ibs_minus_null_ci"), m.get("integrated_brier_score"),
                    m.get("ibs_null_reference"))
    if not ci or ibs is None or ref is None:
        return ""
    verdict = ("better than none" if ci[1] < 0 else "worse than none" if ci[0] > 0
               else "not told apart from none")
    return (f"\n  test Brier minus none: {ibs - ref:+.3f} (95% CI {ci[0]:+.3f} to {ci[1]:+.3f}):"
            f" {verdict}")


def _fitted_table(cols: list[str], rows: list[list[str]], *, title: str, caption: str,
                  n_compared: int) -> str:
    """The benchmark's table with no line over :data:`WIDTH` where the names allow: as it is
    where it fits; else the comparison's headers on two lines (``Δ macro-F1`` over ``vs
    logreg``); else the comparison with the best peer (its last ``n_compared`` columns) as a
    second table under the first (one header ran to 105 characters)."""
    def fits(c: list[str], r: list[list[str]]) -> bool:
        return max(map(len, text_table(c, r, right=c[1:]).splitlines())) <= WIDTH

    if not n_compared or fits(cols, rows):
        return text_table(cols, rows, title=title, caption=caption, right=cols[1:])
    two = [*cols[:-n_compared], *(c.replace(" vs ", "\nvs ").replace("corrected p", "corrected\np")
                                  for c in cols[-n_compared:])]
    if fits(two, rows):
        return text_table(two, rows, title=title, caption=caption, right=two[1:])
    cut = len(cols) - n_compared
    return (text_table(cols[:cut], [r[:cut] for r in rows], title=title, right=cols[1:cut]) + "\n"
            + text_table(cols[:1] + cols[cut:], [r[:1] + r[cut:] for r in rows if len(r) > cut],
                         caption=caption, right=cols[cut:]))


def _wilson(m: dict) -> tuple[float, float] | None:
    """The Wilson 95% interval of a split's accuracy, from its ``accuracy`` and ``n``."""
    acc, n = m.get("accuracy"), m.get("n")
    return wilson_interval(round(acc * n), n) if acc is not None and n else None


def _within_types(m: dict) -> str | None:
    """The test C-index within cancer types (and its log-rank p) beside the type alone's, for
    a cohort of several types: the pooled C-index and log-rank p (1.7e-6 over six types) also
    score how differently the types survive."""
    within, alone = m.get("within_type_c_index"), m.get("type_only_c_index")
    if within is None:
        return None
    p = m.get("logrank_p_within_type")
    line = (f"test within cancer types: C-index {within_c_text(m)}"
            + ("" if p is None else f", log-rank p {fmt_p(p)}")
            + ("" if alone is None else f"; the cancer type alone: {fmt_value(alone)}"))
    return textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="    ",
                         break_on_hyphens=False)


def within_c_reason(m: dict) -> str | None:
    """Why a part's ``within_type_c_index`` is degenerate (metrics.json's
    ``within_type_c_index_degenerate`` and ``_reason``; exactly 0 or 1 in older metrics):
    ``"degenerate: every pair in one order"``, ``"degenerate: every risk the same"``; None
    where it is not (or there is none)."""
    within = m.get("within_type_c_index")
    flags = within_flags(within) if "within_type_c_index_degenerate" not in m else m
    if within is None or not flags.get("within_type_c_index_degenerate"):
        return None
    why = flags.get("within_type_c_index_reason") or "degenerate"
    if isinstance(within, int | float) and why == degenerate_text(float(within), None):
        why = "degenerate: every pair in one order"  # "degenerate: C 1.000" beside 1.000
    return str(why)


def within_c_text(m: dict) -> str:
    """A part's ``within_type_c_index`` as shown: ``"0.612"``; where it is degenerate with
    its reason beside it (:func:`within_c_reason`), as the pooled C's cells show theirs:
    ``"1.000 (degenerate: every pair in one order)"`` (a bare 1.000 stood beside the flagged
    pooled C); ``"–"`` without one."""
    why = within_c_reason(m)
    return fmt_value(m.get("within_type_c_index")) + (f" ({why})" if why else "")


def _n_scored(values: pd.Series) -> int:
    """How many of a model's fold values are numbers (the mean's folds)."""
    return int(np.isfinite(pd.to_numeric(values, errors="coerce").to_numpy(float)).sum())


def _mean_cell(g: pd.DataFrame, column: str) -> str:
    """Mean ± sd of a model's folds (its rows ``g``), with ``(k/n)`` where it skips folds
    without a value (summary.md: ``(k/n folds)``): a fold whose C-index could not be scored
    was dropped from the mean unsaid, under a folds column counting it. A fold's pooled C of
    exactly 0 or 1 is left out and counted, ``(2/3; 1 degenerate)``, by the paired
    comparison's own rule (:func:`~genemoe.evaluate.benchmark_pairs.paired_metric`), as
    summary.md's mean leaves it out (0.823 ± 0.154 here beside summary.md's 0.734 ± 0.007)."""
    kept = paired_metric(g, column)
    left = int((kept.isna() & pd.to_numeric(g[column], errors="coerce").notna()).sum())
    scored = _n_scored(kept)
    said = f"; {left} degenerate" if left else ""
    return fmt_mean_sd(kept.tolist()) + (f" ({scored}/{len(g)}{said})"
                                         if scored < len(g) and (scored or said) else "")


def _within_mean(values: pd.Series, degenerate: pd.Series) -> str:
    """Mean ± sd of ``values`` over the folds not flagged ``degenerate``, ``(k/n)`` where
    some fold is left out (degenerate or without a value)."""
    kept = pd.to_numeric(values, errors="coerce").where(~degenerate.fillna(False).astype(bool))
    n = _n_scored(kept)
    return fmt_mean_sd(kept.tolist()) + (f" ({n}/{len(kept)})" if 0 < n < len(kept) else "")


def within_types_line(results: pd.DataFrame) -> str | None:
    """``C-index within cancer types: coxnet 0.672 ± 0.029, ...; the cancer type alone
    (pooled C): 0.685 ± 0.024`` beside the pooled C-index of several types (results.csv's
    ``within_type_c_index``, degenerate folds left out, and ``type_only_c_index``, one per
    fold), as train's table says it; None without them. The benchmark printed only the
    pooled C (0.743 on gdc6), which also scores telling the types apart (the type alone:
    0.685); summary.md had both."""
    if "within_type_c_index" not in results or results["within_type_c_index"].isna().all():
        return None
    flag = results.get("within_type_c_index_degenerate", pd.Series(False, index=results.index))
    said = [f"{m} {_within_mean(g['within_type_c_index'], flag[g.index])}"
            for m, g in results.groupby("model", sort=False)]
    line = "C-index within cancer types: " + ", ".join(said)
    if "type_only_c_index" in results and results["type_only_c_index"].notna().any():
        alone = pd.to_numeric(results["type_only_c_index"], errors="coerce")
        if {"repeat", "fold"} <= set(results):  # one per fold, the same for every model
            alone = alone.groupby([results["repeat"], results["fold"]]).first()
        line += f"; the cancer type alone (pooled C): {fmt_mean_sd(alone.dropna().tolist())}"
    return line


def _skips_folds(results: pd.DataFrame, columns: list[str]) -> bool:
    """Whether some model's mean of ``columns`` leaves out a fold (a value, not every)."""
    return any(0 < _n_scored(g[c]) < len(g) for _, g in results.groupby("model", sort=False)
               for c in columns if c in g)


SKIPPED_NOTE = ("  (k/n): the mean of the k folds with a value, of n run (results.csv has "
                "each fold)")
DEGENERATE_NOTE = ("  d degenerate: folds whose C-index is exactly 0 or 1 (too few pairs to "
                   "rank), left out\n    of the mean and of the paired comparison, as in "
                   "summary.md")


def budget_line(protocol: dict, results: pd.DataFrame) -> str:
    """A tuned benchmark's search budget and what it cost (summary.md's Tuning cost table in
    one line); "" without --tune. With one trial, that nothing was searched. Where a classical
    model's own grid search chose its trial 0, a line under it says so with the settings
    that grid scored (:func:`grid_line`): "the same budget" hid an SVM's 16 beside fcn's 1."""
    tune = int(protocol.get("tune") or 0)
    if not tune:
        return ""
    line = f"  tuning: {tune} Optuna trial{'s' if tune != 1 else ''} per model and fold"
    if tune == 1:  # as `genemoe tune --trials 1` says
        line += (" (trial 0 = the preset's values, or a classical model's own grid's choice:"
                 " no Optuna trial drawn; --tune 2 or more draws)" if grid_points_by_model(results)
                 else " (trial 0 = the preset's values: nothing was searched; --tune 2 or more"
                 " searches)")  # "nothing was searched" stood above "svm 16 settings"
    if "tune_seconds" in results and results["tune_seconds"].notna().any():
        per = results.groupby("model", sort=False)["tune_seconds"].sum(min_count=1).dropna()
        line += (f" · {fmt_seconds(float(per.sum()))} in the searches ("
                 + ", ".join(_whole(f"{m} {fmt_seconds(float(v))}") for m, v in per.items())
                 + "; the final fits not included)")
    if reused := trials_this_call_text(protocol):  # the seconds were earlier calls'
        line += f" {reused}"
    line += _continued_words(results)
    line = textwrap.fill(line, WIDTH, subsequent_indent="    ", break_on_hyphens=False)
    line = line.replace(_NBSP, " ")
    return line + (f"\n{said}" if (said := grid_line(results)) else "")  # was one long line


_NBSP = "\u00a0"  # textwrap breaks at spaces only: a model's "svm 11 s" kept on one line


def _whole(text: str) -> str:
    """``text`` that a wrap keeps on one line (was cut between "svm 11" and "s")."""
    return text.replace(" ", _NBSP)


def grid_line(results: pd.DataFrame) -> str | None:
    """``    (a classical model's trial 0 is its own grid search, not one setting: svm 16,
    logreg 5 settings on validation; each other trial scores 1)``, wrapped to 100
    characters; None where no model's grid chose its trial 0 (results.csv's
    ``tune_grid_points``, :func:`~genemoe.evaluate.benchmark_tables.grid_points_by_model`)."""
    if not (grid := grid_points_by_model(results)):
        return None
    counts = ", ".join(_whole(f"{m} {n}") for m, n in grid.items())
    return textwrap.fill(f"(a classical model's trial 0 is its own grid search, not one setting: "
                         f"{counts} settings on validation; each other trial scores 1)", WIDTH,
                         initial_indent="    ", subsequent_indent="    ",
                         break_on_hyphens=False).replace(_NBSP, " ")


def _continued_words(results: pd.DataFrame) -> str:
    """`` · continued stored studies: 2 trials per cell reused, 1 run (12 s this call)``
    where a rerun's searches resumed studies of an earlier call (the seconds above count
    those trials too); "" otherwise."""
    cols = ("tune_trials", "tune_trials_this_call", "tune_seconds_this_call")
    if not all(c in results for c in cols):
        return ""
    rows = results.dropna(subset=list(cols))
    ran = rows["tune_trials_this_call"].astype(int)
    old = rows["tune_trials"].astype(int) - ran
    if not len(rows) or not (old > 0).any():
        return ""

    def span(v: pd.Series) -> str:
        return f"{v.min()}" if v.min() == v.max() else f"{v.min()}–{v.max()}"

    return (f" · continued stored studies (tuning.db): {span(old)} trials per cell reused, "
            f"{span(ran)} run, {fmt_seconds(float(rows['tune_seconds_this_call'].sum()))} in "
            "this call's searches")


def epoch_caps(results: pd.DataFrame) -> dict[str, str]:
    """``{model: "2/3"}``: the folds of each model that kept their last allowed epoch, of its
    folds, from results.csv's ``at_epoch_cap`` (models with none left out; {} for an older
    results.csv)."""
    if "at_epoch_cap" not in results:
        return {}
    capped = results.assign(c=results["at_epoch_cap"].fillna(False).astype(bool)).groupby(
        "model", sort=False)["c"].agg(["sum", "size"])
    return {str(m): f"{int(r['sum'])}/{int(r['size'])}" for m, r in capped.iterrows() if r["sum"]}


def epoch_cap_line(results: pd.DataFrame) -> str | None:
    """``kept the last epoch allowed: fcn 3/3 folds, ...`` (:func:`epoch_caps`), or None when
    no fold of any model did."""
    if not (caps := epoch_caps(results)):
        return None
    return ("kept the last epoch allowed: " + ", ".join(f"{m} {v} folds" for m, v in caps.items())
            + f" (still improving: {EPOCH_CAP_ADVICE})")


def grid_edge_line(results: pd.DataFrame) -> str | None:
    """``chose the edge of its grid: logreg C 10 (largest) in 3/3 folds: ...`` for the
    classical models whose own grid's end was chosen (results.csv's ``grid_edge``, counted
    as summary.md counts it: :func:`~genemoe.evaluate.benchmark_protocol.grid_edge_counts`),
    or None. The terminal said the epoch cap, not a grid's edge (summary.md only)."""
    said = []
    for model, g in results.groupby("model", sort=False):
        n, counts = grid_edge_counts(g)
        if n:
            values = (next(iter(counts)) if len(counts) == 1 else
                      ", ".join(f"{e} ×{k}" for e, k in counts.items()))
            said.append(f"{model} {values} in {n}/{len(g)} folds")
    if not said:
        return None
    return (f"chose the edge of {'its grid' if len(said) == 1 else 'their grids'}: "
            f"{', '.join(said)}: a wider grid may do better")


def _wrapped_title(title: str, width: int = WIDTH) -> str:
    """A ``·``-separated title (``benchmark · classify · ... → OUT``) in lines of at most
    ``width``, broken between its parts where it can (a part wider than a line: between its
    words; the ``→ OUT`` path is never cut), each further line 4 spaces in and starting with
    its ``·``; an ensemble benchmark's title ran to 169 characters on one line."""
    head, arrow, path = title.partition("  → ")
    first, *parts = head.split(" · ")
    units = [(" · ", part) for part in parts] + ([("  ", f"→ {path}")] if arrow else [])
    lines: list[str] = []
    line = ""
    for sep, unit in [("", first), *units]:
        if line and len(line) + len(sep) + len(unit) <= width:
            line += sep + unit
            continue
        if line:
            lines.append(line)
        line = ("    " if lines else "") + ("· " if lines and sep == " · " else "") + unit
        if len(line) > width and not unit.startswith("→ "):  # between its words
            *done, line = textwrap.wrap(line, width, subsequent_indent="    ",
                                        break_long_words=False, break_on_hyphens=False)
            lines += done
    return "\n".join([*lines, line])


def _caption_line(text: str) -> str:
    """A caption note 2 spaces in, wrapped at :data:`WIDTH` (the grid-edge and epoch-cap notes
    ran to 141 characters with several models)."""
    return textwrap.fill(text, WIDTH, initial_indent="  ", subsequent_indent="    ",
                         break_long_words=False, break_on_hyphens=False)


def benchmark_table(results: pd.DataFrame, *, task: str, title: str, out_dir: Path,
                    protocol: dict | None = None) -> str:
    """Mean ± sd over folds per model, and each model against the best peer on the primary
    metric (mean difference, folds won/lost, two-sided p of the corrected resampled t-test,
    which allows for the folds sharing training samples; the Wilcoxon p is in summary.md)."""
    shown = _SHOWN[task]
    metric = dict(shown)[PRIMARY_METRIC[task]]
    best, comp = (paired_comparisons(results, task) if results["model"].nunique() > 1
                  else (None, pd.DataFrame(columns=["model", "note"])))
    comp = comp.set_index("model")
    cols = ["model", "folds", *(name for _, name in shown)]
    if best:
        cols += [f"Δ {metric} vs {best}", "won/lost", "corrected p", "Holm p"]
    rows = []
    for model, g in results.groupby("model", sort=False):
        row = [model, str(len(g))] + [_mean_cell(g, c) if c in g else "–" for c, _ in shown]
        if best:
            c = comp.loc[model] if model in comp.index else None
            row += (["best peer", "", "", ""] if c is None else  # Holm: for the models tested
                    [f"{c['mean_difference']:+.3f}", f"{c['wins']}/{c['losses']}",  # (0.014
                     fmt_p(c["corrected_p"]), fmt_p(c.get("holm_p"))])  # read as established)
        rows.append(row)
    caption = f"  {out_dir / 'summary.md'}  ·  {out_dir / 'results.csv'}"  # Wilcoxon p there
    if _skips_folds(results, [c for c, _ in shown]):
        caption = f"{SKIPPED_NOTE}\n{caption}"
    if task == "survival" and "c_index" in results and (paired_metric(results, "c_index").isna()
                               & results["c_index"].notna()).any():  # out of mean and pairs
        caption = f"{DEGENERATE_NOTE}\n{caption}"
    if budget := budget_line(protocol or {}, results):  # the budget and its cost were unsaid
        caption = f"{budget}\n{caption}"
    if edge := grid_edge_line(results):  # summary.md's grid edge, beside the epoch cap
        caption = f"{_caption_line(edge)}\n{caption}"
    if backwards := backwards_line(results):  # summary.md and the page said it; here unsaid
        caption = f"{_caption_line(backwards)}\n{caption}"
    if capped := epoch_cap_line(results):  # verdicts of undertrained models were unqualified
        caption = f"{_caption_line(capped)}\n{caption}"
    for line in crowded_lines(results):  # train warns of crowded pixels; benchmark was silent
        caption = f"{_caption_line(line)}\n{caption}"
    n_pairs = int(comp["n_pairs"].max()) if best and len(comp) else 0
    if few_pairs_note(n_pairs):  # p 0.026 from 2 folds was shown unqualified
        caption = (f"  corrected p from {n_pairs} paired folds: a rough guide (use more folds "
                   f"or repeats)\n{caption}")
    if task == "survival" and (within := within_types_line(results)):  # pooled C: types too
        caption = f"{_caption_line(within)}\n{caption}"
    return _fitted_table(cols, rows, title=_wrapped_title(title), caption=caption,
                         n_compared=4 if best else 0)
