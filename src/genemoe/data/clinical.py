"""Per-patient survival from the tables people have: TCGA-CDR, Xena, GDC clinical, generic.

Recognised, in this order (the first that a table has is used):

1. the columns named by ``time_column`` / ``event_column`` (CLI ``--time-column`` /
   ``--event-column``), taken as the requested endpoint;
2. endpoint pairs ``EP`` + ``EP.time`` (TCGA-CDR: OS, DSS, DFI, PFI; Xena
   ``TCGA-<P>.survival.tsv``: ``sample, OS, _PATIENT, OS.time``);
3. a generic pair (lifelines / scikit-survival habits): a time column such as ``time``,
   ``os_time``, ``survival_time``, ``futime``, ``days`` and an event column such as ``event``,
   ``status``, ``os_status``, ``vital_status``, ``dead``, ``fustat`` (or ``censored``,
   inverted);
4. GDC clinical fields: ``days_to_death`` (event) else ``days_to_last_follow_up`` (censored),
   with ``vital_status`` where present (``days_to_death.demographic`` in Xena's
   ``TCGA-<P>.clinical.tsv``).
5. cBioPortal pairs ``EP_STATUS`` + ``EP_MONTHS`` (OS, DSS; its DFS and PFS are taken as
   DFI and PFI, the TCGA-CDR names of the same intervals).

Events may be 1/0, true/false, Dead/Alive, ``1:DECEASED``/``0:LIVING`` (cBioPortal). Times
are days; a time column named in months, years or weeks (``OS_MONTHS``, ``survival_years``)
is converted to days (months × 30.4375, years × 365.25, weeks × 7), and the conversion is
recorded in the report's ``time_units`` (it was read as days, 30 times too short).
Patients are keyed by the 12-character TCGA barcode when the ids are TCGA barcodes, else by
the id as written (so a generic ``sample, time, status`` table joins on the sample id).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.clinical_endpoint import refuse_empty_endpoint, say_left_out
from genemoe.data.clinical_times import read_times, refuse_unreadable_column, say_commas
from genemoe.data.clinical_values import (
    MAX_DAYS,
    blank_ids,
    clean_endpoint,
    days_per_unit,
    decimal_commas,
    event_coding,
    event_words,
    parse_events,
    patients_from_samples,
    rows_with_patient,
    short_follow_up,
    with_raw,
    words_text,
)
from genemoe.data.ids import is_sample_barcode, respelt_barcodes
from genemoe.errors import input_error

__all__ = ["read_clinical", "parse_events", "event_words", "words_text", "exported_clinical", "clinical_field_names",
           "check_endpoint", "attach_survival"]

logger = logging.getLogger(__name__)

_TIME_NAMES = ["time", "ostime", "survivaltime", "overallsurvivaltime", "survivaldays",
               "timedays", "osdays", "futime", "followuptime", "duration", "days", "tte",
               "osmonths", "survivalmonths", "overallsurvivalmonths", "months", "osyears",
               "survivalyears", "years", "timemonths", "timeyears", "followupdays",
               "followupmonths", "followupyears", "survivaltimemonths", "survivaltimeyears",
               "ostimemonths", "ostimeyears", "ostimedays"]
_CBIOPORTAL = {"OS": "OS", "DSS": "DSS", "DFI": "DFS", "PFI": "PFS"}  # genemoe's → cBioPortal's

_EVENT_NAMES = ["event", "status", "osstatus", "overallsurvivalstatus", "vitalstatus", "dead",
                "death", "died", "fustat", "osevent", "deceased", "censored"]


def _norm(name: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


# Sample-level fields that a samples x genes export may carry beside the genes (Xena phenotype
# and TCGA-CDR names), normalised as by _norm; none is an HGNC symbol (checked against Ensembl 105).
_FIELD_NAMES = frozenset(_TIME_NAMES + _EVENT_NAMES + [
    "os", "dss", "dfi", "pfi", "osstatus", "dsstime", "dfitime", "pfitime", "age", "gender", "sex",
    "race", "ethnicity", "stage", "grade", "tumorstage", "pathologicstage", "clinicalstage",
    "ajccpathologictumorstage", "histologicalgrade", "histologicaltype", "bmi", "height", "weight",
    "cancertype", "cancertypeabbreviation", "tumortype", "projectid", "sampletype",
    "sampletypeid", "patient", "patientid", "batch", "label", "vitalstatus"])


def clinical_field_names(names: Sequence[Any]) -> list[str]:
    """The ``names`` (column or row names of an expression matrix's gene axis) that are
    sample-level clinical fields (``age``, ``OS.time``, ``days_to_death``), not genes."""
    return [str(n) for n in names if (k := _norm(n)) in _FIELD_NAMES
            or k.startswith(("daysto", "ageat", "yearsto"))]


def check_endpoint(endpoint: str) -> None:
    """Refuse an endpoint other than OS, DSS, DFI or PFI (``--endpoint foo`` was taken
    without a word when no survival table was given)."""
    if endpoint not in ("OS", "DSS", "DFI", "PFI"):
        raise input_error(f"unknown endpoint {endpoint!r}", where="--endpoint",
                          fix="use OS, DSS, DFI or PFI")


def _find(df: pd.DataFrame, names: Sequence[str]) -> str | None:
    """First column whose normalised name (or its part before a dot) is in ``names``."""
    for want in names:
        for c in df.columns:
            if _norm(c) == want or _norm(str(c).split(".")[0]) == want:
                return c
    return None


def _col(df: pd.DataFrame, *names: str) -> str | None:
    lookup = {c.lower(): c for c in df.columns}
    return next((lookup[n.lower()] for n in names if n.lower() in lookup), None)


def _patients(df: pd.DataFrame, path: Path
              ) -> tuple[pd.Series, str, dict[str, str], list[str], int]:
    """Patient id per row (NaN where empty: was the patient "NAN"), the table's format, the
    barcodes written with ``.`` or ``_`` for ``-`` (``{as given: dashed}``), read dashed,
    those written in lower case (``tcga-or-a5j1``), read upper-cased (they never joined), and
    how many empty ``_PATIENT`` were taken from the row's ``sample`` barcode."""
    if (c := _col(df, "bcr_patient_barcode")) is not None:
        ids, fmt = df[c], "tcga_cdr"
    elif (c := _col(df, "_PATIENT")) is not None:
        ids, fmt = df[c], "xena_survival"
    elif (c := _find(df, ["sample", "sampleid", "samples", "patientid", "patient",
                          "casesubmitterid", "submitterid", "id", "barcode"])) is not None:
        # any spelling: sample_id, "Sample ID" (cBioPortal's download), sampleId (its API)
        ids, fmt = df[c], "table"
    elif any(is_sample_barcode(str(c)) for c in df.columns):  # was "no patient or sample column"
        sep = {"\t": "<TAB>"}.get(df.attrs.get("delimiter", ","), df.attrs.get("delimiter", ","))
        raise input_error(f"the first row looks like data ({', '.join(map(str, df.columns[:3]))}: "
                          "a barcode as a column name): the file has no header line", path=path,
                          where="line 1", fix=f"add a header line such as bcr_patient_barcode{sep}"
                                              f"OS{sep}OS.time naming the columns")
    else:
        raise input_error(f"no patient or sample column (columns are {list(df.columns)[:12]})",
                          path=path, fix="expected bcr_patient_barcode (TCGA-CDR), sample/_PATIENT "
                                         "(Xena survival) or a sample/patient id column")
    n_from_sample = 0
    if fmt == "xena_survival":
        ids, n_from_sample = patients_from_samples(ids, df[s] if (s := _col(df, "sample")) else None)
    if (blank := blank_ids(ids)).all() and len(ids):
        raise input_error("is empty in every row: no patient ids", path=path, where=f"column {c!r}",
                          fix="fill in the patient or sample barcodes (e.g. TCGA-OR-A5J8)")
    ids = ids[~blank].astype(str).str.strip()  # an empty cell: no patient (was "nan" -> "NAN")
    if ids.map(is_sample_barcode).mean() >= 0.8:
        respelt = respelt_barcodes(ids)  # R's make.names: TCGA.OR.A5J8 (was refused or unjoined)
        dashed = ids.map(lambda v: respelt.get(v, v))
        lower = dashed[dashed != dashed.str.upper()].tolist()
        patients = dashed.str.upper().str.split("-").str[:3].str.join("-")
        return patients.reindex(blank.index), fmt, respelt, lower, n_from_sample
    if fmt != "table":  # the column named twice before: "column 'x': column 'x' does not ..."
        raise input_error(f"holds no TCGA-style patient or sample barcodes (it has {ids.iloc[0]!r}; "
                          "expected e.g. TCGA-OR-A5J8 or TCGA-OR-A5J8-01A)", path=path,
                          where=f"column {c!r}", fix="point at a TCGA survival table (TCGA-CDR, "
                          "Xena's survival.tsv), or one whose sample/patient column holds the "
                          "expression's ids")
    return ids.reindex(blank.index), "table (ids as written)", {}, [], n_from_sample


def _pick(df: pd.DataFrame, name: str, flag: str, path: Path) -> str:
    if name not in df.columns:
        raise input_error(f"no column {name!r}; columns are {list(df.columns)[:20]}", path=path,
                          where=flag, fix=f"pass one of the table's columns as {flag}")
    return name


def _days_to_death(df: pd.DataFrame, path: Path) -> tuple[pd.Series, pd.Series] | None:
    death = _find(df, ["daystodeath"])
    follow = _find(df, ["daystolastfollowup", "daystolastfollowupdiagnoses"])
    if death is None:
        return None
    delim = df.attrs.get("delimiter")
    d = read_times(df[death], delim, path)[0]  # '567,0' (was NaN: no event)
    f = read_times(df[follow], delim, path)[0] if follow else d * np.nan
    vital = _find(df, ["vitalstatus"])
    dead = parse_events(df[vital], df.attrs.get("delimiter")).eq(1.0) if vital else d.notna()
    time = d.where(dead & d.notna(), f)
    event = pd.Series(np.where(dead, 1.0, np.where(f.notna(), 0.0, np.nan)), index=df.index)
    event = event.where(time.notna() | dead)
    return (df[death].where(dead, df[follow] if follow else np.nan),
            with_raw(event, df[vital] if vital else None, codable=False))


def _endpoint_columns(df: pd.DataFrame, path: Path, endpoints: Sequence[str], endpoint: str,
                      time_column: str | None, event_column: str | None,
                      ) -> tuple[dict[str, tuple[pd.Series, pd.Series]], str]:
    """Raw time (as written) and parsed event per endpoint, and how they were found."""
    if time_column or event_column:
        if not (time_column and event_column):
            raise input_error("give both --time-column and --event-column", path=path,
                              fix="name the survival time (days, or a column named in months or years) and "
                                  "the event (1 = event) columns")
        tc = _pick(df, time_column, "--time-column", path)
        ec = _pick(df, event_column, "--event-column", path)
        return ({endpoint: (df[tc], with_raw(parse_events(df[ec], df.attrs.get("delimiter")), df[ec]))},
                f"columns {tc!r} / {ec!r} (as stated)")
    found = {}
    for ep in endpoints:
        ec, tc = _col(df, ep), _col(df, f"{ep}.time", f"{ep}_time") or _unit_time(df, ep)
        if ec is not None and tc is not None:
            found[ep] = (df[tc], with_raw(parse_events(df[ec], df.attrs.get("delimiter")), df[ec]))
    if found:
        return found, "endpoint columns EP / EP.time"
    for ep in endpoints:  # cBioPortal: OS_STATUS / OS_MONTHS, DFS_* for DFI, PFS_* for PFI
        theirs = _CBIOPORTAL.get(ep, ep)
        ec, tc = _col(df, f"{theirs}_STATUS"), _col(df, f"{theirs}_MONTHS")
        if ec is not None and tc is not None:
            found[ep] = (df[tc], with_raw(parse_events(df[ec], df.attrs.get("delimiter")), df[ec]))
    if found:
        return found, "cBioPortal columns EP_STATUS / EP_MONTHS (DFS as DFI, PFS as PFI)"
    tc, ec = _find(df, _TIME_NAMES), _find(df, _EVENT_NAMES)
    if tc is not None and ec is not None:
        ev, inverted = parse_events(df[ec], df.attrs.get("delimiter")), _norm(ec).startswith("censored")
        if inverted:
            ev = (1.0 - ev).where(ev.isin([0.0, 1.0]), ev)
        return {endpoint: (df[tc], with_raw(ev, df[ec], codable=not inverted))}, f"time {tc!r} and event {ec!r} (taken as {endpoint})"
    if (dd := _days_to_death(df, path)) is not None:
        return {endpoint: dd}, f"days_to_death / days_to_last_follow_up (taken as {endpoint})"
    if (types := _cancer_type_column(df, path)) is not None:  # a label table given as --clinical
        raise input_error(
            f"none of the endpoints {list(endpoints)} found, but column {types!r} holds cancer "
            "types: a sample → cancer-type table, not a survival table", path=path,
            fix="pass it as --labels (Python: label_paths=); --clinical takes survival (columns "
                "like OS, OS.time: TCGA-CDR, Xena's TCGA-<TYPE>.survival.tsv)")
    raise input_error(
        f"none of the endpoints {list(endpoints)} found (need EP and EP.time columns, a "
        "time/event pair or days_to_death)", path=path,
        fix="expected columns like OS, OS.time (TCGA-CDR / Xena survival), time + status, or "
            "name them with --time-column and --event-column")


def _first_comma(raw_event: pd.Series) -> Any:
    """The first event cell written with a decimal comma (``'1,0'``), as written."""
    return raw_event[decimal_commas(raw_event, None).to_numpy()].iloc[0]


def _unit_time(df: pd.DataFrame, ep: str) -> str | None:
    """A time column of ``ep`` named in its unit (``OS_MONTHS``, ``OS.time_months``,
    ``OS_days``): the months-as-days warning advises naming a column so, and one beside
    DSS.time was not looked for ("no OS / OS.time columns")."""
    units = ("days", "weeks", "months", "years")
    names = {f"{ep.lower()}{mid}{u}" for mid in ("", "time") for u in units}
    return next((c for c in df.columns if _norm(c) in names), None)


def _cancer_type_column(df: pd.DataFrame, path: Path) -> str | None:
    """The column a label table's reader would take the cancer type from, or None."""
    from genemoe.data.tables import _find_label_column
    from genemoe.errors import InputError

    try:
        return _find_label_column(df, str(df.columns[0]), path)
    except InputError:
        return None


def _read_one(path: Path, endpoints: Sequence[str], endpoint: str, time_column: str | None,
              event_column: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    from genemoe.data.tables import _read_table, normalise_label

    df = _read_table(path)
    ids, fmt, respelt, lower, n_from_sample = _patients(df, path)
    df, ids, n_no_patient = rows_with_patient(df, ids, path, n_from_sample)
    cols, how = _endpoint_columns(df, path, endpoints, endpoint, time_column, event_column)
    frame = pd.DataFrame(index=pd.Index(ids.to_numpy(), name="patient_id"))
    tcol = _col(df, "acronym", "cancer_type", "cancer type abbreviation", "project_id",
                "project_id.project", "type")
    from_name = re.search(r"(?:TCGA|TARGET)-([A-Z0-9]+)\.(?:survival|clinical)", path.name)
    if tcol is not None:
        frame["cancer_type"] = df[tcol].map(normalise_label).to_numpy()
    else:
        frame["cancer_type"] = from_name.group(1) if from_name else np.nan
    units, n_commas, n_thousands, coding, recoded, n_comma_events = {}, 0, 0, {}, {}, 0
    time_columns: dict[str, str] = {}
    for ep, (raw_time, event) in cols.items():
        raw_event = event.attrs.get("raw")
        if event.attrs.get("codable"):  # R's Surv() 1/2 looked for in each file on its own
            coding[ep] = event_coding(event, raw_event, ids, path, ep, ep == endpoint)
        if coding.get(ep) == "1/2":  # was judged over all files together, and upset by one word
            recoded[ep] = int(event.isin([1.0, 2.0]).sum())
            event = event.where(~event.isin([1.0, 2.0]), event - 1.0)
            logger.warning("%s: %s events coded 1/2: read as R's Surv() coding (1 censored, "
                           "2 event): %d event(s), %d censored", path.name, ep,
                           int(event.eq(1.0).sum()), int(event.eq(0.0).sum()))
        per_unit, unit = days_per_unit(raw_time.name)
        if unit is not None:
            units[ep] = f"{raw_time.name}: {unit} × {per_unit:g} → days"
        times, n, n_sep = read_times(raw_time, df.attrs.get("delimiter"), path, ep == endpoint)
        if ep == endpoint:  # '1355 days' in every row: the column named (was "--endpoint")
            refuse_unreadable_column(raw_time, times, ep, path)
        n_commas, n_thousands = n_commas + n, n_thousands + n_sep
        time_columns[ep] = str(raw_time.name)
        if raw_event is not None:  # '1,0' read as 1 by parse_events, counted as times are
            n_ev = int(decimal_commas(raw_event, df.attrs.get("delimiter")).sum())
            n_comma_events += n_ev
            if n_ev and df.attrs.get("delimiter") != ";":  # a ';' table writes them so
                logger.warning("%s: %d %s event(s) written with a decimal comma (e.g. %r), "
                               "read as 1 / 0", path.name, n_ev, ep, _first_comma(raw_event))
        say_commas(raw_time, n, n_sep, df.attrs.get("delimiter"), path.name, ep)
        frame[f"{ep.lower()}_time"] = (times * per_unit).to_numpy(dtype=float)
        frame[f"{ep.lower()}_event"] = event.to_numpy(dtype=float)
        frame[f"_raw_{ep.lower()}"] = raw_time.to_numpy()
        frame[f"_rawev_{ep.lower()}"] = raw_event.to_numpy() if raw_event is not None else np.nan
    if respelt:  # a conversion of the join's keys: said, counted
        given, dashed = next(iter(respelt.items()))
        logger.info("%s: %d barcode(s) written with '.' or '_' for '-' (as R's make.names "
                    "writes them), e.g. %r, read as %r", path.name, len(respelt), given, dashed)
    if lower:  # tcga-or-a5j1 never joined: "none of its patients is one of the expression's"
        logger.info("%s: %d barcode(s) written in lower case (e.g. %r), read upper-cased",
                       path.name, len(lower), lower[0])
    info = {"path": str(path), "format": fmt, "columns": how, "n_rows": len(df) + n_no_patient,
            "n_patients_from_sample": n_from_sample, "n_rows_without_patient": n_no_patient,
            "n_barcodes_respelt": len(respelt), "n_barcodes_uppercased": len(lower),
            "cancer_type_source": tcol or ("file name" if from_name else None),
            "time_units": units, "time_columns": time_columns, "n_decimal_comma_times": n_commas,
            "n_decimal_comma_events": n_comma_events,
            "n_thousands_separator_times": n_thousands, "event_coding": coding,
            "n_recoded_from_1_2": recoded}
    return frame, info


def read_clinical(path: Path | str | Sequence[Path | str], *,
                  endpoints: tuple[str, ...] = ("OS", "DSS", "DFI", "PFI"), endpoint: str = "OS",
                  time_column: str | None = None, event_column: str | None = None,
                  said_on_join: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read per-patient survival from one table or several (e.g. one Xena file per project).

    Parameters
    ----------
    path
        A table, or several (rows are stacked; a patient in two files keeps the first row
        with a usable ``endpoint``; each file's 1/2 event coding is detected on its own).
    endpoints
        Endpoint pairs to take: event column ``EP`` (1/0) and time column ``EP.time`` (days).
    endpoint
        The name given to a pair found by ``time_column``/``event_column``, a generic
        time/event pair or days_to_death fields (module docstring).
    time_column, event_column
        State the columns (both or neither).
    said_on_join
        Name the patients whose values are left out (a negative time, an event without a
        time, ...) when :func:`attach_survival` joins the table, saying how many of them
        are in the data (a warning when some are, else an info line), not on reading.

    Returns
    -------
    frame
        Indexed by patient id (``TCGA-XX-XXXX``, or the id as written for non-TCGA ids):
        ``cancer_type`` (NaN where unknown) and ``<ep>_time`` (float days, NaN unknown) /
        ``<ep>_event`` (1.0/0.0, NaN unknown), lower-case, for every endpoint present.
    report
        ``format``, ``columns`` (how the endpoints were found), ``n_rows``, ``n_patients``,
        ``n_duplicate_rows``, ``n_conflicting_duplicates`` (patients whose rows disagree on
        ``endpoint``; the first complete row kept), ``endpoints`` (per endpoint:
        ``n_missing_time``, ``n_negative_time`` and, where any, ``n_implausible_time`` (not finite, or
        over 100 years; set to NaN), ``n_non_numeric_time``,
        ``n_missing_event`` (the invalid ones, set to NaN, included), ``n_invalid_event``
        (not 0/1), ``n_events``,
        ``n_usable``), ``endpoints_absent``, ``event_words`` (endpoint → each event word
        or code as written → what it was read as, with its count: ``{"OS": {"Dead -> 1":
        28}}``), ``time_units`` (endpoint → the conversion of a
        time column named in months, years or weeks to days), ``time_columns`` (endpoint →
        its time column, the first file's), ``n_decimal_comma_times`` (times written
        ``12,5`` in a ``;``-separated table, or in another whose time column holds no
        thousands separator, read as 12.5; a column of both forms is refused:
        :mod:`genemoe.data.clinical_times`),
        ``n_decimal_comma_events`` (events written ``1,0`` / ``0,0`` there, read as 1 / 0),
        ``n_barcodes_respelt`` (barcodes written with ``.`` or ``_`` for ``-``, as R's
        ``make.names`` writes them, read as the dashed ones), ``n_barcodes_uppercased``,
        ``n_thousands_separator_times`` (``1,355`` read as 1355), ``event_coding`` (per
        endpoint, each file's: ``0/1``, ``1/2`` (R's Surv(), read 1 censored, 2 event) or
        ``only 1``), ``n_patients_from_sample`` (Xena's empty ``_PATIENT`` taken from the
        row's sample barcode), ``n_rows_without_patient`` (rows naming no patient: dropped);
        ``files`` per file when several were read.
    """
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise input_error("no survival table given", where="--clinical", fix="pass a table")
    parts = [_read_one(p, endpoints, endpoint, time_column, event_column) for p in paths]
    source = ", ".join(p.name for p in paths)
    frame = pd.concat([f for f, _ in parts])
    report: dict[str, Any] = {**parts[0][1], "n_rows": len(frame), "endpoints": {}} | {
        k: sum(i[k] for _, i in parts) for k in ("n_decimal_comma_times", "n_decimal_comma_events",
                                                 "n_barcodes_respelt", "n_patients_from_sample",
                                                 "n_rows_without_patient",
                                                 "n_barcodes_uppercased", "n_thousands_separator_times")}
    report["event_coding"] = _codings(parts, endpoint)
    if len(parts) > 1:
        report.update(path=[i["path"] for _, i in parts], files=[i for _, i in parts])
    raw_cols = [c for c in frame.columns if c.startswith("_raw_")]
    present = [c.removeprefix("_raw_").upper() for c in raw_cols]
    report["endpoints_absent"] = [ep for ep in endpoints if ep not in present]
    report["n_duplicate_rows"] = int(frame.index.duplicated().sum())
    frame, conflicts = _one_row_per_patient(frame, endpoint.lower())
    report["n_conflicting_duplicates"] = len(conflicts)
    report["event_words"] = {ep: w for ep in present  # per patient (was per row: GDC's 2 a case)
                             if (w := event_words(frame[f"_rawev_{ep.lower()}"]))}
    left_out: list | None = [] if said_on_join else None
    for c, ep in zip(raw_cols, present, strict=True):
        report["endpoints"][ep] = clean_endpoint(frame, ep.lower(), frame[c],
                                                 frame[f"_rawev_{ep.lower()}"], source,
                                                 ep == endpoint, left_out)
        if n := sum(i["n_recoded_from_1_2"].get(ep, 0) for _, i in parts):
            report["endpoints"][ep]["n_recoded_from_1_2"] = n
    if conflicts:
        (left_out if left_out is not None else []).append(
            {"source": source, "endpoint": endpoint, "what": "rows that disagree",
             "values": conflicts})
    if left_out:
        report["_left_out"] = left_out  # said, then removed, by attach_survival
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_raw")])
    short_follow_up(frame, endpoint.lower(), report, source)
    report["n_patients"] = len(frame)
    for ep, words in report["event_words"].items():  # a conversion of the data: said
        logger.info("%s: %s events written as words, read as: %s", source, ep, words_text(words))
    logger.info("%s: %d patients, endpoints %s (%s)", source, len(frame), present, report["columns"])
    if conflicts and left_out is None:  # was an INFO line: unsaid by default
        logger.warning("%s: %d patient(s) with rows that disagree on %s (e.g. %s): the first "
                       "complete row of each kept", source, len(conflicts), endpoint,
                       ", ".join(f"{p} ({v})" for p, v in list(conflicts.items())[:3]))
    return frame, report


def _one_row_per_patient(frame: pd.DataFrame, ep: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per patient: the first with a usable ``ep`` time and event, else the first
    (an empty first row hid a complete later one), and the patients whose rows disagree on
    ``ep`` (``{patient: "1355/1 vs 1455/1"}``, time/event; empty rows do not disagree)."""
    if not frame.index.duplicated().any():
        return frame, {}
    pos = pd.Series(np.arange(len(frame)), index=frame.index)
    if f"{ep}_time" not in frame:
        return frame[~frame.index.duplicated()], {}
    t, e = frame[f"{ep}_time"], frame[f"{ep}_event"]
    usable = (t >= 0) & (t <= MAX_DAYS) & e.isin([0.0, 1.0])
    order = pd.DataFrame({"p": frame.index, "u": ~usable.to_numpy(), "pos": pos.to_numpy()})
    keep = order.sort_values(["u", "pos"], kind="stable").drop_duplicates("p")["pos"]
    shown = t.map("{:g}".format) + "/" + e.map("{:g}".format)
    given = (t.notna() | e.notna()) & frame.index.duplicated(keep=False)
    seen = shown[given].groupby(level=0, sort=False).agg(lambda v: list(dict.fromkeys(v)))
    conflicts = {str(p): " vs ".join(v) for p, v in seen.items() if len(v) > 1}
    return frame.iloc[np.sort(keep.to_numpy())], conflicts


def _codings(parts: list[tuple[pd.DataFrame, dict[str, Any]]], endpoint: str
             ) -> dict[str, dict[str, str]]:
    """Each file's event coding per endpoint (``{"OS": {"a.tsv": "1/2", "b.tsv": "0/1"}}``);
    files that differ are each read by their own, and said. A file of only 1s beside one
    coded 1/2 is refused for ``endpoint``: its 1s are events (0/1) or censored (1/2)."""
    out: dict[str, dict[str, str]] = {}
    for _, info in parts:
        for ep, code in info["event_coding"].items():
            out.setdefault(ep, {})[Path(info["path"]).name] = code
    for ep, files in out.items():
        if len(set(files.values())) < 2 or "1/2" not in files.values():
            continue
        said = ", ".join(f"{f} {c}" for f, c in files.items())
        ones = [f for f, c in files.items() if c == "only 1"]
        if ones and ep == endpoint:
            raise input_error(f"{ep} events of {ones[0]} are all 1 while another file codes them "
                              f"1/2 ({said}): its 1s may be events (0/1) or censored (1/2)",
                              path=ones[0], where=f"column {ep}", fix="recode the events of each "
                              "file to 0/1 (1 = event, 0 = censored)")
        logger.warning("the --clinical files code %s events differently (%s): each file read by "
                       "its own coding", ep, said)
    return out


def exported_clinical(tables: Sequence[Any], endpoint: str = "OS", *, whose: str = "bundle"
                      ) -> tuple[pd.DataFrame | None, dict]:
    """The survival a ``genemoe export`` (.h5ad) carries in its ``obs``, as
    :func:`read_clinical` gives a clinical table: indexed by ``patient_id``, ``<ep>_time`` /
    ``<ep>_event`` for every endpoint the export holds (a patient's first sample's values).

    ``tables``: the expression tables read (``sample_meta``, ``from_export``);
    only genemoe exports count. ``(None, {})`` without one holding survival (re-preparing an
    export lost its survival without a word before 2026-12-03). An export of a bundle of
    another ``endpoint`` (its ``time`` / ``event`` are that endpoint's) is warned: re-preparing
    a DFI export gave OS survival, said only as "survival (OS)".
    """
    frames, files = [], []
    for t in tables:
        meta = getattr(t, "sample_meta", None)
        if not getattr(t, "from_export", False) or meta is None \
                or "patient_id" not in meta.columns:
            continue
        cols = [c for c in meta.columns if re.fullmatch(r"[a-z]+_(time|event)", str(c))]
        if cols:
            frames.append(meta[["patient_id", *cols]].astype({c: float for c in cols}))
            files.append(str(t.source_path))
            if (own := _export_endpoint(meta, cols)) not in (None, endpoint.upper()):
                logger.warning("%s: exported from a bundle of endpoint %s; this %s's survival "
                               "is %s (%s)", t.source_path.name, own, whose, endpoint.upper(),
                               f"pass --endpoint {own} to keep the export's" if whose == "bundle"
                               else "the export's own columns of it are scored")  # predict
    if not frames:
        return None, {}
    joined = pd.concat(frames).dropna(subset=["patient_id"])
    joined["patient_id"] = joined["patient_id"].astype(str)  # h5ad: categorical
    clinical = joined.groupby("patient_id", sort=False).first()
    report = {"format": "genemoe export (.h5ad obs)", "files": files,
              "n_patients": int(len(clinical)),
              "endpoints_present": sorted({c.rsplit("_", 1)[0].upper() for c in clinical.columns})}
    logger.info("survival from the genemoe export's obs (%s): %d patients", ", ".join(files),
                len(clinical))
    return clinical, report


def _export_endpoint(meta: pd.DataFrame, cols: list[str]) -> str | None:
    """The endpoint whose ``<ep>_time`` / ``<ep>_event`` an export's ``time`` / ``event`` are."""
    if not {"time", "event"} <= set(meta.columns):
        return None
    time = pd.to_numeric(meta["time"], errors="coerce").to_numpy(float)
    known = np.isfinite(time)  # a sample without the endpoint's survival: event False, not NaN
    if not known.any():
        return None
    event = pd.to_numeric(meta["event"], errors="coerce").to_numpy(float)[known]
    for c in cols:
        ep = c[:-5]
        if c.endswith("_time") and f"{ep}_event" in cols and np.array_equal(
                time[known], meta[c].to_numpy(float)[known]) and np.array_equal(
                event, meta[f"{ep}_event"].to_numpy(float)[known]):
            return ep.upper()
    return None


def attach_survival(obs: pd.DataFrame, clinical: pd.DataFrame | None, report: dict,
                    endpoint: str) -> dict[str, Any]:
    """Join the clinical table's endpoints to ``obs`` (one row per sample) by patient, in
    place: every ``<ep>_time``/``<ep>_event`` column, and ``time``, ``event`` and
    ``has_survival`` of ``endpoint``.

    Returns
    -------
    dict
        The join's record (``prepare``'s ``join_survival`` step): ``endpoint``,
        ``n_with_survival``, ``n_events``, ``n_without`` and why (``without``: ``{"no row in
        the table": 3, "no time and no event": 17}``), ``n_table_patients_without_sample``
        (the table's patients none of the samples is of: ids in another form show here) with
        up to 3 ``examples``, ``clinical_report``; empty without a table.
    """
    ep = endpoint.lower()
    obs["time"], obs["event"], obs["has_survival"] = np.nan, False, False
    if clinical is None:
        return {}
    for col in clinical.columns:
        if col.endswith("_time") or col.endswith("_event"):
            obs[col] = obs["patient_id"].map(clinical[col]).astype(float)
    if f"{ep}_time" not in obs.columns:  # was "choose one the table has (OS, DSS, DFI, PFI)"
        have = [c.removesuffix("_time").upper() for c in clinical.columns if c.endswith("_time")]
        raise input_error(f"the clinical table has no {endpoint} time and event columns (it has "
                          f"{', '.join(have) or 'none'})", path=report.get("path"),
                          where="--endpoint", fix=f"choose an endpoint the table has ({', '.join(have)}), "
                          f"or name its {endpoint} columns with --time-column and --event-column")
    if len(clinical) and not obs["patient_id"].isin(clinical.index).any():  # was 0 joined, unsaid
        raise input_error(f"none of its {len(clinical):,} patients is one of the expression's (it has "
                          f"{clinical.index[0]!r}; the expression {obs['patient_id'].iloc[0]!r})",
                          where="--clinical", fix="pass the survival table of these patients")
    left_out = report.pop("_left_out", [])
    in_data = say_left_out(left_out, set(obs["patient_id"]))
    if any(i["what"] == "rows that disagree" for i in left_out):  # this data's (was the table's)
        report["n_conflicting_duplicates_in_table"] = report["n_conflicting_duplicates"]
        report["n_conflicting_duplicates"] = in_data.get(f"{endpoint}: rows that disagree", 0)
    t, e = obs[f"{ep}_time"], obs[f"{ep}_event"]
    ok = t.notna() & e.notna()
    if len(obs) and not ok.any():  # a bundle without survival, said only by its counts
        refuse_empty_endpoint(obs, endpoint, report, left_out)
    obs["time"] = t.where(ok)
    obs["event"] = (e.fillna(0) > 0) & ok
    obs["has_survival"] = ok
    unmatched = clinical.index[~clinical.index.isin(obs["patient_id"])]  # were uncounted
    return dict(endpoint=endpoint, n_with_survival=int(ok.sum()), n_events=int(obs["event"].sum()),
                n_without=int((~ok).sum()), without=_without(obs, clinical, ok, ep),
                n_table_patients_without_sample=len(unmatched),
                table_patients_without_sample_examples=[str(p) for p in unmatched[:3]],
                **({"left_out_in_data": in_data} if in_data else {}), clinical_report=report)


def _without(obs: pd.DataFrame, clinical: pd.DataFrame, ok: pd.Series, ep: str) -> dict[str, int]:
    """Why the samples without survival have none, counted (``n_without`` was one number:
    17 LAML samples whose patients' PFI cells are empty in TCGA-CDR were not told from the
    samples of patients missing from the table): ``no row in the table``, ``no time and no
    event`` (of the endpoint, after the values left out were set missing), ``time or event
    missing`` (the other: an event without a time, a negative time, ... named by
    ``left_out_in_data``)."""
    miss = obs.loc[~ok.to_numpy()]
    row = miss["patient_id"].isin(clinical.index)
    empty = row & miss[f"{ep}_time"].isna() & miss[f"{ep}_event"].isna()
    out = {"no row in the table": int((~row).sum()), "no time and no event": int(empty.sum()),
           "time or event missing": int((row & ~empty).sum())}
    return {k: v for k, v in out.items() if v}
