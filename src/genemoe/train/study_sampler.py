"""The sampler of a tuning study: TPE seeded per draw, and the study it samples.

The ``i``-th draw of a study samples with a TPE sampler seeded from ``(seed, i)`` (TPE:
Optuna's Tree-structured Parzen Estimator; its first ``n_startup_trials`` trials sample at
random), ``i`` the trial's place among the study's draws (:func:`draw_position`): its
trial number less the retries numbered below it, and for a retry (an interrupted trial run
again with its own values, a new trial number) the place of the trial it runs again. So
two workers sharing a study never draw the same trial (places grow with trial numbers),
and a study resumed after an interrupted trial draws what an uninterrupted one would:
seeded by trial number, the retry's new number shifted every later draw by one (a probe:
the resumed trial 5 drew lr 0.00028 where the uninterrupted trial 4 drew 0.000137).

Limits: a trial interrupted before it drew its values (a Ctrl-C in the instant between
its start and its draw) has no retry; the trial drawn in its place takes the next place,
so the draws after it are the uninterrupted study's one place later. A draw after the
random start-up trials models the finished trials in the order the study holds them, the
retry where it ran; TPE weighs trials alike up to 25 of them (Optuna's default weights),
so beyond that a resumed study's TPE draws may differ slightly. And whatever differs in
the trials' values (training on a GPU, a trial pruned for the memory free then) differs
in the draws modelled on them.
"""

from __future__ import annotations

import hashlib

import numpy as np
import optuna

from genemoe.train.study_storage import study_storage

__all__ = ["SeededTPE", "draw_position", "open_study", "existing_study", "N_STARTUP_TRIALS"]

N_STARTUP_TRIALS = 5  # random trials before TPE models the results (Optuna's default: 10,
#                       which leaves TPE nothing to do in a 10-trial budget)


def _original(trial: optuna.trial.FrozenTrial) -> int | None:
    """The number of the trial ``trial`` runs again (None: not a retry)."""
    history = trial.system_attrs.get("retry_history") or []
    return int(history[0]) if history else None


def draw_position(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> int:
    """``trial``'s place among the study's draws: its number less the retries numbered
    below it; a retry's is that of the trial it runs again.

    A retry is a retry from its creation (queued with ``retry_history``), so the place of a
    trial that is not one never changes once it starts, and two such trials never share
    one (between them lies at least the earlier one, which is not a retry)."""
    number = _original(trial)
    number = trial.number if number is None else number
    below = sum(1 for t in study.get_trials(deepcopy=False)
                if t.number < number and _original(t) is not None)
    return number - below


class SeededTPE(optuna.samplers.BaseSampler):
    """TPE seeded per draw ``i`` (:func:`draw_position`; one seed per study would give two
    workers the same trials), and per option ``k`` in
    the random start-up trials (``(seed, i, k)``): a key added to a space leaves the other
    keys' start-up draws as they were. The TPE trials after them draw all options jointly
    (Optuna's multivariate default), so a new dimension changes those, as it must.
    """

    def __init__(self, seed: int, n_startup_trials: int = N_STARTUP_TRIALS) -> None:
        self._seed, self._n_startup = int(seed), int(n_startup_trials)
        self._inner: dict[tuple[int, str], optuna.samplers.TPESampler] = {}
        self._place: dict[int, int] = {}  # trial number -> its draw's place

    def _for(self, study: optuna.Study, trial: optuna.trial.FrozenTrial,
             key: str = "") -> optuna.samplers.TPESampler:
        if trial.number not in self._place:
            self._place[trial.number] = draw_position(study, trial)
        if (trial.number, key) not in self._inner:
            words = [self._seed, self._place[trial.number]] + ([int.from_bytes(
                hashlib.sha256(key.encode()).digest()[:4], "little")] if key else [])
            s = int(np.random.SeedSequence(words).generate_state(1)[0])
            self._inner[trial.number, key] = optuna.samplers.TPESampler(
                seed=s, n_startup_trials=self._n_startup)
        return self._inner[trial.number, key]

    def infer_relative_search_space(self, study, trial):
        return self._for(study, trial).infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self._for(study, trial).sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._for(study, trial, param_name).sample_independent(
            study, trial, param_name, param_distribution)

    def before_trial(self, study, trial) -> None:
        self._for(study, trial).before_trial(study, trial)

    def after_trial(self, study, trial, state, values) -> None:
        self._for(study, trial).after_trial(study, trial, state, values)
        for k in [k for k in self._inner if k[0] == trial.number]:
            del self._inner[k]
        self._place.pop(trial.number, None)


def open_study(storage: str | None, study_name: str, *, seed: int,
               pruner: optuna.pruners.BasePruner | None = None,
               n_startup_trials: int = N_STARTUP_TRIALS) -> optuna.Study:
    """Create or load (``load_if_exists``) the maximising study ``study_name`` in ``storage``."""
    return optuna.create_study(
        storage=study_storage(storage), study_name=study_name, direction="maximize",
        sampler=SeededTPE(seed, n_startup_trials),
        pruner=pruner if pruner is not None else optuna.pruners.MedianPruner(n_warmup_steps=5),
        load_if_exists=True)


def existing_study(storage: str | None, study_name: str, *, seed: int,
                   pruner: optuna.pruners.BasePruner | None = None,
                   n_startup_trials: int = N_STARTUP_TRIALS) -> optuna.Study | None:
    """The study ``study_name`` in ``storage`` as :func:`open_study` opens it, if it exists;
    None where it does not (or ``storage`` is None: memory), creating nothing.

    A tuning reads a study that exists before a classical model's grid search (a resume
    checks its setup and reuses its recorded grid choice) and creates one only after the
    grid: created before, a grid that crashed or was stopped (Ctrl-C) left an empty study
    behind, with no setup, that the next call opened as its own whatever its options.
    """
    if storage is None:
        return None
    try:
        return optuna.load_study(
            study_name=study_name, storage=study_storage(storage),
            sampler=SeededTPE(seed, n_startup_trials),
            pruner=pruner if pruner is not None else optuna.pruners.MedianPruner(n_warmup_steps=5))
    except KeyError:  # Optuna: "Record does not exist."
        return None
