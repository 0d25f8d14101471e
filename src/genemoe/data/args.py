"""Python arguments as a user passes them: one value where a list goes, a bundle object
where its folder goes.

The command line always hands the functions lists and paths; from Python a single path,
id or model name was iterated character by character (``models="logreg"`` became
``'l', 'o', 'g', ...``), a numpy array of sample ids failed on its truth value, and the
``Bundle`` that ``prepare_dataset`` returns was refused by the next step as "not a path".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["as_list", "folder_of"]


def as_list(value: Any, *, split_commas: bool = False) -> list[Any] | None:
    """``value`` as a list: a ``str``, ``bytes`` or path is one item (``"a,b"`` two with
    ``split_commas``, as the CLI's comma lists); any other iterable (list, tuple, numpy
    array, pandas Index or Series) its items; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, str) and split_commas:
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, str | bytes | os.PathLike):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def folder_of(value: Any) -> Path:
    """The folder of a bundle, run or any object with a ``path`` (a :class:`~genemoe.data.
    bundle.Bundle`), else ``Path(value)``."""
    path = getattr(value, "path", None)
    return Path(path) if isinstance(path, str | os.PathLike) else Path(value)
