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
    """The section (``train``/``model``) and the keys an error of the config's checks
    names: its ``where`` (``train.class_alpha``, ``model.genemoe.k``), or the keys of
    TrainConfig's ``invalid training value(s): epochs=0, lr=-1``."""
    where = exc.where or ""
    problem = exc.problem or str(exc)
    if where.startswith("train."):
        return "train", [where.split(".", 1)[1]]
    if where == "train config":
        listed = problem.split(":", 1)[1] if ":" in problem else problem
        return "train", re.findall(r"(\w+)=", listed)
    if where.startswith("model."):
        return "model", [*where.split(".")[2:3], *re.findall(r"\w+", problem)]
    return "", []


@contextlib.contextmanager
def naming_origin(origins: Sequence[Origin], task: str | None, model_name: str,
                  arguments: Mapping[str, str]) -> Iterator[None]:
    """Re-raise an :class:`~genemoe.errors.InputError` that names no file as one naming
    where its value came from: the flag of ``arguments`` (training key → ``"--epochs"``:
    given to the function, not written in a file) or the last file that set it.

    An error whose key no layer set (a code default) is left as it is.
    """
    try:
        yield
    except InputError as exc:
        if exc.path is not None:
            raise
        section, keys = _blamed_keys(exc)
        if section == "train" and len(keys) > 1:  # `epochs=0, lr=-1`: each key's own source
            setters = {key: arguments.get(key) or last_setter(key, origins, "train", model_name,
                                                             task) for key in keys}
            if len({str(s) for s in setters.values()}) > 1:
                raise input_error(exc.problem or str(exc), where="train config, set by (" + "; ".join(
                    f"{key}: {'the code default' if s is None else s}"
                    for key, s in setters.items()) + ")", fix=exc.fix) from None
        if section == "train" and keys and keys[0] in arguments:
            raise input_error(exc.problem or str(exc), where=f"{arguments[keys[0]]}",
                              fix=exc.fix) from None
        source = (last_setter(keys[0], origins, "train", model_name, task) if section == "train"
                  and keys else origin_of_model_key(keys, origins, model_name)
                  if section == "model" else None)
        if source is None:
            raise
        raise input_error(exc.problem or str(exc), path=source, where=exc.where,
                          fix=exc.fix) from None
