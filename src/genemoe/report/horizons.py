"""A survival run's report section: survival probability at 1, 3 and 5 years, predicted
against the Kaplan–Meier estimate (with its interval) on the test split."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from genemoe.evaluate.brier import (
    event_word,
    horizon_calibration,
    last_event_time,
    outside_ci,
    probability_word,
)
from genemoe.report.html_parts import html_table as _table
from genemoe.report.text import fmt_ci

__all__ = ["horizon_table", "outside_interval", "OUTSIDE_MARK"]

GROUPS = ("all", "higher-risk half", "lower-risk half")  # horizon_calibration's groups
OUTSIDE_MARK = "(outside)"  # beside a predicted value outside the observed 95% interval


def horizon_table(d: Path, payload: dict, endpoint: str | None = None) -> str:
    """Survival runs: ``predict``'s probabilities at 1, 3, 5 years against Kaplan–Meier on
    the test split (all patients, and the halves above and below the median risk); worded
    by the run's ``endpoint`` (``PFI probability``, events; OS and unknown: survival, deaths)."""
    if payload.get("task") != "survival" or not (d / "predictions.tsv").exists():
        return ""
    what = probability_word(endpoint)
    title = f"{what[0].upper()}{what[1:]} probability" if what == "survival" else what
    ended = "died" if event_word(endpoint) == "death" else "had the event"
    pred = pd.read_csv(d / "predictions.tsv", sep="\t")
    if "split" not in pred.columns:  # built by hand or by an older version: was KeyError
        return (f"<h3>{title} at fixed horizons</h3><p>Not drawn: "
                "<code>predictions.tsv</code> has no <code>split</code> column, so its test "
                "patients cannot be told from the training ones the baseline was fitted on.</p>")
    test = pred[(pred["split"] == "test") & pred["time"].notna()]
    rows = horizon_calibration(payload.get("survival_baseline"), test["time"].to_numpy(float),
                               test["event"].astype(bool).to_numpy(), test["risk"].to_numpy(float))
    if not rows:
        return ""
    return (f"<h3>{title} at fixed horizons (test split)</h3><p>Predicted: the mean "
            "of <code>predict</code>'s <code>survival_1y</code>... (the training patients' "
            "Breslow baseline raised to exp(risk)); observed: the Kaplan–Meier estimate of the "
            f"same patients ({len(test)}, {int(test['event'].astype(bool).sum())} events), with "
            "its 95% interval (Greenwood, log-log): with few patients at risk it spans tens of "
            "points; none at risk: –, or 0.000 where the estimate had fallen to 0 (the group's "
            f"last patient {ended}).</p>" + _table(_with_intervals(pd.DataFrame(rows)))
            + _outside_note(rows, what) + _beyond_note(rows, payload.get("survival_baseline"),
                                                       endpoint))


def outside_interval(rows: list[dict]) -> dict[str, list[str]]:
    """The groups whose predicted value lies outside the observed 95% interval, per horizon
    (``{"1 year": ["all", "higher-risk half"]}``; horizons with none left out), from
    :func:`~genemoe.evaluate.brier.horizon_calibration`'s rows. A missing value or a
    zero-width interval (no event yet) is not counted: there is no interval to miss."""
    out: dict[str, list[str]] = {}
    for row in rows:
        for group in GROUPS:
            p, ci = row.get(f"{group}: predicted"), row.get(f"{group}: observed 95% CI")
            if outside_ci(p, ci):
                out.setdefault(str(row["horizon"]), []).append(group)
    return out


def _outside_note(rows: list[dict], what: str) -> str:
    """One sentence under the table naming where the prediction missed the observed interval
    (the 1-year 0.660 beside 0.756 [0.682, 0.815] went unsaid); '' where none did."""
    missed = outside_interval(rows)
    if not missed:
        return ""
    said = [f"{h} ({', '.join('all patients' if g == 'all' else g for g in gs)})"
            for h, gs in missed.items()]
    where = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    return (f"<p>{OUTSIDE_MARK}: predicted outside the observed interval at {where}: the "
            f"model's {what} curve is off there (calibration).</p>")


def _beyond_note(rows: list[dict], baseline: dict | None, endpoint: str | None) -> str:
    """Why a horizon's predicted cells are –: beyond the last training event, where the
    baseline ends (the 5-year row was dropped unsaid, predict said why); '' if none is."""
    beyond = [r["horizon"] for r in rows if r["all: predicted"] != r["all: predicted"]]
    last = last_event_time(baseline)
    if not beyond or last is None:
        return ""
    return (f"<p>Predicted at {' and '.join(beyond)}: –, beyond the last training "
            f"{event_word(endpoint)} (day {last:,.0f}), where the baseline ends.</p>")


def _with_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """Each ``<group>: observed`` cell with its interval: ``0.620 [0.48, 0.74]``; a
    ``<group>: predicted`` cell outside it marked ``0.660 (outside)``."""
    out = table.map(lambda v: f"{v:.3f}" if isinstance(v, float) and v == v else v)  # NaN: –
    for group in GROUPS:  # a prediction outside the observed interval, marked
        pred, ci = f"{group}: predicted", f"{group}: observed 95% CI"
        if pred in table and ci in table:
            out[pred] = [f"{shown} {OUTSIDE_MARK}" if outside_ci(p, c) else shown
                         for shown, p, c in zip(out[pred], table[pred], table[ci], strict=True)]
    for col in [c for c in table.columns if c.endswith(": observed 95% CI")]:
        obs = col.removesuffix(" 95% CI")
        out[obs] = [_observed_cell(o, ci) for o, ci in zip(out[obs], table[col], strict=True)]
        out = out.drop(columns=col)
    return out


def _observed_cell(shown: object, ci: Sequence[float] | None) -> object:
    """``0.620 [0.48, 0.74]``; a zero-width interval left out (``1.000 [1.000, 1.000]``
    was shown before the group's first event: ``1.000 (no event yet)``)."""
    if not isinstance(shown, str) or not fmt_ci(ci):
        return shown
    lo, hi = float(ci[0]), float(ci[1])  # fmt_ci: two finite values
    if lo != hi:
        return f"{shown} {fmt_ci(ci)}"
    return f"{shown} (no event yet)" if lo == 1.0 else shown
