"""How a survival table writes its times: decimal commas (``1355,5``), thousands separators
(``1,355``), or text that is no number at all (``1355 days``), as
:mod:`genemoe.data.clinical` reads them.

A ``;``-separated table (European Excel's CSV) writes decimal commas. In any other table
(tab- or comma-separated, where a comma in a number stands in a quoted cell, or parquet) a
time column is judged by its comma cells, as the expression readers judge theirs
(:mod:`genemoe.data.text_layout`): all of thousands' shape (``1,355``, ``12,000.5``) are
thousands separators; none of that shape (``1355,5``, ``12,25``) are decimal commas; both
in one column is ambiguous (every time of 1,000 days or more read as thousands, every
shorter one dropped: a biased cohort) and refused.

A time written the European way with both marks (``1.355,5``: a point between thousands,
a decimal comma) can mean nothing but 1355.5 in any table: it is read so, and counted both
as a decimal comma and as a thousands separator (it was "not a number", its patient's
survival lost, while the warning said it was "read as a decimal point"). Beside it, a point
alone in thousands' place (``1.355``) stays ambiguous (1355 or 1.355) and is refused.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.data.clinical_values import decimal_commas, is_missing_word
from genemoe.data.textio import DECIMAL_COMMA, THOUSANDS
from genemoe.errors import InputError, input_error

__all__ = ["read_times", "comma_forms", "given_times", "unreadable_times_error",
           "refuse_unreadable_column", "say_commas"]

logger = logging.getLogger(__name__)

_POINT_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")  # '1.355': 1355 to a European writer
_EUROPEAN = re.compile(r"-?\d{1,3}(\.\d{3})+,\d+")  # '1.355,5': 1355.5, whoever reads it
_WITH_UNIT = re.compile(r"-?\d+([.,]\d+)?\s*[^\d\s.,+-][^\d]*")  # '1355 days', '12 mo'
_FORMAT_FIX = ("write each time as a plain number of days with a decimal point (1355.5), "
               "without thousands separators or text")
_COMMA_FIX = ("rewrite the times with decimal points (1355.5), or remove the thousands "
              "separators (1355, not 1,355 or 1.355), so that each mark means one thing")


def comma_forms(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Which cells of a time column (stripped text) are decimal-comma-like (``1355,5``: a
    comma that cannot be a thousands separator) and which could be thousands separators
    (``1,355``, ``12,000.5``; ``1.355``, a European writer's, beside decimal commas)."""
    comma = text.str.fullmatch(DECIMAL_COMMA).fillna(False).astype(bool)
    thousands = text.str.fullmatch(THOUSANDS).fillna(False).astype(bool)
    decimal = (comma & ~thousands) | european_times(text)
    if decimal.any():
        thousands |= text.str.fullmatch(_POINT_THOUSANDS).fillna(False).astype(bool)
    return decimal, thousands


def european_times(text: pd.Series) -> pd.Series:
    """Which cells of a time column (stripped text) are written with a point between
    thousands and a decimal comma (``1.355,5``: 1355.5)."""
    return text.astype("string").str.fullmatch(_EUROPEAN).fillna(False).astype(bool)


def _point_decimal(text: pd.Series, decimal: pd.Series) -> pd.Series:
    """``text`` with its ``decimal`` cells written with a decimal point: ``365,5`` ->
    ``365.5``, ``1.355,5`` -> ``1355.5`` (thousands points removed first)."""
    return text.where(~decimal, text.str.replace(".", "", regex=False)
                      .str.replace(",", ".", regex=False))


def _ambiguous(raw: pd.Series, decimal: pd.Series, thousands: pd.Series, path: Any
               ) -> InputError:
    """The refusal of a time column holding both comma forms, with example rows of each."""
    def shown(mask: pd.Series) -> str:  # line 1: the header
        return ", ".join(f"line {i + 2}: {raw[i]!r}" for i in raw.index[mask][:2])

    return input_error(f"times written with a decimal comma ({shown(decimal)}) beside times "
                       f"with a thousands separator ({shown(thousands)}): either reading of the "
                       "commas biases the times",
                       path=path, where=f"column {raw.name!r}", fix=_COMMA_FIX)


def read_times(raw_time: pd.Series, delimiter: str | None, path: Any = None,
               refuse: bool = True) -> tuple[pd.Series, int, int]:
    """Times as numbers in the column's own unit (NaN where empty or not a number), how many
    were written with a decimal comma and how many with thousands separators, each read as
    the number it is (module docstring).

    Parameters
    ----------
    raw_time
        The column as written, ``(n_rows,)``; its name is named in a refusal.
    delimiter
        The table's (``;``: decimal commas throughout; None: parquet).
    path
        The file, named in a refusal.
    refuse
        Refuse a column of both comma forms (the endpoint in use); else its comma cells
        are left unread (NaN: "not a number", named), said in a warning.

    Raises
    ------
    InputError
        A column holding both decimal commas and thousands separators (``refuse``).
    """
    text = raw_time.astype("string").str.strip()
    european = european_times(text)  # '1.355,5': counted as both marks
    if delimiter == ";":  # '12,5' months: a decimal comma
        comma = decimal_commas(raw_time, delimiter) | european
        points = text.str.fullmatch(_POINT_THOUSANDS).fillna(False).astype(bool)
        if comma.any() and points.any():  # '1.355' beside '365,5': was read as 1.355 days
            err = _ambiguous(raw_time, comma, points, path)
            if refuse:
                raise err
            logger.warning("%s; left unread", str(err).split("\n")[0])
            comma, text = comma & ~european, text.where(~(european | points))
        text = _point_decimal(text, comma)
        return pd.to_numeric(text, errors="coerce"), int(comma.sum()), int(european.sum())
    decimal, thousands = comma_forms(text)
    if decimal.any() and thousands.any():
        err = _ambiguous(raw_time, decimal, thousands, path)
        if refuse:
            raise err
        logger.warning("%s; left unread", str(err).split("\n")[0])
        return pd.to_numeric(text.where(~(decimal | thousands)), errors="coerce"), 0, 0
    if decimal.any():  # '1355,5' in a tab-separated table: was "not a number", survival lost
        text = _point_decimal(text, decimal)
        return pd.to_numeric(text, errors="coerce"), int(decimal.sum()), int(european.sum())
    if thousands.any():  # '1,355' days: was "not a number", survival lost
        text = text.where(~thousands, text.str.replace(",", ""))
    return pd.to_numeric(text, errors="coerce"), 0, int(thousands.sum())


def given_times(raw_time: pd.Series) -> pd.Series:
    """True where a time cell holds something (not empty, not a missing-value word such as
    ``[Not Available]`` or GDC's ``'--``)."""
    return (raw_time.notna() & (raw_time.astype(str).str.strip() != "")
            & ~raw_time.map(is_missing_word).astype(bool))


def unreadable_times_error(values: list[str], n: int, endpoint: str, column: Any, path: Any,
                           whose: str = "its") -> InputError:
    """The refusal of an endpoint whose times are none of them numbers: the column, examples
    (``values``, as written) and the format fix (units in the cell named as such).

    Parameters
    ----------
    values
        Up to 3 of the times as written, ``repr``-ed (``"'1355 days'"``).
    n
        How many times are unreadable.
    whose
        Whose times (``its``: the file's; ``these samples' patients'``).
    """
    units = any(_WITH_UNIT.fullmatch(v.strip("'\"").strip()) for v in values)
    fix = (f"write each time as a number of days without its unit (1355, not "
           f"{values[0]}); times in months or years: name the column so (OS_MONTHS, "
           "time_years) and they are converted") if units else _FORMAT_FIX
    return input_error(f"none of {whose} {n:,} {endpoint} time(s) is a number (e.g. "
                       f"{', '.join(values[:3])}): no patient has {endpoint} survival",
                       path=path, where=f"column {column!r}" if column is not None else None,
                       fix=fix + "; or name the time column with --time-column and "
                                 "--event-column")


def refuse_unreadable_column(raw_time: pd.Series, times: pd.Series, endpoint: str,
                             path: Path) -> None:
    """Refuse the endpoint in use when every time given in its column is not a number
    (``1355 days``, ``1.355,5``): its patients were each "not a number", and the refusal that
    followed named ``--endpoint``, pointing at another endpoint."""
    given = given_times(raw_time)
    if given.any() and times[given.to_numpy()].isna().all():
        shown = list(dict.fromkeys(raw_time[given].map(repr)))
        raise unreadable_times_error(shown[:3], int(given.sum()), endpoint, raw_time.name, path)


def say_commas(raw_time: pd.Series, n_decimal: int, n_thousands: int, delimiter: str | None,
               source: str, endpoint: str) -> None:
    """Warn of the times read with their commas converted: thousands separators (``1,355``,
    ``1.355,5``) and, outside a ``;`` table (where the column's own cells decided), decimal
    commas; each with an example of its own form (the first comma cell was shown for both:
    ``'1,355'`` as a decimal comma)."""
    text = raw_time.astype("string").str.strip()
    european = european_times(text)
    if n_thousands:
        form = european if delimiter == ";" else (  # ';': '1,355' is 1.355
            european | text.str.fullmatch(THOUSANDS).fillna(False).astype(bool))
        logger.warning("%s: %d %s time(s) written with a thousands separator (e.g. %r), "
                       "read without it", source, n_thousands, endpoint, _first(raw_time, form))
    if n_decimal and delimiter != ";":  # a ';' table writes them so: counted, not warned
        form = european | text.str.fullmatch(DECIMAL_COMMA).fillna(False).astype(bool)
        logger.warning("%s: %d %s time(s) written with a decimal comma (e.g. %r), read as a "
                       "decimal point (none stands between thousands)",
                       source, n_decimal, endpoint, _first(raw_time, form))


def _first(raw: pd.Series, mask: pd.Series) -> Any:
    """The first cell of ``raw`` where ``mask`` (an example, as written)."""
    return raw[mask.to_numpy()].iloc[0] if mask.any() else None
