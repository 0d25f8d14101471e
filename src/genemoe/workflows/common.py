"""Pieces every workflow shares: scoring a part, patient ids, image layouts, JSON copies."""

from __future__ import annotations

import json
import logging
import numbers
from typing import Any

import numpy as np

from genemoe.data.bundle import Bundle, check_out_dir
from genemoe.errors import InputError, input_error
from genemoe.evaluate.metrics import classification_metrics
from genemoe.evaluate.survival import survival_metrics
from genemoe.evaluate.survival_flags import ranked_backwards
from genemoe.models.backbones import fit_image_layout
from genemoe.models.image_layout_checks import has_positions
from genemoe.models.registry import choices_text, get_spec, list_models
from genemoe.train.task_data import Task, TaskData
from genemoe.train.train_config import whole_number

__all__ = ["score_part", "patient_ids", "with_fitted_layout", "plain", "check_survival_parts",
           "check_part_events", "CENSORED_PARTS",
           "check_bundle_has_task", "check_bundle_events", "resplit_fix",
           "check_trainable", "check_out_dir", "check_models",
           "check_whole_numbers", "check_numbers", "value_said"]


def score_part(task: Task, outputs: np.ndarray, data: TaskData, class_names: list[str], *,
               train: TaskData | None = None, train_outputs: np.ndarray | None = None,
               seed: int = 0, n_boot: int = 1000) -> dict[str, Any]:
    """Metrics of one part: classification (probabilities ``(n, C)``) or survival (risk).

    Survival with ``train`` and the model's ``train_outputs`` (risk) adds the integrated
    Brier score (a Breslow baseline fitted on the training part); with the part's cancer
    types, ``types_ranked_backwards``: those whose C-index and whole 95% interval lie below
    0.5 (:func:`~genemoe.evaluate.survival_flags.ranked_backwards`; UCS 0.211 [0.000,
    0.484] was said nowhere but in the per-type table); ``types_degenerate_c`` (from
    :func:`~genemoe.evaluate.survival.survival_metrics`: a C of exactly 0 or 1, or of risks
    all the same) is said beside them on train's terminal
    (:func:`~genemoe.evaluate.survival_flags.backwards_lines`).
    """
    if task == "classify":
        return classification_metrics(data.y, outputs.argmax(1), class_names=class_names,
                                      probs=outputs)
    out = survival_metrics(data.time, data.event, outputs.reshape(-1), groups=data.groups,
                           time_train=None if train is None else train.time,
                           event_train=None if train is None else train.event,
                           risk_train=None if train_outputs is None or train is None
                           else np.asarray(train_outputs).reshape(-1),
                           groups_train=None if train is None else train.groups,
                           n_boot=n_boot, seed=seed)
    if out.get("c_index_by_type") is not None:
        out["types_ranked_backwards"] = ranked_backwards(out["c_index_by_type"])
    return out


def patient_ids(bundle: Bundle, rows: np.ndarray) -> list[str]:
    """Patient of each of ``rows``: the bundle's ``patient_id``, else the sample id."""
    obs = bundle.obs.iloc[np.asarray(rows)]
    ids = obs["sample_id"].astype(str)
    if "patient_id" in obs.columns:
        ids = obs["patient_id"].where(obs["patient_id"].notna(), obs["sample_id"]).astype(str)
    return ids.tolist()


def with_fitted_layout(model_name: str, model_cfg: dict, bundle: Bundle, gene_mask: np.ndarray,
                       train_rows: np.ndarray) -> dict:
    """``model_cfg`` with the gene → pixel layout fitted where an image model needs one.

    ``genomic`` reads the kept genes' positions, ``similarity`` the training rows only
    (log-expression of the genes in ``gene_mask``); the fitted map travels in
    ``layout_state`` and is saved with the weights as a buffer.
    """
    var = bundle.var.loc[gene_mask]
    similarity = model_cfg.get("layout") == "similarity"
    X_train = np.asarray(bundle.X[np.sort(train_rows)][:, gene_mask]) if similarity else None
    chrom = var["chrom"].to_numpy(object) if "chrom" in var else None
    start = var["start"].to_numpy() if "start" in var else None
    try:
        layout = fit_image_layout(model_name, int(gene_mask.sum()), model_cfg,
                                  X_train=X_train, chrom=chrom, start=start)
    except InputError as err:
        if model_cfg.get("layout") != "genomic" or has_positions(chrom, start):
            raise
        raise _no_positions_error(bundle) from err
    return model_cfg if layout is None else {**model_cfg, "layout_state": layout.to_state()}


def _no_positions_error(bundle: Bundle) -> InputError:
    """The genomic layout refused for want of gene positions, naming the bundle and the
    fixes, in one short sentence (it ran to 172 characters and its fix to 160; before that
    it named neither the bundle nor the --layout option)."""
    return input_error("no gene positions (chrom, start), which --layout genomic needs",
                       path=bundle.path,
                       fix="pass --layout reshape or --layout similarity, or re-prepare the "
                           "bundle with --annotation")


def check_trainable(model_name: str, where: str = "--model") -> None:
    """Refuse ``ensemble``: it names how a trained ensemble is stored (``train --model
    ensemble`` said create_ensemble() misses an argument)."""
    if model_name == "ensemble":
        raise input_error("'ensemble' is how a trained ensemble is stored, not a model to train",
                          where=where, fix="use --model fcn --ensemble 5 (any model, any size; "
                                           "benchmark takes --ensemble K too)")  # was 101 wide


def check_bundle_has_task(bundle: Bundle, task: Task) -> None:
    """Refuse survival on a bundle without survival times (prepared without --clinical), and
    classification on a bundle of one cancer type (an fcn reported test accuracy 1.000 on
    one; logreg ended in "n_outputs >= 2", naming no bundle); survival on a bundle without
    an event (:func:`check_bundle_events`)."""
    if task == "classify" and len(bundle.class_names) < 2:
        raise input_error(f"the bundle holds one cancer type ({', '.join(bundle.class_names)}): "
                          "there is nothing to classify", path=bundle.path,
                          fix="prepare it with samples of two or more types, or use --task "
                              "survival")
    if task == "survival" and not bundle.summary.get("n_with_survival", 1):
        why = (f"no patient has {bundle.endpoint} time and event"
               if bundle.endpoint else "prepared without --clinical")  # was said of both
        raise input_error(f"the bundle has no survival times ({why})",  # was 145 wide
                          path=bundle.path, fix=("re-prepare with another --endpoint (OS, "
                                                 "DSS, DFI, PFI)" if bundle.endpoint else
                                                 "re-prepare with --clinical (a TCGA-CDR or "
                                                 "Xena survival table)") + ", or use --task classify")
    if task == "survival":
        check_bundle_events(bundle)


def check_bundle_events(bundle: Bundle) -> None:
    """Refuse survival on a bundle without a single event among its samples with a time
    (every patient censored: prepare warns "no OS event"). Train and tune blamed the split
    ("every train sample is censored ... re-prepare with another --seed"), which no
    re-split can mend; the fix names the other endpoints the bundle holds events for.
    """
    obs, ep = bundle.obs, bundle.endpoint or "OS"
    if "event" not in obs:  # a bundle built by hand: the part checks say what is missing
        return
    has = obs["has_survival"].to_numpy(bool) if "has_survival" in obs else obs["time"].notna()
    if obs["event"].to_numpy(bool)[has].any():
        return
    others = [f"{name} ({n:,} events)" for name, n in _other_endpoint_events(bundle, ep)]
    raise input_error(
        f"the bundle has 0 {ep} events in its {int(has.sum()):,} samples with {ep} follow-up: a "
        f"survival model needs {'deaths' if ep == 'OS' else 'events'} (no re-split can give "
        "it one)", path=bundle.path,
        fix=(f"re-prepare with --endpoint {' or '.join(others)}, or " if others else
             "check the clinical table's event column (all 0 here), or ")
        + "prepare a cohort with events; or use --task classify")


def resplit_fix(bundle: Bundle) -> str:
    """The fix of a split part without an event in a bundle that has some
    (:func:`check_bundle_events` refuses one that has none): re-split, with the count."""
    obs = bundle.obs
    n = int(obs["event"].to_numpy(bool).sum()) if "event" in obs else None
    held = "" if n is None else (f"the bundle's {n:,} {bundle.endpoint or 'OS'} event"
                                 f"{'s' if n != 1 else ''} fell in other parts: ")
    return (f"{held}re-prepare with another --seed or a larger --val-fraction (the split is "
            "stratified by type and event), or use a cohort with more events")


def _other_endpoint_events(bundle: Bundle, endpoint: str) -> list[tuple[str, int]]:
    """``[("PFI", 45), ...]``: the bundle's other endpoints (its ``<ep>_time`` and
    ``<ep>_event`` columns) with events among the samples, most events first."""
    obs, out = bundle.obs, []
    for col in obs.columns:
        name = col.removesuffix("_time")
        if (not col.endswith("_time") or name.upper() == endpoint.upper()
                or f"{name}_event" not in obs):
            continue
        t, e = obs[col], obs[f"{name}_event"]
        if (n := int(((e.fillna(0) > 0) & t.notna()).sum())):
            out.append((name.upper(), n))
    return sorted(out, key=lambda kv: -kv[1])


CENSORED_PARTS = {"train": "a Cox model cannot learn",
                  "val": "model selection has no C-index to read",
                  "test": "its C-index cannot be scored"}
"""Why a survival part without any event is refused, per part."""


def check_part_events(events: dict[str, np.ndarray], where: str, **error: Any) -> None:
    """Refuse the first non-empty part of ``events`` (``part -> (n,) bool``) without an event.

    Parameters
    ----------
    events
        Each part's event indicators (``train``, ``val``, ``test``; others are ignored).
    where
        Named first in the error (``"repeat 0, fold 3"``).
    error
        :func:`~genemoe.errors.input_error`'s other arguments (``path``, ``fix``).
    """
    for part, why in CENSORED_PARTS.items():
        e = events.get(part)
        if e is not None and len(e) and not np.asarray(e, bool).any():
            raise input_error(f"{where}: every {part} sample is censored ({len(e)} "
                              f"samples, no event): {why}", **error)


def check_survival_parts(data: dict[str, TaskData], where: str, **error: Any) -> None:
    """Refuse survival parts a Cox model cannot train on, be selected on or be scored on.

    A training part without events cannot fit a Cox model; a validation part without
    events has no C-index, so model selection would read a constant and keep epoch 1; a
    test part without events has no C-index to report (scoring it stopped after training,
    naming no part).
    """
    check_part_events({part: d.event for part, d in data.items()}, where, **error)


def plain(obj: Any) -> Any:
    """JSON-ready copy: numpy → Python, anything else unknown → its ``str``."""

    def default(o: Any) -> Any:
        return o.item() if isinstance(o, np.generic) else o.tolist() if isinstance(o, np.ndarray) else str(o)

    return json.loads(json.dumps(obj, default=default))


def check_models(models: list[str], task: Task) -> list[str]:
    """A benchmark's ``--models``, checked (known, trainable, doing ``task``) and each once."""
    if not models:
        raise input_error("no model given", where="--models", fix="pass e.g. --models genemoe,fcn,logreg")
    for name in models:  # 'ensemble' first: its own fix (--ensemble K)
        check_trainable(name, "--models")
    unknown = [name for name in models if name not in list_models()]
    if unknown:
        raise input_error(f"unknown model(s) {', '.join(map(repr, unknown))}", where="--models",
                          fix=choices_text(unknown))  # the list was one line of 160
    for name in models:
        spec = get_spec(name)
        if task not in spec.tasks:
            raise input_error(f"model {name!r} does not support task {task!r}", where="--models",
                              fix=f"drop it, or use it with --task {spec.tasks[0]}")
    unique = list(dict.fromkeys(models))
    if len(unique) < len(models):
        logging.getLogger("genemoe.workflows.benchmark").warning("--models names %s more than once: each runs once", ", ".join(
            sorted({m for m in models if models.count(m) > 1})))
    return unique


def check_whole_numbers(*named: tuple[Any, str]) -> None:
    """Refuse each ``(value, where)`` that is not a whole number (``n_folds=2.5`` from Python
    ended in range()'s TypeError, naming nothing)."""
    for value, where in named:
        if not whole_number(value):
            raise input_error(f"must be a whole number, got {value_said(value)}", where=where,
                              fix=f"pass a whole number to {where}")


def value_said(value: Any) -> str:
    """``value`` as an error shows it: its repr, and its type where the repr could pass for
    a number (``'0.4' (a string)``: ``got 5`` read as a number above 0 when it was ``"5"``)."""
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, bool | np.bool_):
        return f"{value!r} (a bool)"
    if isinstance(value, numbers.Real):
        return repr(value)
    return f"{repr(value)[:40]} (a {type(value).__name__})"


def check_numbers(*named: tuple[Any, str]) -> None:
    """Refuse each ``(value, where)`` that is not a number: an int or a float (numpy's too),
    not a bool, not a string (``val_fraction="0.2"`` ended in a ``'<=' not supported``
    TypeError from inside, naming nothing). Ranges are the caller's to check after."""
    for value, where in named:
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise input_error(f"must be a number, got {value_said(value)}", where=where,
                              fix=f"pass a number to {where}"
                                  + (", without quotes" if isinstance(value, str) else ""))
