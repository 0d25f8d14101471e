"""The values of a survival table's columns: events (1/0, words, codes) and times (days,
or a column named in months, years or weeks), as :mod:`genemoe.data.clinical` reads them."""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["parse_events", "event_words", "with_words", "words_text", "merged_words",
           "days_per_unit", "read_times", "clean_endpoint", "short_follow_up"]

logger = logging.getLogger(__name__)

_UNITS = (("month", 365.25 / 12, "months"), ("year", 365.25, "years"), ("week", 7.0, "weeks"))
_TRUE = {"1", "1.0", "true", "t", "yes", "y", "dead", "deceased", "died", "event", "1:deceased"}
_FALSE = {"0", "0.0", "false", "f", "no", "n", "alive", "living", "censored", "0:living"}


def days_per_unit(column: Any) -> tuple[float, str | None]:
    """Days per unit of a time column, from its name (``OS_MONTHS``: 30.4375, months)."""
    name = re.sub(r"[^a-z0-9]", "", str(column).lower())
    return next(((f, unit) for key, f, unit in _UNITS if key in name), (1.0, None))


def parse_events(values: pd.Series) -> pd.Series:
    """1.0 / 0.0 events from numbers, words or cBioPortal's ``0:``/``1:`` codes
    (``1:Recurred/Progressed``); NaN where empty; -1.0 where unrecognised."""
    text = values.astype(str).str.strip().str.lower()
    coded = text.str.extract(r"^([01]):", expand=False)  # cBioPortal: 0:LIVING, 1:PROGRESSION
    num = pd.to_numeric(values.where(coded.isna(), coded), errors="coerce")
    words = pd.Series(np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, -1.0)),
                      index=values.index)
    out = num.where(num.notna(), words)
    return out.where(values.notna() & (text != ""), np.nan).astype(float)


def event_words(values: pd.Series) -> dict[str, int]:
    """How many events were written as words or codes, and what each was read as:
    ``{"Dead -> 1": 28, "Alive -> 0": 51}`` (numbers and empty cells left out)."""
    text = values.dropna().astype(str).str.strip()
    text = text[(text != "") & pd.to_numeric(text, errors="coerce").isna()]
    read = parse_events(text)
    shown = [f"{w} -> {'not 0/1' if v == -1.0 else f'{v:g}'}" for w, v in zip(text, read, strict=True)]
    return dict(pd.Series(shown, dtype=object).value_counts().sort_index().items())


def with_words(event: pd.Series, raw: pd.Series) -> pd.Series:
    """``event`` carrying the words its raw column held (``attrs["words"]``, read by the
    per-file reader into the record)."""
    event.attrs["words"] = event_words(raw)
    return event


def merged_words(per_file: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """The event words of several files, summed per endpoint and word."""
    out: dict[str, Counter[str]] = {}
    for words in per_file:
        for ep, counts in words.items():
            out.setdefault(ep, Counter()).update(counts)
    return {ep: dict(sorted(c.items())) for ep, c in out.items()}


def words_text(words: dict[str, int]) -> str:
    """``"Alive -> 0 51, Dead -> 1 28"``: the event words and their counts, in one line."""
    return ", ".join(f"{w} {n:,}" for w, n in words.items())


def read_times(raw_time: pd.Series, delimiter: str | None) -> tuple[pd.Series, int]:
    """Times as numbers in the column's own unit (NaN where empty or not a number), and how
    many were written with a decimal comma (``12,5`` in a ``;``-separated table)."""
    text = raw_time.astype("string").str.strip()
    comma = text.str.fullmatch(r"-?\d+,\d+").fillna(False).astype(bool)
    n_commas = 0
    if delimiter == ";" and comma.any():  # '12,5' months: a decimal comma
        text, n_commas = text.where(~comma, text.str.replace(",", ".")), int(comma.sum())
    return pd.to_numeric(text, errors="coerce"), n_commas


def short_follow_up(frame: pd.DataFrame, ep: str, report: dict[str, Any], source: str) -> None:
    """Warn when times read as days stop within a year for 20 or more patients: months or
    years read as days (a ``time`` column in months gave 1/3/5-year survival of nobody)."""
    if f"{ep}_time" not in frame or ep.upper() in report.get("time_units", {}):
        return
    t = frame[f"{ep}_time"].dropna()
    if len(t) >= 20 and t.max() <= 366:
        report["endpoints"][ep.upper()]["longest_follow_up_days"] = float(t.max())
        logger.warning("%s: %s times read as days, but the longest follow-up is %g days (median "
                       "%g): if they are months or years, name the column so (time_months, "
                       "OS_MONTHS, survival_years) and they are converted", source, ep.upper(),
                       t.max(), t.median())


def clean_endpoint(frame: pd.DataFrame, ep: str, raw_time: pd.Series, source: str,
                    chosen: bool = True, left_out: list | None = None) -> dict[str, int]:
    """Values that cannot be used set missing, counted; the patients they leave without the
    endpoint named in a warning now, or (``left_out`` given: ``prepare``) collected there
    and said by :func:`genemoe.data.clinical.attach_survival`, which knows which patients are in the data."""
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    given = raw_time.notna() & (raw_time.astype(str).str.strip() != "")
    n_non_numeric = int((t.isna() & given).sum())
    neg = t < 0
    coded = e.dropna()
    recoded = 0
    if len(coded) and coded.isin([1.0, 2.0]).all() and coded.eq(2.0).any():  # R's Surv(): 1/2
        recoded = int(len(coded))
        frame[f"{ep}_event"] = e = e - 1.0
        logger.warning("%s events coded 1/2: read as R's Surv() coding (1 censored, 2 event), "
                       "%d of %d patients with the event", ep.upper(), int((e == 1).sum()), recoded)
    invalid = e.notna() & ~e.isin([0.0, 1.0])
    event_shown = e.map(lambda v: "a word not read as 0/1" if v == -1.0 else f"{v:g}")
    # a time without its event, named for the endpoint in use (was dropped unnamed; TCGA-CDR
    # leaves DSS empty for 368 patients, which an OS run does not read)
    no_event = t.notna() & ~neg & e.isna() & chosen
    no_time = ~given & e.isin([0.0, 1.0]) & chosen  # a status, empty time (57 OS in TCGA-CDR)
    for rows, values, what in ((neg, t.map("{:g}".format), "a negative time"),
                               (t.isna() & given, raw_time.map(repr), "a time that is not a number"),
                               (invalid, event_shown, "an event not 0/1"),
                               (no_event, t.map("time {:g}, event empty".format),
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
    frame.loc[neg, f"{ep}_time"] = np.nan
    frame.loc[invalid, f"{ep}_event"] = np.nan
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    return {
        "n_missing_time": int(t.isna().sum()), "n_negative_time": int(neg.sum()),
        "n_non_numeric_time": n_non_numeric, "n_missing_event": int(e.isna().sum()),
        "n_invalid_event": int(invalid.sum()), "n_events": int((e == 1).sum()),
        "n_usable": int((t.notna() & e.notna()).sum()),
    } | ({"n_recoded_from_1_2": recoded} if recoded else {})
