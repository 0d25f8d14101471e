"""A trial's parameters: drawn from a search space, set into the options, and the
starting configuration's own (trial 0 of :func:`genemoe.train.tuning.tune_model`).

Values are stored in Optuna as drawn, a categorical choice by its code
(:func:`~genemoe.train.tuning_records.encode_choice`); ``model.x`` and ``train.x`` keys name
a config section and an option (``train`` aliases: :data:`~genemoe.config_presets.
TRAIN_ALIASES`).
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

import optuna

from genemoe.config_presets import TRAIN_ALIASES
from genemoe.errors import input_error
from genemoe.models.search_spaces import (
    Categorical,
    Fixed,
    FloatParam,
    IntParam,
    SearchSpace,
    contains,
)
from genemoe.train.fit import LOSS_DEFAULTS
from genemoe.train.tuning_records import encode_choice

__all__ = ["apply_params", "sample_params", "start_params", "starting_values", "train_defaults"]


def sample_params(trial: optuna.Trial, space: SearchSpace) -> dict[str, Any]:
    """One value per key of ``space`` (declared order; ``at_most`` keys after their cap)."""
    out: dict[str, Any] = {}
    for key, p in space.items():
        if isinstance(p, Fixed):
            out[key] = p.value
        elif isinstance(p, FloatParam):
            out[key] = trial.suggest_float(key, p.low, p.high, log=p.log)
        elif isinstance(p, IntParam):
            high = p.high if p.at_most is None else min(p.high, int(out[p.at_most]))
            out[key] = trial.suggest_int(key, p.low, max(p.low, high), log=p.log)
        elif isinstance(p, Categorical):
            codes = {encode_choice(c): c for c in p.choices}
            out[key] = codes[trial.suggest_categorical(key, list(codes))]
        else:
            raise TypeError(f"unknown parameter type {type(p).__name__} for {key!r}")
    return out


def apply_params(model_cfg: dict, train_cfg: dict, params: dict[str, Any]) -> tuple[dict, dict]:
    """Copies of ``model_cfg`` / ``train_cfg`` with ``params`` (``model.x`` / ``train.x``) set."""
    model_cfg, train_cfg = dict(model_cfg), dict(train_cfg)
    for key, value in params.items():
        section, _, option = key.partition(".")
        if section == "model":
            model_cfg[option] = value
        elif section == "train":
            train_cfg[TRAIN_ALIASES.get(option, option)] = value
        else:
            raise input_error(f"search-space key {key!r} names no config section",
                              where="search space", fix="start each key with model. or train.")
    return model_cfg, train_cfg


def train_defaults() -> dict[str, Any]:
    """The training options a run takes where its config leaves them out: the trainer's
    (``TrainConfig``'s) and the losses' defaults."""
    from genemoe.train.train_config import TrainConfig

    out = {f.name: f.default for f in fields(TrainConfig) if f.default is not MISSING}
    return {**out, **LOSS_DEFAULTS}


def starting_values(space: SearchSpace, model_cfg: dict, train_cfg: dict) -> dict[str, Any]:
    """The starting configuration's value of each searched (not fixed) key of ``space``
    that the configuration holds, as the configuration holds it."""
    out: dict[str, Any] = {}
    for key, p in space.items():
        section, _, option = key.partition(".")
        cfg = model_cfg if section == "model" else train_cfg
        option = option if option in cfg else TRAIN_ALIASES.get(option, option)
        if not isinstance(p, Fixed) and option in cfg:
            out[key] = cfg[option]
    return out


def start_params(space: SearchSpace, model_cfg: dict, train_cfg: dict) -> dict[str, Any]:
    """The starting configuration's values of the keys of ``space`` it can take (as Optuna
    stores them); keys whose starting value lies outside the space are left out (see
    :func:`~genemoe.models.search_spaces.widen_to_start`)."""
    out: dict[str, Any] = {}
    for key, value in starting_values(space, model_cfg, train_cfg).items():
        p = space[key]
        if contains(p, value, out):
            out[key] = encode_choice(value) if isinstance(p, Categorical) else value
    return out
