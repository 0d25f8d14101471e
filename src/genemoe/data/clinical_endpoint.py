"""What :func:`genemoe.data.clinical.attach_survival` says of the survival values a table
left out, and its refusal of an endpoint none of the data's patients has, which names the
cause: times that are not numbers (the column and the format fix), or an endpoint the table
does not give these patients (the endpoints it does give)."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from genemoe.data.clinical_times import unreadable_times_error
from genemoe.errors import input_error

__all__ = ["say_left_out", "refuse_empty_endpoint", "NOT_A_NUMBER"]

logger = logging.getLogger(__name__)

NOT_A_NUMBER = "a time that is not a number"  # the kind of value left out, as said


def say_left_out(left_out: list[dict[str, Any]], patients: set) -> dict[str, int]:
    """Say each kind of value a survival table left out (a negative time, a status without
    a time, ...): a warning naming the patients of the data it concerns, an info line when
    none is (TCGA-CDR's 57 OS statuses without a time are of other cohorts for most data);
    ``{"OS: what": n in the data}`` of those that concern some."""
    out = {}
    for item in left_out:
        values, ep = item["values"], item["endpoint"]
        mine = {p: v for p, v in values.items() if p in patients}
        outcome = (f"the first complete row of each kept ({ep} time/event)"
                   if item["what"] == "rows that disagree" else f"no {ep} for them")
        if mine:
            out[f"{ep}: {item['what']}"] = len(mine)
            logger.warning("%s: %d patient(s) with %s, %d of them in this data (e.g. %s): %s",
                           item["source"], len(values), item["what"], len(mine),
                           ", ".join(f"{p} ({v})" for p, v in list(mine.items())[:3]), outcome)
        else:
            logger.info("%s: %d patient(s) with %s, none of them in this data (e.g. %s)",
                        item["source"], len(values), item["what"],
                        ", ".join(f"{p} ({v})" for p, v in list(values.items())[:3]))
    return out


def _refuse_unreadable(obs: pd.DataFrame, endpoint: str, report: dict,
                       left_out: list[dict[str, Any]]) -> None:
    """Refuse, naming the column and the format fix, when the data's patients' times of
    ``endpoint`` were given but none is a number (``1355 days``): the refusal that followed
    named ``--endpoint`` and pointed at another endpoint."""
    patients = set(obs["patient_id"])
    for item in left_out:
        if item["endpoint"] != endpoint or item["what"] != NOT_A_NUMBER:
            continue
        mine = [v for p, v in item["values"].items() if p in patients]
        if mine:
            column = (report.get("time_columns") or {}).get(endpoint)
            raise unreadable_times_error(list(dict.fromkeys(mine))[:3], len(mine), endpoint,
                                         column, item["source"], whose="these patients'")


def refuse_empty_endpoint(obs: pd.DataFrame, endpoint: str, report: dict | None = None,
                          left_out: list[dict[str, Any]] | None = None) -> None:
    """Refuse an endpoint none of the samples' patients has (TCGA-CDR gives UVM no DFI:
    ``--endpoint DFI`` made a bundle of 0 with survival, unwarned, and `train` then said it
    was "prepared without --clinical"), naming the endpoints these patients do have; or,
    where their times were given but are not numbers, the column and the format fix.

    Parameters
    ----------
    obs
        One row per sample: ``patient_id`` and each ``<ep>_time`` / ``<ep>_event``.
    report, left_out
        :func:`~genemoe.data.clinical.read_clinical`'s report (its ``time_columns``) and
        the values it left out (``said_on_join``), which tell unreadable times apart.

    Raises
    ------
    InputError
        Always: ``where`` the column of unreadable times, else ``--endpoint`` (a caller
        whose user has no such option, ``predict``, gives its own).
    """
    _refuse_unreadable(obs, endpoint, report or {}, left_out or [])
    have = {c.removesuffix("_time").upper(): int((obs[c].notna() & obs[c.removesuffix("_time")
                                                                    + "_event"].notna()).sum())
            for c in obs.columns if c.endswith("_time") and c.removesuffix("_time") + "_event" in obs}
    others = [f"{ep} ({n:,})" for ep, n in sorted(have.items(), key=lambda kv: -kv[1]) if n]
    raise input_error(f"the clinical table gives none of the {len(obs):,} samples' patients a "
                      f"{endpoint} time and event", where="--endpoint",
                      fix=(f"choose an endpoint these patients have: {', '.join(others)} with "
                           "survival" if others else "pass the survival table of these "
                           "patients") + "; or leave out --clinical for a classification bundle")
