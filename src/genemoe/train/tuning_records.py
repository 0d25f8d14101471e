"""What a study's trials chose and cost, as tables (:mod:`genemoe.train.tuning` runs them).

:func:`trials_table` is the ``trials.csv`` of ``genemoe tune`` and the table behind the
search plot; :func:`tuning_cost` sums it for the benchmark's tuning-cost table. A trial
whose configuration could not be trained in the memory free when it started
(``memory_gb_needed`` / ``memory_gb_free``) was pruned before training: it does not count
in the budget (another was drawn in its place) nor in what pruning saved.
A study holding more trials than the budget asked of it (shared with a larger search) costs
only the trials started before its budget was met (``for_budget``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import optuna
import pandas as pd

from genemoe.models.search_spaces import Categorical, Fixed, SearchSpace
from genemoe.train.study_budget import TOO_BIG, budget_numbers, retry_of, trial_seconds

__all__ = ["encode_choice", "decoded_params", "trials_table", "tuning_cost", "budget_met_at",
           "budget_rows", "n_in_budget", "trials_csv"]


def encode_choice(choice: Any) -> Any:
    """A categorical choice as Optuna stores it (lists as their JSON text)."""
    return choice if choice is None or isinstance(choice, bool | int | float | str) else json.dumps(choice)


def decoded_params(trial: optuna.trial.FrozenTrial, space: SearchSpace) -> dict[str, Any]:
    """A finished trial's values by config path (categorical codes decoded, fixed values set)."""
    out: dict[str, Any] = {}
    for key, p in space.items():
        if isinstance(p, Fixed):
            out[key] = p.value
        elif key in trial.params:
            v = trial.params[key]
            out[key] = ({encode_choice(c): c for c in p.choices}.get(v, v)
                        if isinstance(p, Categorical) else v)
    return out


def budget_met_at(study: optuna.Study, budget: set[int], n_trials: int | None
                  ) -> datetime | None:
    """When the study's budget was met: the last finish among the budget's trials.

    None when there is no budget (``n_trials`` None) or it is not met yet (fewer than
    ``n_trials`` counted trials, or one of them without a finish time): every trial then
    went into reaching it."""
    if n_trials is None or len(budget) < n_trials:
        return None
    ends = [t.datetime_complete for t in study.get_trials(deepcopy=False) if t.number in budget]
    return None if not ends or any(e is None for e in ends) else max(ends)


def trials_table(study: optuna.Study, space: SearchSpace | None = None,
                 n_trials: int | None = None) -> pd.DataFrame:
    """One row per trial: ``number``, ``state``, ``value``, ``seconds``, ``best_epoch``,
    ``duplicate_of`` (a trial that drew a finished trial's values again reuses its value
    without training), ``retry_of`` (an interrupted trial this one runs again),
    ``in_budget`` (among the first ``n_trials`` counted trials, the ones the best is chosen
    from; None: every counted trial), ``for_budget`` (started before the budget was met,
    :func:`budget_met_at`: its cost went into this budget; a trial a larger search sharing
    the study ran later did not), ``memory_gb_needed`` / ``memory_gb_free`` (a trial pruned
    before training because it would not fit in the free memory; empty otherwise),
    ``split_values`` (with inner cross-validation only: each split's value, JSON), then one
    column per searched key (config path)."""
    rows = []
    budget = budget_numbers(study, n_trials)
    met_at = budget_met_at(study, budget, n_trials)
    for t in study.get_trials(deepcopy=False):
        seconds = trial_seconds(t)
        params = decoded_params(t, space) if space is not None else dict(t.params)
        rows.append({"number": t.number, "state": t.state.name, "value": t.value,
                     "seconds": seconds, "best_epoch": t.user_attrs.get("best_epoch"),
                     "duplicate_of": t.user_attrs.get("duplicate_of"),
                     "retry_of": retry_of(t), "in_budget": t.number in budget,
                     "for_budget": (met_at is None or (t.datetime_start is not None
                                                       and t.datetime_start <= met_at)),
                     TOO_BIG: t.user_attrs.get(TOO_BIG),
                     "memory_gb_free": t.user_attrs.get("memory_gb_free"),
                     **({"split_values": json.dumps(t.user_attrs["split_values"])}
                        if t.user_attrs.get("split_values") is not None else {}),
                     **{k: json.dumps(v) if isinstance(v, list) else v
                        for k, v in params.items()}})
    cols = ["number", "state", "value", "seconds", "best_epoch", "duplicate_of", "retry_of",
            "in_budget", "for_budget", TOO_BIG, "memory_gb_free"]
    return pd.DataFrame(rows, columns=None if rows else cols)


def trials_csv(trials: pd.DataFrame) -> str:
    """:func:`trials_table` as ``trials.csv``: trial numbers and epochs whole beside blanks
    (were ``5.0``), seconds to 0.01 s; values and drawn options at full precision."""
    ints = [c for c in ("number", "best_epoch", "duplicate_of", "retry_of") if c in trials]
    out = trials.astype(dict.fromkeys(ints, "Int64"))
    if "seconds" in out:
        out["seconds"] = out["seconds"].round(2)
    return out.to_csv(index=False)


def budget_rows(trials: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`trials_table` run to meet its budget (a study shared with a larger
    search holds more: ``for_budget`` False)."""
    return trials[trials["for_budget"].astype(bool)] if "for_budget" in trials else trials


def n_in_budget(trials: pd.DataFrame) -> int:
    """How many of :func:`trials_table`'s rows the best was chosen from (``in_budget``; a
    table without the column: every row)."""
    return int(trials["in_budget"].astype(bool).sum()) if "in_budget" in trials else len(trials)


def tuning_cost(trials: pd.DataFrame) -> dict[str, float | int | None]:
    """What a search cost, and what pruning saved, from :func:`trials_table`'s rows.

    ``seconds_per_trial`` is the mean over trials that trained to the end (a duplicate
    reuses a finished trial's value without training and is left out). Pruning's saving is
    an estimate: each pruned trial is assumed to have cost, unpruned, what a trial that
    trained to the end cost on average, so ``seconds_saved = n_pruned x seconds_per_trial
    - seconds spent in pruned trials`` (0 when nothing was pruned; None when no trial
    trained to the end). ``n_pruned`` counts the trials the pruner stopped; ``n_too_big``
    the draws pruned before training for memory (``memory_gb_needed``), which neither the
    budget nor the saving counts: they never trained. ``n_trials`` counts the budget's
    trials (``in_budget``, where the table has it); the seconds include every trial that
    ran for the budget (an
    interrupted one, or one a second worker finished after the budget, too: it cost them),
    but not the trials a larger search sharing the study ran after the budget was met
    (``for_budget`` False): they cost that search, not this one.
    """
    trials = budget_rows(trials)
    if not len(trials):
        return {"n_trials": 0, "n_pruned": 0, "n_too_big": 0, "seconds": 0.0,
                "seconds_per_trial": None, "seconds_pruned": 0.0, "seconds_saved": None}
    dup = trials["duplicate_of"].notna() if "duplicate_of" in trials else False
    too_big = (trials[TOO_BIG].notna() if TOO_BIG in trials
               else pd.Series(False, index=trials.index))
    done = trials[(trials["state"] == "COMPLETE") & ~dup]
    pruned = trials[(trials["state"] == "PRUNED") & ~too_big]
    per_trial = float(done["seconds"].mean()) if len(done) else None
    spent_pruned = float(pruned["seconds"].fillna(0).sum())
    saved = (None if per_trial is None
             else max(0.0, len(pruned) * per_trial - spent_pruned) if len(pruned) else 0.0)
    n_budget = int(trials["in_budget"].sum()) if "in_budget" in trials else int(len(trials))
    n_too_big = int((too_big & (trials["state"] == "PRUNED")).sum())
    return {"n_trials": n_budget, "n_pruned": int(len(pruned)),
            "n_too_big": n_too_big, "seconds": float(trials["seconds"].fillna(0).sum()),
            "seconds_per_trial": per_trial, "seconds_pruned": spent_pruned,
            "seconds_saved": saved}
