"""What a tuning study found: :class:`TuneResult`, read from the study's trials
(:func:`study_result`), and the name of the metric its trials are scored by.

Moved out of :mod:`genemoe.train.tuning` (which runs the search) unchanged: the trials table
with the columns only the search's own records give (``stopped_by``, ``not_run``, and a
classical model's trial 0 grid columns), the best trial of the budget, and the refusal of a
study with none finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna
import pandas as pd

from genemoe.errors import MEMORY_FIX, input_error
from genemoe.models.search_spaces import SearchSpace
from genemoe.train.fit import LOSS_DEFAULTS
from genemoe.train.study_budget import STOPPED, TOO_BIG, best_in_budget, is_start_trial
from genemoe.train.task_data import Task
from genemoe.train.tuning_params import apply_params
from genemoe.train.tuning_records import decoded_params, trials_table, tuning_cost
from genemoe.train.tuning_workers import NOT_RUN

__all__ = ["TuneResult", "study_result", "metric_name", "GRID_SECONDS", "GRID_POINTS"]

GRID_SECONDS = "grid_seconds"  # user attribute of trial 0: its model's own grid search's cost
GRID_POINTS = "grid_points"  # ... and the settings that grid scored on validation (an SVM's 16)


@dataclass
class TuneResult:
    """What :func:`tune_model` found.

    ``best_model_cfg`` / ``best_train_cfg``: the base options with the best trial's
    values (pass them to :func:`~genemoe.train.fit.fit_model`); ``best_value``: its
    validation metric; ``best_params``: its sampled values by config path; ``trials``:
    one row per trial of the study (:func:`trials_table`, and ``stopped_by``: ``Ctrl-C`` or
    ``SIGTERM`` for a trial one stopped, whose state is Optuna's ``FAIL``, as a crash's);
    ``seconds``: this call's wall time; ``n_pruned``: trials the pruner stopped (not those too big to train, which do
    not count); ``space``: the searched space; ``best_is_start``: whether the best trial is
    the starting configuration (trial 0, or its retry): no drawn values beat it.
    """

    best_model_cfg: dict[str, Any]
    best_train_cfg: dict[str, Any]
    best_value: float
    best_params: dict[str, Any]
    trials: pd.DataFrame
    seconds: float
    n_pruned: int
    space: SearchSpace
    study_name: str
    metric: str
    n_done_before: int = 0  # counted trials the study held as this call started (earlier
    #                         calls' or other workers' sharing the study)
    n_running_before: int = 0  # trials running as this call started: another process's
    best_is_start: bool = False  # the best is trial 0, the starting values (or its retry)
    this_call: tuple[int, ...] = ()  # numbers of the trials this call ran (its cost's share)
    grid_points: int = 0  # settings a classical model's own grid scored on validation to
    #                       choose trial 0's values (0: none; a drawn trial scores one)
    grid_seconds: float = 0.0  # what that grid cost (in trial 0's seconds)
    grid_seconds_unused: float = 0.0  # this call's own fit of that grid, whose choice a worker
    #                                   sharing the study had kept first (in no trial's seconds)

def metric_name(task: Task, train_cfg: dict | None = None) -> str:
    """What a trial's value is: macro-F1, or the survival selection criterion (the pooled
    C-index by default; ``train: survival_selection``)."""
    return ("macro_f1" if task == "classify"
            else str((train_cfg or {}).get("survival_selection", LOSS_DEFAULTS["survival_selection"])))


def study_result(study: optuna.Study, space: SearchSpace, model_cfg: dict, train_cfg: dict,
            task: Task, n_trials: int, seconds: float) -> TuneResult:
    """What ``study``'s finished trials found: the best of the budget's first ``n_trials``
    counted trials with ``model_cfg``/``train_cfg`` under its values, and the trials table
    (``stopped_by``, ``not_run``, trial 0's grid columns); ``seconds``: the call's wall time.
    Refuses (naming the fix) a study with no finished trial."""
    table = trials_table(study, space, n_trials)
    if len(table):  # a Ctrl-C or SIGTERM the trial recorded; its state: FAIL, as a crash's
        attrs = {t.number: t.user_attrs for t in study.get_trials(deepcopy=False)}
        table.insert(2, STOPPED, table["number"].map({k: a.get(STOPPED) for k, a in attrs.items()}))
        if any(a.get(NOT_RUN) for a in attrs.values()):  # gave way to a budget met meanwhile
            table.insert(3, NOT_RUN, table["number"].map({k: a.get(NOT_RUN) for k, a in attrs.items()}))
        table = _with_grid_columns(table, attrs)
    best = best_in_budget(study, n_trials)
    if best is None:  # no finished trial (all failed, too big, or a timeout before any)
        too_big = int(table[TOO_BIG].notna().sum()) if len(table) else 0
        if too_big and too_big == len(table):
            raise input_error(f"study {study.study_name!r} has no completed trial: all "
                              f"{too_big} were too big for the free memory (the least needed "
                              f"{table[TOO_BIG].min():.1f} GB)", where="tuning",
                              fix=MEMORY_FIX)
        raise input_error(f"study {study.study_name!r} has no completed trial", where="tuning",
                          fix="look at the trials table for failed trials, raise --timeout or "
                              "--trials, or narrow the search space")
    params = decoded_params(best, space)
    best_model, best_train = apply_params(model_cfg, train_cfg, params)
    n_pruned = int(tuning_cost(table)["n_pruned"])  # by the pruner, after training began
    grid = table.dropna(subset=[GRID_POINTS]) if GRID_POINTS in table else table.iloc[:0]
    return TuneResult(best_model, best_train, float(best.value), params, table, seconds,
                      n_pruned, space, study.study_name, metric_name(task, train_cfg),
                      best_is_start=is_start_trial(study, best),
                      grid_points=int(grid[GRID_POINTS].iloc[-1]) if len(grid) else 0,
                      grid_seconds=float(grid[GRID_SECONDS].iloc[-1]) if len(grid) else 0.0)


def _with_grid_columns(table: pd.DataFrame, attrs: dict[int, dict[str, Any]]) -> pd.DataFrame:
    """``table`` with ``grid_seconds`` and ``grid_points`` beside ``seconds`` where a trial
    (trial 0, or its retry) has them: a classical model's own grid search that chose trial
    0's values, its cost and the settings it scored on validation (trials.csv said neither).
    Unchanged where no trial has them (a neural model's search)."""
    if not any(GRID_POINTS in a or GRID_SECONDS in a for a in attrs.values()):
        return table
    at = table.columns.get_loc("seconds") + 1
    for i, key in enumerate((GRID_SECONDS, GRID_POINTS)):
        values = table["number"].map({k: a.get(key) for k, a in attrs.items()})
        table.insert(at + i, key, values.astype("Int64") if key == GRID_POINTS else values)
    return table

