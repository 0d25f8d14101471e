"""The checks on a gene annotation's rows as :mod:`genemoe.data.annotation` reads them:
positions must be whole numbers, and a bad one is named by its row and column."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.errors import input_error

__all__ = ["check_numeric"]


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
            raise input_error(
                f"non-numeric {col} {df[col].iloc[i]!r} ({int(bad.sum())} such rows)",
                path=path,
                where=f"data row {i + 1}, column {col!r}",
                fix="positions must be integers; check the file is the gene table it claims",
            )
        df[col] = num.astype(np.int64)
