"""Checks ``genemoe predict`` makes of its inputs before and after scoring, each counted
and said: negative values (refused as ``prepare`` refuses them, else clipped and recorded),
log-scale values below 0, TPM/FPKM given a count normalisation, a wrong orientation, the
model run's recorded annotation (gone, or changed since), and empty profiles (left
unscored).

Each ``*_notes`` function returns notes ``{"code", "level", "text", **data}`` as
:mod:`~genemoe.workflows.predict_text` writes them.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data import annotation as ann
from genemoe.data.args import path_of
from genemoe.data.bundle import file_sha256
from genemoe.data.ids import looks_like_samples
from genemoe.data.normalise import COUNT_METHODS
from genemoe.data.prepare import PrepLog, map_table_genes
from genemoe.data.read import ExpressionTable
from genemoe.data.values import TRACE_SHARE, negative_share
from genemoe.errors import InputError, input_error
from genemoe.workflows.predict_text import note

__all__ = ["check_output", "label_paths", "not_a_file", "OUTPUT_SUFFIXES", "check_negatives",
           "clipped_negative_notes", "negative_log_notes",
           "not_counts_notes", "linear_unit_notes", "annotation_for", "mapped_genes", "blank_empty",
           "PER_MILLION_TOLERANCE"]

log = logging.getLogger(__name__)

PER_MILLION_TOLERANCE = 0.05  # TPM columns sum to 1e6 within this share (rounding, filtering)
_UNSCORED = ("predicted_type", "confidence", "risk", "risk_percentile", "ood_score")


OUTPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet")
_READS = {"expression_path": ("the new samples", "prepare does", "new.tsv', sep='\\t') (samples "
                              "or genes as rows)"),
          "labels_path": ("the labels", "prepare --labels does", "labels.tsv', sep='\\t', "
                          "index=False) (a sample column and a type column)")}


def not_a_file(value: Any, where: str) -> InputError:
    """The refusal of an in-memory table (a DataFrame) or other object given as
    ``expression_path`` or ``labels_path``: predict reads them from files."""
    what, how, example = _READS[where]
    return input_error(f"{where} is a {type(value).__name__}: predict reads {what} from a file, "
                       f"as {how}", fix=f"write it first, e.g. df.to_csv('{example}, and pass "
                       "the file's path")


def label_paths(labels_path: Path | str | Sequence[Path | str] | None) -> list[Path]:
    """One label file or several, as paths (``[]`` for None); a DataFrame (its truth value
    was "ambiguous") or anything else is refused naming the argument."""
    if labels_path is None:
        return []
    if isinstance(labels_path, str | os.PathLike):
        return [Path(labels_path)]
    if hasattr(labels_path, "to_csv") or not isinstance(labels_path, Sequence):
        raise not_a_file(labels_path, "labels_path")  # pandas objects; a dict, a number
    return [path_of(p, "labels_path") for p in labels_path]


def check_output(out_path: Path, max_missing: float) -> None:
    """Refuse an output name of another format (``.xlsx`` got comma-separated text, ``.tsv``
    commas) and a --max-missing that is not a share (``"0.1"`` or None from Python was a
    TypeError naming nothing)."""
    if out_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise input_error(f"{out_path.name}: genemoe writes .csv, .tsv or .txt (tab-separated) "
                          "or .parquet", where="--out",  # x.csv.gz: x.csv, not x.csv.csv
                          fix=f"name it e.g. {out_path.name.split('.')[0] or out_path.stem}.csv")
    folder = out_path.parent if str(out_path.parent) else Path(".")
    base = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))  # nearest there
    if not base.is_dir() or not os.access(base, os.W_OK):  # was found after the scoring
        why = "a file" if base.exists() and not base.is_dir() else "not writable"
        raise input_error(f"{folder} is not a folder this user can write to" + (
                          "" if base == folder else f" or create ({base} is {why})"),
                          where="--out", fix="name a file in a writable folder (a missing "
                          "folder is created)")
    if isinstance(max_missing, bool) or not isinstance(max_missing, numbers.Real):
        raise input_error(f"must be a number, a share of the model's genes in [0, 1), got "
                          f"{max_missing!r}", where="max_missing (--max-missing)",
                          fix="pass e.g. max_missing=0.2 (the default)")
    if not 0 <= max_missing < 1:
        raise input_error(f"must be a share of the model's genes in [0, 1), got {max_missing}",
                          where="--max-missing", fix="pass e.g. --max-missing 0.2 (the default)")


def check_negatives(values: np.ndarray, table: ExpressionTable) -> None:
    """Refuse linear values with more than a trace below -1, as ``prepare`` does (the same
    rule and words, :data:`~genemoe.data.values.TRACE_SHARE`); the trace is clipped to 0
    before log2(x + 1) and said (:func:`clipped_negative_notes`).

    Raises
    ------
    InputError
        More than 0.1% of the values are below -1; names the sample holding most.
    """
    _, n_material, vmin = negative_share(values)
    share = n_material / max(values.size, 1)
    if share <= TRACE_SHARE:
        return
    per_sample = (values < -1).sum(1)
    worst = int(per_sample.argmax())
    raise input_error(
        f"{n_material} values ({share:.2%}) are below -1, down to {vmin:g}: log2(x + 1) would "
        "clip them to 0 and destroy them (the data look already transformed: log-ratios, "
        f"centred or z-scored; most in sample {table.sample_ids[worst]!r}: "
        f"{int(per_sample[worst]):,})", path=table.source_path,
        fix="use --normalisation none to keep the values as they are (only if they are the "
            "model's own log scale already), or fix those cells (TPM, FPKM and counts cannot "
            "be negative)")


def negatives_text(table: ExpressionTable, n_neg: int, vmin: float) -> str:
    """The warning said for negatives clipped to 0 (the words ``prepare``'s normalisation
    logs, so the record keeps one entry for both)."""
    return (f"{table.source_path}: {n_neg:,} negative values (minimum {vmin:g}) clipped to 0 "
            "before log2(x + 1)")


def clipped_negative_notes(table: ExpressionTable, values: np.ndarray, n_clipped: int
                           ) -> list[dict[str, Any]]:
    """A warning for the ``n_clipped`` negative values of linear ``values`` clipped to 0
    (it was said on the scale step's line only, and the record had no warning): how many,
    the minimum and the samples that held them (``n_values_clipped`` per sample)."""
    if not n_clipped:
        return []
    per_sample = (np.nan_to_num(values, nan=0.0) < 0).sum(1)
    held = {str(s): int(n) for s, n in zip(table.sample_ids, per_sample, strict=True) if n}
    vmin = float(np.nanmin(values))
    return [note("negative_values", "warning", negatives_text(table, n_clipped, vmin),
                  n_values=int(n_clipped), minimum=vmin, by_sample=held)]


def negative_log_notes(table: ExpressionTable, values: np.ndarray, rule: str
                       ) -> list[dict[str, Any]]:
    """A warning for values below 0 in a log-scale file (log2(x + 1) of expression is never
    below 0; they were taken uncounted, and quantile alignment ranked them lowest): how
    many, per sample (``n_negative_values`` in the output)."""
    if table.value_kind not in ("log", "log_counts"):
        return []
    per_sample = (np.nan_to_num(values, nan=0.0) < 0).sum(1)
    n = int(per_sample.sum())
    if not n:
        return []
    held = {str(s): int(k) for s, k in zip(table.sample_ids, per_sample, strict=True) if k}
    shown = ", ".join(f"{s} ({k:,})" for s, k in list(held.items())[:3])
    more = f" and {len(held) - 3:,} more" if len(held) > 3 else ""
    effect = ("quantile alignment ranks them lowest" if rule == "quantile"
              else "scored as they are")
    return [note("negative_log_values", "warning",
                  f"{n:,} values below 0 (minimum {float(np.nanmin(values)):g}) in a log-scale "
                  f"file, where log2(x + 1) is never below 0: {shown}{more}; {effect} "
                  "(n_negative_values per sample)", n_values=n,
                  minimum=float(np.nanmin(values)), by_sample=held)]


def not_counts_notes(table: ExpressionTable, values: np.ndarray, method: str, rule: str
                     ) -> list[dict[str, Any]]:
    """A warning when a count normalisation (``method``) is applied to non-integer linear
    values whose samples each sum to about a million (TPM-like: ``--normalisation model``
    on TPM divided by gene length a second time, unsaid)."""
    if rule != "same" or method not in COUNT_METHODS or table.value_kind != "linear":
        return []
    sums = np.nansum(np.asarray(values, np.float64), axis=1)
    near = np.abs(sums / 1e6 - 1) <= PER_MILLION_TOLERANCE
    if not len(sums) or near.mean() < 0.5:
        return []
    return [note("not_counts", "warning",
                  f"{int(near.sum()):,} of {len(sums):,} samples sum to about a million "
                  f"(median {float(np.median(sums)):,.0f}): TPM-like, not counts, yet "
                  f"normalised as counts with the model's {method} (gene length and depth "
                  "applied again); use --normalisation auto or quantile",
                  n_samples=int(near.sum()), n_total=len(sums),
                  median_sum=float(np.median(sums)), normalisation=method)]


_UNIT_NAMES = {"fpkm_uq": "FPKM-UQ", "log2tpm": "log2 TPM", "log2cpm": "log2 CPM"}
_NO_EXACT = {"fpkm_uq": "no exact conversion without the GDC's gene lengths and upper quartile",
             "log2tpm": "computed from counts with its annotation's gene lengths over its "
                        "training genes; another pipeline's TPM differs",
             "log2cpm": "computed from counts; another unit's values cannot be turned back"}


def linear_unit_notes(table: ExpressionTable, method: str, rule: str, normalisation: str
                      ) -> list[dict[str, Any]]:
    """Why linear values (not counts) given to a count-normalised model (``method``) are
    quantile-aligned under ``auto`` (linear TPM given to an FPKM-UQ model was aligned with no
    reason given, where log2 TPM's said one): TPM-like where most samples sum to about a
    million over the file's own genes (``table`` before the gene mapping), else another
    linear unit. Empty for any other case.

    Parameters
    ----------
    table
        The file as read (its own genes).
    method
        The model's normalisation.
    rule, normalisation
        The scale rule chosen and the ``--normalisation`` asked for.

    Returns
    -------
    list of dict
        One ``linear_other_unit`` caveat, or none.
    """
    if (rule != "quantile" or normalisation != "auto" or table.value_kind != "linear"
            or method not in _UNIT_NAMES):
        return []
    sums = np.nansum(np.asarray(table.values, np.float64), axis=1)
    near = np.abs(sums / 1e6 - 1) <= PER_MILLION_TOLERANCE
    median = float(np.median(sums)) if len(sums) else float("nan")
    tpm = bool(len(sums)) and near.mean() >= 0.5
    what = (f"linear TPM ({int(near.sum()):,} of {len(sums):,} samples sum to about a million, "
            f"median {median:,.0f}; or CPM)" if tpm else
            f"linear values, not counts (median per-sample total {median:,.0f})")
    return [note("linear_other_unit", "caveat",
                 f"{what}, another unit than the model's {_UNIT_NAMES[method]} "
                 f"({_NO_EXACT[method]}): aligned to the model's training distribution "
                 "(quantile); raw counts would get the model's own normalisation",
                 unit="TPM" if tpm else "linear", n_samples_per_million=int(near.sum()),
                 n_samples=len(sums), median_total=median, normalisation=method)]


def annotation_for(payload: dict, annotation_path: Path | None) -> ann.GeneAnnotation | None:
    """The user's annotation, else the one recorded at preparation: warned when it is no
    longer there (moved: the ids were then used as given, unsaid) or its sha256 differs
    from the recorded one (another file under the same name)."""
    if annotation_path is not None:
        return ann.read_annotation(Path(annotation_path))
    for item in (payload.get("record") or {}).get("inputs", []):
        if item.get("role") != "annotation":
            continue
        path = Path(item["path"])
        if not path.exists():
            log.warning("the run's annotation %s is not there (moved?): gene ids are used as "
                        "given and gene lengths are unknown; pass --annotation", path)
            return None
        recorded = item.get("sha256")
        if recorded and file_sha256(path) != recorded:
            log.warning("the run's annotation %s has changed since preparation (sha256 %s…, "
                        "recorded %s…): its ids and gene lengths may differ from training's; "
                        "pass the annotation the model was prepared with (--annotation)",
                        path, file_sha256(path)[:12], str(recorded)[:12])
        log.info("using the annotation recorded at preparation: %s", path)
        return ann.read_annotation(path)
    return None


def mapped_genes(table: ExpressionTable, annotation: ann.GeneAnnotation | None,
                 plog: PrepLog) -> ExpressionTable:
    """:func:`~genemoe.data.prepare.map_table_genes`, its refusal for gene ids that are
    sample ids (a file read the wrong way round) pointing at ``--orientation``, not at
    ``--annotation``."""
    try:
        return map_table_genes(table, annotation, plog)[0]
    except InputError as exc:
        if not looks_like_samples([str(g) for g in table.gene_ids]):
            raise
        raise exc.with_fix(swap_fix(table)) from exc


def swap_fix(table: ExpressionTable) -> str:
    """The fix for a table whose gene ids are sample ids: the other orientation."""
    other = "genes_by_samples" if table.orientation == "samples_by_genes" else "samples_by_genes"
    return (f"its gene identifiers are sample ids (e.g. {table.gene_ids[0]}): the file was read "
            f"as {table.orientation.replace('_', ' ')}, the wrong way round; pass "
            f"--orientation {other}, or leave --orientation out (auto)")


def blank_empty(df: pd.DataFrame, empty: list[str]) -> None:
    """Leave the predictions of empty profiles (every value 0 or missing) empty, in place:
    a sample of zeros was called CHOL at 0.999. Its type, probabilities, top types, risk
    and survival are NaN, ``looks_like_training`` False."""
    rows = df["sample_id"].astype(str).isin(empty).to_numpy()
    if not rows.any():
        return
    cols = [c for c in df.columns if c in _UNSCORED or c.startswith(("prob_", "top", "survival_"))]
    for c in cols:
        if not pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].astype(object)
        df.loc[rows, c] = np.nan
    if "looks_like_training" in df:
        df["looks_like_training"] = df["looks_like_training"].astype("boolean")
        df.loc[rows, "looks_like_training"] = False
