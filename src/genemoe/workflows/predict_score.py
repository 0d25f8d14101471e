"""``genemoe predict --labels``: external validation of a classification run.

A label table (sample → cancer type) is read as ``genemoe prepare --labels`` reads it
(:func:`~genemoe.data.tables.read_labels`: the same columns found, ``'ACC (TCGA)'`` →
``'ACC'``) and matched to the scored samples by prepare's rules: the exact sample id, then
(TCGA barcodes) the 15-character sample id, then the 12-character patient barcode. The
predictions are scored against the labels with the evaluate layer's metrics
(:func:`~genemoe.evaluate.metrics.classification_metrics`):

- samples with no label are counted and left unscored;
- samples labelled with a type the model was not trained on can never be right: they are
  counted by type with how they were predicted, and left out of the accuracy and macro-F1
  over the model's types (``accuracy_all_labelled`` counts them as wrong);
- the accuracy gets a 95% Wilson interval (:func:`~genemoe.report.text.wilson_interval`,
  as train's test accuracy; the evaluate layer has no classification bootstrap).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.ids import dashed_barcode, tcga_like
from genemoe.data.tables import chained_respellings, read_labels, respellings
from genemoe.data.tcga import normalise_cancer_type
from genemoe.errors import input_error, nearest_names
from genemoe.evaluate.metrics import bootstrap_macro_f1, classification_metrics
from genemoe.report.text import wilson_interval

__all__ = ["LABELS_COLUMN", "MATCH_RULES", "refuse_labels_for_survival", "read_cohort_labels",
           "match_labels", "score_predictions", "scores_table", "scores_path", "label_notes"]

LABELS_COLUMN = "labels"  # the given type, beside predicted_type in the predictions
MATCH_RULES = ("sample id", "15-character sample id", "patient barcode")


def _note(code: str, level: str, text: str, **data: Any) -> dict[str, Any]:
    return {"code": code, "level": level, "text": text, **data}


def refuse_labels_for_survival(payload: dict, labels_path: Path | str | None) -> None:
    """Refuse ``--labels`` for a survival model: its scores need each patient's time and event."""
    if labels_path is None or payload["task"] == "classify":
        return
    raise input_error(
        f"{payload['model_name']} is a survival model: it predicts risk, not a type, so a "
        "cancer-type table has nothing to score", where="--labels",
        fix="omit --labels; to validate the risk, join the output's risk column to your "
            "clinical table (time, event) by sample_id and compute the C-index (Python: "
            "genemoe.evaluate.survival.concordance_index), or prepare the cohort with --clinical "
            "and score it with a classification run's --labels for its types")


def read_cohort_labels(path: Path | str, *, sample_column: str | None = None,
                       label_column: str | None = None) -> pd.DataFrame:
    """The label table at ``path``, read as ``genemoe prepare --labels`` reads it.

    Returns
    -------
    pandas.DataFrame
        ``(n_rows, 2+)``: ``sample_id``, ``cancer_type`` (NaN where empty), with ``attrs``
        as :func:`~genemoe.data.tables.read_labels` gives them (``respelt`` among them).
    """
    return read_labels(Path(path), sample_column=sample_column, label_column=label_column)


def _patient(sample_id: str) -> str | None:
    """The 12-character patient barcode of a TCGA sample id, else None."""
    return sample_id[:12].upper() if tcga_like(sample_id) else None


def _short(sample_id: str) -> str | None:
    """The 15-character sample id of a TCGA sample id, else None."""
    return sample_id[:15].upper() if tcga_like(sample_id) else None


def match_labels(sample_ids: Sequence[str], labels: pd.DataFrame, path: Path | str
                 ) -> tuple[pd.Series, dict[str, Any]]:
    """Each sample's given cancer type, by prepare's rules.

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids.
    labels
        From :func:`read_cohort_labels`.
    path
        The label file, named in the error and the counts.

    Returns
    -------
    tuple
        ``(n_samples,)`` object Series of TCGA-normalised types (NaN: no label), and the
        counts: ``file``, ``n_rows``, ``matched_by`` (per rule of :data:`MATCH_RULES`),
        ``rows_naming_no_sample``, ``respelt`` (``{"ACC (TCGA) -> ACC": n}``).

    Raises
    ------
    InputError
        None of the table's ids names a sample (another cohort's table, ids in another form).
    """
    ids = pd.Series([dashed_barcode(s) for s in sample_ids], dtype=object)  # R's make.names
    table = labels.assign(sample_id=labels["sample_id"].astype(str).map(dashed_barcode))  # dots
    exact = table.drop_duplicates("sample_id").set_index("sample_id")["cancer_type"]
    upper = table.assign(k=table["sample_id"].str.upper())
    short = upper.assign(k=upper["k"].str[:15]).drop_duplicates("k").set_index("k")["cancer_type"]
    by_patient = upper.drop_duplicates("k").set_index("k")["cancer_type"]
    keys = [ids, ids.map(_short), ids.map(_patient)]
    maps = [exact, short, by_patient]
    found = pd.Series(np.nan, index=ids.index, dtype=object)
    rule = pd.Series("", index=ids.index, dtype=object)
    named = pd.Series(False, index=ids.index)
    for name, key, lookup in zip(MATCH_RULES, keys, maps, strict=True):
        hit = key.notna() & key.isin(lookup.index)
        named |= hit
        got = key.map(lookup).where(hit)
        fill = found.isna() & got.notna()
        found[fill], rule[fill] = got[fill], name
    if len(table) and not named.any():
        raise input_error(
            f"none of its {len(table):,} sample ids names a sample of the expression (it has "
            f"{table['sample_id'].iloc[0]!r}; the expression {ids.iloc[0] if len(ids) else ''!r})",
            path=path, fix="pass the label table of these samples, or name its sample column "
                           "with --sample-column")
    given = found.map(lambda v: normalise_cancer_type(v) if isinstance(v, str) and v.strip()
                      else np.nan)
    respelt = chained_respellings(Counter(labels.attrs.get("respelt") or {}),
                                  respellings(found, given))
    used = set(ids) | {k for k in keys[1] if k} | {k for k in keys[2] if k}
    unused = ~(table["sample_id"].isin(used) | upper["k"].str[:15].isin(used)
               | upper["k"].isin(used))
    return given, {"file": str(path), "n_rows": len(table),
                   "matched_by": {r: int((rule == r).sum()) for r in MATCH_RULES},
                   "rows_naming_no_sample": int(unused.sum()), "respelt": dict(respelt)}


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


def score_predictions(predicted: pd.Series, given: pd.Series, class_names: Sequence[str],
                      model_split: pd.Series | None = None) -> dict[str, Any]:
    """Score ``predicted`` types against ``given`` ones over the model's own types.

    Parameters
    ----------
    predicted, given
        ``(n_samples,)`` predicted types and given types (NaN: no label), aligned.
    class_names
        The model's ``n_classes`` training types, in its order.
    model_split
        ``(n_samples,)`` the output's ``model_split`` column (``train``, ``val``, ... or
        ``new``), to count the model's own samples among the scored ones (``n_model_own``);
        None without it.

    Returns
    -------
    dict
        Counts (``n_samples``, ``n_labelled``, ``n_unlabelled``, ``n_scored`` of a type the
        model knows, ``n_unknown_type``), ``accuracy`` with ``accuracy_ci95`` (Wilson),
        ``macro_f1`` over ``macro_f1_types`` (the model's types among the labels or
        predictions), ``accuracy_all_labelled`` (unknown types counted wrong), ``per_type``
        (``{type: {"n", "correct", "recall", "precision", "f1", "predicted"}}``),
        ``confusion`` (``types`` rows, ``classes`` columns, ``counts``) and
        ``unknown_types``; metric entries are None when no sample has a known type.
    """
    names = [str(c) for c in class_names]
    predicted = pd.Series(predicted, dtype=object).reset_index(drop=True)
    given = pd.Series(given, dtype=object).reset_index(drop=True)
    labelled = given.notna()
    known = labelled & given.isin(names)
    unknown = _unknown_types(given, predicted, names)
    n_known, n_lab = int(known.sum()), int(labelled.sum())
    out: dict[str, Any] = {
        "n_samples": len(given), "n_labelled": n_lab, "n_unlabelled": len(given) - n_lab,
        "n_scored": n_known, "n_unknown_type": n_lab - n_known,
        "accuracy": None, "accuracy_ci95": None, "accuracy_ci_method": "Wilson score",
        "macro_f1": None, "macro_f1_ci95": None, "macro_f1_ci_method": "percentile bootstrap "
        "over samples, 1,000 resamples", "macro_f1_types": [],
        "macro_f1_note": "over the model's types present among the labels or predictions; "
                         "samples of types it was not trained on left out",
        "accuracy_all_labelled": None, "per_type": {}, "unknown_types": unknown,
        "confusion": {}}
    if model_split is not None:  # of the n_scored: the model's own samples are not external
        own = pd.Series(model_split, dtype=object).reset_index(drop=True)[known]
        out["n_model_own"] = {s: int((own == s).sum()) for s in ("train", "val", "test")}
    out["confusion"] = {"types": list(unknown), "classes": names,  # how the others were predicted
                        "counts": [[u["predicted_as"].get(c, 0) for c in names]
                                   for u in unknown.values()]}
    if not n_known:
        return out
    index = {c: i for i, c in enumerate(names)}
    y_true = given[known].map(index).to_numpy(np.int64)
    y_pred = predicted[known].map(index).to_numpy(np.int64)
    m = classification_metrics(y_true, y_pred, class_names=names)
    correct = int(round(m["accuracy"] * n_known))
    present = [c for c, s in m["per_class"].items() if s["support"] or s["predicted"]]
    out.update(accuracy=m["accuracy"], accuracy_ci95=list(wilson_interval(correct, n_known) or []),
               macro_f1=m["macro_f1"], macro_f1_types=present,
               macro_f1_ci95=list(bootstrap_macro_f1(y_true, y_pred) or []) or None,
               accuracy_all_labelled=correct / n_lab)
    cm = np.asarray(m["confusion_matrix"])
    for i, c in enumerate(names):
        if c in present:
            s = m["per_class"][c]
            out["per_type"][c] = {"n": s["support"], "correct": int(cm[i, i]),
                                  "recall": s["recall"] if s["support"] else None,
                                  "precision": s["precision"] if s["predicted"] else None,
                                  "f1": s["f1"], "predicted": s["predicted"]}
    rows = [c for c in names if c in present]
    conf = out["confusion"]
    conf["types"], conf["counts"] = [*rows, *conf["types"]], [
        *(cm[index[c]].tolist() for c in rows), *conf["counts"]]
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


def _most(predicted_as: dict[str, int]) -> str:
    top = max(predicted_as, key=lambda k: predicted_as[k])
    return f"{top} {predicted_as[top]:,}"


def label_notes(scores: dict[str, Any], labels: dict[str, Any], class_names: Sequence[str]
                ) -> list[dict[str, Any]]:
    """The summary's lines of a ``--labels`` scoring (notes as
    :mod:`~genemoe.workflows.predict_text` makes them: code, level, text and data)."""
    name = Path(labels["file"]).name
    n, k = scores["n_scored"], len(scores["macro_f1_types"])
    by = ", ".join(f"{r} {v:,}" for r, v in labels["matched_by"].items() if v)
    respelt = sorted(labels["respelt"].items(), key=lambda kv: -kv[1])
    n_respelt = sum(v for _, v in respelt)
    missing = scores["n_unlabelled"]
    out = [_note("label_match", "caveat" if missing else "info",
                 f"--labels {name}: {scores['n_labelled']:,} of {scores['n_samples']:,} samples "
                 f"labelled (by {by or 'none'})"
                 + (f"; {missing:,} without a label, unscored" if missing else "")
                 + (f"; {n_respelt:,} respelt (e.g. {respelt[0][0].replace(' -> ', ' → ')})"
                    if respelt else ""),
                 n_unlabelled=missing, matched_by=labels["matched_by"])]
    if scores["accuracy"] is None:
        out.append(_note("label_scores", "warning",
                         f"none of the labelled samples is of one of the model's "
                         f"{len(class_names)} types: nothing to score against them"))
    else:
        lo, hi = scores["accuracy_ci95"]
        f_ci = scores.get("macro_f1_ci95")  # percentile bootstrap
        own = sum(v for s, v in (scores.get("n_model_own") or {}).items() if s != "test")
        out.append(_note("label_scores", "info",
                         f"accuracy {scores['accuracy']:.3f} (95% CI {lo:.3f}–{hi:.3f}) and "
                         f"macro-F1 {scores['macro_f1']:.3f}" + (
                             f" ({f_ci[0]:.3f}–{f_ci[1]:.3f})" if f_ci else "")
                         + f" over {k} type{'s' * (k != 1)}, "
                         f"n = {n:,}" + (f" ({own:,} of them the model's own training or "
                                         "validation samples: not external)" if own else "")))
    if scores["n_unknown_type"]:
        u = scores["unknown_types"]
        types = ", ".join(f"{t} {v['n']:,}" for t, v in list(u.items())[:5])
        types += ", ..." if len(u) > 5 else ""
        near = nearest_names(list(u)[:5], class_names)
        most = ", ".join(f"{t} as {_most(v['predicted_as'])}"
                         for t, v in list(u.items())[:3]) + (", ..." if len(u) > 3 else "")
        acc = scores["accuracy_all_labelled"]
        out.append(_note("label_unknown_types", "caveat",
                         f"{scores['n_unknown_type']:,} samples of types the model was not "
                         f"trained on ({types}){near}: never right, left out of accuracy and "
                         f"macro-F1 (mostly predicted: {most}"
                         + (f"; with them, accuracy {acc:.3f})" if acc is not None else ")"),
                         types={t: v["n"] for t, v in u.items()}))
    return out
