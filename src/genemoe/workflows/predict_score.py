"""``genemoe predict --labels``: external validation of a classification run.

The label tables are read and matched to the scored samples by
:mod:`~genemoe.workflows.predict_match` (as ``prepare --labels`` reads and matches them;
its names are re-exported here).

Which samples the headline covers (a researcher validating a model wants a number that the
model's fitting never saw):

- ``new`` and ``test`` samples (``model_split``): neither fitted the weights nor chose the
  epoch, temperature or unfamiliar-sample threshold (the validation split did), so both give
  unbiased accuracy and macro-F1 and are pooled for the largest n. They are also scored
  apart (``by_split``): ``new`` samples are the external question (another cohort, lab or
  batch), ``test`` ones repeat train's test metric; a gap between the two is a shift.
- the model's own ``train`` and ``val`` samples (and other samples of their patients) score
  high by construction (0.968 against 0.667 for new samples in a probe): left out of the
  headline, scored apart and pooled into ``accuracy_incl_model_own`` only.
- samples whose TCGA sample type the model's bundle did not admit (``-11`` normals,
  ``-06`` metastases of a ``01,03`` model): a tumour type is not their tissue's truth;
  left out, counted by sample type and scored apart.
- unlabelled samples (no row, or a row with an empty type) are counted, unscored; samples
  of types the model was not trained on can never be right: counted by type with how they
  were predicted, left out of accuracy and macro-F1 (``accuracy_all_labelled`` counts them
  wrong).

Macro-F1 averages over the model's types among the headline samples' labels (scikit-learn's
``f1_score(labels=...)``): a type only predicted is a false call (listed in
``false_calls``), not a type of its own, so one stray ACC call in a KICH cohort costs KICH's
F1 a little (0.974), not half the mean. The accuracy gets a 95% Wilson interval
(:func:`~genemoe.report.text.wilson_interval`), macro-F1 a percentile bootstrap over
samples with that type set fixed (:func:`~genemoe.evaluate.metrics.bootstrap_macro_f1`).

Where patients repeat among the scored samples (two vials ``-01A`` and ``-01B``, two
aliquots of one sample: the same 12-character patient barcode), their samples are not
independent, and intervals over samples narrow as if each vial were a new patient (the 197
test samples written twice gave 0.814–0.884 for the 0.797–0.896 of once). Then both count
patients, and the record says how (``n_patients``, ``accuracy_ci_method``,
``macro_f1_ci_method``):

- the accuracy's Wilson interval takes the patients as its n: Kish's effective count
  ``(Σm)² / Σm²`` over the patients' sample counts ``m`` (the patient count where each has
  as many samples). A patient's samples called alike (the usual case: two vials of one
  tumour) make the accuracy's variance ``p(1 - p) / n_eff`` exactly; samples of a patient
  called independently make it smaller, so the interval is then conservative. A percentile
  cluster bootstrap was the other choice: it came out narrower than Wilson over the same
  patients written once (0.900–0.983 against 0.884–0.971 for 120 patients at 0.942, the
  bootstrap's under-coverage of a proportion near 1) and has no width at 1.000.
- macro-F1's percentile bootstrap resamples patients (a cluster bootstrap: patients drawn
  with replacement, each with all its samples; 1,000 resamples, the type set fixed).

Every sample written twice thus gives the intervals of once. Without repeated patients the
intervals are the per-sample ones above, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.tcga import parse_barcode
from genemoe.errors import InputError, input_error
from genemoe.evaluate.metrics import (
    ECE_BINS,
    bootstrap_macro_f1,
    classification_metrics,
    expected_calibration_error,
)
from genemoe.report.text import wilson_interval
from genemoe.workflows.predict_match import (
    MATCH_RULES,
    match_labels,
    patient_keys,
    read_cohort_labels,
)

__all__ = ["LABELS_COLUMN", "MATCH_RULES", "GROUPS", "HEADLINE_GROUPS",
           "refuse_labels_for_survival", "refuse_columns_without_labels", "read_cohort_labels",
           "match_labels", "sample_groups", "patient_keys", "score_predictions", "scores_table",
           "scores_path", "SAMPLE_CI", "PATIENT_CI"]

LABELS_COLUMN = "labels"  # the given type, beside predicted_type in the predictions
GROUPS = ("new", "test", "model_own", "other_sample_type")  # a scored sample's group
HEADLINE_GROUPS = ("new", "test")  # never fitted on nor selected on
MODEL_OWN_SPLITS = ("train", "val", "train patient", "val patient")
SAMPLE_CI = {"accuracy": "Wilson score",
             "macro_f1": "percentile bootstrap over samples, 1,000 resamples, the type set fixed"}
PATIENT_CI = {"accuracy": "Wilson score with the patients as n (Kish's effective count "
                          "(sum m)^2 / sum m^2 of their sample counts m)",
              "macro_f1": "percentile bootstrap over patients (each with all its samples), "
                          "1,000 resamples, the type set fixed"}


def refuse_labels_for_survival(payload: dict, labels_path: Path | str | None) -> None:
    """Refuse ``--labels`` for a survival model: its scores need each patient's time and event."""
    if labels_path is None or payload["task"] == "classify":
        return
    raise input_error(
        f"{payload['model_name']} is a survival model: it predicts risk, not a type, so a "
        "cancer-type table has nothing to score", where="--labels",
        fix="omit --labels, and pass the patients' survival (a clinical table: time, event) "
            "with --clinical FILE: the risk is scored as a C-index")


def refuse_columns_without_labels(labels_path: object, sample_column: str | None,
                                  label_column: str | None) -> None:
    """Refuse ``--sample-column`` / ``--label-column`` given without ``--labels`` (they
    name a label table's columns; without one they were ignored, unsaid)."""
    if labels_path is None and (sample_column or label_column):
        flag = "--label-column" if label_column else "--sample-column"
        raise input_error("it names a column of a --labels table, and no --labels was given",
                          where=flag,
                          fix="pass the label table with --labels FILE, or omit " + flag)


def _sample_code(sample_id: str) -> str | None:
    """The TCGA sample-type code of a barcode (``01``), None for another id."""
    try:
        return parse_barcode(str(sample_id)).sample_code
    except InputError:
        return None


def sample_groups(sample_ids: Sequence[str], model_split: Sequence[str] | None,
                  admitted: Sequence[str] | None) -> pd.Series:
    """Each scored sample's group of :data:`GROUPS`.

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids.
    model_split
        ``(n_samples,)`` predict's ``model_split`` column; None (a model file without
        split ids): every sample of an admitted type is ``new``.
    admitted
        The TCGA sample-type codes the model's bundle admitted (``["01", "03"]``); None or
        empty: every one.

    Returns
    -------
    pandas.Series
        ``(n_samples,)``: ``other_sample_type`` (a barcode of a type not admitted), else
        ``model_own`` (``train``, ``val`` or another sample of their patients), else
        ``test`` (``test``, ``test patient``) or ``new``.
    """
    n = len(sample_ids)
    split = pd.Series(["new"] * n if model_split is None else list(model_split), dtype=object)
    group = split.map(lambda s: "model_own" if s in MODEL_OWN_SPLITS
                      else "test" if str(s).startswith("test") else "new")
    if admitted:
        codes = pd.Series([_sample_code(s) for s in sample_ids], dtype=object)
        other = codes.notna() & ~codes.isin(list(admitted))
        group[other.to_numpy()] = "other_sample_type"
    return group


def _unknown_types(given: pd.Series, predicted: pd.Series, known: Sequence[str]
                   ) -> dict[str, dict[str, Any]]:
    """``{type: {"n", "predicted_as": {class: n}}}`` for the labels the model does not know."""
    out: dict[str, dict[str, Any]] = {}
    other = given.notna() & ~given.isin(known)
    for t in sorted(given[other].unique()):
        pred = predicted[given == t].value_counts()
        out[str(t)] = {"n": int(pred.sum()),
                       "predicted_as": {str(k): int(v) for k, v in pred.items()}}
    return out


def _clusters(patients: pd.Series | None, index: pd.Index) -> pd.Series | None:
    """``patients`` with each missing one the sample's own (``sample <i>``), else None."""
    if patients is None:
        return None
    p = pd.Series(patients, dtype=object).reset_index(drop=True)
    p.index = index
    own = pd.Series([f"sample {i}" for i in range(len(p))], index=index, dtype=object)
    return p.where(p.notna(), own)


def _accuracy(given: pd.Series, predicted: pd.Series, patients: pd.Series | None = None
              ) -> dict[str, Any]:
    """``{"n", "correct", "accuracy", "accuracy_ci95"}`` of aligned labels: Wilson over
    samples; with ``patients`` (aligned) also ``n_patients`` and ``accuracy_ci_method``,
    and where they repeat Wilson over the patients (Kish's effective count: the module's
    text)."""
    n, correct = len(given), int((given.to_numpy() == predicted.to_numpy()).sum())
    out = {"n": n, "correct": correct, "accuracy": correct / n if n else None,
           "accuracy_ci95": list(wilson_interval(correct, n)) if n else None}
    if patients is None or not n:
        return out
    sizes = patients.value_counts().to_numpy(np.float64)
    out.update(n_patients=len(sizes), accuracy_ci_method=SAMPLE_CI["accuracy"])
    if len(sizes) < n:
        n_eff = float(n * n / np.sum(sizes * sizes))  # the patient count where sizes are equal
        out.update(accuracy_ci95=list(wilson_interval(correct / n * n_eff, n_eff)),
                   accuracy_ci_method=PATIENT_CI["accuracy"], n_effective=round(n_eff, 1))
    return out


def _macro_f1(given: pd.Series, predicted: pd.Series, names: list[str], *, interval: bool,
              patients: pd.Series | None = None) -> dict[str, Any]:
    """Macro-F1 over the types among ``given`` (the model's ``names`` only), the
    classification metrics behind it and, with ``interval``, its bootstrap interval (over
    ``patients`` where they repeat)."""
    index = {c: i for i, c in enumerate(names)}
    y_true = given.map(index).to_numpy(np.int64)
    y_pred = predicted.map(index).to_numpy(np.int64)
    m = classification_metrics(y_true, y_pred, class_names=names)
    types = [c for c in names if m["per_class"][c]["support"]]
    f1 = float(np.mean([m["per_class"][c]["f1"] for c in types]))
    groups = (patients.to_numpy() if patients is not None
              and patients.nunique() < len(patients) else None)
    ci = (bootstrap_macro_f1(y_true, y_pred, classes=[index[c] for c in types], groups=groups)
          if interval else None)
    flat = ci is not None and ci[0] == ci[1]  # "1.000 (1.000–1.000)" of 5 samples, as informative
    return {"macro_f1": f1, "macro_f1_types": types,
            "macro_f1_ci95": list(ci) if ci and not flat else None,
            "macro_f1_ci_note": (f"interval not informative: every resample of the {len(given):,} "
                                 f"samples gives {ci[0]:.3f}") if flat else None, "metrics": m}


def _calibration(given: pd.Series, probs: np.ndarray, names: list[str]) -> dict[str, float]:
    """``ece`` and ``mean_confidence`` of ``probs`` ``(n, n_classes)`` against the
    ``given`` types (each one of ``names``); None for both where a row has no probability."""
    if not len(given) or not np.isfinite(probs).all():
        return {"ece": None, "mean_confidence": None}
    y = np.array([names.index(str(t)) for t in given])
    return {"ece": expected_calibration_error(y, probs, n_bins=ECE_BINS),
            "mean_confidence": float(probs.max(axis=1).mean())}


def score_predictions(predicted: pd.Series, given: pd.Series, class_names: Sequence[str],
                      groups: pd.Series | None = None,
                      patients: Sequence[str | None] | None = None,
                      probs: np.ndarray | None = None) -> dict[str, Any]:
    """Score ``predicted`` types against ``given`` ones: the headline over the samples
    that are not the model's own (see the module's text), the rest apart.

    Parameters
    ----------
    predicted, given
        ``(n_samples,)`` predicted types and given types (NaN: no label), aligned.
    class_names
        The model's ``n_classes`` training types, in its order.
    groups
        ``(n_samples,)`` each sample's group (:func:`sample_groups`); None: all ``new``.
    patients
        ``(n_samples,)`` each sample's patient (:func:`patient_keys`; None for a sample of
        its own); None: unknown, every sample taken as independent. Where patients repeat
        among the samples scored, the intervals resample patients.
    probs
        ``(n_samples, n_classes)`` the probabilities behind ``predicted``, in
        ``class_names``' order; None: no calibration figure.

    Returns
    -------
    dict
        Counts (``n_samples``, ``n_labelled``, ``n_unlabelled``, ``n_not_predicted``:
        labelled samples with no prediction (empty profiles, NaN), left out of the rest;
        ``groups``: labelled
        samples per group, ``n_model_own``, ``n_other_sample_type``); over the headline
        (``new`` and ``test``, ``headline``: its words): ``n_scored`` of a type the model
        knows, ``n_unknown_type``, ``accuracy`` with ``accuracy_ci95`` (Wilson),
        ``macro_f1`` over ``macro_f1_types`` (the model's types among the labels) with
        ``macro_f1_ci95`` (None with ``macro_f1_ci_note`` where every resample gives one
        value: an interval of no width says nothing), ``n_patients`` (None without
        ``patients``), ``patients_repeat``,
        ``accuracy_ci_method`` and ``macro_f1_ci_method`` (the intervals' methods),
        ``false_calls`` (``{type: n}`` predicted, never given),
        ``accuracy_all_labelled`` (unknown types counted wrong), ``per_type``
        (``{type: {"n", "correct", "recall", "precision", "f1", "predicted"}}``),
        ``confusion`` (``types`` rows, ``classes`` columns, ``counts``),
        ``unknown_types`` (the headline's); ``unknown_types_by_group`` (the same per group,
        the model's own and other sample types too) and ``n_unknown_type_by_group`` (every
        group: ``groups[g]`` is ``by_split[g]["n"]`` plus it); ``by_split`` (per group:
        ``n``, ``correct``, ``accuracy``, ``accuracy_ci95``, ``n_unknown_type`` (left out of
        ``n``); with ``patients`` also ``n_patients``, ``accuracy_ci_method``) and
        ``accuracy_incl_model_own``, ``macro_f1_incl_model_own``
        (headline and model's own pooled); with ``probs``, ``ece`` (expected calibration
        error of the headline's scored samples, :data:`ECE_BINS` bins) and
        ``mean_confidence`` (their mean top probability, beside ``accuracy``). Metric
        entries are None where no sample counts.
    """
    names = [str(c) for c in class_names]
    predicted = pd.Series(predicted, dtype=object).reset_index(drop=True)
    given = pd.Series(given, dtype=object).reset_index(drop=True)
    unscored = predicted.isna() & given.notna()  # an empty profile: no prediction to score
    n_lab = int(given.notna().sum())  # matched, whether scored or not
    given = given.where(~unscored)
    group = (pd.Series("new", index=given.index, dtype=object) if groups is None
             else pd.Series(groups, dtype=object).reset_index(drop=True))
    labelled, known = given.notna(), given.isin(names)
    head = labelled & group.isin(HEADLINE_GROUPS)
    n_head = int(head.sum())
    unknown = _unknown_types(given[head], predicted[head], names)
    cluster = _clusters(patients, given.index)
    by_split = {g: _accuracy(given[m], predicted[m], None if cluster is None else cluster[m])
                for g in GROUPS if (m := labelled & known & (group == g)).any()}
    elsewhere = {g: _unknown_types(given[m], predicted[m], names)  # was the headline's only:
                 for g in GROUPS if (m := labelled & ~known & (group == g)).any()}  # 48 != 46
    for g, split in by_split.items():
        split["n_unknown_type"] = sum(u["n"] for u in elsewhere.get(g, {}).values())
    out: dict[str, Any] = {
        "n_samples": len(given), "n_labelled": n_lab,
        "n_unlabelled": len(given) - n_lab,
        "n_not_predicted": int(unscored.sum()),
        "groups": {g: int((labelled & (group == g)).sum()) for g in GROUPS},
        "split_ids_known": groups is not None,
        "headline": "labelled samples that are not the model's own (new and its test split) "
                    "of the sample types it was trained on",
        "n_scored": int((head & known).sum()), "n_unknown_type": int((head & ~known).sum()),
        "accuracy": None, "accuracy_ci95": None, "accuracy_ci_method": SAMPLE_CI["accuracy"],
        "macro_f1": None, "macro_f1_ci95": None, "macro_f1_ci_method": SAMPLE_CI["macro_f1"],
        "macro_f1_ci_note": None,
        "macro_f1_types": [], "n_patients": None, "patients_repeat": False,
        "macro_f1_note": "over the model's types among the labels; a type only predicted is "
                         "a false call; samples of types it was not trained on left out",
        "false_calls": {}, "accuracy_all_labelled": 0.0 if n_head else None,
        "per_type": {}, "unknown_types": unknown, "by_split": by_split,
        "unknown_types_by_group": elsewhere,
        "n_unknown_type_by_group": {g: sum(u["n"] for u in elsewhere.get(g, {}).values())
                                    for g in GROUPS},
        "accuracy_incl_model_own": None, "macro_f1_incl_model_own": None, "confusion": {},
        "ece": None, "mean_confidence": None}
    out["n_model_own"], out["n_other_sample_type"] = (out["groups"]["model_own"],
                                                      out["groups"]["other_sample_type"])
    pooled = known & group.isin([*HEADLINE_GROUPS, "model_own"])
    if pooled.any():
        out["accuracy_incl_model_own"] = _accuracy(given[pooled], predicted[pooled])["accuracy"]
        out["macro_f1_incl_model_own"] = _macro_f1(given[pooled], predicted[pooled], names,
                                                   interval=False)["macro_f1"]
    out["confusion"] = {"types": list(unknown), "classes": names,  # how the others were predicted
                        "counts": [[u["predicted_as"].get(c, 0) for c in names]
                                   for u in unknown.values()]}
    scored = head & known
    if not scored.any():
        return out
    who = None if cluster is None else cluster[scored]
    acc = _accuracy(given[scored], predicted[scored], who)
    f1 = _macro_f1(given[scored], predicted[scored], names, interval=True, patients=who)
    m = f1.pop("metrics")
    out.update(accuracy=acc["accuracy"], accuracy_ci95=acc["accuracy_ci95"], **f1,
               accuracy_all_labelled=acc["correct"] / n_head)
    if probs is not None:  # the calibration held on these samples (was only the test split's)
        out.update(_calibration(given[scored], np.asarray(probs, float)[scored.to_numpy()], names))
    if who is not None:
        repeat = acc["n_patients"] < acc["n"]
        out.update(n_patients=acc["n_patients"], patients_repeat=repeat,
                   n_effective=acc.get("n_effective"),
                   accuracy_ci_method=acc["accuracy_ci_method"],
                   macro_f1_ci_method=PATIENT_CI["macro_f1"] if repeat else SAMPLE_CI["macro_f1"])
    cm = np.asarray(m["confusion_matrix"])
    present = [c for c, s in m["per_class"].items() if s["support"] or s["predicted"]]
    out["false_calls"] = {c: m["per_class"][c]["predicted"] for c in present
                          if not m["per_class"][c]["support"]}
    for i, c in enumerate(names):
        if c in present:
            s = m["per_class"][c]
            out["per_type"][c] = {"n": s["support"], "correct": int(cm[i, i]),
                                  "recall": s["recall"] if s["support"] else None,
                                  "precision": s["precision"] if s["predicted"] else None,
                                  "f1": s["f1"] if s["support"] else None,
                                  "predicted": s["predicted"]}
    conf = out["confusion"]
    conf["types"], conf["counts"] = [*present, *conf["types"]], [
        *(cm[names.index(c)].tolist() for c in present), *conf["counts"]]
    return out


def scores_table(scores: dict[str, Any]) -> pd.DataFrame:
    """One row per given type: the model's types (``trained_on`` True) then the unknown ones.

    Returns
    -------
    pandas.DataFrame
        ``(n_types, 7 + n_classes)``: ``cancer_type``, ``trained_on``, ``n``, ``correct``,
        ``recall``, ``precision``, ``f1`` (4 decimals; empty for an unknown type: never
        right, and where undefined) and
        ``predicted_<class>``, the confusion counts (rows given, columns predicted).
    """
    conf = scores["confusion"]
    rows = []
    for t, counts in zip(conf["types"], conf["counts"], strict=True):
        s = scores["per_type"].get(t)
        u = scores["unknown_types"].get(t)
        rows.append({"cancer_type": t, "trained_on": s is not None,
                     "n": s["n"] if s else u["n"], "correct": s["correct"] if s else 0,
                     **{k: (s or {}).get(k) for k in ("recall", "precision", "f1")},
                     **{f"predicted_{c}": int(n) for c, n in zip(conf["classes"], counts,
                                                                 strict=True)}})
    columns = ["cancer_type", "trained_on", "n", "correct", "recall", "precision", "f1",
               *(f"predicted_{c}" for c in conf["classes"])]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("recall", "precision", "f1"):  # 4 decimals: a table read by people
        table[col] = pd.to_numeric(table[col], errors="coerce").round(4)
    return table


def scores_path(out_path: Path) -> Path:
    """``<out stem>.scores.tsv`` beside the predictions."""
    return out_path.with_suffix(".scores.tsv")
