"""Packaged configuration presets (``small``, ``base``, ``paper``) and their loader.

A preset is a YAML mapping with a ``model:`` section (one sub-mapping per model family,
keyed by registry name), a ``train:`` section, optional per-task overrides of it
(``train_classify:``, ``train_survival:``) and a ``pretrain:`` section. A user YAML may start from a preset with
``extends: <name or path>`` and override any key; :func:`deep_merge` does the overriding.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from genemoe.errors import input_error

__all__ = [
    "PRESET_DIR",
    "list_presets",
    "load_preset",
    "model_config",
    "train_config",
    "deep_merge",
    "check_config_keys",
]

logger = logging.getLogger(__name__)

PRESET_DIR = Path(__file__).resolve().parent / "configs"
_MAX_EXTENDS = 8  # depth limit of ``extends:`` chains (guards against cycles)


def list_presets() -> list[str]:
    """Names of the packaged presets (``configs/<name>.yaml``)."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def deep_merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: ``a`` updated by ``b``, recursing where both values are mappings.

    The result shares nothing with the inputs (values are deep-copied); lists and scalars
    in ``b`` replace those in ``a``.
    """
    out: dict[str, Any] = copy.deepcopy(dict(a))
    for key, value in b.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        if not path.is_file():
            raise input_error(
                "config file not found",
                path=path,
                fix=f"give an existing YAML file or a preset name ({', '.join(list_presets())})",
            )
        return path
    if text in list_presets():
        return PRESET_DIR / f"{text}.yaml"
    raise input_error(
        f"unknown preset {text!r}",
        where="--preset",
        fix=f"choose one of: {', '.join(list_presets())}, or a YAML path",
    )


def load_preset(name_or_path: str | Path, *, _depth: int = 0) -> dict[str, Any]:
    """Load a packaged preset by name, or a YAML file by path.

    Parameters
    ----------
    name_or_path
        ``"small"``, ``"base"``, ``"paper"``, or a path to a YAML file. A file may contain
        ``extends: <name or path>``; it is then merged over that preset.

    Returns
    -------
    dict
        The resolved configuration (``model``, ``train``, ...), without ``extends``.

    Raises
    ------
    InputError
        Unknown name (the message lists the presets), missing file, or a file whose top
        level is not a mapping.
    """
    path = _resolve(name_or_path)
    with path.open() as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise input_error(
            "a config must be a YAML mapping (model:, train:, ...)",
            path=path,
            fix="start the file with top-level keys such as 'model:'",
        )
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if _depth >= _MAX_EXTENDS:
        raise input_error(
            "'extends' chain too deep (a cycle?)",
            path=path,
            fix="make the chain of 'extends' end at a packaged preset",
        )
    if not Path(str(parent)).is_absolute() and Path(str(parent)).suffix in {".yaml", ".yml"}:
        parent = path.parent / str(parent)
    logger.debug("config %s extends %s", path, parent)
    return deep_merge(load_preset(parent, _depth=_depth + 1), data)


def model_config(preset: Mapping[str, Any], model_name: str) -> dict[str, Any]:
    """The keyword configuration of ``model_name`` in ``preset`` (``{}`` if absent).

    The result is a copy: pass it to ``create_model(name, ..., **config)``.
    """
    section = preset.get("model") or {}
    return dict(section.get(model_name) or {})


def train_config(preset: Mapping[str, Any], task: str | None = None,
                 model_name: str | None = None) -> dict[str, Any]:
    """A copy of the ``train:`` section of ``preset`` (``{}`` if absent).

    With ``task`` (``classify`` or ``survival``), the preset's ``train_<task>:`` section,
    if any, overrides it key by key: the two tasks may need different learning rates or
    patience (a Cox loss on a few hundred patients is noisier than a 33-class focal loss).
    With ``model_name`` too, ``train_<task>_models: {<model>: {...}}`` overrides that in
    turn: one model's own recipe for the task (e.g. the values a tuning run chose for it).
    """
    section = dict(preset.get("train") or {})
    if task is not None:
        section = deep_merge(section, dict(preset.get(f"train_{task}") or {}))
        if model_name is not None:
            per_model = preset.get(f"train_{task}_models") or {}
            section = deep_merge(section, dict(per_model.get(model_name) or {}))
    return section


def check_config_keys(model_name: str, config: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise an :class:`~genemoe.errors.InputError` naming any key ``model_name`` lacks.

    Model factories call this so that a misspelt preset key fails loudly instead of
    silently falling back to a default.
    """
    allowed = set(allowed)
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise input_error(
            f"model {model_name!r} has no option(s) {', '.join(unknown)}",
            where=f"model.{model_name}",
            fix=f"use only: {', '.join(sorted(allowed))}",
        )
