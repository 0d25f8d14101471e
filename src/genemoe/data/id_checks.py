"""The expression reader's checks of its identifiers: empty or duplicate sample and gene
ids, each refused with where it stands in the file.

A place is told as a text editor shows it (1-based, the header line counted): a text file's
``lines 3 and 9`` for ids in the first column, ``columns 2 and 6 of line 1 (the header)`` for
ids in the header; a Parquet file's rows and columns, an ``.h5ad``'s ``obs`` / ``var``
positions. The same in a gzip file (the lines of its text).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from genemoe.errors import input_error

__all__ = ["Place", "check_ids", "numbered", "text_places"]

# 0-based positions in an id array, shape (k,) -> where they stand ("lines 3 and 9")
Place = Callable[[np.ndarray], str]
_SHOWN = 5  # positions named before "... (N in all)"


def numbered(word: str, numbers: np.ndarray | list[int]) -> str:
    """``"line 3"``, ``"lines 3 and 9"``, ``"lines 3, 9, 12, 15, 20, ... (8 in all)"``.

    Parameters
    ----------
    word
        The singular noun (``"line"``, ``"column"``, ``"row"``).
    numbers
        ``(k,)`` 1-based numbers, ``k >= 1``, in file order.
    """
    nums = [str(int(n)) for n in numbers]
    if len(nums) == 1:
        return f"{word} {nums[0]}"
    if len(nums) <= _SHOWN:
        return f"{word}s {', '.join(nums[:-1])} and {nums[-1]}"
    return f"{word}s {', '.join(nums[:_SHOWN])}, ... ({len(nums)} in all)"


def text_places(n_skip: int, header_line: int, first_value_column: int) -> tuple[Place, Place]:
    """Where the ids of a text matrix stand: ``(rows, header)``.

    Parameters
    ----------
    n_skip
        Lines before the first data row (the header's included).
    header_line
        The header's line number (1; 3 in a GCT file).
    first_value_column
        The 1-based column number, in the header line, of the first value column.

    Returns
    -------
    tuple of Place
        For 0-based data-row indices (``lines N``) and value-column indices
        (``columns N of line L (the header)``).
    """
    def rows(at: np.ndarray) -> str:
        return numbered("line", n_skip + np.asarray(at) + 1)

    def header(at: np.ndarray) -> str:
        return f"{numbered('column', first_value_column + np.asarray(at))} of line {header_line} (the header)"

    return rows, header


def _first_duplicate(ids: np.ndarray) -> tuple[int, str | None]:
    """How many ids occur more than once, and the first of them in file order."""
    uniq, first_at, counts = np.unique(ids, return_index=True, return_counts=True)
    dup = counts > 1
    if not dup.any():
        return 0, None
    return int(dup.sum()), str(uniq[dup][np.argmin(first_at[dup])])


def check_ids(ids: np.ndarray, what: str, path: Path, place: Place | None = None,
              *, as_columns: bool = False) -> None:
    """Refuse empty or repeated identifiers, naming where the first stands.

    Parameters
    ----------
    ids
        ``(n,)`` sample or gene identifiers, in file order.
    what
        ``"sample"`` or ``"gene"``.
    path
        The file, named in the error.
    place
        Turns 0-based positions in ``ids`` into where they stand in the file; None says
        ``"<what> number N"``.
    as_columns
        The ids head columns (the fix then speaks of a gene's columns, not its rows).

    Raises
    ------
    InputError
        An empty identifier (the first's place, how many), or a repeated one: the first
        repeated id, the lines or columns where it stands, how many ids repeat, the fix.
    """
    def where(at: np.ndarray) -> str:
        return place(at) if place is not None else numbered(f"{what} number", at + 1)

    ids = ids.astype(str)
    empty = np.flatnonzero(ids == "")
    if len(empty):
        raise input_error(f"{len(empty)} empty {what} identifier(s)", path=path,
                          where=where(empty[:1]), fix=f"give every {what} a name")
    n_dup, first = _first_duplicate(ids)
    if first is None:
        return
    at = np.flatnonzero(ids == first)
    how = ("drop a repeated sample, or rename different samples" if what == "sample"
           else f"sum the {'columns' if as_columns else 'rows'} of one gene, or drop the extra ones")
    raise input_error(f"{n_dup:,} duplicate {what} identifier(s); this is the first", path=path,
                      where=f"{what} {first!r} at {where(at)}",
                      fix=f"make {what} identifiers unique before reading ({how})")
