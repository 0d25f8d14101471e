"""``genemoe report``: one self-contained HTML page for a run, benchmark, explanation,
tuning, pre-training, feature-analysis (:mod:`.features_page`) or ablation directory.

The first screen holds the answer: a summary panel (:mod:`.first_screen`: data, protocol,
headline metrics with intervals, the comparison against the best peer, a thumbnail of the
confusion matrix or Kaplan–Meier curves) and a table of contents. Then the details, each
under a heading with an ``id`` (linkable): the data (what went in, what was dropped and
why — from the bundle's ``summary.json`` and ``record.json``), the protocol, the metrics
tables, the figures (PNG, embedded as base64, so the file can be mailed or archived
alone), the explanation and feature-analysis directories found beside a run
(:mod:`.linked`), and the software versions and seeds. Everything is read from stored
results; no model is run.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from genemoe.data.args import folder_of, path_of
from genemoe.data.bundle import atomic_write_text
from genemoe.data.prep_text import step_line
from genemoe.errors import InputError, input_error
from genemoe.evaluate.benchmark_auc import auc_rule_line, rescored_line
from genemoe.evaluate.benchmark_backwards import backwards_folds_text
from genemoe.evaluate.benchmark_files import load_cells, read_protocol
from genemoe.evaluate.benchmark_protocol import pretrained_text, samples_words
from genemoe.evaluate.benchmark_tables import (
    AUC_TEXT,
    PER_TYPE_TEXT,
    PRIMARY_METRIC,
    auc_table,
    chosen_table,
    ibs_window_text,
    null_brier_text,
    options_lines,
    paired_comparisons,
    per_type_c_table,
    results_table,
    routing_summary,
    summary_table,
    tuned_on_in_run,
    tuning_cost_table,
    tuning_text,
)
from genemoe.evaluate.benchmark_tuned_on import tuned_on_overlap
from genemoe.report.ablation_page import ablation_context, is_ablation_dir
from genemoe.report.benchmark_words import unread_words
from genemoe.report.damaged import damaged_error, not_reportable, reported_commands, unread_cells
from genemoe.report.demo_page import demo_context, is_demo_dir
from genemoe.report.explanation_section import explanation_section as _explanation_section
from genemoe.report.explanation_section import top_genes_table as _top_genes_table
from genemoe.report.features_page import features_context, is_features_dir
from genemoe.report.first_screen import (
    benchmark_panel,
    benchmark_progress,
    trial_states_text,
    tune_panel,
)
from genemoe.report.html_parts import cell_text as _fmt
from genemoe.report.html_parts import figure_html as _figure_html
from genemoe.report.html_parts import html_table as _table
from genemoe.report.html_parts import kv_table as _kv
from genemoe.report.html_parts import page_context, seed_table
from genemoe.report.linked import (
    LinkedDir,
    explains_earlier_model,
    find_linked_dirs,
    recorded_run,
    report_pointer_html,
)
from genemoe.report.page_nav import anchored, toc
from genemoe.report.plots import Figure, benchmark_figures
from genemoe.report.pretrain_page import is_pretrain_dir, pretrain_context
from genemoe.report.run_page import mismatch_row, run_context
from genemoe.report.sources import bundle_info
from genemoe.report.text import fmt_p
from genemoe.report.tuning_plots import plot_search

__all__ = ["write_report", "report_kind"]

log = logging.getLogger(__name__)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1180px;margin:1em auto;
padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.45em;margin:.3em 0}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}
.banner{background:#fff3cd;border:1px solid #e0c060;padding:.35em 1em;font-weight:600;margin:.4em 0}
figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}code{background:#f5f5f5;padding:0 .2em}
details{margin:.4em 0}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.8em}
.summary{display:flex;gap:1.2em;align-items:flex-start;border:1px solid #c8d1dc;
background:#f6f8fa;border-radius:6px;padding:.6em 1em;margin:.6em 0}
.summary .facts{flex:1;min-width:0}.summary h2{border:0;margin:.1em 0 .3em;font-size:1.2em}
.facts-table th,.facts-table td{border:0;padding:.1em .6em .1em 0;vertical-align:top;background:none}
.facts-table th{color:#555;font-weight:600;white-space:nowrap}
.headline{display:flex;flex-wrap:wrap;gap:.4em 1.6em;align-items:baseline;margin-top:.4em}
.headline p,.headline table{flex-basis:100%;margin:.2em 0}
.metric .label{display:block;font-size:.8em;color:#555}
.metric .value{font-size:1.7em;font-weight:650}.metric .extra{margin-left:.35em;color:#444}
.headline .caption,.headline .val{color:#555;font-size:.9em}
table.compare td,table.compare th{padding:.15em .5em}tr.proposed td{font-weight:650;background:#eef4ff}
.thumb{flex:0 0 340px;text-decoration:none;color:#555;font-size:.8em}
.thumb img{width:340px;max-height:360px;object-fit:contain;border:1px solid #ddd;background:#fff}
.thumb span{display:block}
nav.toc{font-size:.9em;border-bottom:1px solid #ddd;padding:.2em 0 .5em}
nav.toc>ol{display:flex;flex-wrap:wrap;gap:.2em 2.4em;list-style:none;margin:0;padding:0}
nav.toc li ol{list-style:none;margin:0;padding-left:.8em;font-size:.92em}
"""


def report_kind(dir_path: Path | str) -> str:
    """``"benchmark"``, ``"run"``, ``"explanation"``, ``"tune"``, ``"pretrain"``,
    ``"features"``, ``"ablation"`` or ``"demo"``: what kind of results directory it is."""
    d = Path(dir_path)
    if not d.is_dir():
        raise input_error("no such directory" if not d.exists() else "a file, not a directory",
                          path=d, fix=f"pass the --out directory of {reported_commands()} "
                                      "(check the working directory)")
    if (d / "protocol.json").exists() and (d / "cells").is_dir():
        return "benchmark"
    if (d / "metrics.json").exists() and (d / "predictions.tsv").exists():
        return "run"
    if _is_explanation(d):
        return "explanation"
    if all((d / f).exists() for f in ("summary.json", "trials.csv", "best.yaml")):
        return "tune"
    if is_pretrain_dir(d):
        return "pretrain"
    if is_features_dir(d):  # a finished one (summary.json, written last)
        return "features"
    if is_ablation_dir(d):  # a finished one: an unfinished one is refused, saying so
        return "ablation"
    if is_demo_dir(d):  # a finished one of this genemoe (demo.json); an older one is refused
        return "demo"
    raise not_reportable(d, sorted(p.name for p in d.iterdir() if p.is_dir() and _is_explanation(p)))


def write_report(dir_path: Path | str, *, out_path: Path | str | None = None) -> Path:
    """Write ``report.html`` (self-contained) for a run or benchmark directory.

    Parameters
    ----------
    dir_path
        A ``genemoe train`` run directory, a ``genemoe benchmark`` directory, a ``genemoe
        explain`` directory (its run's data and protocol, explanation first), or a ``genemoe
        tune`` directory (the best configuration, the trials and the search plot), or a
        ``genemoe pretrain`` directory (reconstruction against its baseline, collapse
        checks, losses and expert use: :mod:`.pretrain_page`), or a finished ``genemoe
        ablation`` directory (the paper's table as its tables.md has it, every fold's
        primary metric, its parts' own reports: :mod:`.ablation_page`), or a ``genemoe
        features`` directory (its figures, strong genes and numbers: :mod:`.features_page`),
        or a ``genemoe demo`` directory (every model side by side: :mod:`.demo_page`). A
        run directory's report also shows the ``genemoe explain`` / ``genemoe features``
        output inside it or beside it (:mod:`.linked`).
    out_path
        Where to write (default ``DIR/report.html``). Figures are also saved as PNG in
        ``DIR/plots/`` (elsewhere: in ``<out stem>_plots/`` beside it; DIR is only read).

    Returns
    -------
    Path
        The written HTML file.
    """
    d = folder_of(dir_path, "dir_path")  # a result object too
    kind = report_kind(d)
    out = path_of(out_path, "out_path") if out_path is not None else d / "report.html"
    if out_path is not None and ((folder := out.is_dir()) or out.suffix.lower() not in (".html", ".htm")):
        raise input_error("the report is one HTML file" + (", and this is a folder" if folder else ""),
                          path=out, where="--out",  # a folder failed as "Is a directory" on its parent
                          fix=f"name a file ending .html, e.g. {out / 'report' if folder else out.with_suffix('')}.html")
    plots = d / "plots" if out.parent.resolve() == d.resolve() else out.with_name(f"{out.stem}_plots")
    try:
        ctx = {"benchmark": _benchmark_context, "run": _run_context,
               "explanation": _explanation_context, "tune": _tune_context,
               "pretrain": pretrain_context, "ablation": ablation_context,
               "features": features_context, "demo": demo_context}[kind](d, plots)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, yaml.YAMLError) as exc:
        parts = [d / "models", d / "pretrain"] if kind == "ablation" else []  # its protocol
        raise damaged_error([d, *filter(None, [recorded_run(d)]), *parts], exc) from exc
    atomic_write_text(out, _render(ctx, out.parent))
    # DEBUG, not "wrote ...": the command says that line, and -v printed it twice
    log.debug("%s report page: %d figure%s embedded", kind, len(ctx["figures"]),
              "s" * (len(ctx["figures"]) != 1))
    return out.absolute()  # a notebook's os.chdir left a relative one pointing elsewhere


# --------------------------------------------------------------------------- contexts
def _tuned_on_row(tuned_on: dict | None, preset: str | None,
                  protocol: dict | None = None) -> dict[str, str]:
    """The preset values chosen on data that this run's models used, whether those samples
    sit in a benchmark's test folds (summary.md said so; the page, the document people
    share, did not), and the entries this run did not use, named as such. Told as
    summary.md tells it (:func:`~genemoe.evaluate.benchmark_tuned_on.tuned_on_overlap`): on a
    synthetic bundle, or where the benchmark counted none, "not this data" (the page said
    pancan33's samples "sit in a benchmark's test folds" beside 900 synthetic ones)."""
    used, unused = tuned_on_in_run(tuned_on)
    if not used and not unused:
        return {}
    told = {k: tuned_on_overlap(v, protocol or {}) for k, v in used.items()}
    parts = [f"{k} {v.get('value')} on {v.get('data')} ({v.get('part')}"
             + ("; those samples sit in a benchmark's test folds" if told[k] is True
                else f"; {told[k]}" if str(told[k]).startswith("not this data") else "")
             + "".join(f"; {v[c]}" for c in ("test_folds_overlap", "epochs_inherited") if v.get(c))
             + ")" for k, v in used.items()]
    unchecked = any("test_folds_overlap" not in v and not str(told[k]).startswith("not this data")
                    for k, v in used.items())  # the benchmark counts a tune entry's samples
    rest = f"; not used by this run: {'; '.join(unused)}" if unused else ""
    return {f"preset values chosen on data ({preset})": ("; ".join(parts) + (
            ": if this benchmark runs on that data, the values were chosen seeing its test "
            "samples" if unchecked else "") if parts else
            "none used by this run's models") + rest}


def _samples_row(s: dict, task: str) -> dict[str, str]:
    """The samples a benchmark used of its bundle, those left out and why, and the types
    rarer than its folds (protocol.json's ``samples``), as summary.md's protocol says them:
    the page left all three out. {} for a benchmark from before it was recorded."""
    if not s.get("n_bundle"):
        return {}
    used, small = samples_words(s, task)
    return {"samples": used + (f"; {small}" if small else "")}


def _routing_row(results: pd.DataFrame) -> dict[str, str]:
    """How much the sparse models' gates separate tumour types (summary.md's routing table)."""
    sep = routing_summary(results)
    if not len(sep):
        return {}
    return {"routing (type separation, 0-1)": ", ".join(
        f"{r.model} {r.mean:.2f} ± {r.std:.2f}" if r.count > 1 else f"{r.model} {r.mean:.2f}"
        for r in sep.itertuples()) + " (mutual information of type and expert over the "
        "experts' entropy)"}


def _benchmark_context(d: Path, plots: Path) -> dict[str, Any]:
    p = read_protocol(d)
    cells = load_cells(d, n_repeats=p["n_repeats"])
    unread = unread_cells(d, p, cells)  # left out with a terminal warning only
    results = results_table(cells) if cells else pd.DataFrame()
    summary = p.get("bundle_summary") or bundle_info(p.get("bundle_path"), None)[0]
    strat = "cancer type and event" if p["task"] == "survival" else "cancer type"
    protocol = {
        "what": "benchmark: every model on identical folds", "task": p["task"],
        "models": ", ".join(p["models"]), "folds": f"{p['n_folds']}-fold, stratified by {strat}",
        "repeats": p["n_repeats"], "validation": f"{p['val_fraction']:.0%} of each fold's training "
        "part (early stopping and model selection; the test fold is scored once)",
        "preprocessing": "gene filter (fit_gene_filter, the bundle's thresholds) and scaler "
        "(per model: per-gene z-score, centred under --tune where drawn, or an image model's "
        "centred or global scaling) fitted on "
        "each fold's training part only (genes removed when the bundle was prepared stay removed)",
        "tuning": tuning_text(p) + pretrained_text(p), "preset": p["preset"], "epochs": p.get("epochs") or "preset",
        "device": p.get("device"), "bundle": p.get("bundle_path"),
        **_samples_row(p.get("samples") or {}, p["task"]),
        "cells finished": f"{_fmt(len(cells))} of {_fmt(len(p['models']) * p['n_folds'] * p['n_repeats'])}"
                          + (f"; {words}" if (words := unread_words(unread)) else ""),
        **_tuned_on_row(p.get("preset_tuned_on"), p.get("preset"), p), **_routing_row(results),
        **mismatch_row(p)}
    seeds = {"fold seeds": f"{p['seed']} + repeat", "model seeds": f"{p['seed']} + repeat",
             "validation carve seed": f"{p['seed']} + repeat"}
    if p.get("tune"):  # were not listed; the sampler's draws repeat across a repeat's folds
        seeds["tuning sampler seed"] = (f"{p['seed']} + repeat (each trial its own from it: every "
                                        "model and every fold of a repeat draws the same "
                                        "start-up trials)")
    if p.get("tune_cv", 1) > 1:
        seeds["inner-fold seed"] = f"{p['seed']} + repeat"
    comparison = (paired_comparisons(results, p["task"])
                  if len(results) and results["model"].nunique() > 1 else None)
    figures = benchmark_figures(d, plot_dir=plots, cells=cells) if cells else []
    record = p.get("bundle_record") or {}
    panel = benchmark_panel(protocol=p, results=results, summary=summary, record=record,
                            figures=figures, comparison=comparison, unread=unread)
    prog = benchmark_progress(p, results)  # the title read as complete (a stopped rerun)
    title = f"genemoe benchmark — {p['task']}" + ("" if prog.finished else " (UNFINISHED)")
    return page_context(title, synthetic=summary.get("synthetic"),
                        summary=summary, record=record, protocol=protocol, panel=panel,
                        metrics=(_benchmark_metrics(results, p["task"], comparison) if len(results)
                                 else "<p>No finished cell.</p>"),
                        figures=figures, versions=p.get("versions", {}), seeds=seeds)


def _benchmark_metrics(results: pd.DataFrame, task: str,
                       comparison: tuple[str, pd.DataFrame] | None) -> str:
    parts = ["<h3>Mean ± std over folds</h3>", _table(summary_table(results, task))]
    for text in (null_brier_text(results), ibs_window_text(results)):  # as summary.md says
        if text:  # them (the window was in summary.md only)
            parts.append(f"<p>{html.escape(text)}</p>")
    if comparison is not None:
        best, comp = comparison
        comp = comp.assign(mean_difference=comp["mean_difference"].map(lambda v: f"{v:+.3f}"),
                           p_value=comp["p_value"].map(fmt_p),
                           corrected_p=comp["corrected_p"].map(fmt_p),
                           **({"holm_p": comp["holm_p"].map(fmt_p)} if "holm_p" in comp else {}))
        parts += [f"<h3>Paired comparisons against the best peer: {html.escape(best)}</h3>",
                  f"<p>Difference in {PRIMARY_METRIC[task]} (model − {html.escape(best)}) over identical "
                  "folds; two-sided Wilcoxon signed-rank test over the paired folds (p_value) and "
                  "the corrected resampled t-test (corrected_p; Nadeau &amp; Bengio 2003), which "
                  "allows for the folds sharing training samples; holm_p: corrected_p Holm-adjusted "
                  "over the models compared." + (" A fold where either model's C is exactly 0 or 1 "
                  "is left out of that pair, as of the means (n_left_out)." if task == "survival"
                  else "") + "</p>",
                  _table(comp)]
    if len(auc := auc_table(results)):  # as summary.md (the report left these out)
        mixed = auc_rule_line(results)  # cells of an older AUC rule: summary.md only said it
        again = rescored_line(results)  # recomputed on resume: said only in the auc_rule column
        parts += ["<h3>Time-dependent AUC (cumulative/dynamic) at 1, 3 and 5 years</h3>",
                  *([f"<p><strong>{html.escape(mixed)}</strong></p>"] if mixed else []),
                  *([f"<p>{html.escape(again)}</p>"] if again else []),
                  f"<p>{html.escape(AUC_TEXT)}</p>", _table(auc)]
    if backwards := backwards_folds_text(results):  # summary.md's line, on the page too
        parts.append(f"<p>{html.escape(backwards)}</p>")
    if len(per_type := per_type_c_table(results)):  # ± and the deaths row, as summary.md
        parts += ["<h3>C-index per cancer type (mean ± sd over folds)</h3>",
                  f"<p>{html.escape(PER_TYPE_TEXT)}</p>", _table(per_type)]
    if options := options_lines(results):  # grid choices at their grid's end said there too
        parts += ["<h3>Model options each model ran with</h3><ul>", *(
            f"<li>{html.escape(line.removeprefix('- ').replace('`', ''))}</li>" for line in options),
                  "</ul>"]
    chosen, cost = chosen_table(results), tuning_cost_table(results)
    if len(chosen) and (chosen.drop(columns="model") != "").any().any():  # as summary.md has them
        parts += ["<h3>Chosen per fold</h3>",
                  "<p>The values each model chose per fold: a search's best trial (scored on "
                  "the fold's validation part, or on inner folds with --tune-cv: see the "
                  "protocol), a classical model's own grid, the epoch early stopping kept; "
                  "the test part never takes part in a choice.</p>", _table(chosen)]
    if len(cost):
        parts += ["<h3>Tuning cost</h3>", "<p>Trials per model over all folds, those pruned, seconds per "
                  "trial and in the searches, what pruning saved (see summary.md).</p>", _table(cost)]
    p_text = {c: results[c].map(fmt_p) for c in ("logrank_p", "logrank_p_within_type")
              if c in results}  # p 1.2e-06 was 0 after round(4)
    parts += ["<details><summary>Every fold (results.csv)</summary>", _table(results.round(4).assign(**p_text)), "</details>"]  # p 1.2e-06 was 0
    return "\n".join(parts)


def _run_context(d: Path, plots: Path) -> dict[str, Any]:
    """A run directory's page (:func:`.run_page.run_context`) with the explanation and
    feature-analysis directories found with it."""
    return {**run_context(d, plots), **_linked_context(d)}


def _tune_context(d: Path, plots: Path) -> dict[str, Any]:
    """A ``genemoe tune`` directory: ``summary.json``, ``best.yaml`` and ``trials.csv``."""
    summary = json.loads((d / "summary.json").read_text())
    best = yaml.safe_load((d / "best.yaml").read_text()) or {}
    tuned_on = next(iter((best.get("tuned_on") or {}).values()), {}) or {}
    trials = pd.read_csv(d / "trials.csv")
    bundle_path = summary.get("bundle") or str(tuned_on.get("data", "")).split(" (")[0] or None
    sha = re.search(r"sample set sha256 ([0-9a-f]{64})", str(tuned_on.get("data", "")))
    bundle_summary, record = bundle_info(bundle_path, None, samples_sha=sha and sha.group(1))
    model, task = summary.get("model"), summary.get("task")
    shown = f"{task} ({ep})" if (ep := summary.get("endpoint")) else task  # survival's endpoint
    figures = []
    if (png := plot_search(trials, plots / "search.png",
                           metric=f"validation {summary.get('metric')}",
                           title=f"{model} ({shown})")) is not None:
        figures.append(Figure(png, "Validation value of each trial and the best so far",
                              "tuning"))
    protocol = {"what": "hyper-parameter search (Optuna), the test split never read",
                "model": model, "task": shown, "searched on": tuned_on.get("part"),
                "metric": tuned_on.get("metric") or summary.get("metric"),
                "trials asked": summary.get("n_trials_asked"),
                "trials by state": trial_states_text(summary.get("trials_by_state") or {}, sep=", "),
                "pruned too big for the free memory (not counted)":
                    summary.get("n_pruned_too_big_for_memory"),
                "seconds per trial": summary.get("seconds_per_trial"),
                **({f"trial 0 of {model}": (  # the page said nothing of it (trials.csv did)
                    f"its own grid search: {_fmt(summary['grid_points'])} settings scored on "
                    f"validation in {_fmt(summary.get('grid_seconds'))} s; each other trial "
                    "scores 1 setting")} if summary.get("grid_points") else {}),
                **({"trials and trial seconds, last call / every call": (
                    f"{_fmt(summary['trials_this_call'])} / {_fmt(summary.get('trials_in_all'))}; "
                    f"{_fmt(summary.get('trial_seconds_this_call'))} s / "
                    f"{_fmt(summary.get('trial_seconds_in_all'))} s")}
                   if summary.get("trials_this_call") is not None else {}),
                "seconds saved by pruning (estimate)": summary.get("seconds_saved_by_pruning"),
                "study": tuned_on.get("study") or summary.get("study"),
                "preset": tuned_on.get("preset"), "bundle": bundle_path}
    columns = [c for c in trials.columns if c in ("number", "state", "value", "seconds")
               or c.startswith(("model.", "train."))]
    own = trials[trials["in_budget"].astype(str).eq("True")] if "in_budget" in trials else trials
    ranked = _best_trials(own)[columns]  # this budget's, the finished ones first
    stored = summary.get("names_in_best_yaml") or {}  # balance_weight: best.yaml's aux_weight
    params = pd.DataFrame([{"option": f"{stored[k]} ({k.partition('.')[2]})" if k in stored
                            else k, "value": _fmt(v)}
                           for k, v in (summary.get("best_params") or {}).items()])
    metrics = ("<h3>Best configuration</h3>" + (_table(params) if len(params) else "<p>None.</p>")
               + f"<p>Retrain with <code>genemoe train --config {html.escape(str(d / 'best.yaml'))}"
               f" --model {html.escape(str(model))} --task {html.escape(str(task))} ...</code></p>"
               + "<h3>What it was tuned on</h3>" + _kv(tuned_on)
               + "<h3>Best trials</h3><p>Of this budget's trials, the finished ones first; a "
               "pruned trial's value is the last it reported part-way, ranked after them; – : off,"
               " or not drawn.</p>"
               + _table(ranked.head(10), na_rep="–")  # 4 significant digits (3.95e-06, not 0)
               + "<details><summary>Every trial of the study (trials.csv)</summary>"
               + _table(trials, na_rep="–") + "</details>")
    panel = tune_panel(summary=summary, tuned_on=tuned_on, bundle_summary=bundle_summary,
                       record=record, bundle_path=bundle_path, figures=figures)
    return page_context(f"genemoe tuning — {model} ({shown})",
                        synthetic=bundle_summary.get("synthetic") or record.get("synthetic"),
                        summary=bundle_summary, record=record, protocol=protocol, panel=panel,
                        metrics=metrics, figures=figures,
                        versions={"genemoe (tuning)": summary.get("genemoe_version", "not recorded")},
                        seeds={"tuning seed": tuned_on.get("seed")},
                        config={k: best.get(k) for k in ("model", "train")})


def _best_trials(own: pd.DataFrame) -> pd.DataFrame:
    """``own`` trials best first: the finished ones by value, then the others by theirs,
    a pruned trial's state marked ``PRUNED (part-way value)`` (its value is the last it
    reported before it was stopped: a pruned -2.000 ranked above a finished -2.330)."""
    state = own["state"].astype(str) if "state" in own else pd.Series("COMPLETE", own.index)
    done = state.eq("COMPLETE")
    order = own.assign(_done=done).sort_values(["_done", "value"], ascending=False,
                                               na_position="last").index
    marked = state.where(~state.eq("PRUNED"), "PRUNED (part-way value)")
    return own.assign(**({"state": marked} if "state" in own else {})).loc[order]


def _linked_context(d: Path) -> dict[str, Any]:
    """Explanations found with a run (:mod:`.linked`): those with a ``convergence.json`` get
    their full section, first; feature analyses (and older explanations) are linked below."""
    linked = find_linked_dirs(d)
    full = [item for item in linked
            if item.kind == "explain" and _is_explanation(item.path) and not item.stale]
    return {"explanation": "".join(_explanation_section(item.path) for item in full),
            "linked": [item for item in linked if item not in full]}


def _is_explanation(d: Path) -> bool:
    return (d / "convergence.json").exists() and (d / "genes_by_class.csv").exists()


def _explanation_context(d: Path, plots: Path) -> dict[str, Any]:
    """An explanation directory: its section first, then its run's context when it is there."""
    conv = json.loads((d / "convergence.json").read_text())
    run = Path(conv.get("run_dir") or "")
    earlier = conv.get("run_dir") and explains_earlier_model(d, run)  # showed the new model's
    if conv.get("run_dir") and _report_kind_or_none(run) == "run" and not earlier:
        ctx = _run_context(run, plots)  # the run folder is only read
    else:
        summary, record = bundle_info(conv.get("bundle"), None)
        gone = (f"{html.escape(str(run))} was trained again after this explanation: its model, "
                "metrics and figures are another model's now; run genemoe explain again."
                if earlier else "The explained run is not available.")
        ctx = page_context("", synthetic=conv.get("synthetic"), summary=summary, record=record,
                           protocol={"what": "explanation", "model": conv.get("model"),
                                     "run": conv.get("run_dir")},
                           panel="", metrics=f"<p>{gone}</p>", figures=[], versions={}, seeds={})
    ctx.update(title=f"genemoe explanation — {conv.get('model')} ({conv.get('method', 'ig')})",
               explanation=_explanation_section(d),
               seeds={**ctx["seeds"], "explanation seed": conv.get("seed", "not recorded")})
    return ctx


def _report_kind_or_none(d: Path) -> str | None:
    try:
        return report_kind(d)
    except InputError:  # a missing or foreign directory: no run context
        return None


# --------------------------------------------------------------------------- rendering
def _data_section(summary: dict, record: dict) -> str:
    if not summary and not record:
        return "<p>The bundle's summary and record are not available.</p>"
    parts = []
    if summary.get("prepared_again"):
        parts.append(f"<p>{html.escape(summary['prepared_again'])} was prepared again since: its "
                     "summary now is not this one's and is left out.</p>")
    elif summary:
        parts.append(_kv({k: summary.get(k) for k in ("n_samples", "n_genes", "n_cancer_types",
                                                       "n_with_survival", "n_events", "normalisation")}))
        if summary.get("cancer_types"):
            types = pd.DataFrame(list(summary["cancer_types"].items()), columns=["cancer type", "samples"])
            parts.append("<details><summary>Samples per cancer type</summary>" + _table(types) + "</details>")
    dropped = summary.get("dropped") or record.get("dropped") or {}
    rows = [{"what": kind, "reason": reason, "count": n} for kind in ("samples", "genes")
            for reason, n in (dropped.get(kind) or {}).items()]
    parts.append("<h3>Dropped, and why</h3>" + (_table(pd.DataFrame(rows)) if rows else "<p>Nothing was dropped.</p>"))
    parts.append(_record_warnings(record if record.get("warnings") else summary))
    inputs = record.get("inputs") or []
    if inputs:
        df = pd.DataFrame([{"role": i.get("role"), "path": i.get("path"),
                            "sha256": str(i.get("sha256", ""))[:16] + "…"} for i in inputs])
        parts.append("<h3>Inputs</h3>" + _table(df))
    steps = record.get("steps") or []
    if steps:
        items = "".join(f"<li>{html.escape(step_line(str(s.get('step')), {k: v for k, v in s.items() if k != 'step'}))}</li>"
                        for s in steps)
        parts.append(f"<h3>Preparation steps</h3><ol>{items}</ol>")
        parts.append("<details><summary>Full preparation record</summary><pre>"
                     + html.escape(json.dumps(record, indent=1, default=str)) + "</pre></details>")
    return "\n".join(parts)


def _record_warnings(record: dict, limit: int = 12) -> str:
    """The bundle record's ``warnings`` as a short list, each once, in order (patients with
    an event status but no time, negative values clipped to 0: they were only inside the
    collapsed record, and are not in the table of what was dropped); '' without any.
    ``record`` may be the bundle's summary, which holds them too: a benchmark's or an
    ablation's stored record (``protocol.json``'s ``bundle_record``) does not, and their
    pages left the warnings out (pancan33's 361 negative values clipped to 0)."""
    said = list(dict.fromkeys(str(w) for w in record.get("warnings") or []))
    if not said:
        return ""
    more = (f"<li>and {len(said) - limit} more: the full preparation record below</li>"
            if len(said) > limit else "")
    items = "".join(f"<li>{html.escape(w)}</li>" for w in said[:limit])
    return f"<h3>Warnings when the bundle was prepared</h3><ul>{items}{more}</ul>"


_FIGURE_SECTIONS = {"classification": "Classification", "survival": "Survival",
                    "metrics": "Across folds", "training": "Training", "tuning": "Search"}


def _figures_html(figures: list[Figure]) -> str:
    """Figures grouped by section: the known ones first, any other section after them."""
    order = list(_FIGURE_SECTIONS) + sorted({f.section for f in figures} - set(_FIGURE_SECTIONS))
    out = ""
    for key in order:
        chosen = [f for f in figures if f.section == key]
        if chosen:
            name = _FIGURE_SECTIONS.get(key, key.replace("_", " ").capitalize())
            out += f"<h3>{html.escape(name)}</h3>" + "".join(_figure_html(f) for f in chosen)
    return out or "<p>No figure.</p>"


def _linked_html(linked: list[LinkedDir], out_dir: Path) -> str:
    """Explanation / feature-analysis directories beside the run: linked, their figures embedded."""
    parts = []
    for item in linked:
        href = Path(os.path.relpath(item.path.resolve(), out_dir.resolve())).as_posix()
        what = "explanation" if item.kind == "explain" else "latent-feature analysis"  # any method
        name = "/".join(item.path.parts[-2:]) if (item.path.parent / "methods.csv").exists() else item.path.name
        note = "" if item.checked else " (found by its name beside the run; it does not record which run it analysed)"
        if item.stale:
            note = (" (made from an earlier model of this run folder: model.pt has changed since, "
                    "the run was trained again; run genemoe explain again)")
        parts.append(f'<h3>{html.escape(name)}</h3><p>{what}: <a href="{html.escape(href)}/">'
                     f"{html.escape(str(item.path))}</a>{html.escape(note)}; "
                     f"{report_pointer_html(item, out_dir)}</p>")
        if item.kind == "explain":
            parts.append(_top_genes_table(item.path))
        for png in sorted(item.path.glob("*.png")):
            parts.append(_figure_html(Figure(png, f"{name}: {png.stem.replace('_', ' ')}",
                                             item.kind)))
    return "\n".join(parts)


def _render(ctx: dict[str, Any], out_dir: Path) -> str:
    banner = ('<p class="banner">SYNTHETIC DATA: every number on this page comes from the '
              "generated cohort (genemoe.data.synthetic), not from patients.</p>") if ctx["synthetic"] else ""
    config = ctx.get("config")
    config_html = ("<details><summary>Resolved configuration</summary><pre>"
                   + html.escape(json.dumps(config, indent=1, default=str)) + "</pre></details>") if config else ""
    linked = ctx.get("linked") or []
    sections = [
        *([("Explanation", ctx["explanation"])] if ctx.get("explanation") else []),
        ("Data", _data_section(ctx["summary"], ctx["record"])),
        ("Protocol", _kv(ctx["protocol"]) + config_html),
        ("Metrics", ctx["metrics"]),
        ("Figures", _figures_html(ctx["figures"])),
        *([("Explanations and features", _linked_html(linked, out_dir))] if linked else []),
        *([("Parts and their own reports", ctx["parts"])] if ctx.get("parts") else []),
        ("Software and seeds", f"<h3>Seeds</h3>{seed_table(ctx['seeds'])}"
                               f"<h3>Versions when the results were computed</h3>{_kv(ctx['versions'])}"
                               f"<h3>Versions when this report was written</h3>{_kv(ctx['report_versions'])}"),
    ]
    body = anchored("\n".join(f"<h2>{name}</h2>\n{content}" for name, content in sections))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(ctx['title'])}</title>
<style>{_CSS}</style></head><body>
<h1 id="top">{html.escape(ctx['title'])}</h1>
{banner}
{ctx.get('panel', '')}
{toc(body)}
{body}
</body></html>
"""
