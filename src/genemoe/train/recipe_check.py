"""Checks of a training recipe's values that :class:`~genemoe.train.train_config.TrainConfig`
does not hold: the loss options' choices (``class_alpha``, ``cox_ties``,
``survival_selection``, ``focal_gamma``) and numbers written in quotes.

Made when a config is resolved, before any fit: ``class_alpha: inverse_sqr`` was refused
in the loss, after a benchmark's first cell had trained, naming neither the option nor the
file; ``lr: "1e-3"`` got the fix "set lr above 0".

:func:`check_run_arguments` checks the ``seed`` and ``epochs`` a caller passes as arguments,
in the words of an argument (``train_run(epochs="2")`` was told "write it without quotes:
epochs: 2", a YAML fix for a Python call).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from genemoe.errors import input_error, nearest_names
from genemoe.train.selection import SURVIVAL_SELECTION

__all__ = ["CLASS_WEIGHTINGS", "COX_TIES", "SEED_MAX", "check_run_arguments",
           "check_train_values", "number_in_text"]

CLASS_WEIGHTINGS: tuple[str, ...] = ("inverse", "inverse_sqrt", "none")
"""``class_alpha``'s choices (:func:`~genemoe.train.losses.class_alpha`)."""
COX_TIES: tuple[str, ...] = ("efron", "breslow")
"""``cox_ties``' choices."""

SEED_MAX: int = 2**32 - 1
"""The largest seed numpy's generators take."""

_CHOICES: dict[str, tuple[str, ...]] = {"class_alpha": CLASS_WEIGHTINGS, "cox_ties": COX_TIES,
                                        "survival_selection": SURVIVAL_SELECTION}


def number_in_text(value: Any) -> bool:
    """Whether ``value`` is text that reads as a number (``"1e-3"``, ``"6"``): a number
    written in quotes."""
    if not isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value.strip()))
    except ValueError:
        return False


def check_train_values(train_cfg: Mapping[str, Any]) -> None:
    """Refuse a quoted number, an unknown choice of a loss option, or a negative
    ``focal_gamma`` in the resolved training options ``train_cfg``.

    Raises
    ------
    InputError
        Naming the key path (``train.class_alpha``), the value and the values allowed; the
        caller adds the config file.
    """
    for key, value in train_cfg.items():
        if number_in_text(value):
            raise input_error(
                f"{key} is the text {value!r} (in quotes), not a number", where=f"train.{key}",
                fix=f"write it without quotes: {key}: {value.strip()}")
    for key, allowed in _CHOICES.items():
        if key in train_cfg and train_cfg[key] not in allowed:
            value = train_cfg[key]
            raise input_error(
                f"unknown {key} {value!r}" + nearest_names([str(value)], allowed),
                where=f"train.{key}", fix=f"set {key} to one of: {', '.join(allowed)}")
    gamma = train_cfg.get("focal_gamma")
    if gamma is not None and (isinstance(gamma, bool) or not isinstance(gamma, (int, float))
                              or not math.isfinite(gamma) or gamma < 0):
        raise input_error(f"focal_gamma is {gamma!r}, not a number of 0 or more",
                          where="train.focal_gamma",
                          fix="set focal_gamma to 0 or more (0: plain cross-entropy; 2 is usual)")


def _said(value: Any) -> str:
    """``value`` as an error shows it: its repr, said a string or a bool where it could pass
    for a number (``'2' (a string)``)."""
    kind = "a string" if isinstance(value, str) else "a bool" if isinstance(value, bool) else ""
    return f"{value!r} ({kind})" if kind else repr(value)[:40]


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_run_arguments(seed: Any, epochs: Any = None) -> None:
    """Refuse a ``seed`` argument that is not a whole number from 0 to :data:`SEED_MAX`, or
    an ``epochs`` argument that is not None or a whole number, naming the argument (and its
    command-line flag), not a YAML key.

    ``epochs`` below 1 is left to :class:`~genemoe.train.train_config.TrainConfig`, which
    names it beside the other refused training values (each with the file or argument that
    set it).

    Raises
    ------
    InputError
        ``seed="1"`` (a quoted number), ``seed=1.5``, ``seed=-1``, ``epochs="2"`` ...
    """
    if not _whole(seed):
        raise input_error(f"must be a whole number, got {_said(seed)}", where="seed",
                          fix=f"pass seed a whole number from 0 to {SEED_MAX}"
                              + ", without quotes" * isinstance(seed, str) + " (CLI: --seed)")
    if not 0 <= seed <= SEED_MAX:  # the YAML's train: section cannot set it (was said to)
        raise input_error(f"must be from 0 to {SEED_MAX}, got {seed}", where="seed",
                          fix=f"pass seed a whole number from 0 to {SEED_MAX} (CLI: --seed)")
    if epochs is not None and not _whole(epochs):
        raise input_error(f"must be a whole number, got {_said(epochs)}", where="epochs",
                          fix="pass epochs a whole number, 1 or more"
                              + ", without quotes" * isinstance(epochs, str)
                              + " (CLI: --epochs), or None for the preset's")
