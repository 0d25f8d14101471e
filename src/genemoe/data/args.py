"""Python arguments as a user passes them: one value where a list goes, a bundle object
where its folder goes.

The command line always hands the functions lists and paths; from Python a single path,
id or model name was iterated character by character (``models="logreg"`` became
``'l', 'o', 'g', ...``), a numpy array of sample ids failed on its truth value, and the
``Bundle`` that ``prepare_dataset`` returns was refused by the next step as "not a path",
and a result object (``train_run``'s ``RunResult``) where its folder goes failed inside
pathlib ("expected str, bytes or os.PathLike object, not RunResult").
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from genemoe.errors import input_error

__all__ = ["AtFolder", "absolute", "as_list", "bundle_fingerprint", "check_flags", "folder_of",
           "is_flag", "path_list", "path_of", "shown_path", "table_path"]


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


def folder_of(value: Any, where: str | None = None, *, check_fresh: bool = True) -> Path:
    """The folder of a bundle (a :class:`~genemoe.data.bundle.Bundle`'s ``path``), of a
    result object (its ``out_dir``: a run, benchmark, tuning, explanation), or
    ``Path(value)``; anything else is refused naming the argument ``where``.

    A ``Bundle`` whose folder was prepared again since it was loaded or written (its
    ``fingerprint`` no longer that of the folder's ``record.json``) is refused unless
    ``check_fresh`` is False: the step would have read the new bundle while the object
    still described the old one (990 samples said, 523 trained on)."""
    for attr in ("path", "out_dir"):
        path = getattr(value, attr, None)
        if isinstance(path, str | os.PathLike):
            if attr == "path" and check_fresh:
                _check_fresh(value, Path(path), where)
            return Path(path)
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise _not_a_path(value, where, "pass a folder path (a str or pathlib.Path), or the "
                                    "object the step that wrote it returned")


def bundle_fingerprint(folder: Path | str) -> str | None:
    """SHA-256 of a bundle folder's ``record.json`` (it changes with every ``prepare``: the
    time it was made, its inputs and steps), or None when it cannot be read."""
    try:
        return hashlib.sha256((Path(folder) / "record.json").read_bytes()).hexdigest()
    except OSError:
        return None


def _check_fresh(bundle: Any, path: Path, where: str | None) -> None:
    held = getattr(bundle, "fingerprint", None)
    if not isinstance(held, str):  # a Bundle made in memory, or another object with a path
        return
    now = bundle_fingerprint(path)
    if now is not None and now != held:  # a folder removed since: the step that reads it says
        raise input_error(f"{where or 'the bundle'}: the bundle was prepared again since this "
                          "Bundle object was loaded (its record.json changed)", path=path,
                          fix=f"load it again (genemoe.load_bundle({str(path)!r})) and pass "
                              "that, or pass the folder path")


def path_of(value: Any, where: str | None = None) -> Path:
    """``Path(value)`` for a ``str`` or path; anything else (``None``, a number, a dict) is
    refused naming the argument ``where`` (pathlib's own TypeError named neither)."""
    if isinstance(value, str | os.PathLike):
        return Path(value)
    raise _not_a_path(value, where, "pass a path (a str or pathlib.Path)")


def table_path(value: Any, where: str, *, example: str = "table.tsv") -> Path:
    """``Path(value)`` for the path of a table; a pandas table is refused saying to write it
    first (``annotation_path=DataFrame`` failed inside pandas on its truth value), anything
    else that is not a path as :func:`path_of` refuses it, naming ``where``."""
    if _is_pandas(value):
        raise input_error(f"{where} is a {type(value).__name__}: prepare reads its tables from "
                          "files", fix=f"write it first, e.g. df.to_csv({example!r}, "
                                       "sep='\\t'), and pass the file's path")
    return path_of(value, where)


def path_list(value: Any, where: str, *, example: str = "table.tsv") -> list[Path]:
    """One path or several (:func:`as_list`) as paths; ``None`` none. A pandas table is
    refused saying to write it first (a DataFrame's column names were read as file paths:
    "613037: no such file"), as is any other item that is not a path, naming ``where``."""
    items = [] if value is None else [value] if _is_pandas(value) else as_list(value) or []
    for i, item in enumerate(items):
        at = where if len(items) == 1 and not isinstance(value, list | tuple) else f"{where}[{i}]"
        table_path(item, at, example=example)
    return [Path(p) for p in items]


def is_flag(value: Any) -> bool:
    """True for ``True``/``False`` and numpy's booleans; not for ``"no"``, ``0`` or ``None``."""
    return isinstance(value, bool) or (type(value).__module__ == "numpy"
                                       and type(value).__name__ in ("bool", "bool_"))


def check_flags(*named: tuple[Any, str], call: str | None = None) -> None:
    """Refuse each ``(value, where)`` that is not True or False (:func:`is_flag`).

    Parameters
    ----------
    *named
        ``(value, where)`` pairs; ``where`` is the argument's name, e.g. ``"progress"``.
    call
        The call that takes it, for the fix, e.g. ``"PrepareConfig"``: "pass
        drop_unlabelled=True or False, e.g. PrepareConfig(drop_unlabelled=True)".

    Raises
    ------
    InputError
        "progress: must be True or False, got 'no'": a non-empty string was taken as true
        (``drop_unlabelled="no"`` dropped the samples), ``0``/``1`` hid a mistake.
    """
    for value, where in named:
        if not is_flag(value):
            raise input_error(f"must be True or False, got {repr(value)[:60]}", where=where,
                              fix=f"pass {where}=True or False"
                                  + (f", e.g. {call}({where}=True)" if call else ""))


def _is_pandas(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "pandas" and hasattr(value, "to_csv")


def _not_a_path(value: Any, where: str | None, fix: str) -> Exception:
    what = "None" if value is None else f"{type(value).__name__} {repr(value)[:40]}"
    return input_error(f"{where or 'the argument'} is {what}, not a path", fix=fix)


class AtFolder:
    """Base of the result dataclasses that own a folder (``out_dir``): it is held absolute,
    so a later ``os.chdir`` (a notebook's) does not lose it; :func:`shown_path` prints it
    relative to the working folder again."""

    out_dir: Path

    def __post_init__(self) -> None:
        self.out_dir = absolute(self.out_dir)


def absolute(path: Path | str) -> Path:
    """``path`` made absolute with ``..`` and ``.`` folded (``os.path.abspath``; symbolic
    links kept): ``Path.absolute()`` kept ``cwd/../lr``, which broke once ``cwd`` was
    removed."""
    return Path(os.path.abspath(path))


def shown_path(path: Path | str) -> str:
    """``path`` as a person reads it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return str(absolute(p).relative_to(Path.cwd()))
    except ValueError:
        return str(p)
