"""The sampler of a tuning study: TPE seeded per trial number, and the study it samples.

Trial ``i`` samples with a TPE sampler seeded from ``(seed, i)`` (TPE: Optuna's
Tree-structured Parzen Estimator; its first ``n_startup_trials`` trials sample at random),
so two workers sharing a study never draw the same trial and a resumed study continues as
an uninterrupted one would (:mod:`genemoe.train.tuning`, "Reproducibility").
"""

from __future__ import annotations

import hashlib

import numpy as np
import optuna

from genemoe.train.study_storage import study_storage

__all__ = ["SeededTPE", "open_study", "N_STARTUP_TRIALS"]

N_STARTUP_TRIALS = 5  # random trials before TPE models the results (Optuna's default: 10,
#                       which leaves TPE nothing to do in a 10-trial budget)


class SeededTPE(optuna.samplers.BaseSampler):
    """TPE seeded per trial number ``i`` (one seed per study would give two workers the same
    trials, and a resumed study others than an uninterrupted one), and per option ``k`` in
    the random start-up trials (``(seed, i, k)``): a key added to a space leaves the other
    keys' start-up draws as they were. The TPE trials after them draw all options jointly
    (Optuna's multivariate default), so a new dimension changes those, as it must.
    """

    def __init__(self, seed: int, n_startup_trials: int = N_STARTUP_TRIALS) -> None:
        self._seed, self._n_startup = int(seed), int(n_startup_trials)
        self._inner: dict[tuple[int, str], optuna.samplers.TPESampler] = {}

    def _for(self, trial: optuna.trial.FrozenTrial, key: str = "") -> optuna.samplers.TPESampler:
        if (trial.number, key) not in self._inner:
            words = [self._seed, trial.number] + ([int.from_bytes(
                hashlib.sha256(key.encode()).digest()[:4], "little")] if key else [])
            s = int(np.random.SeedSequence(words).generate_state(1)[0])
            self._inner[trial.number, key] = optuna.samplers.TPESampler(
                seed=s, n_startup_trials=self._n_startup)
        return self._inner[trial.number, key]

    def infer_relative_search_space(self, study, trial):
        return self._for(trial).infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self._for(trial).sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._for(trial, param_name).sample_independent(study, trial, param_name,
                                                               param_distribution)

    def before_trial(self, study, trial) -> None:
        self._for(trial).before_trial(study, trial)

    def after_trial(self, study, trial, state, values) -> None:
        self._for(trial).after_trial(study, trial, state, values)
        for k in [k for k in self._inner if k[0] == trial.number]:
            del self._inner[k]


def open_study(storage: str | None, study_name: str, *, seed: int,
               pruner: optuna.pruners.BasePruner | None = None,
               n_startup_trials: int = N_STARTUP_TRIALS) -> optuna.Study:
    """Create or load (``load_if_exists``) the maximising study ``study_name`` in ``storage``."""
    return optuna.create_study(
        storage=study_storage(storage), study_name=study_name, direction="maximize",
        sampler=SeededTPE(seed, n_startup_trials),
        pruner=pruner if pruner is not None else optuna.pruners.MedianPruner(n_warmup_steps=5),
        load_if_exists=True)
