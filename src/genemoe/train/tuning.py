"""Hyper-parameter search on the validation part only, with Optuna.

:func:`tune_model` runs trials of one model on arrays: each trial samples the model's
search space (:func:`genemoe.models.search_spaces.search_space`), trains with
:func:`~genemoe.train.fit.fit_model` on ``data["train"]`` with model selection on
``data["val"]``, and scores the trial by the validation metric of the selected model
(:func:`~genemoe.train.selection.selection_metric`: macro-F1 or Harrell's C, higher is better;
for a neural model that is its best epoch's). It is given no test part and refuses one.

Reproducibility
---------------
Trial ``i`` samples with a TPE sampler seeded from ``(seed, i)``, ``i`` its place among the
study's draws (a retry of an interrupted trial takes its original's place;
:func:`~genemoe.train.study_sampler.draw_position`; TPE: Optuna's Tree-structured Parzen
Estimator; its first ``n_startup_trials`` trials sample at random), and every trial trains
with the same ``seed``, so trials differ only in their parameters, the same seed gives the
same trials on CPU, a study resumed between trials, or after an interrupted trial,
continues as an uninterrupted one would (limits: :mod:`genemoe.train.study_sampler`), and ``genemoe train --config best.yaml --seed S``
retrains the best trial's model.

Trial 0 is the starting configuration itself (the preset's values, and the model's and
trainer's defaults for options the preset leaves out; :func:`start_params`; a classical
model's, the values its own grid chooses on validation, :mod:`~genemoe.train.tuning_start`;
the grid's seconds are trial 0's, ``grid_seconds``, as the values' cost), so a search
never ends below the configuration it started from on validation, whatever its budget. A
starting value outside the declared space (the ``paper`` preset's widths) widens the space
to hold it (:func:`~genemoe.models.search_spaces.widen_to_start`, logged); one no range can
hold (weight decay 0 on a log scale) is drawn in trial 0, with a warning naming it.

A trial that draws exactly the values of a finished trial (small categorical grids are
soon exhausted) takes its value without training again (``duplicate_of`` in the table).

Studies and several workers
---------------------------
With ``storage`` (an SQLAlchemy URL: ``sqlite:///DIR/study.db``, ``postgresql://...``)
the study lives in a database and is loaded if it exists (a new one is made once trial
0's values are chosen: a classical model's grid search that crashed or was stopped leaves no
empty study behind, which a later call took for its own): an interrupted study resumes,
and several processes or machines running the same call on one URL and ``study_name``
share the work. ``n_trials`` is the **study's** budget: a call runs only the trials still
missing. Finished, pruned and diverged trials count; a trial interrupted mid-run (Ctrl-C,
its process killed, a crash) does not, and runs again with its own values when a worker
next opens the study (a killed one at once when it ran on this machine, else once its
heartbeat is stale). A trial another worker is
running counts as it will finish: no trial starts once the counted trials and the live
running ones make the budget (:mod:`genemoe.train.tuning_workers`; one started in the same
instant gives way before it draws values, ``not_run`` in the table). The best trial is
chosen among the budget's first ``n_trials`` counted trials, so every study's choice sees
the same budget (:mod:`genemoe.train.study_budget`). A study remembers its setup (model, task, base
options, seed, data rows, space) and refuses a call with another one; of the training options
only those the model reads (a classical classifier's none: an SVM study refused ``--preset
base`` over epochs and lr; a study an older genemoe keyed by all of them still resumes).

Input scaling
-------------
``model.input_scaling`` (per-gene z-scores or centred input; in every neural space and the
scale-sensitive classical ones, :mod:`genemoe.models.search_spaces`) changes the data, not
the model: ``data`` is scaled as the starting configuration asks, and a trial that draws
another trains on ``rescaled(scaling)`` (the same rows scaled that way by the caller,
fitted on the training part only, for a classical model as for a neural one), built once
per scaling.

Inner cross-validation
----------------------
One validation part of a few dozen patients (a survival fold's) chooses among trials by
chance as much as by merit. With ``inner`` each trial is trained and scored on several
splits instead (a benchmark's: the K inner folds of its fold's training part, each with
its own gene filter and scaler, :func:`genemoe.workflows.folds.inner_plans`), and its
value is the mean of the splits' validation metrics: every row of the training part
validates once. A trial costs K fits; the pruner compares a trial's running mean after
each split with other trials' (Optuna's ``MedianPruner``, after ``n_startup_trials``), not
per epoch. ``split_values`` in the trials table holds each split's value.

Pruning
-------
Each neural trial reports its per-epoch validation metric as Optuna intermediate values;
when :func:`~genemoe.train.fit.fit_model` takes ``on_epoch_end(epoch, val_metric) -> bool``
(True = stop), trials pass one that asks the pruner (default: a ``MedianPruner``);
without it the values are reported after training and nothing is pruned.

A neural trial whose configuration needs more memory to train than is free when it starts
(:func:`~genemoe.train.fit.check_training_memory`, a floor: weights, gradients, optimiser
state, kept copies; the widest Gene-MOE on tens of thousands of genes needs over 10 GB)
is pruned before it trains, with what it needed and what was free in the trials table. It
does not count in the budget: another trial is drawn in its place (at most ``n_trials``
such draws per call; :func:`~genemoe.train.study_budget.optimize_to_budget`), so every
model of a comparison gets the same number of trained trials. Whether a trial fits
depends on the memory free at that moment (other workers, other programs): a search that
prunes for memory is reproducible only where as much is free.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
import optuna

from genemoe.config_presets import TRAIN_ALIASES
from genemoe.errors import input_error
from genemoe.models.dispatch import release_freed_memory
from genemoe.models.image import input_scaling
from genemoe.models.registry import get_spec
from genemoe.models.search_spaces import (
    Fixed,
    SearchSpace,
    fit_to_start,
    model_defaults,
    params_text,
    search_space,
    widen_to_start,
)
from genemoe.train.fit import (
    LOSS_DEFAULTS,
    LOSS_KEYS,
    TrainingWontFit,
    fit_model,
    selection_metric,
    train_options_read,
)
from genemoe.train.study_budget import (
    TOO_BIG,
    ProgressMark,
    TuningInterrupted,
    best_in_budget,
    counted_trials,
    forget_inherited,
    marking_divergence,
    marking_stops,
    optimize_to_budget,
    requeue_interrupted,
    running_elsewhere,
)
from genemoe.train.study_sampler import N_STARTUP_TRIALS, existing_study, open_study
from genemoe.train.study_storage import check_setup, redacted_url
from genemoe.train.task_data import Task, TaskData
from genemoe.train.tuning_params import (
    apply_params,
    sample_params,
    start_params,
    starting_values,
    train_defaults,
)
from genemoe.train.tuning_records import trials_table, tuning_cost
from genemoe.train.tuning_result import (
    GRID_POINTS,
    GRID_SECONDS,
    TuneResult,
    metric_name,
    study_result,
)
from genemoe.train.tuning_start import check_setup_but_space, keep_grid_choice, with_grid_choice
from genemoe.train.tuning_workers import (
    BudgetMet,
    StopWhenFilled,
    budget_filled,
    giving_way,
    live_running,
    quiet_gave_way,
)

__all__ = ["TuneResult", "TuningInterrupted", "tune_model", "open_study", "trials_table", "tuning_cost",
           "apply_params", "sample_params", "start_params", "redacted_url", "space_key",
           "metric_name", "N_STARTUP_TRIALS"]

log = logging.getLogger(__name__)

# train/val parts, the training part's gene variance, and model options of this split taken
# over a trial's (an image model's layout fitted on the split's own genes and training rows)
Split = tuple[dict[str, TaskData], "np.ndarray | None", dict[str, Any]]
# The training recipe's keys: searched where this trainer's TrainConfig has them.
_RECIPE_KEYS = frozenset({"noise_std", "label_smoothing", "mixup_alpha", "ema_decay"})


def _trainer_space(space: SearchSpace, neural: bool) -> SearchSpace:
    """``space`` without the training options this trainer does not know (logged)."""
    from genemoe.train.loop import TrainConfig

    known = {f.name for f in fields(TrainConfig)} | (LOSS_KEYS - _RECIPE_KEYS) | set(TRAIN_ALIASES)
    dropped = [k for k in space if k.startswith("train.") and (
        not neural or k.removeprefix("train.") not in known)]
    if dropped:
        log.warning("search space: %s left out (not options of this trainer)", ", ".join(dropped))
    return {k: p for k, p in space.items() if k not in dropped}


def space_key(name: str, task: Task) -> str:
    """Hash of model ``name``'s declared search space for ``task`` (what a cached tuned
    result depends on besides its options: a changed space makes it stale)."""
    space = {k: repr(p) for k, p in search_space(name, task).items()}
    return hashlib.sha256(json.dumps(space, sort_keys=True).encode()).hexdigest()


def _rows_key(data: dict[str, TaskData]) -> dict[str, str]:
    return {part: hashlib.sha256(np.asarray(d.rows).tobytes()).hexdigest() for part, d in data.items()}


def _setup_key(name: str, task: Task, data: dict[str, TaskData], model_cfg: dict, train_cfg: dict,
               n_outputs: int, seed: int, space: SearchSpace,
               inner: list[Split] | None = None, *, read: bool = True) -> dict[str, Any]:
    """What a study's trials depend on (workers and resumes must agree on it;
    :func:`~genemoe.train.study_storage.check_setup`): of ``train_cfg``, the options the
    model reads (:func:`~genemoe.train.fit.train_options_read`; ``train_cfg`` as given,
    but ``device``, is the key an older genemoe recorded: pass ``read`` False for it)."""
    train = {k: v for k, v in train_cfg.items() if k != "device"}
    key = {"model": name, "task": task, "n_outputs": n_outputs, "seed": seed,
           "model_cfg": model_cfg, "train_cfg": train_options_read(name, task, train) if read
           else train,
           "space": {k: repr(p) for k, p in space.items()},
           "rows": _rows_key(data), "n_genes": int(data["train"].X.shape[1])}
    if inner is not None:  # the splits trials are scored on (the key of a one-split study stays)
        key["inner"] = [_rows_key(parts) for parts, *_ in inner]
    return key


def _check_parts(data: dict[str, TaskData]) -> None:
    if set(data) != {"train", "val"}:
        raise input_error(f"tuning takes a train and a val part only, got {sorted(data)}",
                          where="tune_model(data=...)",
                          fix="pass {'train': ..., 'val': ...}: the test part is scored once, "
                              "after tuning, by the caller")


def tune_model(name: str, task: Task, data: dict[str, TaskData], *, base_model_cfg: dict,
               base_train_cfg: dict, n_outputs: int, n_trials: int, seed: int,
               storage: str | None, study_name: str, gene_variance: np.ndarray | None = None,
               timeout: float | None = None, pruner: optuna.pruners.BasePruner | None = None,
               space: SearchSpace | None = None, progress: bool = False,
               n_startup_trials: int = N_STARTUP_TRIALS,
               rescaled: Callable[[str], dict[str, TaskData]] | None = None,
               callbacks: Sequence[Callable[[optuna.Study, optuna.trial.FrozenTrial], None]] = (),
               inner: Callable[[str], list[Split]] | None = None,
               on_open: Callable[[optuna.Study], None] | None = None) -> TuneResult:
    """Search ``name``'s hyper-parameters on ``data["val"]``; see the module docstring.

    Parameters
    ----------
    name, task
        A registered model with a search space, ``"classify"`` or ``"survival"``.
    data
        ``{"train": TaskData, "val": TaskData}`` exactly (a ``test`` part is refused).
    base_model_cfg, base_train_cfg
        The options every trial starts from (:func:`~genemoe.train.fit.resolve_config`;
        the training options carry ``device``); a trial overrides the searched keys.
    n_outputs
        Number of classes (classify) or 1 (survival).
    n_trials
        Trials the study should hold in all (finished, pruned or failed), counting those
        of earlier calls and other workers.
    seed
        Seeds the sampler (per trial number) and every trial's training.
    storage, study_name
        Database URL (``sqlite:///DIR/study.db``, ``postgresql://...``) or None (in
        memory), and the study's name in it.
    gene_variance
        Passed to :func:`~genemoe.train.fit.fit_model` (classical survival models).
    timeout
        Stop starting trials after this many seconds (None: no limit).
    pruner
        Optuna pruner (default ``MedianPruner(n_warmup_steps=5)``; see "Pruning").
    space
        The space to search (default: the model's declared one for ``task``).
    progress
        Optuna's progress bar over this call's trials.
    n_startup_trials
        Random trials before TPE models the results (:data:`N_STARTUP_TRIALS`).
    rescaled
        ``scaling -> {"train", "val"}``: the same parts under another input scaling, for a
        space holding ``model.input_scaling`` (see "Input scaling"); ``data`` is the
        starting configuration's scaling. None: the scaling stays that one in every trial.
    callbacks
        Called as Optuna's ``optimize`` callbacks after each trial of this call.
    inner
        ``scaling -> [(parts, gene_variance, options), ...]``: score each trial by the mean
        of its validation metric over these splits instead of ``data`` (see "Inner
        cross-validation"); ``options``: model options of that split taken over the
        trial's (an image model's layout fitted on the split's training rows, or ``{}``).
        None: ``data``'s one validation part.
    on_open
        Called with the study once it is open, its setup checked and its interrupted
        trials queued to run again (``WAITING`` with a ``retry_history``), before any trial
        (a caller's "resuming" line: said before, it preceded a refused setup).

    Returns
    -------
    TuneResult
    """
    _check_parts(data)
    neural = get_spec(name).kind == "torch"
    space = _trainer_space(space if space is not None else search_space(name, task), neural)
    base_train_cfg = {**base_train_cfg, "seed": int(seed)}
    if "model.input_scaling" in space:  # the data's scaling is the starting one (trial 0)
        base_model_cfg = {**base_model_cfg, "input_scaling": input_scaling(name, base_model_cfg)}
        if rescaled is None:  # arrays only: the scaling they come in is the one searched
            space = {**space, "model.input_scaling": Fixed(base_model_cfg["input_scaling"])}
            log.info("input scaling fixed at %s (no rescaled data given)",
                     base_model_cfg["input_scaling"])
    t0 = time.perf_counter()  # this call's wall time includes the grid's (a classical model)
    start_scaling = base_model_cfg.get("input_scaling")
    if inner is not None:  # each trial: every split; pruned between splits, not epochs
        splits = {start_scaling: inner(input_scaling(name, base_model_cfg))}
        pruner = pruner or optuna.pruners.MedianPruner(n_startup_trials=n_startup_trials)
    else:
        splits = {start_scaling: [(data, gene_variance, {})]}
    opened = dict(seed=seed, pruner=pruner, n_startup_trials=n_startup_trials)
    study = existing_study(storage, study_name, **opened)  # a new one: made after the grid

    def setup(space: SearchSpace, read: bool = True) -> dict[str, Any]:  # what the trials
        return _setup_key(name, task, data, base_model_cfg, base_train_cfg,  # depend on
                          n_outputs, seed, space, splits[start_scaling] if inner else None,
                          read=read)

    if study is not None:  # a changed --seed: refused before the grid
        check_setup_but_space(study, setup(space), storage, older=setup(space, read=False))
    # trial 0 is the starting configuration: the space is widened to hold its values
    start_train_cfg = {**train_defaults(), **base_train_cfg}
    t_grid = time.perf_counter()
    choice = with_grid_choice(name, task, data, space, (unfitted := {
        **model_defaults(name), **base_model_cfg}), start_train_cfg, given=base_model_cfg,
        n_outputs=n_outputs, gene_variance=gene_variance, study=study)  # same dict: no grid
    start_model_cfg, grid_n, kept_s = choice.model_cfg, choice.n_points, choice.reused_seconds
    grid_s = (kept_s if kept_s is not None else time.perf_counter() - t_grid  # trial 0 pays
              if start_model_cfg is not unfitted else 0.0)
    space = fit_to_start(space, start_model_cfg, n_genes=int(data["train"].X.shape[1]))
    space, widened, outside = widen_to_start(space, starting_values(space, start_model_cfg,
                                                                     start_train_cfg))
    if widened:
        log.info("search space widened to hold the starting %s",
                 ", ".join(f"{k}={v}" for k, v in widened.items()))
    if outside:
        log.warning("trial 0 draws %s: the starting value cannot lie in the space (%s)",
                    ", ".join(outside), "; ".join(f"{k}={v}" for k, v in outside.items()))
    if study is None:  # created now: a grid that crashed (or a Ctrl-C in it) left none
        study = open_study(storage, study_name, **opened)
    check_setup(study, setup(space), storage,  # the space as trial 0 widened it too
                older=setup(space, read=False))  # a study an older genemoe keyed
    unused_grid_s = keep_grid_choice(study, choice)  # for a resume; in a study of this setup

    def more(scaling: str) -> list[Split]:  # the splits under a scaling a trial draws
        if inner is not None:
            return inner(scaling)
        assert rescaled is not None  # without it the space holds the starting scaling only
        return [(rescaled(scaling), gene_variance, {})]

    ran: list[int] = []  # this call's trials; and those that gave way to a met budget
    gave_way: set[int] = set()
    objective = giving_way(marking_stops(marking_divergence(_objective(  # a Ctrl-C's trial
        name, task, splits, more, space, base_model_cfg, base_train_cfg, n_outputs,
        grid_s, grid_n))),  # a Ctrl-C's trial says so; trial 0 is charged its values' grid
        n_trials, ran, gave_way)
    start = start_params(space, start_model_cfg, start_train_cfg)
    if start and not study.trials:  # trial 0: where the search starts from
        study.enqueue_trial(start, skip_if_exists=True)
    done_before, running_before = len(counted_trials(study)), running_elsewhere(study)
    if requeue_interrupted(study):  # (after running_elsewhere: it fails a dead process's)
        log.info("study %s: interrupted trials queued to run again", study_name)
    if on_open is not None:  # after the requeue: a caller's "resuming" line says the retries
        on_open(study)
    def result() -> TuneResult:  # what the study's finished trials found
        return replace(study_result(study, space, base_model_cfg, base_train_cfg, task, n_trials,
                               time.perf_counter() - t0), n_done_before=done_before,
                       n_running_before=running_before, this_call=tuple(ran),
                       grid_seconds_unused=unused_grid_s)

    try:  # trials differ in shape: each one's freed memory goes back after it
        with quiet_gave_way(gave_way):  # no trial starts once others' running ones fill it
            if not budget_filled(study, n_trials):
                optimize_to_budget(study, objective, n_trials=n_trials, timeout=timeout,
                                   catch=(FloatingPointError, BudgetMet),
                                   show_progress_bar=progress,
                                   callbacks=[lambda *_: release_freed_memory(),
                                              StopWhenFilled(n_trials), *callbacks])
    except KeyboardInterrupt:
        if best_in_budget(study, n_trials) is None:
            raise
        raise TuningInterrupted(result()) from None
    if best_in_budget(study, n_trials) is None and (k := len(live_running(study))):
        raise input_error(f"study {study_name!r} has no finished trial yet: {k} trial"
                          f"{'s' if k != 1 else ''} running in other workers fill its budget of "
                          f"{n_trials}", where="tuning", fix="run the same command again once "
                          "they have finished: it writes the results without training")
    return result()


def _objective(name: str, task: Task, splits: dict[Any, list[Split]],
               more: Callable[[str], list[Split]], space: SearchSpace, model_cfg: dict,
               train_cfg: dict, n_outputs: int, grid_seconds: float = 0.0,
               grid_points: int = 0):
    """The function Optuna calls per trial: sample, fit on each split's train part, score
    on its val part; the trial's value is the mean over the splits.

    ``grid_seconds``: what a classical model's own grid search choosing trial 0's values
    cost (:func:`~genemoe.train.tuning_start.with_grid_choice`), added to the seconds of
    trial 0 (or its retry) and kept in its :data:`GRID_SECONDS`: it was counted nowhere, and
    a benchmark's "seconds in the searches" left out an SVM's whole grid. ``grid_points``:
    the settings that grid scored on validation, kept in trial 0's :data:`GRID_POINTS` (its
    search saw them beside the drawn trials' one each, said nowhere).

    ``splits``: the ``(parts, gene_variance)`` splits per input scaling (the starting one
    given; another added from ``more`` when a trial first draws it). One split: its
    per-epoch values are the trial's intermediate values (pruned between epochs); several:
    the running mean after each split is (pruned between splits)."""
    loss_cfg = {**LOSS_DEFAULTS, **train_cfg}
    accepts = inspect.signature(fit_model).parameters
    live = "on_epoch_end" in accepts
    guard = {"if_short_of_memory": "raise"} if "if_short_of_memory" in accepts else {}

    def objective(trial: optuna.Trial) -> float:
        forget_inherited(trial)  # a retry starts clean of the killed trial's records
        start = _is_start(trial)
        grid = grid_seconds if start else 0.0
        if grid:
            trial.set_user_attr(GRID_SECONDS, round(grid, 3))
        if start and grid_points:
            trial.set_user_attr(GRID_POINTS, int(grid_points))
        t0 = time.perf_counter() - grid  # a trial's cost includes building a new scaling's splits
        with ProgressMark(trial, t0):  # what a killed trial cost (study_budget.trial_seconds)
            return run_trial(trial, t0)

    def run_trial(trial: optuna.Trial, t0: float) -> float:
        params = sample_params(trial, space)
        seen = _same_params(trial)
        if seen is not None:  # a small grid sampled twice: the result is known, no refit
            trial.set_user_attr("duplicate_of", seen.number)
            trial.set_user_attr("seconds", 0.0)
            return float(seen.value)
        m_cfg, t_cfg = apply_params(model_cfg, train_cfg, params)
        scaling = m_cfg.get("input_scaling")
        if scaling not in splits:
            splits[scaling] = more(scaling)
        t_cfg["log_every"] = int(t_cfg.get("epochs") or 1) + 1  # one log line per trial, not epoch
        values: list[float] = []
        best_epochs: list[int] = []
        for k, (parts, gene_variance, options) in enumerate(splits[scaling]):
            epochwise = live and len(splits[scaling]) == 1
            fit, pruned_at = _fit_trial(trial, name, task, parts, {**m_cfg, **options}, t_cfg,
                                        n_outputs, gene_variance, guard, t0, epochwise)
            if "best_epoch" in fit.info:  # several splits: the median split's
                best_epochs.append(int(fit.info["best_epoch"]))
                trial.set_user_attr("best_epoch", int(np.median(best_epochs)))
                trial.set_user_attr("epochs_run", len(fit.history))
            if pruned_at is not None:
                trial.set_user_attr("seconds", round(time.perf_counter() - t0, 3))
                raise optuna.TrialPruned(f"pruned at epoch {pruned_at}")
            metric = selection_metric(task, n_outputs, groups=parts["val"].groups,
                                      survival=loss_cfg["survival_selection"],
                                      ties=loss_cfg["cox_ties"])
            values.append(metric(fit.outputs["val"], parts["val"].targets(task)))
            if len(splits[scaling]) > 1:  # the running mean, pruned against other trials'
                trial.set_user_attr("split_values", [round(float(v), 6) for v in values])
                trial.report(float(np.mean(values)), k)
                if k + 1 < len(splits[scaling]) and trial.should_prune():
                    trial.set_user_attr("seconds", round(time.perf_counter() - t0, 3))
                    raise optuna.TrialPruned(f"pruned after inner split {k}")
            elif not live:  # the per-epoch values, after the fact (nothing to prune any more)
                for rec in fit.history:
                    v = rec.get("val_metric")
                    if v is not None and math.isfinite(v):
                        trial.report(float(v), int(rec.get("epoch", 0)))
        trial.set_user_attr("seconds", round(time.perf_counter() - t0, 3))
        value = float(np.mean(values))
        log.info("trial %d: %s = %.4f (%.1f s) %s", trial.number, metric_name(task, train_cfg),
                 value, trial.user_attrs["seconds"], params_text(params))
        return value

    return objective


def _is_start(trial: optuna.Trial) -> bool:
    """Whether ``trial`` runs the enqueued starting configuration (trial 0, or its retry)."""
    trials = {t.number: t for t in trial.study.get_trials(deepcopy=False)}
    return (trials[trial.number].system_attrs.get("failed_trial", trial.number) == 0
            and "fixed_params" in trials[0].system_attrs)


def _fit_trial(trial: optuna.Trial, name: str, task: Task, parts: dict[str, TaskData],
               m_cfg: dict, t_cfg: dict, n_outputs: int, gene_variance: np.ndarray | None,
               guard: dict, t0: float, epochwise: bool) -> tuple[Any, int | None]:
    """One fit of a trial on ``parts``; and the epoch the pruner stopped it at (None: not
    pruned). ``epochwise`` (only where ``fit_model`` takes an epoch callback): report each
    epoch's validation metric to the trial and ask the pruner between epochs."""
    pruned: list[int] = []

    def on_epoch_end(epoch: int, val_metric: float) -> bool:
        if math.isfinite(val_metric):
            trial.report(float(val_metric), int(epoch))
        if trial.should_prune():
            pruned.append(int(epoch))
            return True
        return False

    try:
        fit = fit_model(name, task, parts, model_cfg=m_cfg, train_cfg=t_cfg, n_outputs=n_outputs,
                        gene_variance=gene_variance, **guard,
                        **({"on_epoch_end": on_epoch_end} if epochwise else {}))
    except TrainingWontFit as exc:  # pruned before training: it would be killed
        raise _too_big(trial, exc, time.perf_counter() - t0) from None
    return fit, (pruned[0] if pruned else None)


def _too_big(trial: optuna.Trial, exc: TrainingWontFit, seconds: float) -> optuna.TrialPruned:
    """Record why a trial whose configuration does not fit in the free memory is pruned,
    and return the exception that prunes it."""
    trial.set_user_attr("seconds", round(seconds, 3))
    trial.set_user_attr(TOO_BIG, float(f"{exc.need / 1e9:.4g}"))
    trial.set_user_attr("memory_gb_free", float(f"{exc.free / 1e9:.4g}"))
    log.warning("trial %d pruned before training: %s", trial.number, exc)
    return optuna.TrialPruned(f"too big for the free memory: {exc}")


def _same_params(trial: optuna.Trial) -> optuna.trial.FrozenTrial | None:
    """A finished trial of the study with exactly ``trial``'s values (None if none)."""
    for t in trial.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        if (t.number != trial.number and t.params == trial.params
                and t.user_attrs.get("duplicate_of") is None):
            return t
    return None
