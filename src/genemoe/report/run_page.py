"""A ``genemoe train`` run's report page: its context (protocol, seeds, versions, the
summary panel, figures) and its metrics tables, read from the run folder's stored results
(``config.yaml``, ``metrics.json``, ``model.pt``, ``predictions.tsv``); no model is run.
:mod:`.html` adds the explanation and feature-analysis directories found with the run and
renders the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from genemoe.report.first_screen import run_panel
from genemoe.report.horizons import horizon_table
from genemoe.report.html_parts import cell_text as _fmt
from genemoe.report.html_parts import html_table as _table
from genemoe.report.html_parts import page_context
from genemoe.report.plots import run_figures
from genemoe.report.sources import bundle_info, warn_missing_run_parts
from genemoe.report.text import fmt_ci, fmt_p, fmt_value

__all__ = ["run_context", "run_metrics", "metric_text", "mismatch_row"]


def mismatch_row(protocol: dict) -> dict[str, str]:
    """Options tuned on another survival endpoint (``tuned_endpoint_mismatch``: warned on the
    terminal and recorded, not on the page people share)."""
    said = protocol.get("tuned_endpoint_mismatch")
    return {"tuned on another endpoint": str(said)} if said else {}


def run_context(d: Path, plots: Path) -> dict[str, Any]:
    """The page context (:func:`~.html_parts.page_context`) of run folder ``d``, its figures
    drawn into ``plots``; the linked explanation and feature directories are :mod:`.html`'s."""
    from genemoe.train.model_file import load_model_file

    cfg = yaml.safe_load((d / "config.yaml").read_text()) if (d / "config.yaml").exists() else {}
    metrics = json.loads((d / "metrics.json").read_text())
    payload: dict = {}
    if (d / "model.pt").exists():
        payload = load_model_file(d)
    warn_missing_run_parts(d, payload)
    summary, record = bundle_info(payload.get("bundle_path"), payload.get("record"))
    task = cfg.get("task") or payload.get("task", "classify")
    prot = metrics.get("protocol", {})
    ens = cfg.get("ensemble") if isinstance(cfg.get("ensemble"), dict) else {}  # 1: one model
    model = cfg.get("model", d.name)
    shown = f"{task} ({prot['endpoint']})" if prot.get("endpoint") else task  # OS read as PFI
    if ens.get("k"):  # one run of k members: said in the title and the protocol
        model = f"{model} × {ens['k']}"
    protocol = {"what": (f"one ensemble run: {ens['k']} members differing by "
                         f"{ens.get('members_differ_by', '?')}, outputs averaged")
                if ens.get("k") else "one training run", "task": shown, "model": model,
                "selection": prot.get("selection"), "test split": prot.get("test_scored"),
                "scaler": prot.get("scaler"), "samples per split": prot.get("n"),
                "preset": cfg.get("preset"), "best epoch": cfg.get("best_epoch"),
                "stopped early": cfg.get("stopped_early"), "bundle": payload.get("bundle_path"),
                "device": prot.get("device"), **mismatch_row(prot), **({"image (layout)": ", ".join(
                    f"{k.replace('_', ' ')} {v}" for k, v in prot["image"].items())} if prot.get("image") else {})}
    train = cfg.get("train") or {}
    seeds = {"run seed": cfg.get("seed"), "training seed": train.get("seed"),
             "split seed (bundle)": (record.get("config") or {}).get("seed")}
    versions = {"genemoe (training)": payload.get("genemoe_version", "unknown")}
    figures = run_figures(d, plot_dir=plots)
    panel = run_panel(task=task, model=cfg.get("model"), metrics=metrics, cfg=cfg, summary=summary,
                      record=record, bundle_path=payload.get("bundle_path"), figures=figures)
    return page_context(f"genemoe run — {model} ({shown})",
                        synthetic=summary.get("synthetic") or record.get("synthetic"),
                        summary=summary, record=record, protocol=protocol, panel=panel,
                        metrics=run_metrics(metrics, task) + horizon_table(d, payload),
                        figures=figures, versions=versions, seeds=seeds, config=cfg)


def run_metrics(metrics: dict, task: str) -> str:
    """The Metrics section of a run: validation and test rows, then per class (classify)
    or per cancer type (survival) on the test split."""
    keys = (("accuracy", "macro_precision", "macro_recall", "macro_f1", "weighted_f1", "ece", "n")
            if task == "classify" else ("c_index", "c_index_ci", "uno_c_index", "logrank_p",
                                        "logrank_p_within_type", "auc_1y", "auc_3y", "auc_5y",
                                        "integrated_brier_score", "n", "n_events"))
    present = [k for k in keys if any(k in (metrics.get(s) or {}) for s in ("val", "test"))]
    rows = [{"split": s, **{k: metric_text(k, metrics[s].get(k)) for k in present}}
            for s in ("val", "test") if s in metrics]
    parts = [_table(pd.DataFrame(rows))]
    test = metrics.get("test", {})
    if task == "classify" and test.get("per_class"):
        per = pd.DataFrame(test["per_class"]).T.reset_index(names="class")
        parts += ["<h3>Per class (test split)</h3>", _table(per.round(3))]
    elif test.get("c_index_by_type"):
        per = pd.DataFrame([{"cancer type": t, "C-index": fmt_value(v.get("c_index")),
                             "95% CI": fmt_ci(v.get("ci")), "n": v.get("n"),
                             "events": v.get("n_events"),
                             "reason": v.get("reason") or v.get("ci_reason") or ""}
                            for t, v in test["c_index_by_type"].items()])  # was 0.8545, [0.6382, 1]
        parts += ["<h3>C-index per cancer type (test split)</h3>", _table(per)]
    return "\n".join(parts)


def metric_text(key: str, v: Any) -> str:
    """A metric as it reads: p-values to two significant digits, intervals, 3 decimals."""
    if key.endswith("_p") or key in ("p_value", "logrank_p_within_type"):
        return fmt_p(v)
    if key.endswith("_ci"):
        return fmt_ci(v)
    if key.startswith("n") and isinstance(v, int | float) and not isinstance(v, bool):
        return f"{int(v):,}"
    return fmt_value(v) if isinstance(v, int | float) and not isinstance(v, bool) else _fmt(v)
