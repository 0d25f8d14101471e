"""``genemoe predict --labels``: external validation of a classification run.

Label tables (sample → cancer type; several files as ``prepare --labels`` takes them) are
read as prepare reads them (:func:`~genemoe.data.tables.read_labels`: the same columns
found, ``'ACC (TCGA)'`` → ``'ACC'``; :func:`~genemoe.data.tables.agreeing_labels` refuses a
sample two files type differently) and matched to the scored samples by prepare's rules:
the exact sample id, then (TCGA barcodes) the 15-character sample id, then the
12-character patient barcode, all in the dashed form (R's ``TCGA.OR.A5J1`` is
``TCGA-OR-A5J1``; one sample typed differently in its two spellings is refused, and so is
a scored sample whose label rows under the rule that decides it give different types: two
aliquots of one sample typed ACC and UVM met under its 15-character id).

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
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.ids import dashed_barcode, respelt_barcodes, tcga_like
from genemoe.data.tables import agreeing_labels, chained_respellings, read_labels, respellings
from genemoe.data.tcga import normalise_cancer_type, parse_barcode
from genemoe.errors import InputError, input_error
from genemoe.evaluate.metrics import bootstrap_macro_f1, classification_metrics
from genemoe.report.text import wilson_interval

__all__ = ["LABELS_COLUMN", "MATCH_RULES", "GROUPS", "HEADLINE_GROUPS",
           "refuse_labels_for_survival", "refuse_columns_without_labels", "read_cohort_labels",
           "match_labels", "sample_groups", "score_predictions", "scores_table", "scores_path"]

LABELS_COLUMN = "labels"  # the given type, beside predicted_type in the predictions
MATCH_RULES = ("sample id", "15-character sample id", "patient barcode")
GROUPS = ("new", "test", "model_own", "other_sample_type")  # a scored sample's group
HEADLINE_GROUPS = ("new", "test")  # never fitted on nor selected on
MODEL_OWN_SPLITS = ("train", "val", "train patient", "val patient")


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


def refuse_columns_without_labels(labels_path: object, sample_column: str | None,
                                  label_column: str | None) -> None:
    """Refuse ``--sample-column`` / ``--label-column`` given without ``--labels`` (they
    name a label table's columns; without one they were ignored, unsaid)."""
    if labels_path is None and (sample_column or label_column):
        flag = "--label-column" if label_column else "--sample-column"
        raise input_error("it names a column of a --labels table, and no --labels was given",
                          where=flag,
                          fix="pass the label table with --labels FILE, or omit " + flag)


def _label_paths(paths: Path | str | Sequence[Path | str]) -> list[Path]:
    """One path or several, as paths (a str is one path, not its characters)."""
    many = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not many:
        raise input_error("no label table given", where="--labels",
                          fix="pass one or more label tables, or omit --labels")
    return [Path(p) for p in many]


def _check_label_column(table: pd.DataFrame, path: Path) -> None:
    """Refuse a label column that is the sample column or holds barcodes, not types."""
    scol, lcol = table.attrs.get("sample_column"), table.attrs.get("label_column")
    types = table["cancer_type"].dropna().astype(str)
    barcodes = int(types.map(tcga_like).sum())
    if scol == lcol or (len(types) and barcodes >= max(1, len(types) // 2)):
        why = ("it is the sample column too" if scol == lcol else
               f"{barcodes:,} of its {len(types):,} values are TCGA barcodes, e.g. "
               f"{types[types.map(tcga_like)].iloc[0]!r}")
        raise input_error(f"the cancer-type column {lcol!r} holds sample ids, not types: "
                          f"{why}", path=path, where="--label-column",
                          fix="name the column of cancer types (e.g. --label-column Target), "
                              "or omit --label-column to have it found")


def _dashed(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The table with dashed sample ids; one sample typed differently in its two spellings
    (``TCGA-OR-A5J1-01A`` ACC, ``TCGA.OR.A5J1.01A`` UVM) refused as one spelling is."""
    out = table.assign(sample_id=table["sample_id"].astype(str).map(dashed_barcode))
    n_types = out.dropna(subset=["cancer_type"]).groupby("sample_id")["cancer_type"].nunique()
    if len(bad := n_types[n_types > 1].index.tolist()):
        eg = table.loc[out["sample_id"] == bad[0], ["sample_id", "cancer_type"]]
        shown = ", ".join(f"{i} {t}" for i, t in eg.itertuples(index=False))
        raise input_error(f"{len(bad)} sample(s) listed with different cancer types once "
                          f"'.' in barcodes is read as '-', e.g. {shown}", path=path,
                          fix="give each sample one cancer type")
    out.attrs = dict(table.attrs)
    return out


def read_cohort_labels(paths: Path | str | Sequence[Path | str], *,
                       sample_column: str | None = None, label_column: str | None = None
                       ) -> pd.DataFrame:
    """The label tables at ``paths``, read as ``genemoe prepare --labels`` reads them.

    Parameters
    ----------
    paths
        One label file or several (``--labels a.tsv b.tsv``, a glob).
    sample_column, label_column
        Their columns (found when None), as prepare's options.

    Returns
    -------
    pandas.DataFrame
        ``(n_rows, 2+)``: ``sample_id`` (dashed: R's ``TCGA.OR.A5J1`` read as
        ``TCGA-OR-A5J1``), ``cancer_type`` (NaN where empty); ``attrs``: ``files``,
        ``respelt`` (``{"ACC (TCGA) -> ACC": n}``, table rows included),
        ``barcodes_respelt`` (ids read from dotted form), ``rows_without_type``,
        ``label_columns`` (per file) and ``file_rows`` (rows per file, in order).

    Raises
    ------
    InputError
        A label column that is the sample column or holds barcodes; a sample typed
        differently within a file (in either spelling) or by two files.
    """
    files = _label_paths(paths)
    tables, dotted = [], 0
    for path in files:
        t = read_labels(path, sample_column=sample_column, label_column=label_column)
        _check_label_column(t, path)
        dotted += len(respelt_barcodes(t["sample_id"].dropna()))
        tables.append(_dashed(t, path))
    both = agreeing_labels(tables, files)
    both.attrs.update(files=[str(f) for f in files], file_rows=[len(t) for t in tables],
                      barcodes_respelt=dotted,
                      rows_without_type=int(both["cancer_type"].isna().sum()),
                      label_columns={f.name: t.attrs.get("label_column")
                                     for f, t in zip(files, tables, strict=True)})
    return both


def _patient(sample_id: str) -> str | None:
    """The 12-character patient barcode of a TCGA sample id, else None."""
    return sample_id[:12].upper() if tcga_like(sample_id) else None


def _short(sample_id: str) -> str | None:
    """The 15-character sample id of a TCGA sample id, else None."""
    return sample_id[:15].upper() if tcga_like(sample_id) else None


def _row_files(labels: pd.DataFrame, path: Path | str) -> list[str]:
    """Each row's file name (``file_rows`` of :func:`read_cohort_labels`), else ``path``'s."""
    sizes = labels.attrs.get("file_rows") or []
    files = labels.attrs.get("files") or []
    if len(sizes) == len(files) > 1 and sum(sizes) == len(labels):
        return [Path(f).name for f, n in zip(files, sizes, strict=True) for _ in range(n)]
    return [Path(str(path)).name] * len(labels)


def _refuse_ambiguous(sample_ids: Sequence[str], keys: list[pd.Series], rule: pd.Series,
                      table: pd.DataFrame, table_keys: list[pd.Series], row_file: list[str],
                      path: Path | str) -> None:
    """Refuse a scored sample whose label rows disagree under the rule that decided it.

    Two aliquots of one sample (``TCGA-OR-A5J1-01A-11R`` ACC, ``-01A-21R`` UVM) met under
    the 15-character id of a third, and the first row's type was taken, unsaid. Rows no
    scored sample is matched by are not checked (they decide nothing).

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids, as given.
    keys, table_keys
        Per rule of :data:`MATCH_RULES`: ``(n_samples,)`` the samples' keys and
        ``(n_rows,)`` the table rows' keys.
    rule
        ``(n_samples,)`` the rule that labelled each sample ("" none).
    table
        ``(n_rows, 2+)`` the label rows (``sample_id``, ``cancer_type``), typed rows first.
    row_file
        ``(n_rows,)`` each row's file name.
    """
    typed = table["cancer_type"].map(lambda v: normalise_cancer_type(v)
                                     if isinstance(v, str) and v.strip() else np.nan)
    for name, key, tkey in zip(MATCH_RULES, keys, table_keys, strict=True):
        decided = (rule == name).to_numpy()
        if not decided.any():
            continue
        rows = typed.notna() & tkey.isin(set(key[decided]))
        n_types = typed[rows].groupby(tkey[rows]).nunique()
        bad = decided & key.isin(set(n_types[n_types > 1].index)).to_numpy()
        if not bad.any():
            continue
        first = int(np.flatnonzero(bad)[0])
        hit = np.flatnonzero((rows & (tkey == key.iloc[first])).to_numpy())
        several = len(set(row_file)) > 1
        shown = ", ".join(f"{table['sample_id'].iloc[i]} {typed.iloc[i]}"
                          + (f" ({row_file[i]})" if several else "") for i in hit[:4])
        more = int(bad.sum()) - 1
        sample = sample_ids[first]
        raise input_error(
            f"its label is ambiguous: by its {name} ({key.iloc[first]}) it matches "
            f"{len(hit)} rows of different cancer types: {shown}"
            + ("" if len(hit) <= 4 else ", ...")
            + (f"; {more:,} more scored sample{'s' * (more != 1)} alike" if more else ""),
            path=", ".join(dict.fromkeys(row_file[i] for i in hit)) if several else path,
            where=f"sample {sample}",
            fix=f"list the exact sample ids: add a row {sample} with its cancer type (the "
                "exact id decides first), or remove the row of the wrong type")


def match_labels(sample_ids: Sequence[str], labels: pd.DataFrame, path: Path | str
                 ) -> tuple[pd.Series, dict[str, Any]]:
    """Each sample's given cancer type, by prepare's rules, on dashed barcodes.

    Parameters
    ----------
    sample_ids
        ``(n_samples,)`` the scored samples' ids.
    labels
        From :func:`read_cohort_labels` (or any ``sample_id``, ``cancer_type`` table).
    path
        The label file(s), named in the error and the counts.

    Returns
    -------
    tuple
        ``(n_samples,)`` object Series of TCGA-normalised types (NaN: no label), and the
        counts: ``file``, ``files``, ``n_rows``, ``matched_by`` (per rule of
        :data:`MATCH_RULES`), ``rows_naming_no_sample``, ``samples_with_empty_type``
        (matched to a row whose type is empty: unlabelled), ``respelt``
        (``{"ACC (TCGA) -> ACC": n}``, table rows included), ``barcodes_respelt`` (label
        ids read from dotted form) and ``expression_barcodes_respelt``.

    Raises
    ------
    InputError
        None of the table's ids names a sample (another cohort's table, ids in another
        form); one sample typed differently in its dashed and dotted spellings; a scored
        sample whose label rows (two aliquots under its 15-character id) give different
        types.
    """
    ids = pd.Series([dashed_barcode(s) for s in sample_ids], dtype=object)  # R's make.names
    table = _dashed(labels, Path(str(path)))
    typed_first = np.argsort(table["cancer_type"].isna().to_numpy(), kind="stable")
    row_file = list(np.asarray(_row_files(labels, path), dtype=object)[typed_first])
    table = table.iloc[typed_first].reset_index(drop=True)  # a typed row before an empty one
    exact = table.drop_duplicates("sample_id").set_index("sample_id")["cancer_type"]
    upper = table.assign(k=table["sample_id"].str.upper())
    short = upper.assign(k=upper["k"].str[:15]).drop_duplicates("k").set_index("k")["cancer_type"]
    by_patient = upper.drop_duplicates("k").set_index("k")["cancer_type"]
    keys = [ids, ids.map(_short), ids.map(_patient)]
    found = pd.Series(np.nan, index=ids.index, dtype=object)
    rule = pd.Series("", index=ids.index, dtype=object)
    named = pd.Series(False, index=ids.index)
    for name, key, lookup in zip(MATCH_RULES, keys, [exact, short, by_patient], strict=True):
        hit = key.notna() & key.isin(lookup.index)
        named |= hit
        got = key.map(lookup).where(hit)
        fill = found.isna() & got.notna()  # an empty type falls through, as at prepare
        found[fill], rule[fill] = got[fill], name
    if len(table) and not named.any():
        raise input_error(
            f"none of its {len(table):,} sample ids names a sample of the expression (it has "
            f"{table['sample_id'].iloc[0]!r}; the expression {ids.iloc[0] if len(ids) else ''!r})",
            path=path, fix="pass the label table of these samples, or name its sample column "
                           "with --sample-column")
    _refuse_ambiguous(list(sample_ids), keys, rule, table,
                      [table["sample_id"], upper["k"].str[:15], upper["k"]], row_file, path)
    given = found.map(lambda v: normalise_cancer_type(v) if isinstance(v, str) and v.strip()
                      else np.nan)
    respelt = chained_respellings(Counter(labels.attrs.get("respelt") or {}),
                                  respellings(found, given))
    used = set(ids) | {k for k in keys[1] if k} | {k for k in keys[2] if k}
    unused = ~(table["sample_id"].isin(used) | upper["k"].str[:15].isin(used)
               | upper["k"].isin(used))
    files = labels.attrs.get("files") or [str(path)]
    return given, {"file": ", ".join(files), "files": files, "n_rows": len(table),
                   "matched_by": {r: int((rule == r).sum()) for r in MATCH_RULES},
                   "rows_naming_no_sample": int(unused.sum()),
                   "samples_with_empty_type": int((named & given.isna()).sum()),
                   "label_columns": labels.attrs.get("label_columns") or {},
                   "respelt": dict(respelt),
                   "barcodes_respelt": int(labels.attrs.get("barcodes_respelt") or 0),
                   "expression_barcodes_respelt": len(respelt_barcodes(sample_ids))}


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


def _accuracy(given: pd.Series, predicted: pd.Series) -> dict[str, Any]:
    """``{"n", "correct", "accuracy", "accuracy_ci95"}`` (Wilson) of aligned labels."""
    n, correct = len(given), int((given.to_numpy() == predicted.to_numpy()).sum())
    return {"n": n, "correct": correct, "accuracy": correct / n if n else None,
            "accuracy_ci95": list(wilson_interval(correct, n)) if n else None}


def _macro_f1(given: pd.Series, predicted: pd.Series, names: list[str], *, interval: bool
              ) -> dict[str, Any]:
    """Macro-F1 over the types among ``given`` (the model's ``names`` only), the
    classification metrics behind it and, with ``interval``, its bootstrap interval."""
    index = {c: i for i, c in enumerate(names)}
    y_true = given.map(index).to_numpy(np.int64)
    y_pred = predicted.map(index).to_numpy(np.int64)
    m = classification_metrics(y_true, y_pred, class_names=names)
    types = [c for c in names if m["per_class"][c]["support"]]
    f1 = float(np.mean([m["per_class"][c]["f1"] for c in types]))
    ci = (bootstrap_macro_f1(y_true, y_pred, classes=[index[c] for c in types])
          if interval else None)
    return {"macro_f1": f1, "macro_f1_types": types, "macro_f1_ci95": list(ci) if ci else None,
            "metrics": m}


def score_predictions(predicted: pd.Series, given: pd.Series, class_names: Sequence[str],
                      groups: pd.Series | None = None) -> dict[str, Any]:
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

    Returns
    -------
    dict
        Counts (``n_samples``, ``n_labelled``, ``n_unlabelled``, ``groups``: labelled
        samples per group, ``n_model_own``, ``n_other_sample_type``); over the headline
        (``new`` and ``test``, ``headline``: its words): ``n_scored`` of a type the model
        knows, ``n_unknown_type``, ``accuracy`` with ``accuracy_ci95`` (Wilson),
        ``macro_f1`` over ``macro_f1_types`` (the model's types among the labels) with
        ``macro_f1_ci95``, ``false_calls`` (``{type: n}`` predicted, never given),
        ``accuracy_all_labelled`` (unknown types counted wrong), ``per_type``
        (``{type: {"n", "correct", "recall", "precision", "f1", "predicted"}}``),
        ``confusion`` (``types`` rows, ``classes`` columns, ``counts``),
        ``unknown_types``; ``by_split`` (per group: ``n``, ``correct``, ``accuracy``,
        ``accuracy_ci95``) and ``accuracy_incl_model_own``, ``macro_f1_incl_model_own``
        (headline and model's own pooled). Metric entries are None where no sample counts.
    """
    names = [str(c) for c in class_names]
    predicted = pd.Series(predicted, dtype=object).reset_index(drop=True)
    given = pd.Series(given, dtype=object).reset_index(drop=True)
    group = (pd.Series("new", index=given.index, dtype=object) if groups is None
             else pd.Series(groups, dtype=object).reset_index(drop=True))
    labelled, known = given.notna(), given.isin(names)
    head = labelled & group.isin(HEADLINE_GROUPS)
    n_lab, n_head = int(labelled.sum()), int(head.sum())
    unknown = _unknown_types(given[head], predicted[head], names)
    by_split = {g: _accuracy(given[m], predicted[m]) for g in GROUPS
                if (m := labelled & known & (group == g)).any()}
    out: dict[str, Any] = {
        "n_samples": len(given), "n_labelled": n_lab, "n_unlabelled": len(given) - n_lab,
        "groups": {g: int((labelled & (group == g)).sum()) for g in GROUPS},
        "split_ids_known": groups is not None,
        "headline": "labelled samples that are not the model's own (new and its test split) "
                    "of the sample types it was trained on",
        "n_scored": int((head & known).sum()), "n_unknown_type": int((head & ~known).sum()),
        "accuracy": None, "accuracy_ci95": None, "accuracy_ci_method": "Wilson score",
        "macro_f1": None, "macro_f1_ci95": None, "macro_f1_ci_method": "percentile bootstrap "
        "over samples, 1,000 resamples, the type set fixed", "macro_f1_types": [],
        "macro_f1_note": "over the model's types among the labels; a type only predicted is "
                         "a false call; samples of types it was not trained on left out",
        "false_calls": {}, "accuracy_all_labelled": 0.0 if n_head else None,
        "per_type": {}, "unknown_types": unknown, "by_split": by_split,
        "accuracy_incl_model_own": None, "macro_f1_incl_model_own": None, "confusion": {}}
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
    acc = _accuracy(given[scored], predicted[scored])
    f1 = _macro_f1(given[scored], predicted[scored], names, interval=True)
    m = f1.pop("metrics")
    out.update(accuracy=acc["accuracy"], accuracy_ci95=acc["accuracy_ci95"], **f1,
               accuracy_all_labelled=acc["correct"] / n_head)
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
