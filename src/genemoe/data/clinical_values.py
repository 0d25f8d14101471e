"""The values of a survival table's columns: events (1/0, words, codes) and times (days,
or a column named in months, years or weeks), as :mod:`genemoe.data.clinical` reads them
(how the times' commas are read: :mod:`genemoe.data.clinical_times`)."""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.textio import DECIMAL_COMMA, THOUSANDS

__all__ = ["MAX_DAYS", "blank_ids", "patients_from_samples", "rows_with_patient", "parse_events", "decimal_commas", "event_words", "with_raw", "event_coding", "is_missing_word", "words_text",
           "days_per_unit", "clean_endpoint", "short_follow_up"]

logger = logging.getLogger(__name__)

MAX_DAYS = 100 * 365.25  # a survival time past a human span: a typo or a code, not a time
MONTHS_MEDIAN = 61.0  # a median follow-up in days at or below it (2 months), beside a longest
# of 600 days at most, reads as months (TCGA-CDR's in months: 23.5 and 370; in days 714)
_UNITS = (("month", 365.25 / 12, "months"), ("year", 365.25, "years"), ("week", 7.0, "weeks"))
_TRUE = {"1", "1.0", "true", "t", "yes", "y", "dead", "deceased", "died", "event", "1:deceased"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "alive", "living", "censored", "0:living"}


def days_per_unit(column: Any) -> tuple[float, str | None]:
    """Days per unit of a time column, from its name (``OS_MONTHS``: 30.4375, months)."""
    name = re.sub(r"[^a-z0-9]", "", str(column).lower())
    return next(((f, unit) for key, f, unit in _UNITS if key in name), (1.0, None))


def is_missing_word(value: Any) -> bool:
    """True for a cell that says the value is missing: TCGA's ``[Not Available]``,
    ``[Discrepancy]``, ``Unknown``, ... (as label tables read them) and GDC's ``'--``."""
    from genemoe.data.tables import is_missing_label  # tables imports this package's readers

    return isinstance(value, str) and (value.strip() in ("'--", "--") or is_missing_label(value))


def blank_ids(ids: pd.Series) -> pd.Series:
    """True where an id cell is empty (NaN: an empty cell, ``NA``; or only spaces): no patient
    (``astype(str)`` read such a cell as the patient ``"nan"``, upper-cased ``"NAN"``)."""
    return ids.isna() | ids.astype("string").str.strip().eq("").fillna(True).astype(bool)


def patients_from_samples(ids: pd.Series, samples: pd.Series | None) -> tuple[pd.Series, int]:
    """Xena survival's empty ``_PATIENT`` cells taken from the row's ``sample`` barcode
    (its patient part, ``TCGA-OR-A5J1`` of ``TCGA-OR-A5J1-01A``, is cut by the reader),
    and how many were; an empty cell beside no barcode stays empty.

    Parameters
    ----------
    ids
        The ``_PATIENT`` column, ``(n_rows,)``.
    samples
        The ``sample`` column, ``(n_rows,)``; None where the table has none.
    """
    if samples is None:
        return ids, 0
    from genemoe.data.ids import is_sample_barcode

    barcode = samples.map(lambda v: isinstance(v, str) and is_sample_barcode(v.strip()))
    usable = blank_ids(ids) & barcode.astype(bool)
    return ids.astype(object).where(~usable, samples.astype(object)), int(usable.sum())


def rows_with_patient(df: pd.DataFrame, ids: pd.Series, path: Any, n_from_sample: int
                     ) -> tuple[pd.DataFrame, pd.Series, int]:
    """The rows that name a patient, and how many did not (dropped); both counts said."""
    if n_from_sample:
        logger.warning("%s: %d empty _PATIENT taken from its sample barcode", path.name,
                       n_from_sample)
    if not (none := ids.isna()).any():
        return df, ids, 0
    lines = ", ".join(str(i + 2) for i in ids.index[none][:3])  # line 1: the header
    logger.warning("%s: %d row(s) without a patient or sample id (line %s%s): dropped", path.name,
                   int(none.sum()), lines, ", ..." if none.sum() > 3 else "")
    kept = df[~none.to_numpy()]
    kept.attrs = dict(df.attrs)
    return kept, ids[~none], int(none.sum())


def decimal_commas(values: pd.Series, delimiter: str | None) -> pd.Series:
    """Which cells of ``values`` are numbers written with a decimal comma (``12,5``,
    ``1,0``): every comma number of a ``;``-separated table (European Excel's CSV); in any
    other, those that cannot be a thousands separator (``1,0``, ``0,00``; not ``1,000``).

    An event column's ``1,0`` in a tab-separated table was "an event not 0/1" (its patient's
    survival dropped): a comma before fewer or more than 3 digits is a decimal comma in any
    table (time columns are judged as a whole: :mod:`genemoe.data.clinical_times`)."""
    text = values.astype("string").str.strip()
    comma = text.str.fullmatch(DECIMAL_COMMA).fillna(False).astype(bool)
    if delimiter == ";":
        return comma
    return comma & ~text.str.fullmatch(THOUSANDS).fillna(False).astype(bool)


def parse_events(values: pd.Series, delimiter: str | None = None) -> pd.Series:
    """1.0 / 0.0 events from numbers, words or cBioPortal's ``0:``/``1:`` codes
    (``1:Recurred/Progressed``); NaN where empty or a missing-value word (``[Not
    Available]``, ``'--``); -1.0 where unrecognised. A decimal comma is read as a point,
    as the times' is (``1,0``: 1, in a ``;``-separated table (``delimiter``) or any other;
    ``1,000`` only in a ``;`` one: :func:`decimal_commas`, which counts them)."""
    text = values.astype(str).str.strip().str.lower()
    coded = text.str.extract(r"^([01]):", expand=False)  # cBioPortal: 0:LIVING, 1:PROGRESSION
    comma = decimal_commas(values, delimiter)
    numbers = values.where(~comma, text.str.replace(",", "."))  # '1,0' from European Excel
    num = pd.to_numeric(numbers.where(coded.isna(), coded), errors="coerce")
    words = pd.Series(np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, -1.0)),
                      index=values.index)
    out = num.where(num.notna(), words)
    missing = values.map(is_missing_word).astype(bool)
    return out.where(values.notna() & (text != "") & ~missing, np.nan).astype(float)


def event_words(values: pd.Series) -> dict[str, int]:
    """How many events were written as words or codes, and what each was read as:
    ``{"Dead -> 1": 28, "Alive -> 0": 51, "[Not Available] -> missing": 1}`` (numbers,
    those with a decimal comma too (``1,0``: counted apart), and empty cells left out)."""
    text = values.dropna().astype(str).str.strip()
    text = text[(text != "") & pd.to_numeric(text, errors="coerce").isna()
                & ~text.str.fullmatch(DECIMAL_COMMA)]
    read = parse_events(text)
    shown = [f"{w} -> {'missing' if is_missing_word(w) else 'not 0/1' if v == -1.0 else f'{v:g}'}"
             for w, v in zip(text, read, strict=True)]
    return dict(pd.Series(shown, dtype=object).value_counts().sort_index().items())


def with_raw(event: pd.Series, raw: pd.Series | None, codable: bool = True) -> pd.Series:
    """``event`` carrying the column it was read from (``attrs["raw"]``: its words are
    counted, its unreadable cells named) and whether its numbers are as written
    (``attrs["codable"]``: R's 1/2 coding is looked for)."""
    event.attrs["raw"], event.attrs["codable"] = raw, codable and raw is not None
    return event


def event_coding(event: pd.Series, raw: pd.Series, ids: pd.Series, path: Any, ep: str,
                 chosen: bool) -> str:
    """How a file codes an endpoint's events, from its cells read as 0, 1 or 2 (empty,
    missing-value and unreadable cells left out): ``"1/2"`` (R's Surv(): 1 censored,
    2 event) where 2s stand beside 1s and no 0, ``"only 1"``, else ``"0/1"``.

    A 2 beside a 0 (0/1/2 mixed) is refused for the endpoint in use (``chosen``): reading
    its 1s as events or as censored would both be guesses."""
    from genemoe.errors import input_error

    codes = set(event[event.isin([0.0, 1.0, 2.0])].unique())
    if {0.0, 2.0} <= codes and chosen:
        rows = [*event.index[event.eq(0.0)][:1], *event.index[event.eq(2.0)][:2]]
        shown = ", ".join(f"line {i + 2} ({ids[i]}): {raw[i]!r}" for i in rows)  # line 1: header
        raise input_error(f"{ep} events hold 0, 1 and 2 ({shown}): "
                          "neither 0/1 nor R's 1/2 coding", path=path, where=f"column {raw.name!r}",
                          fix="recode the events to 0/1 (1 = event, 0 = censored)")
    return "1/2" if codes == {1.0, 2.0} else "only 1" if codes == {1.0} else "0/1"


def words_text(words: dict[str, int]) -> str:
    """``"Alive -> 0 51, Dead -> 1 28"``: the event words and their counts, in one line."""
    return ", ".join(f"{w} {n:,}" for w, n in words.items())


def short_follow_up(frame: pd.DataFrame, ep: str, report: dict[str, Any], source: str) -> None:
    """Warn when times read as days look like months or years, for 20 or more patients:
    they stop within a year, or half stop within two months and none passes 600 days
    (a ``time`` column in months gave 1/3/5-year survival of nobody; TCGA-CDR's OS.time in
    months, median 23.5 and longest 370, passed the one-year rule unsaid)."""
    if f"{ep}_time" not in frame or ep.upper() in report.get("time_units", {}):
        return
    t = frame[f"{ep}_time"].dropna()
    if len(t) >= 20 and (t.max() <= 366 or (t.median() <= MONTHS_MEDIAN and t.max() <= 600)):
        report["endpoints"][ep.upper()]["longest_follow_up_days"] = float(t.max())
        logger.warning("%s: %s times read as days, but the longest follow-up is %g days (median "
                       "%g): if they are months or years, name the column so (%s_MONTHS, "
                       "time_months, survival_years) and they are converted", source, ep.upper(),
                       t.max(), t.median(), ep.upper())


def clean_endpoint(frame: pd.DataFrame, ep: str, raw_time: pd.Series, raw_event: pd.Series,
                   source: str, chosen: bool = True, left_out: list | None = None) -> dict[str, int]:
    """Values that cannot be used set missing, counted; the patients they leave without the
    endpoint named in a warning now, or (``left_out`` given: ``prepare``) collected there
    and said by :func:`genemoe.data.clinical.attach_survival`, which knows which patients
    are in the data. ``raw_time`` / ``raw_event``: the cells as written, for the names."""
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    given = raw_time.notna() & (raw_time.astype(str).str.strip() != "") \
        & ~raw_time.map(is_missing_word).astype(bool)  # GDC's '--: missing, not "not a number"
    n_non_numeric = int((t.isna() & given).sum())
    neg = t < 0
    absurd = t.notna() & ~neg & ~(t <= MAX_DAYS)  # Inf, 1e9: train then refused the bundle
    invalid = e.notna() & ~e.isin([0.0, 1.0])
    event_shown = raw_event.map(repr).where(raw_event.notna(), e.map("{:g}".format))
    no_event_shown = t.map("time {:g}, event ".format) + event_shown.where(raw_event.notna(), "empty")
    # a time without its event, named for the endpoint in use (was dropped unnamed; TCGA-CDR
    # leaves DSS empty for 368 patients, which an OS run does not read)
    no_event = t.notna() & ~neg & ~absurd & e.isna() & chosen
    no_time = ~given & e.isin([0.0, 1.0]) & chosen  # a status, empty time (57 OS in TCGA-CDR)
    for rows, values, what in ((neg, t.map("{:g}".format), "a negative time"),
                               (absurd, raw_time.map(repr), "a time not finite or over 100 years"),
                               (t.isna() & given, raw_time.map(repr),
                                "a time that is not a number"),  # clinical_endpoint.NOT_A_NUMBER
                               (invalid, event_shown, "an event not 0/1"),
                               (no_event, no_event_shown,
                                "a time but no event"),
                               (no_time, e.map("status {:g}, time empty".format),
                                "an event status but no time")):
        if rows.any() and left_out is not None:
            left_out.append({"source": source, "endpoint": ep.upper(), "what": what,
                             "values": {str(p): str(v) for p, v in values[rows].items()}})
        elif rows.any():  # was a count in record.json only: the values left out are named
            shown = ", ".join(f"{p} ({v})" for p, v in values[rows].head(3).items())
            logger.warning("%s: %d patient(s) with %s (e.g. %s): no %s for them",
                           source, int(rows.sum()), what, shown, ep.upper())
    frame.loc[neg | absurd, f"{ep}_time"] = np.nan
    frame.loc[invalid, f"{ep}_event"] = np.nan
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    return {
        "n_missing_time": int(t.isna().sum()), "n_negative_time": int(neg.sum()),
        "n_non_numeric_time": n_non_numeric, "n_missing_event": int(e.isna().sum()),
        "n_invalid_event": int(invalid.sum()), "n_events": int((e == 1).sum()),
        "n_usable": int((t.notna() & e.notna()).sum()),
    } | ({"n_implausible_time": int(absurd.sum())} if absurd.any() else {})
