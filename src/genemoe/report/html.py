"""``genemoe report``: one self-contained HTML page for a run or a benchmark directory.

The page holds, in order: the data summary (what went in, what was dropped and why — from
the bundle's ``summary.json`` and ``record.json``), the protocol, the metrics tables, the
figures (PNG, embedded as base64, so the file can be mailed or archived alone), and the
software versions and seeds. Everything is read from stored results; no model is run.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.data.bundle import atomic_write_text
from genemoe.errors import InputError, input_error
from genemoe.evaluate.benchmark_files import load_cells, read_protocol, software_versions
from genemoe.evaluate.benchmark_tables import (
    PRIMARY_METRIC,
    paired_comparisons,
    results_table,
    summary_table,
)
from genemoe.report.plots import Figure, benchmark_figures, run_figures

__all__ = ["write_report", "report_kind"]

log = logging.getLogger(__name__)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}
.banner{background:#fff3cd;border:1px solid #e0c060;padding:.6em 1em;font-weight:600}
figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}code{background:#f5f5f5;padding:0 .2em}
details{margin:.4em 0}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.8em}
"""


def report_kind(dir_path: Path | str) -> str:
    """``"benchmark"`` or ``"run"``: what kind of results directory ``dir_path`` is."""
    d = Path(dir_path)
    if (d / "protocol.json").exists() and (d / "cells").is_dir():
        return "benchmark"
    if (d / "metrics.json").exists() and (d / "predictions.tsv").exists():
        return "run"
    if _is_explanation(d):
        return "explanation"
    raise input_error("neither a run, a benchmark nor an explanation directory", path=d,
                      fix="pass a directory written by `genemoe train --out`, `genemoe benchmark "
                          "--out` or `genemoe explain --out`")


def write_report(dir_path: Path | str, *, out_path: Path | str | None = None) -> Path:
    """Write ``report.html`` (self-contained) for a run or benchmark directory.

    Parameters
    ----------
    dir_path
        A ``genemoe train`` run directory, a ``genemoe benchmark`` directory, or a
        ``genemoe explain`` directory (its run's data and protocol, explanation first). A
        run directory's report also shows any ``genemoe explain`` output inside it.
    out_path
        Where to write (default ``DIR/report.html``). Figures are also saved as PNG in
        ``DIR/plots/``.

    Returns
    -------
    Path
        The written HTML file.
    """
    d = Path(dir_path)
    kind = report_kind(d)
    ctx = {"benchmark": _benchmark_context, "run": _run_context,
           "explanation": _explanation_context}[kind](d)
    out = Path(out_path) if out_path is not None else d / "report.html"
    atomic_write_text(out, _render(ctx))
    log.info("wrote %s (%d figures)", out, len(ctx["figures"]))
    return out


# --------------------------------------------------------------------------- contexts
def _bundle_info(bundle_path: str | None, record: dict | None) -> tuple[dict, dict]:
    """The bundle's summary and record: from the bundle when it is still there."""
    summary: dict = {}
    if bundle_path and (Path(bundle_path) / "summary.json").exists():
        summary = json.loads((Path(bundle_path) / "summary.json").read_text())
        if record is None and (Path(bundle_path) / "record.json").exists():
            record = json.loads((Path(bundle_path) / "record.json").read_text())
    return summary, record or {}


def _benchmark_context(d: Path) -> dict[str, Any]:
    p = read_protocol(d)
    cells = load_cells(d, n_repeats=p["n_repeats"])
    results = results_table(cells) if cells else pd.DataFrame()
    summary = p.get("bundle_summary") or _bundle_info(p.get("bundle_path"), None)[0]
    strat = "cancer type and event" if p["task"] == "survival" else "cancer type"
    protocol = {
        "what": "benchmark: every model on identical folds", "task": p["task"],
        "models": ", ".join(p["models"]), "folds": f"{p['n_folds']}-fold, stratified by {strat}",
        "repeats": p["n_repeats"], "validation": f"{p['val_fraction']:.0%} of each fold's training "
        "part (early stopping and model selection; the test fold is scored once)",
        "preprocessing": "gene filter (fit_gene_filter, the bundle's thresholds) and z-score "
        "scaler fitted on each fold's training part only (genes removed when the bundle was "
        "prepared, by its own training split, stay removed)",
        "preset": p["preset"], "epochs": p.get("epochs") or "preset", "device": p.get("device"),
        "cells finished": f"{len(cells)} of {len(p['models']) * p['n_folds'] * p['n_repeats']}",
        "bundle": p.get("bundle_path"),
    }
    seeds = {"fold seeds": f"{p['seed']} + repeat", "model seeds": f"{p['seed']} + repeat",
             "validation carve seed": f"{p['seed']} + repeat"}
    return {"title": f"genemoe benchmark — {p['task']}", "synthetic": bool(summary.get("synthetic")),
            "summary": summary, "record": p.get("bundle_record") or {}, "protocol": protocol,
            "metrics": _benchmark_metrics(results, p["task"]) if len(results) else "<p>No finished cell.</p>",
            "figures": benchmark_figures(d) if cells else [], "versions": p.get("versions", {}),
            "report_versions": software_versions(), "seeds": seeds}


def _benchmark_metrics(results: pd.DataFrame, task: str) -> str:
    parts = ["<h3>Mean ± std over folds</h3>", _table(summary_table(results, task))]
    if results["model"].nunique() > 1:
        best, comp = paired_comparisons(results, task)
        parts += [f"<h3>Paired comparisons against the best peer: {html.escape(best)}</h3>",
                  f"<p>Difference in {PRIMARY_METRIC[task]} (model − {html.escape(best)}) over identical "
                  "folds; two-sided Wilcoxon signed-rank test over the paired folds.</p>",
                  _table(comp.round({"mean_difference": 4, "p_value": 4}))]
    per_type = [c for c in results.columns if c.startswith("c_index_") and c not in ("c_index_lo", "c_index_hi")]
    if per_type:
        means = results.groupby("model", sort=False)[per_type].mean().round(3)
        means.columns = [c.removeprefix("c_index_") for c in means.columns]
        parts += ["<h3>C-index per cancer type (mean over folds)</h3>", _table(means.reset_index())]
    parts += ["<details><summary>Every fold (results.csv)</summary>",
              _table(results.round(4)), "</details>"]
    return "\n".join(parts)


def _run_context(d: Path) -> dict[str, Any]:
    import yaml

    from genemoe.train.model_file import load_model_file

    cfg = yaml.safe_load((d / "config.yaml").read_text()) if (d / "config.yaml").exists() else {}
    metrics = json.loads((d / "metrics.json").read_text())
    payload: dict = {}
    if (d / "model.pt").exists():
        payload = load_model_file(d)
    summary, record = _bundle_info(payload.get("bundle_path"), payload.get("record"))
    task = cfg.get("task") or payload.get("task", "classify")
    prot = metrics.get("protocol", {})
    protocol = {"what": "one training run", "task": task, "model": cfg.get("model"),
                "selection": prot.get("selection"), "test split": prot.get("test_scored"),
                "scaler": prot.get("scaler"), "samples per split": prot.get("n"),
                "preset": cfg.get("preset"), "best epoch": cfg.get("best_epoch"),
                "stopped early": cfg.get("stopped_early"), "bundle": payload.get("bundle_path")}
    train = cfg.get("train") or {}
    seeds = {"run seed": cfg.get("seed"), "training seed": train.get("seed"),
             "split seed (bundle)": (record.get("config") or {}).get("seed")}
    versions = {"genemoe (training)": payload.get("genemoe_version", "unknown")}
    return {"title": f"genemoe run — {cfg.get('model', d.name)} ({task})",
            "synthetic": bool(summary.get("synthetic") or record.get("synthetic")),
            "summary": summary, "record": record, "protocol": protocol,
            "metrics": _run_metrics(metrics, task), "figures": run_figures(d),
            "explanation": "".join(_explanation_section(e) for e in sorted(d.iterdir())
                                   if e.is_dir() and _is_explanation(e)),
            "versions": versions, "report_versions": software_versions(), "seeds": seeds,
            "config": cfg}


def _is_explanation(d: Path) -> bool:
    return (d / "convergence.json").exists() and (d / "genes_by_class.csv").exists()


def _explanation_context(d: Path) -> dict[str, Any]:
    """An explanation directory: its section first, then its run's context when it is there."""
    conv = json.loads((d / "convergence.json").read_text())
    run = Path(conv.get("run_dir") or "")
    if conv.get("run_dir") and _report_kind_or_none(run) == "run":
        ctx = _run_context(run)
    else:
        summary, record = _bundle_info(conv.get("bundle"), None)
        ctx = {"synthetic": bool(conv.get("synthetic")), "summary": summary, "record": record,
               "protocol": {"what": "explanation", "model": conv.get("model"), "run": conv.get("run_dir")},
               "metrics": "<p>The explained run is not available.</p>", "figures": [],
               "versions": {}, "report_versions": software_versions(), "seeds": {}, "config": None}
    ctx.update(title=f"genemoe explanation — {conv.get('model')} ({conv.get('method', 'ig')})",
               explanation=_explanation_section(d))
    return ctx


def _report_kind_or_none(d: Path) -> str | None:
    try:
        return report_kind(d)
    except InputError:  # a missing or foreign directory: no run context
        return None


_METHOD_NAMES = {"ig": "Integrated Gradients", "frozen_ig": "Integrated Gradients with routing "
                 "frozen at each sample's experts", "gradient_shap": "GradientSHAP (expected gradients "
                 "over training samples)", "deeplift": "DeepLIFT (rescale rule)",
                 "train_ig": "Integrated Gradients averaged over training tumours as baselines"}


def _explanation_section(d: Path, *, top: int = 10) -> str:
    """Method, completeness and top genes per class first; then the figures and sample maps."""
    conv = json.loads((d / "convergence.json").read_text())
    ranking = pd.read_csv(d / "genes_by_class.csv")
    method = conv.get("method", "ig")
    head = (f"<p><b>{html.escape(_METHOD_NAMES.get(method, method))}</b> on {conv.get('n_samples')} "
            f"samples (baseline <code>{html.escape(str(conv.get('baseline')))}</code>, genes ranked: "
            f"{html.escape(str(conv.get('genes', 'all')))}). Completeness, |Σ attributions − "
            f"(f(x) − f(reference))| / |f(x) − f(reference)|: median "
            f"<b>{conv.get('median_relative_delta', float('nan')):.2%}</b>, max "
            f"<b>{conv.get('max_relative_delta', float('nan')):.2%}</b>"
            + (f" (reference: {html.escape(conv['reference'])})" if conv.get("reference") else "")
            + ".</p>")
    if conv.get("warning"):
        head += f'<p class="banner">{html.escape(conv["warning"])}</p>'
    rows = [{"class": cls, "samples": int(g["n_samples"].iloc[0]),
             f"top {top} genes (symbol, by mean attribution)": ", ".join(g.nsmallest(top, "rank")["symbol"].astype(str))}
            for cls, g in ranking.groupby("class", sort=True)]
    parts = [f"<h3>{html.escape(d.name)}</h3>", head, _table(pd.DataFrame(rows))]
    figs = [Figure(d / "top_genes.png", "Top genes per class (mean attribution).", "explanation")]
    figs += [Figure(p, f"Sample {p.stem}: attribution per gene (or per pixel).", "explanation")
             for p in sorted((d / "maps").glob("*.png"))]
    parts += [_figure_html(f) for f in figs if f.path.exists()]
    return "\n".join(parts)


def _run_metrics(metrics: dict, task: str) -> str:
    keys = (("accuracy", "macro_precision", "macro_recall", "macro_f1", "weighted_f1", "n")
            if task == "classify" else ("c_index", "c_index_ci", "uno_c_index", "logrank_p", "n", "n_events"))
    rows = [{"split": s, **{k: _fmt(metrics[s].get(k)) for k in keys}} for s in ("val", "test") if s in metrics]
    parts = [_table(pd.DataFrame(rows))]
    test = metrics.get("test", {})
    if task == "classify" and test.get("per_class"):
        per = pd.DataFrame(test["per_class"]).T.reset_index(names="class")
        parts += ["<h3>Per class (test split)</h3>", _table(per.round(3))]
    elif test.get("c_index_by_type"):
        per = pd.DataFrame(test["c_index_by_type"]).T.reset_index(names="cancer type")
        parts += ["<h3>C-index per cancer type (test split)</h3>", _table(per.map(_fmt))]
    return "\n".join(parts)


# --------------------------------------------------------------------------- rendering
def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return "" if v is None else str(v)


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, na_rep="NaN", float_format=lambda x: f"{x:.4g}")


def _kv(d: dict) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td></tr>"
                   for k, v in d.items() if v is not None)
    return f"<table>{rows}</table>"


def _data_section(summary: dict, record: dict) -> str:
    if not summary and not record:
        return "<p>The bundle's summary and record are not available.</p>"
    parts = []
    if summary:
        parts.append(_kv({k: summary.get(k) for k in ("n_samples", "n_genes", "n_cancer_types",
                                                       "n_with_survival", "n_events", "normalisation")}))
        if summary.get("cancer_types"):
            types = pd.DataFrame(list(summary["cancer_types"].items()), columns=["cancer type", "samples"])
            parts.append("<details><summary>Samples per cancer type</summary>" + _table(types) + "</details>")
    dropped = summary.get("dropped") or record.get("dropped") or {}
    rows = [{"what": kind, "reason": reason, "count": n} for kind in ("samples", "genes")
            for reason, n in (dropped.get(kind) or {}).items()]
    parts.append("<h3>Dropped, and why</h3>" + (_table(pd.DataFrame(rows)) if rows else "<p>Nothing was dropped.</p>"))
    inputs = record.get("inputs") or []
    if inputs:
        df = pd.DataFrame([{"role": i.get("role"), "path": i.get("path"),
                            "sha256": str(i.get("sha256", ""))[:16] + "…"} for i in inputs])
        parts.append("<h3>Inputs</h3>" + _table(df))
    steps = record.get("steps") or []
    if steps:
        items = "".join(f"<li><code>{html.escape(str(s.get('step')))}</code> {html.escape(_step_text(s))}</li>"
                        for s in steps)
        parts.append(f"<h3>Preparation steps</h3><ol>{items}</ol>")
        parts.append("<details><summary>Full preparation record</summary><pre>"
                     + html.escape(json.dumps(record, indent=1, default=str)) + "</pre></details>")
    return "\n".join(parts)


def _step_text(step: dict) -> str:
    """The scalar fields of a preparation step, ``key=value``."""
    return ", ".join(f"{k}={_fmt(v)}" for k, v in step.items() if k != "step" and
                     (isinstance(v, str | int | float | bool) or
                      (isinstance(v, list) and all(isinstance(x, str | int | float) for x in v))))


def _figure_html(fig: Figure) -> str:
    data = base64.b64encode(fig.path.read_bytes()).decode("ascii")
    return (f'<figure><img alt="{html.escape(fig.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(fig.caption)}</figcaption></figure>")


def _render(ctx: dict[str, Any]) -> str:
    banner = ('<p class="banner">SYNTHETIC DATA: every number on this page comes from the '
              "generated cohort (genemoe.data.synthetic), not from patients.</p>") if ctx["synthetic"] else ""
    sections = {"classification": "Classification", "survival": "Survival", "metrics": "Across folds",
                "training": "Training"}
    figs = ""
    for key, name in sections.items():
        chosen = [f for f in ctx["figures"] if f.section == key]
        if chosen:
            figs += f"<h3>{name}</h3>" + "".join(_figure_html(f) for f in chosen)
    explanation = (f"<h2>Explanation</h2>{ctx['explanation']}" if ctx.get("explanation") else "")
    config = ctx.get("config")
    config_html = ("<details><summary>Resolved configuration</summary><pre>"
                   + html.escape(json.dumps(config, indent=1, default=str)) + "</pre></details>") if config else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(ctx['title'])}</title>
<style>{_CSS}</style></head><body>
<h1>{html.escape(ctx['title'])}</h1>
{banner}
{explanation}
<h2>Data</h2>
{_data_section(ctx['summary'], ctx['record'])}
<h2>Protocol</h2>
{_kv(ctx['protocol'])}
{config_html}
<h2>Metrics</h2>
{ctx['metrics']}
<h2>Figures</h2>
{figs or '<p>No figure.</p>'}
<h2>Software and seeds</h2>
<h3>Seeds</h3>
{_kv(ctx['seeds'])}
<h3>Versions when the results were computed</h3>
{_kv(ctx['versions'])}
<h3>Versions when this report was written</h3>
{_kv(ctx['report_versions'])}
</body></html>
"""
