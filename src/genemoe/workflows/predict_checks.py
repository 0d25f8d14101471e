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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data import annotation as ann
from genemoe.data.bundle import file_sha256
from genemoe.data.ids import looks_like_samples
from genemoe.data.normalise import COUNT_METHODS
from genemoe.data.prepare import PrepLog, map_table_genes
from genemoe.data.read import ExpressionTable
from genemoe.data.values import TRACE_SHARE, negative_share
from genemoe.errors import InputError, input_error

__all__ = ["check_negatives", "clipped_negative_notes", "negative_log_notes",
           "not_counts_notes", "annotation_for", "mapped_genes", "blank_empty",
           "PER_MILLION_TOLERANCE"]

log = logging.getLogger(__name__)

PER_MILLION_TOLERANCE = 0.05  # TPM columns sum to 1e6 within this share (rounding, filtering)
_UNSCORED = ("predicted_type", "confidence", "risk", "risk_percentile", "ood_score")


def _note(code: str, level: str, text: str, **data: Any) -> dict[str, Any]:
    return {"code": code, "level": level, "text": text, **data}


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
    return [_note("negative_values", "warning", negatives_text(table, n_clipped, vmin),
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
    return [_note("negative_log_values", "warning",
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
    return [_note("not_counts", "warning",
                  f"{int(near.sum()):,} of {len(sums):,} samples sum to about a million "
                  f"(median {float(np.median(sums)):,.0f}): TPM-like, not counts, yet "
                  f"normalised as counts with the model's {method} (gene length and depth "
                  "applied again); use --normalisation auto or quantile", n_samples=int(near.sum()), n_total=len(sums),
                  median_sum=float(np.median(sums)), normalisation=method)]


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
