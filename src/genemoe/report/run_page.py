"""A ``genemoe train`` run's report page: its context (protocol, seeds, versions, the
summary panel, figures) and its metrics tables, read from the run folder's stored results
(``config.yaml``, ``metrics.json``, ``model.pt``, ``predictions.tsv``); no model is run.
:mod:`.html` adds the explanation and feature-analysis directories found with the run and
renders the page.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from genemoe.evaluate.benchmark_auc import FEW_AUC_CONTROLS, FEW_AUC_DEATHS
from genemoe.evaluate.benchmark_files import epoch_cap_note
from genemoe.evaluate.brier import CENSORING_FLOOR, event_word
from genemoe.evaluate.survival_flags import backwards_text
from genemoe.report.first_screen import run_panel
from genemoe.report.horizons import horizon_table
from genemoe.report.html_parts import cell_text as _fmt
from genemoe.report.html_parts import html_table as _table
from genemoe.report.html_parts import page_context
from genemoe.report.plots import run_figures
from genemoe.report.sources import bundle_info
from genemoe.report.text import fmt_ci, fmt_p, fmt_value

__all__ = ["run_context", "run_metrics", "metric_text", "mismatch_row", "run_config",
           "missing_parts", "run_epoch_cap", "part_metric_text", "per_class_table", "HALVES_NOTE",
           "IBS_TEXT", "PER_CLASS_NOTE", "AUC_NOTE", "TYPE_ONLY", "type_only_row"]

log = logging.getLogger(__name__)


def mismatch_row(protocol: dict) -> dict[str, str]:
    """Options tuned on another survival endpoint (``tuned_endpoint_mismatch``: warned on the
    terminal and recorded, not on the page people share)."""
    said = protocol.get("tuned_endpoint_mismatch")
    return {"tuned on another endpoint": str(said)} if said else {}


def run_context(d: Path, plots: Path) -> dict[str, Any]:
    """The page context (:func:`~.html_parts.page_context`) of run folder ``d``, its figures
    drawn into ``plots``; the linked explanation and feature directories are :mod:`.html`'s.

    A folder without ``config.yaml`` is read from ``model.pt``'s copy of it (the resolved
    configuration), the calibration from ``metrics.json``; what is left out is said on the
    page (:func:`missing_parts`) as well as on the terminal.
    """
    from genemoe.train.model_file import load_model_file

    metrics = json.loads((d / "metrics.json").read_text())
    payload: dict = load_model_file(d) if (d / "model.pt").exists() else {}
    cfg = run_config(d, payload, metrics)
    notes = missing_parts(d, payload, cfg)
    summary, record = bundle_info(payload.get("bundle_path"), payload.get("record"))
    task = cfg.get("task") or payload.get("task") or (
        "survival" if "c_index" in (metrics.get("test") or {}) else "classify")
    prot = metrics.get("protocol", {})
    ens = cfg.get("ensemble") if isinstance(cfg.get("ensemble"), dict) else {}  # 1: one model
    name = cfg.get("model")
    model = name or d.name
    shown = f"{task} ({prot['endpoint']})" if prot.get("endpoint") else task  # OS read as PFI
    if ens.get("k"):  # one run of k members: said in the title and the protocol
        model = f"{model} × {ens['k']}"
    protocol = {"what": (f"one ensemble run: {ens['k']} members differing by "
                         f"{ens.get('members_differ_by', '?')}, outputs averaged")
                if ens.get("k") else "one training run", "task": shown, "model": model,
                "selection": prot.get("selection"), "test split": prot.get("test_scored"),
                "scaler": prot.get("scaler"), "samples per split": prot.get("n"),
                "preset": cfg.get("preset"), "best epoch": cfg.get("best_epoch"),
                "stopped early": cfg.get("stopped_early"),
                "at the epoch cap": run_epoch_cap(cfg, metrics),
                "bundle": payload.get("bundle_path"),
                "device": prot.get("device"), **mismatch_row(prot), **({"image (layout)": ", ".join(
                    f"{k.replace('_', ' ')} {_fmt(v)}" for k, v in prot["image"].items())} if prot.get("image") else {})}
    train = cfg.get("train") or {}
    seeds = {"run seed": cfg.get("seed"), "training seed": train.get("seed"),
             "split seed (bundle)": (record.get("config") or {}).get("seed")}
    versions = {"genemoe (training)": payload.get("genemoe_version", "unknown")}
    figures = run_figures(d, plot_dir=plots, model=name)
    halves = "" if summary.get("n_cancer_types") == 1 else HALVES_NOTE  # no types to pool
    panel = run_panel(task=task, model=name, metrics=metrics, cfg=cfg, summary=summary,
                      record=record, bundle_path=payload.get("bundle_path"), figures=figures,
                      notes=notes)
    return page_context(f"genemoe run — {model} ({shown})",
                        synthetic=summary.get("synthetic") or record.get("synthetic"),
                        summary=summary, record=record, protocol=protocol, panel=panel,
                        metrics=run_metrics(metrics, task, endpoint=prot.get("endpoint"))
                        + ((hz + halves) if (hz := horizon_table(d, payload, prot.get("endpoint"))) else ""),
                        figures=figures, versions=versions, seeds=seeds, config=cfg)


# the horizon table's halves (horizons.py) are one median split of all test patients; the
# Kaplan–Meier figure splits each type at its own median: said apart (both read as "halves")
HALVES_NOTE = ("<p>The horizon table's higher- and lower-risk halves: one median split of the "
               "risk over all test patients, cancer types pooled (so the types' own survival "
               "differences count); the Kaplan–Meier figure instead splits each cancer type at "
               "its own median.</p>")


def run_config(d: Path, payload: dict, metrics: dict) -> dict:
    """A run's resolved configuration: ``config.yaml``, else ``model.pt``'s copy of it
    (``payload["config"]``; ``{}`` without either), with ``metrics.json``'s calibration
    where the configuration has none (the temperature line was lost with config.yaml)."""
    path = d / "config.yaml"
    cfg = (yaml.safe_load(path.read_text()) if path.exists() else dict(payload.get("config") or {})) or {}
    if not cfg.get("calibration") and isinstance(metrics.get("calibration"), dict):
        cfg = {**cfg, "calibration": metrics["calibration"]}
    return cfg


def missing_parts(d: Path, payload: dict, cfg: dict) -> list[str]:
    """What run folder ``d`` lacks of the files its report reads, and what the report does
    without each (``no history.jsonl: the report leaves out the training curves``), each
    also warned of: they reached the terminal only. A classical model keeps no
    ``history.jsonl``, an ensemble its members' (``member<i>/history.jsonl``); ``payload``:
    the loaded model file, or ``{}``; ``cfg``: :func:`run_config`'s."""
    notes = []
    if not (d / "config.yaml").exists():
        notes.append("no config.yaml: the report " + (
            "reads the model, preset, seed and epochs from model.pt's copy of it"
            if payload.get("config") else "leaves out the model, preset, seed and epochs"
            + ("; the calibration is read from metrics.json" if cfg.get("calibration") else "")))
    if not (d / "model.pt").exists():
        notes.append("no model.pt: the report leaves out the bundle's record (data, inputs, "
                     "preparation steps)")
    curves = payload.get("kind") == "torch" and not any(d.glob("member*/history.jsonl"))
    if curves and not (d / "history.jsonl").exists():
        notes.append("no history.jsonl: the report leaves out the training curves")
    for note in notes:
        log.warning("%s has %s", d, note)
    return notes


def run_epoch_cap(cfg: dict, metrics: dict) -> str | None:
    """The undertraining note of a run whose best validation score came at the last epoch
    allowed (:func:`~genemoe.evaluate.benchmark_files.epoch_cap_note` of its configuration,
    an ensemble's members too; else ``metrics.json``'s ``epoch_cap``), or None."""
    said = metrics.get("epoch_cap")
    return epoch_cap_note(cfg) or (said if isinstance(said, str) else None)


def run_metrics(metrics: dict, task: str, *, endpoint: str | None = None) -> str:
    """The Metrics section of a run: validation and test rows, then per class (classify)
    or per cancer type (survival) on the test split; ``endpoint`` names the AUC's events
    (deaths for OS and an unknown endpoint: a PFI run's page spoke of deaths).

    A C-index that could not be computed says why (``–: fewer than 2 events (1)``), a
    log-rank p of a part with fewer than 2 events is not shown (one death splits nothing),
    and each integrated Brier score has its days and its no-information reference beside it:
    the validation and test parts are integrated over their own follow-up.
    """
    keys = (("accuracy", "macro_precision", "macro_recall", "macro_f1", "weighted_f1", "ece", "n")
            if task == "classify" else ("c_index", "c_index_ci", "uno_c_index", "logrank_p",
                                        "logrank_p_within_type", "auc_1y", "auc_3y", "auc_5y",
                                        "integrated_brier_score", "ibs_null_reference",
                                        "ibs_times", "n", "n_events"))
    present = [k for k in keys if any(k in (metrics.get(s) or {}) for s in ("val", "test"))]
    word = event_word(endpoint)
    rows = [{"split": s, **{_COLUMN_NAMES.get(k, k): part_metric_text(k, metrics[s], word)
                            for k in present}}
            for s in ("val", "test") if s in metrics]
    rows += [row for s in ("val", "test") if (row := type_only_row(s, metrics.get(s), present))]
    parts = [_table(pd.DataFrame(rows))]
    if any(k.startswith("auc_") for k in present):
        parts.append(f"<p>{html.escape(auc_note(word))}</p>")
    if "ibs_times" in present:
        parts.append(f"<p>{IBS_TEXT}</p>")
    test = metrics.get("test", {})
    if task == "classify" and test.get("per_class"):
        parts += ["<h3>Per class (test split)</h3>", per_class_table(test["per_class"])]
    elif test.get("c_index_by_type"):
        per = pd.DataFrame([{"cancer type": t, "C-index": fmt_value(v.get("c_index")),
                             "95% CI": fmt_ci(v.get("ci")), "n": v.get("n"),
                             "events": v.get("n_events"),
                             "reason": v.get("reason") or v.get("ci_reason") or ""}
                            for t, v in test["c_index_by_type"].items()])  # was 0.8545, [0.6382, 1]
        parts += ["<h3>C-index per cancer type (test split)</h3>", _table(per)]
        if flagged := test.get("types_ranked_backwards"):  # UCS 0.211 [0.000, 0.484]: unsaid
            parts.append("<p><strong>Ranked backwards beyond chance</strong> (C-index and its "
                         "whole 95% CI below 0.5): " + html.escape("; ".join(
                             backwards_text(e) for e in flagged)) + ".</p>")
    return "\n".join(parts)


_COLUMN_NAMES = {"ibs_null_reference": "IBS of no information", "ibs_times": "IBS days"}
TYPE_ONLY = "cancer type alone"  # the row of the types' own share (type_only_c_index, ...)
def auc_note(event: str = "death") -> str:
    """The run page's note under its AUC columns, in the endpoint's ``event`` word (``death``
    for OS, ``event`` else: :func:`~genemoe.evaluate.brier.event_word`)."""
    died = "died" if event == "death" else "had the event"
    return (
        "Time-dependent AUC at 1, 3 and 5 years (cumulative/dynamic, Uno et al. 2007): how well "
        f"the risk tells the patients who {died} by the horizon from those followed past it (its "
        f"controls), pooled over the cancer types; beside each, the {event}s and controls it "
        f"rests on: under {FEW_AUC_DEATHS} {event}s or {FEW_AUC_CONTROLS} controls it swings "
        f"widely (one {event}: that patient's rank among the controls). The rows \"{TYPE_ONLY}\" "
        f"score a risk that is each patient's type's training {event} rate (type_only_c_index, "
        "type_only_auc_1y etc.): what the types' own survival differences give the pooled "
        f"C-index and AUC. –: no AUC at that horizon (no {event} by it in the part, nobody "
        "followed past it, or it lies past the training follow-up or where the training "
        f"patients' censoring survival has fallen below {CENSORING_FLOOR}).")


AUC_NOTE = auc_note()  # an OS run's


def type_only_row(split: str, m: dict | None, present: list[str]) -> dict[str, str] | None:
    """The metrics table's row of cancer type alone in part ``split``: its C-index
    (``type_only_c_index``) and AUCs (``type_only_auc_1y`` ...) under the model's own
    columns of ``present``, "" elsewhere; None where ``m`` records none (the page showed
    neither, so a pooled AUC of 0.8 that the types alone nearly reach read as the genes')."""
    m = m or {}
    cells = {k: m.get(f"type_only_{k}") for k in present
             if k == "c_index" or k.startswith("auc_")}
    if all(v is None for v in cells.values()):
        return None
    return {"split": f"{split}: {TYPE_ONLY}",
            **{_COLUMN_NAMES.get(k, k): ("–" if cells[k] is None else metric_text(k, cells[k]))
               if k in cells else "" for k in present}}
IBS_TEXT = ("Integrated Brier score (IBS; lower is better): over the days shown, the 10th to "
            "90th percentile of that part's own follow-up cut at the training follow-up's end "
            "and before the day the training patients' censoring survival falls below 0.2 "
            "(weights over 5), "
            "so the validation and test scores cover different days; beside it the same score "
            "of one survival curve for all (the training patients' Nelson–Aalen estimate: no "
            "information): a model above it predicts worse than no model.")


def part_metric_text(key: str, m: dict, event: str = "death") -> str:
    """Metric ``key`` of one part's metrics ``m`` as it reads (:func:`metric_text`), with
    why it is missing: a C-index ``–: fewer than 2 events (1)`` (the reason was dropped), a
    log-rank p left out where the part has fewer than 2 events (``–: 1 event``), the
    integrated Brier score's days ``123–2,693``, an AUC's deaths by its horizon and its
    controls (followed past it) ``0.812 (3 deaths, 39 controls)``, and ``–`` for an AUC
    recorded as undefined (its cell was blank, as if not computed); ``event``: the endpoint's
    word for what the AUC counts (``death``, or ``event`` for PFI, DSS, DFI)."""
    v = m.get(key)
    events = m.get("n_events")
    if key == "c_index" and v is None and (why := m.get("c_index_reason")):
        return f"–: {why}"
    if key.startswith("logrank_p") and isinstance(events, int) and events < 2 and v is not None:
        return f"–: {events} event{'s' * (events != 1)}"
    if key.startswith("auc_") and v is None and key in m:  # recorded undefined (was blank)
        return "–"
    if key.startswith("auc_") and v is not None and isinstance(n := m.get(f"{key}_deaths"), int):
        k = m.get(f"{key}_controls")  # what it rests on: deaths by the horizon, and controls
        controls = f", {k} control{'s' * (k != 1)}" if isinstance(k, int) else ""
        return f"{metric_text(key, v)} ({n} {event}{'s' * (n != 1)}{controls})"
    if key == "ibs_times":
        return (f"{round(v[0]):,}–{round(v[-1]):,}" if isinstance(v, list) and len(v) >= 2
                and all(isinstance(x, int | float) for x in v) else "–")
    return metric_text(key, v)


PER_CLASS_NOTE = ("–: undefined. Precision of a class never predicted (the macro precision "
                  "counts it as 0); recall of a class absent from the test split; F1 where "
                  "both are.")


def per_class_table(per_class: dict) -> str:
    """The per-class table (test split): precision, recall and F1 to 3 decimals, ``–``
    where undefined (a class never predicted has no precision: it read ``0``), and a note
    saying so when any is."""
    rows, undefined = [], False
    for name, v in per_class.items():
        no_pred = v.get("predicted") == 0
        no_true = v.get("support") == 0
        undefined |= no_pred or no_true
        rows.append({"class": name,
                     "precision": "–" if no_pred else fmt_value(v.get("precision")),
                     "recall": "–" if no_true else fmt_value(v.get("recall")),
                     "f1": "–" if no_pred and no_true else fmt_value(v.get("f1")),
                     **{k: v[k] for k in ("support", "predicted") if k in v}})
    note = f"<p>{PER_CLASS_NOTE}</p>" if undefined else ""
    return _table(pd.DataFrame(rows)) + note


def metric_text(key: str, v: Any) -> str:
    """A metric as it reads: p-values to two significant digits, intervals, 3 decimals."""
    if key.endswith("_p") or key in ("p_value", "logrank_p_within_type"):
        return fmt_p(v)
    if key.endswith("_ci"):
        return fmt_ci(v)
    if key.startswith("n") and isinstance(v, int | float) and not isinstance(v, bool):
        return f"{int(v):,}"
    return fmt_value(v) if isinstance(v, int | float) and not isinstance(v, bool) else _fmt(v)
