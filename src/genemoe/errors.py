"""User-facing errors.

Every error genemoe raises for bad input is an :class:`InputError` whose message names
the file, the row or column at fault, and how to fix it. The CLI prints the message
without a traceback and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["GenemoeError", "InputError", "NotBuiltError", "input_error"]


class GenemoeError(Exception):
    """Base class of the errors genemoe reports to users."""


class InputError(GenemoeError, ValueError):
    """Bad input: the message names the file, the row/column and the fix."""


class NotBuiltError(GenemoeError):
    """A command whose capability is not built yet (names the missing capability)."""


def input_error(
    problem: str,
    *,
    path: Path | str | None = None,
    where: str | None = None,
    fix: str | None = None,
) -> InputError:
    """Build an :class:`InputError` with a uniform message.

    Parameters
    ----------
    problem
        What is wrong, e.g. ``"non-numeric value 'abc'"``.
    path
        The file at fault.
    where
        Row / column / sample at fault, e.g. ``"row 12 (gene ENSG...), column 'TCGA-..'"``.
    fix
        What the user should do.

    Returns
    -------
    InputError
        Raise it: ``raise input_error(...)``.
    """
    parts = []
    if path is not None:
        parts.append(f"{path}:")
    if where:
        parts.append(f"{where}:")
    parts.append(problem)
    msg = " ".join(parts)
    if fix:
        msg += f"\n  fix: {fix}"
    return InputError(msg)
