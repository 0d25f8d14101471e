"""``fit_ensemble``: K members of one model, their probabilities (or risks) averaged.

``members="auto"`` (the default): neural models, and classical ones whose fit depends on
their seed (a random forest; the registry's ``randomized``), take K seeds (``seed``,
``seed + 1``, ...), each member trained on the whole training part (neural: with its own
early stopping on the validation part). Other classical models: the K inner folds of the
training part (each member fits on K − 1 of them, stratified by class, or by event for
survival, and chooses its hyper-parameters on the validation part as a single model does):
a deterministic estimator fitted K times on the same rows would give K equal members. A
forest's members used to take the inner folds too, each seeing two thirds of the rows where
a seed alone makes it differ. Compared side by side (``genemoe benchmark --ensemble K``),
the deterministic models' members then see fewer rows than the others'.

``members="folds"`` (``--ensemble-members folds``): every model's members fit on the K
inner folds, each on (K − 1)/K of the training part (the seeded models also take seed
``seed + i``, so their members differ by both): every model of a comparison on equal
footing.

Either way the test part is only scored, by the averaged model. A classifier's members are
each calibrated on the validation part, and so is their average (one more temperature, the
model file's).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genemoe.errors import input_error
from genemoe.models.ensemble import EnsembleEstimator, EnsembleModel
from genemoe.models.registry import get_spec, members_by_seed
from genemoe.train.calibration import as_logits
from genemoe.train.fit import (
    LOSS_DEFAULTS,
    FitResult,
    calibrate_outputs,
    calibrate_risks,
    fit_model,
)
from genemoe.train.task_data import Task, TaskData
from genemoe.train.train_config import whole_number

__all__ = ["fit_ensemble", "member_rows", "check_ensemble_size", "check_ensemble_members",
           "members_differ_by", "MEMBER_SCHEMES"]

log = logging.getLogger(__name__)

MEMBER_SCHEMES = ("auto", "folds")  # how members differ: --ensemble-members


def member_rows(train: TaskData, task: Task, k: int, seed: int) -> list[np.ndarray]:
    """Training positions of each member fitted on inner folds: all but one of ``k``
    stratified folds.

    A class (or event group) with fewer than ``k`` samples cannot be split ``k`` ways: its
    samples go into every member's rows (logged), the others into ``k`` stratified folds.

    Returns
    -------
    list of np.ndarray
        ``k`` sorted arrays of positions in ``train``.
    """
    from sklearn.model_selection import StratifiedKFold

    strata = train.y if task == "classify" else np.asarray(train.event, int)
    _, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    rare = counts[inverse] < k  # (n,) rows of strata too small to split
    common, always = np.flatnonzero(~rare), np.flatnonzero(rare)
    if len(common) < k:
        raise input_error(f"--ensemble {k}: no class (or event group) of the training part has "
                          f"{k} samples, too few for {k} inner folds", where="--ensemble",
                          fix=f"use --ensemble {max(2, int(counts.max()))} or fewer")
    if always.size:
        log.info("--ensemble %d: %d samples of %d classes with fewer than %d samples are in "
                 "every member's training rows", k, always.size, int((counts < k).sum()), k)
    folds = StratifiedKFold(k, shuffle=True, random_state=seed).split(
        np.zeros(len(common)), strata[common])
    return [np.sort(np.concatenate([common[tr], always])) for tr, _ in folds]


def _subset(d: TaskData, rows: np.ndarray) -> TaskData:
    """Rows ``rows`` of ``d``; a lazy matrix (``ScaledRows``) stays a lazy view."""
    X = d.X.subset(rows) if hasattr(d.X, "subset") else d.X[rows]
    return replace(d, X=X, rows=d.rows[rows], y=None if d.y is None else d.y[rows],
                   time=None if d.time is None else d.time[rows],
                   event=None if d.event is None else d.event[rows], groups=d.groups[rows])


def check_ensemble_size(k: int) -> None:
    """Refuse an ensemble size below 1 (``--ensemble 0`` trained one model silently) or not
    a whole number (``ensemble="2"`` from Python was a TypeError naming nothing)."""
    if not whole_number(k):
        raise input_error(f"must be a whole number of members, got {k!r}", where="ensemble",
                          fix="pass e.g. ensemble=5 for five members, or 1 for one model")
    if k < 1:
        raise input_error(f"must be 1 (one model) or more members, got {k}", where="--ensemble",
                          fix="pass e.g. --ensemble 5 for five members, or leave it out")


def check_ensemble_members(members: Any, k: int) -> None:
    """Refuse a scheme other than ``auto`` or ``folds`` (a misspelt one named), and
    ``folds`` for a single model (``k`` 1): it has no members to fit on inner folds, and its
    record would claim a scheme that never ran (as ``--tune-cv`` without ``--tune``).

    Parameters
    ----------
    members
        ``--ensemble-members``: ``"auto"`` or ``"folds"`` (see the module docstring).
    k
        ``--ensemble``: the number of members (checked before, by
        :func:`check_ensemble_size`).
    """
    if not isinstance(members, str) or members not in MEMBER_SCHEMES:
        raise input_error(f"must be auto or folds, got {members!r}", where="--ensemble-members",
                          fix="pass --ensemble-members folds (members on K inner folds) or "
                              "auto (the default)")
    if members == "folds" and k < 2:
        raise input_error(f"folds needs --ensemble 2 or more (got {k}): one model has no "
                          "members", where="--ensemble-members",
                          fix="add --ensemble K (e.g. 3), or drop --ensemble-members")


def members_differ_by(name: str, members: str) -> str:
    """How ``name``'s members differ under the scheme ``members``: ``"seed"``, ``"inner
    training folds"``, or ``"inner training folds and seed"`` (a seeded model under
    ``folds``)."""
    seeded = members_by_seed(name)
    if members == "folds" and seeded:
        return "inner training folds and seed"
    return "seed" if seeded else "inner training folds"


def fit_ensemble(name: str, task: Task, data: dict[str, TaskData], k: int, *, model_cfg: dict,
                 train_cfg: dict, n_outputs: int, work_dir: Path | None = None,
                 progress: bool = False, gene_variance: np.ndarray | None = None,
                 transfer: dict | None = None, members: str = "auto") -> FitResult:
    """Fit ``k`` members of ``name`` and average them (see the module docstring).

    Parameters
    ----------
    name, task, data, model_cfg, train_cfg, n_outputs, work_dir, progress, gene_variance, transfer
        As :func:`genemoe.train.fit.fit_model` (``train_cfg["seed"]`` is the first seed).
    k
        Number of members (>= 2).
    members
        ``"auto"``: seeded models (neural, forest) by seed on every training row, the others
        by inner folds; ``"folds"``: every model by inner folds, each member on (k − 1)/k of
        the training part (seeded models also by seed). See the module docstring.

    Returns
    -------
    FitResult
        ``model``: an :class:`~genemoe.models.ensemble.EnsembleModel` (neural) or
        :class:`~genemoe.models.ensemble.EnsembleEstimator` (classical); ``outputs``: the
        members' mean probabilities or risks per part; ``info["ensemble"]``: k, the scheme
        (``members``), how the members differ, each member's seed (``member_seeds``), the
        inner folds' split (``member_folds``; None for members on every training row), the
        training rows each fitted on, and each member's own info; ``history``: the first
        member's.
    """
    if k < 2:
        raise input_error(f"needs at least 2 members, got {k}", where="--ensemble")
    check_ensemble_members(members, k)
    neural = get_spec(name).kind == "torch"
    seeded = members_by_seed(name)  # its members take seed + i
    seed = int(train_cfg.get("seed", 0))
    fits = []
    if work_dir is not None:  # a larger ensemble stopped here before: its extra members' files
        for extra in sorted(Path(work_dir).glob("member*")):  # would be read as this one's
            if extra.is_dir() and extra.name[6:].isdigit() and int(extra.name[6:]) >= k:
                log.warning("removing %s: a member of an earlier, larger ensemble in this "
                            "folder (this one has %d)", extra, k)
                shutil.rmtree(extra, ignore_errors=True)  # every rank alike
    folds = members == "folds" or not seeded
    rows = member_rows(data["train"], task, k, seed) if folds else None
    for i in range(k):
        part = dict(data)
        if rows is not None:  # fit on the member's rows; score the whole training part too
            part["train"], part["train_all"] = _subset(data["train"], rows[i]), data["train"]
        wd = None if work_dir is None else Path(work_dir) / f"member{i}"
        log.info("ensemble %s: member %d of %d", name, i + 1, k)
        fits.append(fit_model(name, task, part, model_cfg=model_cfg,
                              train_cfg={**train_cfg, "seed": seed + i if seeded else seed},
                              n_outputs=n_outputs, work_dir=wd, progress=progress,
                              transfer=transfer, gene_variance=gene_variance))
    scored = "train_all" if rows is not None else "train"
    outputs = {p: np.mean([f.outputs[scored if p == "train" else p] for f in fits], axis=0)
               for p in data} if fits[0].outputs else {}  # {}: a rank > 0 under torchrun
    temps = [float((f.info.get("calibration") or {}).get("temperature") or 1.0) for f in fits]
    if neural:
        model: Any = EnsembleModel([f.model for f in fits], task=task)
        model.temperatures.copy_(torch.as_tensor(temps))
    else:
        model = EnsembleEstimator([f.model for f in fits], task=task, name=name,
                                  temperatures=temps)
    n_rows = [len(r) for r in rows] if rows is not None else [len(data["train"].rows)] * k
    info = {"ensemble": {"k": k, "member": name, "members_scheme": members,
                         "members_differ_by": members_differ_by(name, members),
                         "member_seeds": [seed + i if seeded else seed for i in range(k)],
                         "member_folds": _folds_said(task, k, seed) if rows is not None else None,
                         "member_train_rows": n_rows, "members": [f.info for f in fits]}}
    if task == "classify":  # members calibrated inside the ensemble, then the average
        outputs, info["calibration"] = _calibrate_average(outputs, data["val"].y, temps)
    elif outputs:  # the model averages its members' raw risks: scaled once, as one model
        raw = {p: np.mean([f.outputs[scored if p == "train" else p] / _risk_scale(f)
                           for f in fits], axis=0) for p in data}
        outputs, info["calibration"] = calibrate_risks(
            raw, data["val"], ties=train_cfg.get("cox_ties", LOSS_DEFAULTS["cox_ties"]))
    if neural:
        info["best_epoch"] = [f.info.get("best_epoch") for f in fits]
    return FitResult(model, outputs, info, fits[0].history)


def _folds_said(task: Task, k: int, seed: int) -> str:
    """How :func:`member_rows` split the training part, in words a reader can redo (only
    the rows' count per member was recorded: neither the folds' seed nor which fold each
    member left out)."""
    by = "class" if task == "classify" else "event"
    return (f"StratifiedKFold({k}, shuffle=True, random_state={seed}) of the training part "
            f"by {by}; member i leaves out fold i (a {by} with fewer than {k} samples: in "
            "every member)")


def _risk_scale(fit: FitResult) -> float:
    """A survival member's own risk scale (1 where none was fitted)."""
    return float((fit.info.get("calibration") or {}).get("risk_scale") or 1.0)


def _calibrate_average(outputs: dict[str, np.ndarray], y_val: np.ndarray, temps: list[float]
                       ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """One temperature on the members' averaged probabilities, fitted on validation.

    The average of calibrated members is under-confident where they disagree (pool, then
    calibrate: Rahaman & Thiery, NeurIPS 2021; Wu & Gales, 2021): on pancan33's tuned
    ensembles of 3 the mean test confidence sat 0.02-0.07 below the accuracy (single
    models within 0.02). The ensemble's temperature (saved as the model file's, applied by
    ``predict`` after the average) rescales the log of the average; its class is kept.

    Parameters
    ----------
    outputs
        ``{part: (n, n_classes)}`` averaged probabilities; ``{}`` on a rank > 0 of torchrun.
    y_val
        ``(n_val,)`` validation labels.
    temps
        The members' own temperatures (recorded).
    """
    if not outputs:
        return outputs, {"method": "temperature", "temperature": 1.0,
                         "member_temperatures": temps, "fitted_on": "validation part"}
    calibrated, record = calibrate_outputs({p: as_logits(o) for p, o in outputs.items()}, y_val,
                                           "the ensemble")
    return calibrated, {**record, "method": "temperature per member, then one on their average",
               "member_temperatures": temps}
