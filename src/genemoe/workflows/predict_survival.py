"""``genemoe predict --clinical``: external validation of a survival run.

The survival tables are read as ``prepare --clinical`` reads them
(:func:`~genemoe.data.clinical.read_clinical`: TCGA-CDR, Xena survival, time/event pairs,
days_to_death, cBioPortal; times in months or years converted to days, said) for the run's
own endpoint (OS, DSS, DFI or PFI, from the model file), and joined to the scored samples by
patient as prepare joins them (:func:`~genemoe.data.clinical.attach_survival`: the
12-character patient barcode of a TCGA barcode, else the id as written). Without
``--clinical``, a genemoe export (.h5ad) carrying survival in its ``obs`` is scored by it, as
``prepare`` takes it.

Which samples count mirrors ``--labels`` (:mod:`~genemoe.workflows.predict_score`): the
headline over the ``new`` and ``test`` samples (never fitted on nor selected on), the model's
own training and validation samples and samples of sample types the model was not trained on
scored apart. Within each, a patient with several samples counts once, by prepare's rule
(:func:`~genemoe.data.tcga.one_per_patient`: the preferred sample type, then vial, portion,
analyte): each of its samples carries the patient's survival, and two vials of one tumour
are not two patients; the others are counted (``n_repeat_samples``) and left out.

The scores are :func:`~genemoe.evaluate.survival.survival_metrics`'s: Harrell's C of the
risk (higher = worse) with its percentile bootstrap interval (1,000 resamples), and Uno's C
where the run's training follow-up is at hand (its bundle, read from the model file's
``bundle_path``). Below :data:`MIN_EVENTS` events (the codebase's threshold for a C-index)
no number is given, only why. Uno's C is given for every part, or why not.

Samples of a cancer type the model was not trained on (the survival table's cancer-type
column, else an export's ``obs``, against the baseline's ``cancer_types``) are counted and
warned of (:func:`cancer_type_notes`): the baseline and the percentiles are the training
types'. The headline's mean predicted survival at 1, 3 and 5 years is set against the
Kaplan–Meier estimate of its patients with its 95 % interval (:func:`observed_horizons`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.clinical import attach_survival, exported_clinical, read_clinical
from genemoe.data.ids import dashed_barcode
from genemoe.data.tcga import normalise_cancer_type, one_per_patient
from genemoe.errors import InputError, input_error
from genemoe.evaluate.brier import event_word, horizon_calibration, outside_ci, probability_word
from genemoe.evaluate.survival import survival_metrics
from genemoe.workflows.predict_label_text import GROUP_WORDS
from genemoe.workflows.predict_score import GROUPS, HEADLINE_GROUPS, patient_keys
from genemoe.workflows.predict_text import Note, note

__all__ = ["MIN_EVENTS", "refuse_clinical_for_classification",
           "refuse_columns_without_clinical", "run_endpoint", "read_run_clinical",
           "export_survival", "score_clinical", "clinical_notes", "survival_scores_table",
           "training_types", "type_check", "cancer_type_notes", "observed_horizons"]

log = logging.getLogger(__name__)

MIN_EVENTS = 2  # events below which no C-index is given (survival_metrics, c_index_by_group)
PART_WORDS = {"headline": "not the model's own", **GROUP_WORDS}
FEW_AT_RISK = 10  # patients at risk at a horizon under which its Kaplan-Meier is a rough estimate


def refuse_clinical_for_classification(payload: dict, clinical_path: object) -> None:
    """Refuse ``--clinical`` for a classification run: it predicts types, not risk."""
    if clinical_path is None or payload["task"] != "classify":
        return
    raise input_error(
        f"{payload['model_name']} is a classification model: it predicts a cancer type, not "
        "a risk, so a survival table has nothing to score", where="--clinical",
        fix="score its types with --labels FILE (sample → cancer type); --clinical scores a "
            "survival run (train --task survival)")


def refuse_columns_without_clinical(clinical_path: object, time_column: str | None,
                                    event_column: str | None) -> None:
    """Refuse ``--time-column`` / ``--event-column`` without ``--clinical`` (as prepare)."""
    if clinical_path is None and (time_column or event_column):
        flag = "--time-column" if time_column else "--event-column"
        raise input_error(f"{flag} names a column of the survival table, and none is given",
                          where=flag, fix=f"pass --clinical FILE, or drop {flag}")


def run_endpoint(payload: dict) -> str:
    """The endpoint the run was trained on (``OS`` for model files that do not say)."""
    cfg = payload.get("config") or {}
    bundle_cfg = (payload.get("record") or {}).get("config") or {}
    return str(cfg.get("endpoint") or bundle_cfg.get("endpoint") or "OS").upper()


def read_run_clinical(paths: Sequence[Path], payload: dict, *, time_column: str | None = None,
                      event_column: str | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The survival tables ``paths`` read for the run's endpoint, as prepare reads them.

    A table without the run's endpoint (a DSS-only table for an OS run) is refused here,
    before the expression is read: it was refused only after the whole file had been read,
    normalised and scored (minutes for a large cohort).

    Raises
    ------
    InputError
        The tables have no time column of the run's endpoint; names the file, the endpoints
        it has, and the fix.
    """
    endpoint = run_endpoint(payload)
    clinical, report = read_clinical([Path(p) for p in paths], endpoint=endpoint,
                                     time_column=time_column, event_column=event_column,
                                     said_on_join=True)
    if f"{endpoint.lower()}_time" not in clinical.columns:
        have = [c.removesuffix("_time").upper() for c in clinical.columns
                if str(c).endswith("_time")]
        tables = ("the survival table" if len(paths) == 1 else "the survival tables ("
                  + ", ".join(Path(p).name for p in paths) + ")")
        raise input_error(
            f"{tables} {'has' if len(paths) == 1 else 'have'} no {endpoint} time and event "
            f"columns ({'it has' if len(paths) == 1 else 'they have'} "
            f"{', '.join(have) or 'none'})", path=Path(paths[0]) if len(paths) == 1 else None,
            where="--clinical", fix=_endpoint_fix(endpoint))
    return clinical, report


def _endpoint_fix(endpoint: str) -> str:
    """The fix for a survival table without the run's endpoint."""
    return (f"the model was trained on {endpoint} (its endpoint comes from the trained run): "
            f"pass a survival table with {endpoint} time and event of these samples' patients, "
            "or name its columns with --time-column and --event-column")


def export_survival(payload: dict, table: Any) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """The survival a genemoe export's ``obs`` carries, for a survival run ((None, {}) else)."""
    if payload["task"] == "classify":
        return None, {}
    return exported_clinical([table], run_endpoint(payload), whose="run")  # no --endpoint


def _patients(sample_ids: pd.Series) -> pd.Series:
    """Each sample's patient as prepare keys it: the barcode's patient, else the id."""
    keys = patient_keys(sample_ids)
    return keys.where(keys.notna(), sample_ids.astype(str).reset_index(drop=True))


def _join(sample_ids: pd.Series, clinical: pd.DataFrame, report: dict, endpoint: str
          ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``obs`` (patient_id, time, event, has_survival per sample) and the join's counts."""
    obs = pd.DataFrame({"sample_id": sample_ids.astype(str).to_numpy(),
                        "patient_id": _patients(sample_ids).to_numpy()})
    try:
        joined = attach_survival(obs, clinical, dict(report), endpoint)
    except InputError as exc:  # predict has no --endpoint: the trained run chose it
        if exc.where != "--endpoint":
            raise
        raise input_error(exc.problem or str(exc), path=exc.path, where="--clinical",
                          fix=_endpoint_fix(endpoint)) from exc
    no_row = ~obs["patient_id"].isin(clinical.index)
    joined["n_no_patient_row"] = int(no_row.sum())
    joined["n_missing_time_or_event"] = int((~obs["has_survival"] & ~no_row).sum())
    joined["no_patient_row_examples"] = obs.loc[no_row, "sample_id"].head(3).tolist()
    return obs, joined


def _one_per_patient(ids: pd.Series, patients: pd.Series, admitted: Sequence[str]) -> np.ndarray:
    """A mask keeping one sample per patient by prepare's rule (barcodes), else the first."""
    keep = ~patients.duplicated().to_numpy()
    repeated = patients.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return keep
    dashed = [dashed_barcode(str(s)) for s in ids[repeated]]
    try:
        chosen, _ = (one_per_patient(dashed, sample_types=list(admitted)) if admitted
                     else one_per_patient(dashed))
    except InputError:  # not barcodes: the first sample of each patient
        return keep
    keep[np.flatnonzero(repeated)] = chosen
    return keep


def _score_part(time: np.ndarray, event: np.ndarray, risk: np.ndarray,
                train: tuple[np.ndarray, np.ndarray] | None) -> dict[str, Any]:
    """survival_metrics of one part, or why it cannot be scored (fewer than MIN_EVENTS)."""
    n, n_events = int(len(time)), int(event.sum())
    if n_events < MIN_EVENTS:
        return {"n": n, "n_events": n_events, "c_index": None, "c_index_ci": None,
                "c_index_reason": f"fewer than {MIN_EVENTS} events ({n_events})"}
    m = survival_metrics(time, event, risk, n_boot=1000, seed=0,
                         time_train=None if train is None else train[0],
                         event_train=None if train is None else train[1])
    ci = m["c_index_ci"]
    return {"n": n, "n_events": n_events,
            "c_index": None if np.isnan(m["c_index"]) else m["c_index"],
            "c_index_ci": None if np.isnan(ci[0]) else ci,
            "c_index_reason": m.get("c_index_reason") or m.get("c_index_ci_reason"),
            "uno_c_index": m.get("uno_c_index"), "uno_tau": m.get("uno_tau"),
            "n_beyond_uno_tau": (None if m.get("uno_tau") is None
                                 else int((time > m["uno_tau"]).sum())),
            "logrank_p": m.get("logrank_p"),
            **{k: m[k] for k in ("auc_1y", "auc_3y", "auc_5y") if k in m}}


def training_follow_up(payload: dict) -> tuple[tuple[np.ndarray, np.ndarray] | None, str | None]:
    """The run's training split's time and event (Uno's censoring weights) from its bundle,
    or None and why not."""
    from genemoe.data.bundle import load_bundle

    path = payload.get("bundle_path")
    split = set(map(str, (payload.get("split_ids") or {}).get("train") or ()))
    if not path or not Path(path).is_dir() or not split:
        return None, f"the run's bundle ({path or 'not recorded'}) is not at hand"
    try:
        obs = load_bundle(path).obs
    except (InputError, OSError) as exc:
        return None, f"the run's bundle {path} could not be read ({exc})"
    ok = obs["sample_id"].astype(str).isin(split) & obs["has_survival"].astype(bool)
    if not ok.any():
        return None, f"the run's bundle {path} holds none of its training samples' survival"
    return (obs.loc[ok, "time"].to_numpy(float), obs.loc[ok, "event"].to_numpy(bool)), None


def score_clinical(df: pd.DataFrame, payload: dict, clinical: pd.DataFrame, report: dict,
                   groups: pd.Series, admitted: Sequence[str]) -> tuple[dict, dict]:
    """Join survival to the predictions ``df`` (``time``, ``event`` inserted after ``risk``,
    in place) and score the risk against it, the headline and each group apart.

    Parameters
    ----------
    df
        predict's output (``sample_id``, ``risk``; NaN risk: an empty profile, unscored).
    payload
        The loaded model file (its endpoint, ``bundle_path`` for Uno's C).
    clinical, report
        :func:`read_run_clinical` / :func:`export_survival`'s table and report.
    groups
        ``(n_samples,)`` each sample's group
        (:func:`~genemoe.workflows.predict_score.sample_groups`).
    admitted
        The TCGA sample types the model's bundle admitted (one-per-patient preference).

    Returns
    -------
    (join, scores)
        ``join``: :func:`~genemoe.data.clinical.attach_survival`'s counts with
        ``n_no_patient_row``, ``n_missing_time_or_event``; ``scores``: ``endpoint``,
        ``n_not_predicted``, ``n_repeat_samples`` (other samples of a patient counted
        once), ``groups`` (samples with survival per group), ``headline`` and ``by_split``
        (per part: ``n``, ``n_events``, ``c_index``, ``c_index_ci`` or ``c_index_reason``,
        ``uno_c_index`` or ``uno_reason``), ``horizons`` (:func:`observed_horizons` of the
        headline's patients).
    """
    endpoint = run_endpoint(payload)
    obs, join = _join(df["sample_id"], clinical, report, endpoint)
    at = df.columns.get_loc("risk") + 1
    df.insert(at, "time", obs["time"].to_numpy())
    df.insert(at + 1, "event", pd.array(obs["event"].where(obs["has_survival"]), dtype="boolean"))
    risk = df["risk"].to_numpy(float)
    has = obs["has_survival"].to_numpy(bool)
    scored = has & np.isfinite(risk)
    group = pd.Series(groups, dtype=object).reset_index(drop=True)
    keep = np.zeros(len(df), bool)
    for g in GROUPS:  # one sample per patient within each group
        m = scored & (group == g).to_numpy()
        if m.any():
            keep[np.flatnonzero(m)] = _one_per_patient(obs["sample_id"][m], obs["patient_id"][m],
                                                       admitted)
    train, why = training_follow_up(payload)
    t, e = obs["time"].to_numpy(float), obs["event"].to_numpy(bool)
    head = keep & group.isin(HEADLINE_GROUPS).to_numpy()
    headline = _with_uno_reason(_score_part(t[head], e[head], risk[head], train), why)
    by_split = {g: _with_uno_reason(_score_part(t[m], e[m], risk[m], train), why) for g in GROUPS
                if (m := keep & (group == g).to_numpy()).any()}  # Uno's C each (was headline's)
    scores = {"endpoint": endpoint, "n_samples": len(df), "n_with_survival": int(has.sum()),
              "n_not_predicted": int((has & ~np.isfinite(risk)).sum()),
              "n_repeat_samples": int((scored & ~keep).sum()),
              "n_patients": int(obs.loc[scored, "patient_id"].nunique()),
              "groups": {g: int((scored & (group == g).to_numpy()).sum()) for g in GROUPS},
              "split_ids_known": bool(payload.get("split_ids")),
              "headline": headline, "by_split": by_split,
              "horizons": observed_horizons(payload.get("survival_baseline"), t[head], e[head],
                                            risk[head])}
    return join, scores


def _with_uno_reason(part: dict[str, Any], why: str | None) -> dict[str, Any]:
    """``part`` with ``uno_reason`` where it has a Harrell's C but no Uno's C."""
    if part.get("uno_c_index") is None and part.get("c_index") is not None:
        part["uno_reason"] = why or "not computed (see the log)"
    return part


def observed_horizons(baseline: dict | None, time: np.ndarray, event: np.ndarray,
                      risk: np.ndarray) -> list[dict[str, Any]]:
    """The mean predicted survival of the patients ``(n,)`` against their Kaplan–Meier
    estimate with its 95 % interval, per horizon inside their follow-up
    (:func:`~genemoe.evaluate.brier.horizon_calibration`'s ``all`` group): ``horizon``,
    ``predicted``, ``observed``, ``observed_ci``, ``at_risk``, ``outside`` (the predicted
    mean outside the interval). ``[]`` without a baseline or patients."""
    rows = []
    for r in horizon_calibration(baseline, time, event, risk):
        p, ci = float(r["all: predicted"]), [float(x) for x in r["all: observed 95% CI"]]
        rows.append({"horizon": r["horizon"], "predicted": p, "observed": float(r["all: observed"]),
                     "observed_ci": ci, "at_risk": int(r["all: at risk"]),
                     "outside": outside_ci(p, ci)})
    return rows


def _horizons_note(scores: dict[str, Any]) -> list[Note]:
    """One line where the mean predicted survival lies outside the observed interval."""
    off = [h for h in scores.get("horizons") or [] if h["outside"]]
    if not off:
        return []
    what = probability_word(scores["endpoint"])
    said = "; ".join(f"{h['horizon'].split()[0]}-year {what} {h['predicted']:.3f}, observed "
                     f"{h['observed']:.3f} [{h['observed_ci'][0]:.2f}, {h['observed_ci'][1]:.2f}], "
                     f"{h['at_risk']:,} at risk" for h in off)
    few = min(h["at_risk"] for h in off) < FEW_AT_RISK  # 3 of 80 UVM patients at 5 years
    return [note("survival_baseline_misfit", "warning",
                  f"predicted {said} (Kaplan–Meier of the scored patients): the model's baseline "
                  + ("may not fit this cohort (few patients still followed there: a rough "
                     "estimate)" if few else "does not fit this cohort"),
                  horizons=[h["horizon"] for h in off], at_risk=[h["at_risk"] for h in off])]


def _c(part: dict[str, Any]) -> str:
    """``0.712 (95% CI 0.640–0.780; n = 120, 45 events)``, or why there is none."""
    n = f"n = {part['n']:,}, {part['n_events']:,} event{'s' * (part['n_events'] != 1)}"
    if part["c_index"] is None:
        return f"cannot be scored: {part['c_index_reason']} ({n})"
    ci = part["c_index_ci"]
    return (f"{part['c_index']:.3f} (" + (f"95% CI {ci[0]:.3f}–{ci[1]:.3f}; " if ci else
                                          f"no interval: {part['c_index_reason']}; ") + n + ")")


def _chance_said(part: dict[str, Any]) -> str:
    """``; its 95% CI includes 0.5: not told apart from chance`` where it does, else ``""``
    (UVM on a five-type coxnet: 0.607, 0.447–0.758, said beside "risk ranks within UVM may
    still hold — see the C-index" with no word that chance was inside)."""
    ci = part.get("c_index_ci") if part.get("c_index") is not None else None
    if not ci or not ci[0] <= 0.5 <= ci[1]:
        return ""
    return "; its 95% CI includes 0.5: not told apart from chance"


def _uno_tau_said(part: dict[str, Any]) -> str:
    """`` (deaths to day 2,076, where the training's follow-up thins out; 9 of 56 patients
    followed past it)`` where Uno's C was truncated, else ``""``: the score was given with no
    word that later deaths were left out (the record's ``uno_tau`` only)."""
    tau = part.get("uno_tau")
    if tau is None:
        return ""
    k = part.get("n_beyond_uno_tau")
    return (f" (deaths to day {tau:,.0f}, where the training's follow-up thins out"
            + (f"; {k:,} of {part['n']:,} patients followed past it" if k else "") + ")")


def clinical_notes(join: dict[str, Any], scores: dict[str, Any]) -> list[Note]:
    """The summary's lines of a ``--clinical`` scoring (code, level, text and data): how
    the survival joined (and its times converted to days, from months or years: the output's
    ``time`` column differed from the table's, unsaid), patients counted once, the headline
    C-index and the parts apart."""
    ep, word = scores["endpoint"], event_word(scores["endpoint"])
    miss, no_row = join["n_without"], join["n_no_patient_row"]
    gaps = "; ".join(x for x in (
        f"{no_row:,} with no patient row (e.g. {', '.join(join['no_patient_row_examples'])})"
        if no_row else "",
        f"{join['n_missing_time_or_event']:,} whose row lacks a {ep} time or event"
        if join["n_missing_time_or_event"] else "") if x)
    converted = ((join.get("clinical_report") or {}).get("time_units") or {}).get(ep)
    notes = [note("clinical_match", "caveat" if miss else "info",
                   f"{join['source']}: {ep} survival for {join['n_with_survival']:,} of "
                   f"{scores['n_samples']:,} samples ({join['n_events']:,} {word}s)"
                   + (f"; times converted ({converted}; the time column is in days)"
                      if converted else "")
                   + (f"; {miss:,} without, unscored: {gaps}" if miss else ""),
                   n_with_survival=join["n_with_survival"], n_without=miss,
                   n_no_patient_row=no_row, n_events=join["n_events"],
                   time_converted=converted)]
    if n := scores["n_repeat_samples"]:
        notes.append(note("clinical_repeat_patients", "caveat",
                           f"{n:,} more sample{'s' * (n != 1)} of patients already scored: each "
                           "patient counted once (its sample chosen as prepare keeps one per "
                           "patient), the others left out of the C-index", n_repeat_samples=n))
    if n := scores["n_not_predicted"]:
        notes.append(note("clinical_not_predicted", "caveat",
                           f"{n:,} sample{'s' * (n != 1)} with survival but no risk (every "
                           "value 0 or missing) left out of the scores", n_samples=n))
    h, s = scores["headline"], scores["by_split"]
    over = ("the samples not the model's own" if scores["split_ids_known"] else
            "all samples (the model file has no split ids: its own cannot be told apart)")
    uno = (f"; Uno's C {h['uno_c_index']:.3f}" + _uno_tau_said(h)
           if h.get("uno_c_index") is not None else
           f"; no Uno's C: {h['uno_reason']}" if h.get("uno_reason") else "")
    who = "outside the model's own " if scores["split_ids_known"] else ""
    notes.append(note("clinical_scores", "info" if h["c_index"] is not None else "warning",
                       f"Harrell's C-index of the risk ({ep}) {_c(h)} over {over}" + uno
                       + _chance_said(h) if h["n"] else f"no headline C-index: no sample {who}has {ep} survival"
                       + (" (those with survival are the model's own or of other sample "
                          "types: scored apart below)" if s else ": nothing scored"),
                       c_index=h["c_index"], groups=scores["groups"]))
    parts = [f"{PART_WORDS[g]} {_c(s[g])}" for g in GROUPS if g in s
             and (g not in HEADLINE_GROUPS or ("new" in s and "test" in s))]
    if parts:
        notes.append(note("clinical_splits", "caveat" if "model_own" in s else "info",
                           "by split: " + "; ".join(parts) + (
                               " (the model's own and other sample types not in the headline)"
                               if {"model_own", "other_sample_type"} & set(s) else ""),
                           by_split={g: v["c_index"] for g, v in s.items()}))
    return notes + _horizons_note(scores)


def survival_scores_table(scores: dict[str, Any]) -> pd.DataFrame:
    """One row per part (``headline``, then each group scored): ``part``, ``n``,
    ``n_events``, ``c_index``, ``ci_low``, ``ci_high``, ``uno_c_index``, ``reason``
    (4 decimals; empty where not scored)."""
    rows = []
    for part, s in [("headline", scores["headline"]), *scores["by_split"].items()]:
        ci = s.get("c_index_ci") or [None, None]
        rows.append({"part": part, "n": s["n"], "n_events": s["n_events"],
                     "c_index": s["c_index"], "ci_low": ci[0], "ci_high": ci[1],
                     "uno_c_index": s.get("uno_c_index"),
                     "reason": s.get("c_index_reason") or s.get("uno_reason")})
    table = pd.DataFrame(rows)
    for col in ("c_index", "ci_low", "ci_high", "uno_c_index"):
        table[col] = pd.to_numeric(table[col], errors="coerce").round(4)
    return table


def survival_scoring(df: pd.DataFrame, payload: dict, table: Any,
                     clinical: tuple[pd.DataFrame, dict] | None, groups: pd.Series,
                     admitted: Sequence[str]) -> dict[str, Any]:
    """predict's record sections of a survival scoring (``clinical``: the join and where the
    survival came from; ``survival_scores``; ``cancer_types``: :func:`type_check`), ``{}``
    where there is none: a classification run, or no ``--clinical`` and no genemoe export
    carrying survival (``cancer_types`` alone where that export's obs names the types)."""
    if clinical is None:
        clinical = export_survival(payload, table)
        files = ", ".join(Path(f).name for f in clinical[1].get("files", []))
        source = f"survival from the export's obs ({files})"
    else:
        paths = clinical[1].get("path")
        source = "--clinical " + ", ".join(
            Path(p).name for p in ([paths] if isinstance(paths, str) else paths))
    if clinical[0] is None:  # no survival: an export's obs may still name the types
        return (_type_section(df["sample_id"], payload, (pd.DataFrame(), {}), table)
                if payload.get("task") == "survival" else {})
    join, scores = score_clinical(df, payload, clinical[0], clinical[1], groups, admitted)
    join["source"] = source
    return {"clinical": join, "survival_scores": scores,
            **_type_section(df["sample_id"], payload, clinical, table)}


def _type_section(sample_ids: pd.Series, payload: dict, clinical: tuple[pd.DataFrame, dict],
                  table: Any) -> dict[str, Any]:
    """``{"cancer_types": type_check(...)}`` where the samples' and the model's types are
    known, else ``{}``."""
    trained = training_types(payload)
    types, source = sample_types(sample_ids, clinical, table)
    if trained is None or types is None:
        return {}
    return {"cancer_types": type_check(types, trained, source)}


def training_types(payload: dict) -> list[str] | None:
    """The cancer types a model was trained on: a survival run's baseline's
    (``survival_baseline["cancer_types"]``), a classifier's class names; None where the
    model file does not say (written before it was recorded)."""
    if payload.get("task") == "classify":
        return [str(c) for c in payload.get("class_names") or []] or None
    types = (payload.get("survival_baseline") or {}).get("cancer_types")
    return [str(t) for t in types] if types else None


def sample_types(sample_ids: pd.Series, clinical: tuple[pd.DataFrame, dict], table: Any
                 ) -> tuple[pd.Series | None, str]:
    """Each sample's cancer type ``(n_samples,)`` as the survival table's cancer-type column
    names its patient, else as a genemoe export's ``obs`` names it, and where from;
    ``(None, "")`` where neither does."""
    frame, report = clinical
    if "cancer_type" in frame.columns and frame["cancer_type"].notna().any():
        col = frame["cancer_type"][~frame.index.duplicated()]
        where = report.get("cancer_type_source") or "its cancer-type column"
        source = ("the export's obs" if str(report.get("format", "")).startswith("genemoe export")
                  else f"--clinical's {where!r} column")
        return _patients(sample_ids).map(col).reset_index(drop=True), source
    meta = getattr(table, "sample_meta", None)
    if meta is not None and "cancer_type" in meta.columns:
        col = meta["cancer_type"].astype(object)
        col = col[~col.index.duplicated()]
        return sample_ids.astype(str).reset_index(drop=True).map(col), "the export's obs"
    return None, ""


def type_check(types: pd.Series, trained: Sequence[str], source: str) -> dict[str, Any]:
    """How many of the samples ``(n_samples,)`` are of a cancer type the model was not
    trained on (compared as TCGA codes): ``source``, ``training_types``, ``n_samples``,
    ``n_typed``, ``n_untrained``, ``untrained`` (type → samples, most first)."""
    def code(v: object) -> str:
        return normalise_cancer_type(str(v)).upper()

    known = types.dropna().astype(str)
    known = known[known.str.strip() != ""]
    own = {code(t) for t in trained}
    off = known[~known.map(code).isin(own)]
    return {"source": source, "training_types": list(trained), "n_samples": int(len(types)),
            "n_typed": int(len(known)), "n_untrained": int(len(off)),
            "untrained": {str(k): int(v) for k, v in off.value_counts().items()}}


def cancer_type_notes(report: dict[str, Any]) -> list[Note]:
    """A warning where scored samples are of a type the model was not trained on (its
    baseline survival and risk percentiles are the training types'); ``[]`` else."""
    c = report.get("cancer_types")
    if not c or not c["n_untrained"]:
        return []
    trained, off = c["training_types"], c["untrained"]
    shown = ", ".join(trained[:6]) + (f", ... ({len(trained)})" if len(trained) > 6 else "")
    what = (f"{next(iter(off))}, a type" if len(off) == 1 else "of types " + ", ".join(
        f"{t} ({n:,})" for t, n in list(off.items())[:5]) + (", ..." if len(off) > 5 else ""))
    of = f"{trained[0]}'s" if len(trained) == 1 else f"pooled over {shown}"
    within = next(iter(off)) if len(off) == 1 else "each type"
    return [note("untrained_cancer_type", "warning",
                  f"{c['n_untrained']:,} of {c['n_samples']:,} samples are {what} the model was "
                  f"not trained on ({shown}; types from {c['source']}): its baseline survival "
                  f"and risk percentiles are {of}; risk ranks within {within} may still hold — "
                  "see the C-index", untrained=off, training_types=trained)]


def survival_scored(report: dict[str, Any]) -> bool:
    """Whether a survival scoring has a part with samples (its scores table is written)."""
    s = report.get("survival_scores")
    return bool(s) and bool(s["headline"]["n"] or s["by_split"])
