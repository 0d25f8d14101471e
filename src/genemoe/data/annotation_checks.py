"""The checks on a gene annotation's rows as :mod:`genemoe.data.annotation` reads them:
positions must be whole numbers, and a bad one is named by its row and column, as empty
or by its value; a bad last row that is short of fields says the file looks cut short. And
the warning for the gene ids of a file that it does not map (:func:`unmapped_text`)."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.errors import input_error

__all__ = ["check_numeric", "last_line_fields", "unmapped_text"]

_GZIP_MAGIC = b"\x1f\x8b"


def last_line_fields(path: Path) -> tuple[int, int]:
    """The tab-separated fields of ``path``'s header and of its last non-empty line
    (a gzipped file is read through; only on the error path)."""
    with Path(path).open("rb") as raw:
        zipped = raw.read(2) == _GZIP_MAGIC
    header, last = b"", b""
    with (gzip.open(path, "rb") if zipped else Path(path).open("rb")) as fh:
        for line in fh:
            if not header:
                header = line
            elif line.strip(b"\r\n"):
                last = line
    return header.count(b"\t") + 1, (last or header).count(b"\t") + 1


def _cut_short(df: pd.DataFrame, i: int, path: Path) -> str | None:
    """Why row ``i`` looks like the end of a file cut short (None: it does not)."""
    if i != len(df) - 1:
        return None
    try:
        n_header, n_last = last_line_fields(path)
    except (OSError, EOFError):  # a damaged gzip: the read's own error says it
        return None
    if n_last >= n_header:
        return None
    return (f"it is the file's last row and has {n_last} of the header's {n_header} "
            "tab-separated fields: the file looks cut short")


def check_numeric(df: pd.DataFrame, columns: Sequence[str], path: Path) -> None:
    """Turn ``columns`` of ``df`` into int64 in place, or refuse the first bad cell.

    Parameters
    ----------
    df
        The annotation's rows as read (header excluded).
    columns
        The position columns (``start``/``end``/``length`` or ``chromStart``/``chromEnd``).
    path
        The file, for the error.

    Raises
    ------
    InputError
        Naming the data row and column of the first cell that is not a number.
    """
    for col in columns:
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            value, n_bad = df[col].iloc[i], int(bad.sum())
            empty = pd.isna(value) or not str(value).strip()
            what = f"empty {col}" if empty else f"non-numeric {col} {str(value)!r}"
            cut = _cut_short(df, i, path)
            raise input_error(
                f"{what} ({n_bad} such row{'s' if n_bad != 1 else ''})"
                + (f"; {cut}" if cut else ""),
                path=path,
                where=f"data row {i + 1}, column {col!r}",
                fix=("download it again (`genemoe download tcga` fetches it whole and checks "
                     "it) or copy it again from its source" if cut else
                     "positions must be integers; check the file is the gene table it claims"),
            )
        df[col] = num.astype(np.int64)


def unmapped_text(n: int, n_ids: int, examples: Sequence[str], source: str | Path | None,
                  annotation: str | Path | None) -> str:
    """The warning for ``n`` of ``n_ids`` gene ids unmapped: the file, the annotation and the
    first five ids as text (``mine.tsv: 3 of 99 gene ids not in ann.tsv: A, B, C``; it
    showed a Python list and no file name). An empty id is shown as ``''``.

    Parameters
    ----------
    n, n_ids
        The unmapped ids, and all the ids.
    examples
        The first unmapped ids (five shown).
    source, annotation
        The expression file and the annotation, named by their file names (None: not said).
    """
    shown = [str(e) if str(e).strip() else repr(str(e)) for e in list(examples)[:5]]
    more = f" and {n - len(shown):,} more" if n > len(shown) else ""
    head = f"{Path(source).name}: " if source is not None else ""
    where = f"not in {Path(annotation).name}" if annotation is not None else "unmapped"
    return (f"{head}{n:,} of {n_ids:,} gene id{'s' * (n_ids != 1)} {where}: "
            f"{', '.join(shown)}{more}")
