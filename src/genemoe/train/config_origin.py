"""Which config file (or argument) set a value refused when the config is resolved.

:func:`~genemoe.train.fit.resolve_config` merges the ``--preset`` file's layers (the chain
of ``extends:``), a ``--config`` file's and those it extends, then ``--epochs``, ``--seed``
and ``--device``. A bad value was blamed on ``--config`` wherever it sat: a ``--preset``
file's ``train: {class_alpha: inverse_sqr}`` read "c.yaml: train.class_alpha: unknown",
and ``epochs=0`` passed from Python read as c.yaml's too. Here each refused key is traced
back to the last layer that set it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from genemoe.config_presets import last_setter
from genemoe.errors import InputError, input_error
from genemoe.train.train_config import VALID

__all__ = ["Origin", "naming_origin", "origin_of_model_key"]

Origin = tuple[str | Path, Mapping[str, Any]]
"""A layer of the config: the file that wrote it (a packaged preset: ``"preset small"``)
and its content as written (without ``extends:``)."""


def origin_of_model_key(keys: Sequence[str], origins: Sequence[Origin],
                        model_name: str) -> str | Path | None:
    """The last layer whose ``model.<model_name>`` section sets one of ``keys`` (or, none
    named, has the section at all); None when no layer has it."""
    for want_key in (True, False):
        for source, data in reversed(origins):
            section = (data.get("model") or {}).get(model_name)
            if isinstance(section, Mapping) and (not want_key or set(keys) & set(map(str, section))):
                return source
    return None


def _blamed_keys(exc: InputError) -> tuple[str, list[str]]:
    """The section (``train``/``pretrain``/``model``) and the keys an error of the config's
    checks names: its ``where`` (``train.class_alpha``, ``model.genemoe.k``), or the keys of
    TrainConfig's ``invalid training value(s): epochs=0, lr=-1`` (PretrainConfig's alike,
    and its ``unknown pre-training option(s) a, b``)."""
    where = exc.where or ""
    problem = exc.problem or str(exc)
    if where.startswith("train."):
        return "train", [where.split(".", 1)[1]]
    if where in ("train config", "pretrain config"):
        listed = problem.split(":", 1)[1] if ":" in problem else problem
        return where.split()[0], re.findall(r"(\w+)=", listed)
    if where.startswith("pretrain: section") and (m := re.search(r"option\(s\) ([^(]+)", problem)):
        return "pretrain", [k.strip() for k in m.group(1).split(",") if k.strip()]
    if where.startswith("model."):
        return "model", [*where.split(".")[2:3], *re.findall(r"\w+", problem)]
    return "", []


def _source_name(source: str | Path) -> str:
    """A file's name (``c.yaml``), a packaged preset's (``preset small``)."""
    return str(source) if str(source).startswith("preset ") else Path(source).name


def _fix_by_source(section: str, setters: Mapping[str, str | Path | None],
                   arguments: Mapping[str, str], valid: Mapping[str, str]) -> str:
    """The fix of refused values, each where it was set: an argument is passed (``pass
    epochs a whole number, 1 or more (CLI: --epochs)``: it was told to set the YAML's
    ``train:`` key), a file's value set in that file (named when they are several)."""
    several = len({str(s) for s in setters.values()}) > 1
    parts = []
    for key, source in setters.items():
        may = valid.get(key, "to a valid value")
        if key in arguments:
            parts.append(f"pass {key} {may.removeprefix('to ')} (CLI: --{key.replace('_', '-')})")
        elif source is None:  # a code default (none is refused): said as before
            parts.append(f"set {key} {may} (the `{section}:` section of the --config YAML)")
        else:
            parts.append(f"set {key} {may}"
                         + (f" in {_source_name(source)}" if several else ""))
    tail = ("" if several or any(k in arguments for k in setters)
            else f" (in that file's `{section}:` section)" if section == "pretrain"
            else " (in that file)")
    return "; ".join(parts) + tail


@contextlib.contextmanager
def naming_origin(origins: Sequence[Origin], task: str | None, model_name: str,
                  arguments: Mapping[str, str], valid: Mapping[str, str] | None = None
                  ) -> Iterator[None]:
    """Re-raise an :class:`~genemoe.errors.InputError` that names no file as one naming
    where its value came from: the flag of ``arguments`` (training key → ``"--epochs"``:
    given to the function, not written in a file) or the last file that set it.

    ``valid`` (key → what it may be: :data:`~genemoe.train.train_config.VALID` by default,
    pre-training's own for a ``pretrain:`` section) words the fix for where each value was
    set: an argument's as the argument (``train_run(epochs=0)`` was told to set the YAML's
    ``train:`` key), a file's in that file. An error whose key no layer set (a code
    default) is left as it is.
    """
    try:
        yield
    except InputError as exc:
        if exc.path is not None:
            raise
        section, keys = _blamed_keys(exc)
        problem = exc.problem or str(exc)
        if section == "model":
            source = origin_of_model_key(keys, origins, model_name)
            if source is None:
                raise
            raise input_error(problem, path=source, where=exc.where, fix=exc.fix) from None
        if not keys:
            raise
        setters = {key: arguments.get(key) or last_setter(key, origins, section, model_name,
                                                          task) for key in keys}
        if all(s is None for s in setters.values()):
            raise
        fix = (_fix_by_source(section, setters, arguments, VALID if valid is None else valid)
               if exc.where in ("train config", "pretrain config") else exc.fix)
        where = "pretrain" if section == "pretrain" else exc.where
        if len({str(s) for s in setters.values()}) > 1:  # `epochs=0, lr=-1`: each key's own
            raise input_error(problem, where=f"{section} config, set by (" + "; ".join(
                f"{key}: {'the code default' if s is None else s}"
                for key, s in setters.items()) + ")", fix=fix) from None
        if keys[0] in arguments:
            raise input_error(problem, where=arguments[keys[0]], fix=fix) from None
        raise input_error(problem, path=setters[keys[0]], where=where, fix=fix) from None
