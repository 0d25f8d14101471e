"""A study's trial budget: which trials count, which one is chosen, and what runs again.

A study's budget is ``n_trials`` trials that reached an outcome: finished, pruned, or
diverged (training raised ``FloatingPointError``, a real outcome of those values, marked
:data:`DIVERGED` by :func:`marking_divergence`). A trial that never reached an outcome
does not count:

- pruned before it trained because its configuration needed more memory than was free
  (:data:`TOO_BIG`): it says nothing of its values but that this machine, then, could not
  train them, and counting it would leave the model with the largest configurations (the
  widest Gene-MOE on tens of thousands of genes) fewer trained trials than its peers.
  :func:`optimize_to_budget` draws another in its place, at most ``n_trials`` times per
  call; the sampler sees it pruned, so it learns to avoid such configurations;
- interrupted (Ctrl-C or SIGTERM: Optuna records it as failed, as it does a crash;
  :func:`marking_stops` marks it :data:`STOPPED`, ``stopped_by`` in the trials table),
- its process killed (the trial stays running in the database): a worker on the same
  machine fails it as it opens the study or between its trials, its process gone
  (:func:`fail_gone`); elsewhere, with heartbeats (:func:`heartbeat_options`), a worker
  fails it once its heartbeat is :data:`GRACE_S` old,
- crashed on an error that stopped the worker.

Such a trial runs again with its own values the next time a worker opens the study, or
between a worker's trials for one killed on its machine (:func:`requeue_interrupted`, or
Optuna's stale-trial callback for one killed elsewhere), at most :data:`MAX_RETRY` times,
so the starting configuration (trial 0) is never lost to an interruption. Its retry gets a
new trial number (``retry_of`` in the trials table) but draws in its original's place
(:func:`~genemoe.train.study_sampler.draw_position`).

Several workers on one study count each other's running trials towards the budget
(:mod:`genemoe.train.tuning_workers`): none starts a trial once finished and live running
trials make it, and a trial started in the same instant as another gives way before
training (``not_run``, not counted). A study can still hold more than ``n_trials`` counted
trials (a killed worker's trial looked live, an earlier call with a larger budget): the
best trial is chosen among the first ``n_trials`` counted trials by trial number
(:func:`best_in_budget`), so a study's choice sees the same budget however many workers
ran it; the extra trials stay in the trials table (``in_budget`` False) and their cost is
counted.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from genemoe.errors import stop_signal
from genemoe.train.trial_process import PROCESS, process_gone, this_process

log = logging.getLogger(__name__)

DIVERGED = "diverged"  # user attribute of a trial whose training diverged
STOPPED = "stopped_by"  # user attribute of a trial a Ctrl-C or SIGTERM stopped ("Ctrl-C", "SIGTERM")
TOO_BIG = "memory_gb_needed"  # user attribute of a trial pruned before training for memory
HEARTBEAT_S = 60  # seconds between a running trial's heartbeats (database storages)
GRACE_S = 600  # a running trial whose last heartbeat is older than this was killed
MAX_RETRY = 2  # times one interrupted trial runs again
PROGRESS = "seconds_so_far"  # user attribute: a running trial's seconds at its last mark
MARK_S = 10.0  # seconds between a running trial's progress marks
MARKED_AT = "marked_at_unix"  # user attribute: when that mark was written (Unix seconds, UTC)


def too_big(trial: FrozenTrial) -> bool:
    """Whether ``trial`` was pruned before training, too big for the memory free then."""
    return trial.state == TrialState.PRUNED and trial.user_attrs.get(TOO_BIG) is not None


def counts(trial: FrozenTrial) -> bool:
    """Whether ``trial`` reached an outcome (finished, pruned after it trained, or
    diverged)."""
    return (trial.state == TrialState.COMPLETE
            or (trial.state == TrialState.PRUNED and not too_big(trial))
            or (trial.state == TrialState.FAIL and bool(trial.user_attrs.get(DIVERGED))))


def counted_trials(study: optuna.Study) -> list[FrozenTrial]:
    """The study's trials that count against a budget, by trial number."""
    return sorted((t for t in study.get_trials(deepcopy=False) if counts(t)),
                  key=lambda t: t.number)


def budget_numbers(study: optuna.Study, n_trials: int | None) -> set[int]:
    """Trial numbers of the first ``n_trials`` counted trials: the budget's (None: all)."""
    return {t.number for t in counted_trials(study)[:n_trials]}


def best_in_budget(study: optuna.Study, n_trials: int) -> FrozenTrial | None:
    """The finished trial with the highest value among the budget's (ties: the earliest;
    None when none finished). The study maximises."""
    done = [t for t in counted_trials(study)[:n_trials]
            if t.state == TrialState.COMPLETE and t.value is not None]
    return max(done, key=lambda t: t.value) if done else None


class StopAtBudget:
    """Optuna callback: stop this worker once the study holds ``n_trials`` counted trials."""

    def __init__(self, n_trials: int) -> None:
        self.n_trials = int(n_trials)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if len(counted_trials(study)) >= self.n_trials:
            study.stop()


def optimize_to_budget(study: optuna.Study, objective: Callable[[optuna.Trial], float], *,
                       n_trials: int, timeout: float | None = None,
                       callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] = (),
                       **optimize: Any) -> int:
    """Run ``objective`` until ``study`` holds ``n_trials`` counted trials (:func:`counts`).

    A trial pruned before training as too big for the free memory does not count, and
    another is drawn in its place, at most ``n_trials`` such draws per call (a space whose
    configurations mostly do not fit then ends short of its budget, with a warning). Other
    workers' trials count as they finish (:class:`StopAtBudget`). ``timeout`` (seconds)
    bounds the whole call; ``optimize``: further keywords of ``Study.optimize``.

    Returns
    -------
    int
        The draws of this call that were too big for the free memory.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    with optuna_quiet():  # Optuna's INFO line per trial (all parameters) wrote to stderr
        return _optimize_loop(study, objective, n_trials, deadline, callbacks, optimize)


@contextlib.contextmanager
def optuna_quiet() -> Iterator[None]:
    """Optuna's own INFO lines held back (warnings kept), its verbosity restored after; also a
    decorator. genemoe says each trial in a line of its own; from Python (the CLI quiets
    Optuna for good) its per-trial lines and "A new study created in RDB" reached stderr."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(max(verbosity, optuna.logging.WARNING))
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def _optimize_loop(study: optuna.Study, objective: Callable[[optuna.Trial], float], n_trials: int,
                   deadline: float | None, callbacks: Sequence[Callable],
                   optimize: dict[str, Any]) -> int:
    """:func:`optimize_to_budget`'s loop: the too-big draws replaced, counted."""
    n_big, spare = 0, int(n_trials)
    while (missing := n_trials - len(counted_trials(study))) > 0:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            break
        before = sum(too_big(t) for t in study.get_trials(deepcopy=False))
        study.optimize(objective, n_trials=missing, timeout=left,
                       callbacks=[StopAtBudget(n_trials), *callbacks], **optimize)
        new = sum(too_big(t) for t in study.get_trials(deepcopy=False)) - before
        n_big, spare = n_big + new, spare - new
        if new == 0:  # every draw counted, or the study was stopped: nothing to redraw
            break
        if spare <= 0:
            log.warning("study %s: %d draws were too big for the free memory; stopping with "
                        "%d of %d trials", study.study_name, n_big,
                        len(counted_trials(study)), n_trials)
            break
    return n_big


def marking_divergence(objective: Callable[[optuna.Trial], float]
                       ) -> Callable[[optuna.Trial], float]:
    """``objective`` that marks a trial :data:`DIVERGED` before its ``FloatingPointError``
    propagates (to Optuna, which records the trial as failed: a counted outcome)."""

    @functools.wraps(objective)
    def wrapped(trial: optuna.Trial) -> float:
        try:
            return objective(trial)
        except FloatingPointError:
            trial.set_user_attr(DIVERGED, True)
            raise

    return wrapped


def marking_stops(objective: Callable[[optuna.Trial], float]) -> Callable[[optuna.Trial], float]:
    """``objective`` that marks a trial :data:`STOPPED` (``"Ctrl-C"`` or ``"SIGTERM"``)
    before a ``KeyboardInterrupt`` propagates: Optuna records the trial as failed, as it
    does a crash, and the trials table then told an interrupted trial from a failed one
    nowhere (the report said "2 fail" of two Ctrl-C's)."""

    @functools.wraps(objective)
    def wrapped(trial: optuna.Trial) -> float:
        try:
            return objective(trial)
        except KeyboardInterrupt as stop:
            with contextlib.suppress(Exception):  # a busy database: the trial stays a FAIL
                trial.set_user_attr(STOPPED, stop_signal(stop) or "Ctrl-C")
            raise

    return wrapped


def running_elsewhere(study: optuna.Study) -> int:
    """The study's trials running now, as a worker opens it: another process's (a worker
    sharing the study), once trials whose process is gone (killed on this machine,
    :func:`fail_gone`) or whose heartbeat is stale (killed elsewhere) are failed, as Optuna
    fails the stale ones before each trial; one killed on another machine under
    :data:`GRACE_S` ago still looks running."""
    fail_gone(study)
    with warnings.catch_warnings():  # Optuna marks fail_stale_trials experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    return len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))


def fail_gone(study: optuna.Study, *, max_retry: int = MAX_RETRY) -> list[int]:
    """Fail the study's running trials whose process is known to be gone (killed on this
    machine: :func:`~genemoe.train.trial_process.process_gone`), each said in a warning;
    :func:`requeue_interrupted` then queues each again with its own values. Returns their
    numbers.

    Such a trial was taken for killed once its progress marks were stale (30 s) but failed
    only once its heartbeat was (:data:`GRACE_S`): a rerun in between said it was "still
    running in another process", and filled the budget without it."""
    gone = [t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            if process_gone(t.user_attrs.get(PROCESS))]
    for t in gone:
        study.tell(t.number, state=TrialState.FAIL, skip_if_finished=True)
        history = [*(t.system_attrs.get("retry_history") or []), t.number]
        log.warning("trial %d's process stopped without a word (killed?): %s", t.number,
                    "it had drawn no values; a new trial takes its place" if not t.params
                    else f"its values ran {len(history)} times without an outcome; not again"
                    if len(history) > max_retry else "it runs again with its own values")
    return [t.number for t in gone]


class ProgressMark:
    """A running trial's seconds so far (:data:`PROGRESS`), written as the ``with`` block
    starts and then every :data:`MARK_S` seconds by a background thread until it ends; and,
    as it starts, the process running it (:data:`~genemoe.train.trial_process.PROCESS`).

    A trial whose process is killed records no ``seconds`` of its own, and the database's
    span from its start to when a later worker fails it as stale includes the time nobody
    ran it (hours, when a run is resumed the next day); its last mark bounds what it cost
    (:func:`trial_seconds`). The thread marks through a long epoch: marks written only
    between epochs left a trial killed in its first epoch (minutes, for an image model on a
    CPU) costing at most :data:`MARK_S`."""

    def __init__(self, trial: optuna.Trial, t0: float) -> None:
        self.trial, self.t0 = trial, t0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"progress-mark-{trial.number}")

    def __enter__(self) -> ProgressMark:
        self.trial.set_user_attr(PROCESS, this_process())  # is it gone? (trial_process)
        self._write()  # before the thread: later marks update a key the trial already holds
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()  # no mark after the trial ends (a finished trial is read-only)

    def _write(self) -> None:
        self.trial.set_user_attr(PROGRESS, round(time.perf_counter() - self.t0, 3))
        self.trial.set_user_attr(MARKED_AT, round(time.time(), 3))  # Optuna's stamps are naive

    def _run(self) -> None:
        while not self._stop.wait(MARK_S):
            try:
                self._write()
            except Exception as exc:  # noqa: BLE001 - a busy database: the next mark tries again
                log.debug("trial %d: progress mark not written (%s)", self.trial.number, exc)


def forget_inherited(trial: optuna.Trial) -> None:
    """Set to None every user attribute ``trial`` holds when it starts.

    Optuna's heartbeat retry copies a killed trial's user attributes into the trial that
    runs it again, so a retry pruned before it trained showed the killed trial's best
    epoch, 38 epochs run and inner splits' values in the trials table. A trial's user
    attributes are written by its own run only, so whatever it holds at its start is
    inherited."""
    for key, value in trial.user_attrs.items():
        if value is not None:
            trial.set_user_attr(key, None)


def trial_seconds(trial: FrozenTrial) -> float | None:
    """What ``trial`` cost in seconds: the ``seconds`` it recorded; for a trial that ended
    without recording them (interrupted, killed, diverged) its span in the database, capped
    at its last progress mark plus :data:`MARK_S` (a killed trial's span runs on until
    a later worker fails it); None for a trial that has not ended."""
    seconds = trial.user_attrs.get("seconds")
    if seconds is not None:
        return float(seconds)
    if trial.datetime_start is None or trial.datetime_complete is None:
        return None
    span = (trial.datetime_complete - trial.datetime_start).total_seconds()
    mark = trial.user_attrs.get(PROGRESS)
    return span if mark is None else min(span, float(mark) + MARK_S)


def retry_of(trial: FrozenTrial) -> int | None:
    """The number of the interrupted trial ``trial`` runs again (None: not a retry)."""
    history = trial.system_attrs.get("retry_history") or []
    return int(history[0]) if history else None


def requeue_interrupted(study: optuna.Study, *, max_retry: int = MAX_RETRY) -> int:
    """Queue every failed, uncounted trial not yet queued again, with its own values.

    Returns the number of trials queued. A trial interrupted before it drew its values has
    none to repeat and is left (it does not count; a new trial takes its place).
    """
    trials = study.get_trials(deepcopy=False)
    retried = {int(n) for t in trials for n in (t.system_attrs.get("retry_history") or [])}
    queued = 0
    for t in trials:
        if t.state != TrialState.FAIL or counts(t) or t.number in retried or not t.params:
            continue
        history = [*(t.system_attrs.get("retry_history") or []), t.number]
        if len(history) > max_retry:
            continue
        study.add_trial(optuna.trial.create_trial(
            state=TrialState.WAITING, params=t.params, distributions=t.distributions,
            system_attrs={"failed_trial": history[0], "retry_history": history}))
        queued += 1
    return queued


def heartbeat_options() -> dict[str, Any]:
    """``RDBStorage`` keywords: heartbeats, and a killed trial queued again once stale."""
    with warnings.catch_warnings():  # Optuna marks the retry callback experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
    return {"heartbeat_interval": HEARTBEAT_S, "grace_period": GRACE_S,
            "heartbeat_stale_trial_callback": retry}


class TuningInterrupted(KeyboardInterrupt):
    """Ctrl-C during a search that had finished trials: ``result`` is the ``TuneResult``
    they found (the study holds them; a rerun resumes it)."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


def is_start_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
    """Whether ``trial`` is the enqueued starting configuration (trial 0) or a retry of it."""
    if trial.system_attrs.get("failed_trial", trial.number) != 0:
        return False
    first = study.get_trials(deepcopy=False)[0]
    return "fixed_params" in first.system_attrs
