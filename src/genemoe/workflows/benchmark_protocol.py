"""What a benchmark directory says of its run besides the cells: the cells' fingerprint,
``protocol.json`` and ``splits.tsv``, the samples it used, and the words for the outputs a
rerun removes (:mod:`genemoe.workflows.benchmark` writes them)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.config_presets import load_preset
from genemoe.data.bundle import Bundle, atomic_write_text, remove_outputs
from genemoe.evaluate.benchmark_files import clipped_lines, option_changes, software_versions
from genemoe.models.registry import get_spec
from genemoe.train.distributed import resolve_device
from genemoe.train.finetune import pretrained_sha256
from genemoe.train.task_data import Task
from genemoe.workflows.benchmark_preset import preset_tuned_on, used_endpoint_mismatch
from genemoe.workflows.benchmark_pretrained import collapsed_runs
from genemoe.workflows.common import plain
from genemoe.workflows.folds import FoldPlan, rows_account
from genemoe.workflows.train_image import NAMED_WEIGHTS, weights_file_record
from genemoe.workflows.tuned_on import check_benchmark_entries

__all__ = ["cells_fingerprint", "device_record", "weights_files", "said_rows", "few_types_text",
           "write_protocol", "stale_words", "removed_text",
           "remove_stale_pages", "rerun_changes",
           "clipped_lines", "say_bundle_folds"]

log = logging.getLogger("genemoe.workflows.benchmark")  # the benchmark's: ablation says them once

def weights_files(preset: str | Path) -> dict[str, dict[str, str | None]]:
    """The weights files the preset's image models start from (``model: {resnet50:
    {weights: w.pt}}``), each ``{"path", "sha256"}`` (its path resolved against the working
    folder, as the backbone reads it; sha256 None where the file is not there), by model;
    ``{}`` where none names one. Every model the preset gives a file, as the fingerprint
    hashes the whole preset: a later ``--models`` keeps the cells."""
    out: dict[str, dict[str, str | None]] = {}
    for model, options in sorted((load_preset(preset).get("model") or {}).items()):
        weights = (options or {}).get("weights") if isinstance(options, dict) else None
        if not isinstance(weights, str) or weights in NAMED_WEIGHTS:
            continue
        out[model] = weights_file_record(weights) or {
            "path": str(Path(weights).expanduser().resolve()), "sha256": None}
    return out


def cells_fingerprint(bundle: Bundle, opts: dict) -> str:
    """Hash of everything a cell's numbers depend on, except the model and the repeat count.

    An image model's weights file counts by its contents (:func:`weights_files`): the preset
    names it only, and a file overwritten with other weights had the same command reuse
    every cell trained from the old ones."""
    key = {k: opts[k] for k in ("task", "n_folds", "seed", "epochs", "val_fraction")}
    if opts["task"] == "survival":  # the C-index intervals' resamples; classify has none
        key["n_boot"] = opts["n_boot"]
    if opts.get("tune"):  # cells depend on the budget; the studies do not (see _tune_cell)
        key["tune"] = opts["tune"]
    if opts.get("ensemble", 1) > 1:
        key["ensemble"] = opts["ensemble"]
        if (opts.get("ensemble_members") or "auto") != "auto":  # auto: the fingerprints of
            key["ensemble_members"] = opts["ensemble_members"]  # before (cells reused)
    if opts.get("tune_cv", 1) > 1:  # trials scored on inner folds: other studies, other cells
        key["tune_cv"] = opts["tune_cv"]
    other = "survival" if opts["task"] == "classify" else "classify"
    key["preset"] = {k: v for k, v in load_preset(opts["preset"]).items()  # content, not name;
                     if k != "tuned_on"  # provenance notes change no number, nor does the
                     and k not in (f"train_{other}", f"train_{other}_models")}  # other task
    if files := weights_files(opts["preset"]):  # none: the fingerprints of before
        key["weights_files"] = {m: f["sha256"] or f"missing: {f['path']}" for m, f in files.items()}
    key["samples"] = hashlib.sha256("\n".join(map(str, bundle.sample_ids)).encode()).hexdigest()
    key["bundle"] = [bundle.record.get("created"), bundle.n_genes, bundle.record.get("config")]
    pre = opts.get("pretrained")
    if isinstance(pre, dict):  # per fold: how the runs were made (each cell checks its run)
        key["pretrained"] = ["per-fold", pre["per_fold"], opts.get("freeze_encoder_epochs", 0)]
    elif pre:
        key["pretrained"] = [pretrained_sha256(Path(pre)), opts.get("freeze_encoder_epochs", 0)]
    return hashlib.sha256(json.dumps(plain(key), sort_keys=True).encode()).hexdigest()


_UNNAMED_CHANGE = "the preset's contents or the bundle"  # option_changes: the fingerprint alone


def rerun_changes(out_dir: Path, opts: dict) -> list[str] | None:
    """:func:`~genemoe.evaluate.benchmark_files.option_changes`, with the ensemble members'
    scheme among the options compared (``ensemble_members auto → folds``): that change
    alone was said as "the preset's contents or the bundle"."""
    changes = option_changes(out_dir, opts)
    if not changes:
        return changes
    try:
        old = json.loads((Path(out_dir) / "protocol.json").read_text()).get("ensemble_members")
    except (OSError, ValueError, AttributeError):
        return changes
    was, now = old or "auto", opts.get("ensemble_members") or "auto"  # older: auto
    if was == now:
        return changes
    said = f"ensemble_members {was} → {now}"
    return [said] if changes == [_UNNAMED_CHANGE] else [*changes, said]


def device_record(asked: str | None, models: Any = None) -> dict[str, str]:
    """protocol.json's device: the one the neural models trained on (``cpu``, ``cuda:0``),
    and the one asked for (``--device``; protocol.json said ``auto`` only). A run of
    classical models only ran on the CPU (scikit-learn), whatever was asked: it said the
    GPU ``auto`` would have given the neural models it did not have.

    Parameters
    ----------
    asked
        ``--device`` as given (``auto``, ``cpu``, ``cuda`` or ``cuda:N``; None: ``auto``).
    models
        The benchmarked models' names (None: not known, the device ``asked`` resolves to).

    Returns
    -------
    dict[str, str]
        ``{"device": "cpu", "device_asked": "auto"}``. Neither is in the cells' fingerprint
        nor among the options a rerun compares: a rerun on another device resumes.
    """
    asked = asked or "auto"
    if models is not None and not any(get_spec(m).kind == "torch" for m in models):
        return {"device": "cpu", "device_asked": asked,
                "device_note": "classical models only: scikit-learn runs on the CPU"}
    return {"device": str(resolve_device(asked)), "device_asked": asked}


def said_rows(bundle: Bundle, task: Task, n_folds: int) -> dict:
    """:func:`~genemoe.workflows.folds.rows_account`, its samples left out and its types
    rarer than the folds said as warnings (for protocol.json and summary.md, not the
    fingerprint: the cells do not change)."""
    account = rows_account(bundle, task, n_folds)
    if account["left_out"]:
        log.warning("%s of the bundle's %s samples used for %s; left out: %s",
                    f"{account['n_used']:,}", f"{account['n_bundle']:,}", task,
                    ", ".join(f"{n:,} {why}" for why, n in account["left_out"].items()))
    if small := account["types_under_folds"]:
        macro = (", and each fold's macro metrics average over the types it holds and those a "
                 "model predicts there" if task == "classify" else "")  # no macro metric in survival
        log.warning("%d type(s) have fewer samples than the %d folds (%s): some test folds hold "
                    "none of them%s", len(small), n_folds, few_types_text(small), macro)
    return account


def few_types_text(small: Mapping[str, int], most: int = 3) -> str:
    """``"UCS 1, CHOL 2, DLBC 3 and 9 more: protocol.json samples.types_under_folds"``: at most
    ``most`` of the types rarer than the folds named, the rest counted (all 33 of a 100-fold
    run made one warning line of ~400 characters); protocol.json and summary.md keep them all."""
    named = ", ".join(f"{t} {n}" for t, n in list(small.items())[:most])
    if len(small) <= most:
        return named
    return f"{named} and {len(small) - most} more: protocol.json samples.types_under_folds"


def write_protocol(out_dir: Path, bundle: Bundle, opts: dict, plans: list[FoldPlan],
                    samples: dict, in_force: dict[str, dict],
                    epochs_by_model: dict[str, Any] | None = None) -> dict:
    """Write ``protocol.json`` and ``splits.tsv`` (every fold's rows as sample ids);
    ``in_force``: each model's ``tuned_on:`` entries in force. A survival tune's options
    used on another endpoint are recorded (``tuned_endpoint_mismatch``); a ``genemoe tune``
    entry's samples in the test folds and its ``tune --epochs`` cap, where no ``--epochs``
    replaced it (``epochs_by_model``: each model's resolved epochs;
    :func:`~genemoe.workflows.tuned_on.check_benchmark_entries`)."""
    survival = opts["task"] == "survival"
    tuned_on = check_benchmark_entries(
        preset_tuned_on(opts, in_force, bundle.endpoint if survival else None), bundle, plans,
        epochs_given=opts.get("epochs") is not None, epochs_by_model=epochs_by_model or {})
    record = {k: bundle.record.get(k) for k in ("genemoe_version", "synthetic", "created", "config",
                                                  "normalisation", "inputs", "steps", "dropped")}
    protocol = plain({"kind": "genemoe-benchmark", **opts,
                       **device_record(opts.get("device"), opts.get("models")),
                       "bundle_path": str(bundle.path),
                       "bundle_summary": bundle.summary, "bundle_record": record,
                       "class_names": bundle.class_names, "samples": samples,
                       **({"endpoint": bundle.endpoint} if survival else {}),
                       "preset_tuned_on": tuned_on, **used_endpoint_mismatch(tuned_on),
                       "pretrained_collapsed": collapsed_runs(opts.get("pretrained")),
                       "stratified_by":
                       "cancer_type|event" if opts["task"] == "survival" else "cancer_type",
                       "versions": software_versions(),
                       "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    atomic_write_text(out_dir / "protocol.json", json.dumps(protocol, indent=2))
    frames = [pd.DataFrame({"sample_id": bundle.sample_ids[getattr(p, part)], "repeat": p.repeat,
                            "fold": p.fold, "part": part})
              for p in plans for part in ("train", "val", "test")]
    atomic_write_text(out_dir / "splits.tsv", pd.concat(frames).to_csv(sep="\t", index=False))
    return protocol


def stale_words(out_dir: Path, stale: list[str], n_figures: int, plots: bool | None) -> str:
    """What the warning on removed outputs says after "removed": which, and what writes them
    anew. "`genemoe report` writes them anew" was said as the same command went on to draw
    this run's figures itself (``plots``; None: not known, worded for either)."""
    figures, page = "plots" in stale, "report.html" in stale
    said = " and ".join([*(["report.html"] if page else []),
                         *([f"{n_figures} figure{'s' * (n_figures != 1)} in plots/"] if figures else [])])
    report = f"`genemoe report {out_dir}`"
    if not figures or plots is False:
        tail = f"{report} writes {'it' if stale == ['report.html'] else 'them'} anew"
    elif plots:
        tail = "this run draws its own" + (f"; {report} writes report.html anew" if page else "")
    else:
        tail = ("`genemoe benchmark` draws this run's figures unless given --no-plots; "
                f"{report} writes {'report.html and ' if page else ''}any missing anew")
    return f"{said}, made from the earlier results; {tail}"


def remove_stale_pages(out_dir: Path, plots: bool | None) -> None:
    """Remove ``report.html`` and ``plots/`` made from earlier results (the caller judged
    them stale: a benchmark's or an ablation's other results), said in one warning."""
    stale = [f for f in ("report.html", "plots") if (out_dir / f).exists()]
    if not stale:
        return
    said = stale_words(out_dir, stale, len(list((out_dir / "plots").glob("*.png"))), plots)
    remove_outputs(out_dir, stale)
    log.warning("%s: removed %s", out_dir, said)


def removed_text(removed: list[str]) -> str:
    """``its summary.md, results.csv and report.html are removed`` (those there were)."""
    if not removed:
        return "none of its tables was written"
    names = ", ".join(removed[:-1]) + (" and " if len(removed) > 1 else "") + removed[-1]
    return f"its {names} {'are' if len(removed) > 1 else 'is'} removed"


def say_bundle_folds(bundle: Bundle, n_folds: int, seed: int, n_repeats: int) -> None:
    """Warn that the bundle's own folds (``prepare --folds K``: folds.tsv) are not the
    benchmark's: it deals its own per repeat (``benchmark --folds 5`` drew folds about half
    unlike the bundle's 5, without a word). Nothing where the bundle holds none."""
    folds = getattr(bundle, "folds", None)
    if folds is None or not (np.asarray(folds) >= 0).any():
        return
    k = int(np.asarray(folds).max()) + 1
    seeds = f"seed {seed}" if n_repeats == 1 else f"seeds {seed}..{seed + n_repeats - 1}"
    log.warning("the bundle's own %d folds (prepare --folds %d, folds.tsv) are not used: the "
                "benchmark deals its own %d folds per repeat (%s; in splits.tsv)",
                k, k, n_folds, seeds)
