"""Workers sharing a study: no trial starts once the budget is met, counting running trials.

A worker of :func:`genemoe.train.tuning.tune_model` stopped once the study held its
budget of counted trials (:class:`~genemoe.train.study_budget.StopAtBudget`), but counted
only finished ones: with two workers and one trial missing, the one that finished first
started another while the other's last trial ran, and the study ended a trial over its
budget (its cost spent for nothing: the best is chosen among the budget's first trials).

A trial another worker is running now fills the budget as it finishes, so it counts here:

- :class:`StopWhenFilled`, after each of this worker's trials, stops the worker once the
  counted trials and the others' live running ones reach the budget;
- :func:`giving_way`, as a trial starts (two workers may pass that check at once and
  both start one), stops the trial before it draws its values when the budget is met by
  counted trials and live trials with lower numbers (the earlier trial goes on). Optuna
  records it as failed (:data:`NOT_RUN` says why, ``seconds`` 0): it does not count, is not
  run again, and its lines from Optuna are held back (:func:`quiet_gave_way`).

A running trial is live while its progress mark is fresh (``marked_at_unix``, written every
:data:`~genemoe.train.study_budget.MARK_S` seconds, :class:`~genemoe.train.study_budget.
ProgressMark`, in Unix seconds: Optuna stamps a trial's start in the naive local time of the
worker that started it, so a worker in another time zone misread its age by hours; a trial
not yet marked is judged by that start). One whose marks stopped for over :data:`LIVE_S`
is silent: its process was killed, or is hung, or marks late (a busy database, a loaded
or suspended machine). What becomes of it:

- its process ran on this machine and is gone: a worker fails it as it opens the study
  or between its trials (:func:`~genemoe.train.study_budget.fail_gone`), and it runs
  again with its own values at once;
- otherwise (another machine, or its process still there) it still counts, as the
  trial it will be, until its heartbeat is stale
  (:data:`~genemoe.train.study_budget.GRACE_S`): Optuna then fails it and it runs again.
  Before, no worker counted it after :data:`LIVE_S`, and a worker filled the budget
  without it: the trial was never run again;
- a trial that does not say which process runs it (started by an older genemoe, or asked
  by hand) stops counting after :data:`LIVE_S`, as before: a silent trial may never be
  failed by a heartbeat, and counting it would block the study for good.

A worker that stopped for a running trial that is then interrupted leaves the study short
of it: the same command again runs it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import optuna
from optuna.trial import FrozenTrial, TrialState

from genemoe.train.study_budget import (
    GRACE_S,
    HEARTBEAT_S,
    MARK_S,
    MARKED_AT,
    PROGRESS,
    counted_trials,
    fail_gone,
    requeue_interrupted,
)
from genemoe.train.trial_process import PROCESS

__all__ = ["LIVE_S", "NOT_RUN", "BudgetMet", "StopWhenFilled", "budget_filled", "giving_way",
           "live_running", "quiet_gave_way", "silent_running"]

LIVE_S = 3 * MARK_S  # a running trial whose last progress mark is older is silent (killed?)
NOT_RUN = "not_run"  # user attribute of a trial stopped as it started: the budget was met


class BudgetMet(Exception):
    """A trial started as the budget was met by trials running in other workers."""


def _silence(trial: FrozenTrial, now: datetime) -> float:
    """Seconds since ``trial``'s last sign of life: its last progress mark, else its start."""
    if (at := trial.user_attrs.get(MARKED_AT)) is not None:  # the same on every machine
        return now.timestamp() - float(at)
    mark = trial.user_attrs.get(PROGRESS)  # not marked yet (an older study's: since the start)
    return (now - (trial.datetime_start + timedelta(seconds=float(mark or 0.0)))).total_seconds()


def live_running(study: optuna.Study, *, below: int | None = None,
                 now: datetime | None = None) -> list[FrozenTrial]:
    """The study's running trials that count as running: those whose last sign of life
    (their last progress mark, else their start) is at most :data:`LIVE_S` old, and the
    silent ones that say which process runs them, until their heartbeat is stale
    (:func:`silent_running`); ``below``: only those numbered lower. ``now``: this machine's
    local time (a test's clock)."""
    now = now or datetime.now()  # Optuna stamps trials in naive local time
    out = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if t.datetime_start is None or (below is not None and t.number >= below):
            continue
        age = _silence(t, now)
        if age <= LIVE_S or (t.user_attrs.get(PROCESS) and age <= GRACE_S + HEARTBEAT_S):
            out.append(t)
    return out


def silent_running(study: optuna.Study, *, now: datetime | None = None) -> list[FrozenTrial]:
    """The running trials counted (:func:`live_running`) though silent for over
    :data:`LIVE_S`: their process, on another machine or still there, may be killed or
    hung; each runs again once its heartbeat is stale (``GRACE_S``)."""
    now = now or datetime.now()
    return [t for t in live_running(study, now=now) if _silence(t, now) > LIVE_S]


def budget_filled(study: optuna.Study, n_trials: int, *, below: int | None = None) -> bool:
    """Whether the counted trials and the live running ones (``below``: numbered lower)
    make ``n_trials``."""
    return len(counted_trials(study)) + len(live_running(study, below=below)) >= n_trials


class StopWhenFilled:
    """Optuna callback: stop this worker once the counted trials and the trials other
    workers are running make ``n_trials`` (its own trial has just ended). A trial whose
    process is gone (killed on this machine) is failed first and queued again with its
    own values, which this worker then runs (:func:`~genemoe.train.study_budget.fail_gone`)."""

    def __init__(self, n_trials: int) -> None:
        self.n_trials = int(n_trials)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if fail_gone(study):
            requeue_interrupted(study)
        if budget_filled(study, self.n_trials):
            study.stop()


def giving_way(objective: Callable[[optuna.Trial], float], n_trials: int,
               ran: list[int], gave_way: set[int]) -> Callable[[optuna.Trial], float]:
    """``objective`` that first checks the budget: a trial started when the counted trials
    and the live running ones numbered lower make ``n_trials`` raises :class:`BudgetMet`
    (pass it in ``catch``) before it draws values, marked :data:`NOT_RUN`, its number added
    to ``gave_way``; a trial that runs has its number appended to ``ran`` (this call's)."""

    @functools.wraps(objective)
    def wrapped(trial: optuna.Trial) -> float:
        if budget_filled(trial.study, n_trials, below=trial.number):
            gave_way.add(trial.number)
            trial.set_user_attr(NOT_RUN, "the budget was met by trials running in other workers")
            trial.set_user_attr("seconds", 0.0)
            raise BudgetMet(f"trial {trial.number}: the budget of {n_trials} is met by trials "
                            "running in other workers")
        ran.append(trial.number)
        return objective(trial)

    return wrapped


class _GaveWayFilter(logging.Filter):
    """Drops Optuna's "Trial N failed ..." lines of the trials in ``numbers``."""

    def __init__(self, numbers: set[int]) -> None:
        super().__init__()
        self.numbers = numbers

    def filter(self, record: logging.LogRecord) -> bool:
        m = re.match(r"Trial (\d+) failed", str(record.msg))
        return not (m and int(m.group(1)) in self.numbers)


@contextlib.contextmanager
def quiet_gave_way(numbers: set[int]) -> Iterator[None]:
    """Optuna's warning and traceback for a trial that gave way (:func:`giving_way`) held
    back: genemoe's own trial line says it (the numbers are read as each line comes)."""
    logger = logging.getLogger("optuna.study._optimize")
    quiet = _GaveWayFilter(numbers)
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
