"""Bringing a table onto a model's genes and scale, for ``genemoe predict``.

:func:`align_to_model` reorders a normalised table to the model's genes (missing ones
filled and counted); :func:`quantile_aligned` puts another pipeline's profiles on the
model's scale (:mod:`genemoe.data.crossscale`); :func:`given_shift` measures how far
values taken as the model's scale (``--normalisation none``) sit from it, and
:func:`own_log_shifts` whether log values are the own scale of a model of log2(unit + 1)
(``log2p1``, ``log2tpm``, ``log2cpm``, ``fpkm_uq``; then taken as given under ``auto``,
said by :func:`own_log_notes`), and :func:`own_log_totals` whether their per-sample totals
of 2^x − 1 are the model's unit's (TPM, CPM: else aligned, said by :func:`unit_totals_notes`).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from genemoe.data.crossscale import (
    LOG2P1_UNITS,
    OWN_SCALE_SHIFT,
    UNIT_TOTALS,
    UnitTotals,
    check_unit_totals,
    distribution_shift,
    linear_totals,
    quantile_align,
    subset_reference,
    trained_gene_counts,
)
from genemoe.data.ids import detect_id_kind, off_kind_ids, strip_version
from genemoe.data.prepare import PrepLog
from genemoe.data.read import ExpressionTable
from genemoe.data.scaling import Scaler
from genemoe.errors import input_error
from genemoe.workflows.predict_checks import check_negatives

__all__ = ["GIVEN_SHIFT_WARN", "OWN_SCALE_SHIFT", "align_to_model", "given_shift", "given_step_words",
           "other_unit_hint", "own_log_applies", "own_log_notes", "own_log_shifts", "own_log_totals",
           "quantile_aligned", "scale_words", "trained_value_kinds", "training_levels",
           "unit_totals_notes", "unit_words", "unmapped_ids", "median_shift"]

log = logging.getLogger(__name__)


# Median distance (log2 units) above which values given as the model's scale are warned:
# gdc6 cohorts on the scale of a model of two others (genemoe's FPKM-UQ from counts) sat
# 0.47-1.19 (medians; single samples up to 2.35), the GDC's STAR FPKM-UQ 6.4 (tests/workflows).
# Files of the model's own scale sit under OWN_SCALE_SHIFT (crossscale, said in the warning).
GIVEN_SHIFT_WARN = 3.0


def unmapped_ids(plog: PrepLog) -> tuple[int, list[str]]:
    """How many of the file's gene ids the id mapping dropped, and up to 5 of them."""
    step = next((s for s in plog.steps if s.get("step") == "map_gene_ids"), {})
    return int((step.get("report") or {}).get("unmapped", 0)), list(step.get("unmapped_examples") or [])


def _missing_fix(present: np.ndarray, table: ExpressionTable, gene_ids: Sequence[str],
                 unmapped: tuple[int, Sequence[str]]) -> str:
    """The fix for too many missing genes: other identifiers (most of the file's genes are
    not the model's) need the annotation; the model's own identifiers are simply absent."""
    # few of the file's ids are the model's, and the file does not hold most of the model's
    # genes (a whole-genome file lacking 30% of a filtered model's genes was told to pass
    # --annotation, its ids and the model's both Ensembl)
    theirs = detect_id_kind(map(str, gene_ids))  # no gene left (Entrez ids, no length for
    mine = (detect_id_kind(map(str, table.gene_ids)) if table.shape[1]  # an FPKM-UQ model):
            else str(table.id_kind))  # the kind read ("the file's: e.g. ;" and --annotation)
    same_kind = mine == theirs and mine != "unknown"  # a file lacking half the model's Ensembl
    #   genes was told to pass --annotation, its ids the model's kind: said as absent below
    if (present.sum() < 0.5 * max(table.shape[1], 1) and present.sum() < 0.5 * len(gene_ids)
            and not same_kind):
        decimals = [str(g) for g in table.gene_ids[:50] if re.fullmatch(r"\d+\.0+", str(g))]
        if decimals and {d.split(".")[0] for d in decimals} & set(map(str, gene_ids)):
            return (f"the file's gene ids are Entrez ids written as decimals (e.g. "
                    f"{', '.join(decimals[:2])}; the model's: {', '.join(map(str, gene_ids[:2]))})"
                    ": write them as whole numbers (a spreadsheet or pandas turned them into "
                    "floats)")
        if mine != theirs and "unknown" not in (mine, theirs):  # the kinds differ: said which
            kinds = (f"the file's gene ids are {_KIND_WORDS.get(mine, mine)}{_eg(table.gene_ids)}, "
                     "the model's "
                     f"{_KIND_WORDS.get(theirs, theirs)} (e.g. {', '.join(map(str, gene_ids[:2]))})")
            if theirs.startswith("ensembl") and mine in ("symbol", "firehose"):
                return (f"{kinds}: pass an --annotation holding both kinds of id, which maps one "
                        "to the other, or use a file with the model's identifiers")
            return (f"{kinds}: an --annotation maps symbols to Ensembl ids only (none carries "
                    "Entrez ids), so convert the file's ids to the model's kind, or use a file "
                    "with the model's identifiers")
        return ("pass --annotation to map symbols/Entrez to the model's gene ids, or use a "
                f"file with the model's identifiers ({_eg(table.gene_ids, 3, _THE_FILES)}"
                f"the model's: e.g. {', '.join(map(str, gene_ids[:3]))})")
    own = set(map(str, gene_ids)) | set(map(str, strip_version(map(str, gene_ids))))
    ours = [u for u in map(str, unmapped[1]) if _is_own(u, own)]  # unmapped, yet the model's:
    lacking = [u for u in map(str, unmapped[1]) if u not in ours]  # (was "none of the model's")
    other = [*lacking, *(str(g) for g in table.gene_ids if str(g) not in own)]
    n_unmapped = unmapped[0] - len(ours)
    n_other = n_unmapped + len(other) - len(lacking)
    kind = detect_id_kind(map(str, gene_ids))  # ids of the model's own kind it does not use are
    named = (n_unmapped + len(off_kind_ids(other[len(lacking):], kind))  # other genes
             if kind in ("ensembl", "ensembl_versioned", "entrez") else n_other)  # not names
    dropped = (f"; the id mapping dropped {unmapped[0]:,} of the file's ids, among them the "
               f"model's own {', '.join(ours[:3])}: give every row an id of one kind"
               if ours else "")
    if named >= 0.5 * (~present).sum():  # the missing genes may be these, under other names
        return (f"{n_other:,} of the file's {table.shape[1] + unmapped[0]:,} gene ids are none "
                f"of the model's (e.g. {', '.join(other[:3])}): give them the model's identifiers "
                "(--annotation maps symbols/Ensembl), or raise --max-missing (absent genes "
                f"take the training mean, which weakens the prediction){dropped}")
    if ours:
        return (f"{dropped[2:]}, or raise --max-missing (absent genes take the training mean, "
                "which weakens the prediction)")
    if (read_as := _mapped_from(table, theirs)) is not None:  # was "the file's identifiers
        return (f"the file names genes by {read_as}, mapped to the model's "  # are the model's"
                f"{_KIND_WORDS.get(theirs, theirs)} through the annotation, and lacks these "
                "genes (not in the file, or with no symbol of their own there: many non-coding "
                "genes): score a file with the model's identifiers, or raise --max-missing "
                "(absent genes take the training mean, which weakens the prediction)")
    return ("the file's identifiers are the model's, but it lacks these genes: score a file "
            "with the model's genes, or raise --max-missing (absent genes take the training "
            "mean, which weakens the prediction)")


_THE_FILES = "the file's: "


def _eg(ids: Sequence[object], n: int = 2, lead: str = "") -> str:
    """``" (e.g. a, b)"`` of the first ``n`` ids, or with ``lead`` ``"the file's: e.g. a, b; "``;
    ``""`` where there is none (was "the file's: e.g. ;")."""
    shown = ", ".join(map(str, list(ids)[:n]))
    if not shown:
        return ""
    return f"{lead}e.g. {shown}; " if lead else f" (e.g. {shown})"


def _mapped_from(table: ExpressionTable, model_kind: str) -> str | None:
    """The words for the file's own gene id kind (as read: ``table.id_kind``) where the id
    mapping turned it into the model's other kind (symbols into Ensembl ids), else None."""
    kind = str(table.id_kind)
    if (kind == "unknown" or kind == model_kind
            or kind.startswith("ensembl") == model_kind.startswith("ensembl")):
        return None
    return _KIND_WORDS.get(kind, kind)


def _is_own(gene_id: str, own: set[str]) -> bool:
    """True when ``gene_id``, as given or without its Ensembl version, is one of ``own``."""
    return gene_id in own or str(strip_version([gene_id])[0]) in own


_KIND_WORDS = {"ensembl": "Ensembl ids", "ensembl_versioned": "versioned Ensembl ids",
               "entrez": "Entrez ids", "symbol": "gene symbols", "firehose": "Firehose SYMBOL|ENTREZ ids"}


def align_to_model(table: ExpressionTable, gene_ids: list[str], *, fill: np.ndarray,
                   max_missing: float, unmapped: tuple[int, Sequence[str]] = (0, ()),
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Reorder ``table`` to the model's genes; fill the missing ones.

    Parameters
    ----------
    table
        Normalised expression ``(n_samples, n_file_genes)`` with canonical gene ids.
    gene_ids
        The model's genes ``(n_genes,)``.
    fill
        ``(n_genes,)`` values for genes absent from the file (training means).
    max_missing
        Largest allowed share of the model's genes missing from a sample.
    unmapped
        How many of the file's ids the id mapping could not place, and examples: named
        in the refusal's fix, with the ids that are none of the model's.

    Returns
    -------
    tuple
        ``(n_samples, n_genes)`` float32 matrix and ``(n_samples,)`` missing-gene counts
        (absent columns plus non-finite cells).
    """
    pos = pd.Index(table.gene_ids).get_indexer(gene_ids)
    present = pos >= 0
    X = np.tile(fill.astype(np.float32), (table.shape[0], 1))
    X[:, present] = table.values[:, pos[present]]
    bad = ~np.isfinite(X)
    n_missing = (~present).sum() + bad[:, present].sum(1)  # a NaN fill is no second miss
    X[bad] = np.broadcast_to(fill, X.shape)[bad]
    share = n_missing / len(gene_ids)
    if (share > max_missing).any():
        worst = int(share.argmax())
        who = ("every sample" if (n_missing == n_missing[worst]).all() and len(n_missing) > 1
               else f"sample {table.sample_ids[worst]!r}")  # named the first when all lack them
        raise input_error(
            f"{int(n_missing[worst]):,} of the model's {len(gene_ids):,} genes "
            f"({share[worst]:.0%}) are missing for {who}, above the "
            f"limit of {max_missing:.0%} (e.g. {', '.join(np.asarray(gene_ids, dtype=str)[~present][:5])})",
            path=table.source_path, where="gene identifiers", fix=_missing_fix(present, table, gene_ids, unmapped))
    return X, n_missing


def scale_words(method: str) -> str:
    """``log2 fpkm_uq``, ``log2(x + 1)``; a model of log values taken as they were: ``its
    log input as prepared`` (was "log2 none")."""
    if method == "none":
        return "its log input as prepared"
    return "log2(x + 1)" if method == "log2p1" else f"log2 {method}"  # was "log2 log2p1"


def check_floor_converted(payload: dict, table: ExpressionTable, rule: str) -> None:
    """Refuse log2(x + ε) values converted on reading (their floor log2(ε) now 0) for a
    model whose training values sat below −1 (its reference profile's lowest): such a model
    was trained on them unconverted, by a genemoe before the conversion, and scoring the
    converted values as its own scale (``same``) moved every zero by ~10 log2 units, unsaid.
    """
    ref = payload.get("reference_profile")
    converted = any("on the floor" in n for n in table.notes)
    if rule != "same" or ref is None or not converted or float(np.min(ref)) >= -1:
        return
    raise input_error(
        f"the model was trained on values down to {float(np.min(ref)):.2f} (log2(x + ε) read "
        "unconverted by an earlier genemoe), and this file's log2(x + ε) values are now "
        "converted to log2(x + 1) on reading", path=table.source_path, where="--normalisation",
        fix="prepare the training data again and retrain (genemoe converts such files now), "
            "or pass --normalisation quantile to align these profiles to the model's")


def given_shift(payload: dict, table: ExpressionTable, method: str) -> np.ndarray | None:
    """Each sample's distance to the training distribution (log2 units) of values taken as
    the model's scale (``--normalisation none``; ``method``, the model's normalisation), None
    for a model file without a reference profile. Predict warns when the file's median is
    above :data:`GIVEN_SHIFT_WARN` (:func:`~genemoe.workflows.predict_text.given_shift_notes`):
    they are then most likely on another scale."""
    ref = payload.get("reference_profile")
    if ref is None:
        return None
    nan = np.full(len(payload["gene_ids"]), np.nan)
    X, _ = align_to_model(table, payload["gene_ids"], fill=nan, max_missing=1.0)
    levels = training_levels(Scaler.from_dict(payload["scaler"])) if "scaler" in payload else None
    return distribution_shift(X, subset_reference(ref, levels, ~np.isnan(X).all(0)))


def training_levels(scaler: Scaler) -> np.ndarray | None:
    """``(n_genes,)`` each gene's training level on the model's input scale (its training
    mean; the mid-range of a ``minmax`` scaler), which orders the genes for
    :func:`~genemoe.data.crossscale.subset_reference`; None where the scaler keeps none
    (``none``, or ``global`` without its ``train_mean``)."""
    if scaler.train_mean is not None:
        return np.asarray(scaler.train_mean, np.float64)
    if scaler.method in ("standard", "centred", "minmax"):
        return np.asarray(scaler.shift, np.float64)
    return None


def quantile_aligned(payload: dict, table: ExpressionTable, scaler: Scaler, max_missing: float,
                      plog: PrepLog, shift: np.ndarray | None = None,
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Another pipeline's profiles on the model's scale (see :mod:`genemoe.data.crossscale`):
    log2(x + 1) where linear, each sample quantile-aligned to the training distribution.

    Returns the aligned ``(n, n_genes)`` matrix (missing genes filled with the training
    means after the alignment), the missing-gene counts and each sample's distance to the
    training distribution before alignment (log2 units): ``shift`` where the caller has
    it (:func:`own_log_shifts` of the same log values and genes, NaN-filled alike), else
    computed here.
    """
    ref = payload.get("reference_profile")
    if ref is None:
        raise input_error("this model file predates cross-pipeline scaling (no training "
                          "reference profile stored)", where="--normalisation",
                          fix="retrain the model, or score data of the kind it was trained on "
                              "with --normalisation model")
    values = np.asarray(table.values, np.float64)
    linear = table.value_kind in ("counts", "linear")
    n_neg = 0
    if linear:
        check_negatives(values, table)  # more than a trace below -1: refused, as prepare does
        n_neg = int((values < 0).sum())
        values = np.log2(np.clip(values, 0, None) + 1)
    logged = dataclasses.replace(table, values=values)
    nan = np.full(len(payload["gene_ids"]), np.nan)
    X, n_missing = align_to_model(logged, payload["gene_ids"], fill=nan, max_missing=max_missing,
                                  unmapped=unmapped_ids(plog))
    X = X.astype(np.float64)
    present = ~np.isnan(X).all(0)
    X[:, ~present] = np.nan  # genes absent from the file
    # the target: where the file's genes sat in training (the whole distribution pulled a
    #   protein-coding file's genes down: 3 of 24 FCN calls changed against counts)
    ref = subset_reference(ref, training_levels(scaler), present)
    target = "" if present.all() else f"to its {int(present.sum()):,} genes' training levels"
    plog.step("cross_pipeline", **({"rule": "log2(x + 1), then quantile alignment"
                                    + (f" ({target})" if target else ""),
                                    "negatives_clipped": n_neg} if linear else
                                   {"rule": "quantile alignment (already log scale"
                                    + (f"; {target})" if target else ")")}),
              reference_genes=int(present.sum()), model_genes=len(present))
    if shift is None:
        shift = distribution_shift(X, ref)
    if (own_log_applies(payload, table)  # why log values were not taken as given
            and (hint := other_unit_hint(payload.get("normalisation"), table.value_kind, shift))):
        log.warning("%s", hint)  # recorded among the warnings
    aligned = quantile_align(X, ref)
    fill = np.broadcast_to(scaler.shift, aligned.shape)
    aligned[np.isnan(aligned)] = fill[np.isnan(aligned)]
    return aligned.astype(np.float32), n_missing, shift


def unit_words(method: str) -> str:
    """``log2(TPM + 1)`` for a model normalisation of :data:`~genemoe.data.crossscale.
    LOG2P1_UNITS` (``log2(x + 1)`` for ``log2p1``), else :func:`scale_words`."""
    unit = LOG2P1_UNITS.get(method)
    return scale_words(method) if unit is None else f"log2({unit} + 1)"


def other_unit_hint(normalisation: object, value_kind: str, shift: np.ndarray) -> str | None:
    """Why log values were quantile-aligned for a model of log2(unit + 1) of a linear unit
    (``normalisation`` in :data:`~genemoe.data.crossscale.LOG2P1_UNITS`: ``log2p1``,
    ``log2tpm``, ...) rather than taken as given as log2(unit + 1) of its kind of values:
    they sit a median of more than :data:`OWN_SCALE_SHIFT` log2 units from its training
    distribution (``shift``, ``(n_samples,)``), so they are another unit (log2 of counts sat
    3.3 from a TPM model, log2(TPM + 1) 0.6). None otherwise (it was "hint that
    --normalisation none may be its own scale", while auto aligned them anyway; and for a
    log2tpm, log2cpm or fpkm_uq model nothing was said)."""
    finite = np.asarray(shift, np.float64)[np.isfinite(shift)]
    if normalisation not in LOG2P1_UNITS or value_kind != "log" or not finite.size:
        return None
    median = float(np.median(finite))
    if median <= OWN_SCALE_SHIFT:
        return None
    words = unit_words(str(normalisation))
    return (f"log values aligned to the model's training distribution (quantile), not taken as "
            f"{words} of the values it was trained on: they sit a median {median:.2f} log2 "
            f"units from it, where files of its own scale sit under {OWN_SCALE_SHIFT:g}, so they "
            "look like another unit (log2 of counts, another pipeline's scale); if they are "
            f"{words} of its kind of values, --normalisation none takes them as given")


def trained_value_kinds(payload: dict) -> set[str]:
    """The value kinds (``linear``, ``counts``, ...) of the files a model's bundle normalised,
    as its record's ``normalise`` steps say them; empty for a record without them."""
    steps = (payload.get("record") or {}).get("steps") or []
    return {str(st["value_kind"]) for st in steps
            if st.get("step") == "normalise" and st.get("value_kind")}


def own_log_applies(payload: dict, table: ExpressionTable) -> bool:
    """Whether log values (``table``) may be a model's own scale, log2(unit + 1) of the
    linear unit its normalisation makes (:data:`~genemoe.data.crossscale.LOG2P1_UNITS`):
    not a genemoe export (its normalisation is known), and for ``log2p1`` its training
    files linear, as its record says (was ``log2p1`` only)."""
    method = payload.get("normalisation")
    if method not in LOG2P1_UNITS or table.value_kind != "log" or table.exported_normalisation:
        return False
    return method != "log2p1" or trained_value_kinds(payload) <= {"linear"}


def own_log_shifts(payload: dict, table: ExpressionTable) -> np.ndarray | None:
    """For log values (``table``, its genes mapped) that may be a model's own scale
    (:func:`own_log_applies`): each sample's distance to its stored training distribution
    (:func:`given_shift`: log2 units, over the model's genes), whose median
    (:func:`median_shift`) :func:`~genemoe.data.crossscale.scale_rule` compares with
    :data:`OWN_SCALE_SHIFT`. None where the question does not arise (another model, other
    values, no reference).

    Parameters
    ----------
    payload : dict
        The model file's contents.
    table : ExpressionTable
        The values, their genes mapped to the model's ids.

    Returns
    -------
    numpy.ndarray or None
        ``(n_samples,)`` distances, NaN for a sample without a finite value.
    """
    if not own_log_applies(payload, table):
        return None
    return given_shift(payload, table, str(payload["normalisation"]))


def median_shift(shift: np.ndarray | None) -> float | None:
    """The median of the finite distances ``shift`` ``(n_samples,)``; None for none.

    Parameters
    ----------
    shift : numpy.ndarray or None
        Each sample's distance to the training distribution (log2 units).

    Returns
    -------
    float or None
        Their median over the finite ones, None where ``shift`` is None or has none.
    """
    finite = None if shift is None else shift[np.isfinite(shift)]
    return float(np.median(finite)) if finite is not None and finite.size else None


def own_log_totals(payload: dict, table: ExpressionTable) -> UnitTotals | None:
    """For log values that may be a model's own scale (:func:`own_log_applies`) of a unit
    with a per-sample total (:data:`~genemoe.data.crossscale.UNIT_TOTALS`: TPM, CPM), what
    their totals of 2^x − 1 say of their unit (:func:`~genemoe.data.crossscale.check_unit_totals`).
    ``table`` must hold the file's own genes, before the gene mapping: TPM sums to 1e6 over
    all of them, not over the model's. None where not checked (another model or unit)."""
    method = payload.get("normalisation")
    if method not in UNIT_TOTALS or not own_log_applies(payload, table):
        return None
    trained = trained_gene_counts(payload.get("record") or {})
    return check_unit_totals(linear_totals(np.asarray(table.values)), str(method),
                             n_file_genes=table.shape[1],
                             n_trained_genes=max(trained) if trained else None)


def _sci(x: float) -> str:
    """``4.1e5``, ``1e6``: a total in two significant figures."""
    return f"{x:.2g}".replace("e+0", "e").replace("e+", "e")


def _totals_words(totals: UnitTotals) -> str:
    """``per-sample totals of 2^x − 1 are ~4.1e5 (median of 51 samples)``."""
    return (f"per-sample totals of 2^x − 1 are ~{_sci(totals.median_total)} (median of "
            f"{totals.n_samples:,} sample{'s' if totals.n_samples != 1 else ''})")


def _twin_unit(unit: str) -> str:
    """The unit of :data:`~genemoe.data.crossscale.UNIT_TOTALS` sharing ``unit``'s total."""
    return "CPM" if unit == "TPM" else "TPM"


def unit_totals_notes(totals: UnitTotals | None) -> list[dict]:
    """Why log values sitting on a model's training distribution were aligned all the same
    (scale rule ``quantile``): their per-sample totals of 2^x − 1 (``totals``) are not its
    unit's (``other_unit``), or the file holds too few genes to tell (``too_few_genes``).
    Empty where they agree or were not checked. (log2(FPKM + 1), 0.49 log2 units from a
    log2(TPM + 1) reference on real counts, was taken as TPM, unsaid.)"""
    if totals is None or totals.verdict == "agrees":
        return []
    unit, words = totals.unit, _totals_words(totals)
    logged = f"log2({unit} + 1)"
    if totals.verdict == "other_unit":
        why = (f"{words}, not {_sci(totals.expected)} as {unit}'s: another unit "
               f"({'FPKM?' if totals.median_total < totals.expected else 'not ' + unit}), aligned")
    else:
        held = ("how many genes training's unit was summed over is not recorded"
                if totals.n_trained_genes is None else
                f"the file holds {totals.n_file_genes:,} genes, training's {unit} was summed "
                f"over {totals.n_trained_genes:,}")
        why = (f"{words}, under {unit}'s {_sci(totals.expected)}, and {held}: too few genes to "
               f"tell a part of the genes from another unit (FPKM?), so aligned")
    return [{"code": f"log_totals_{totals.verdict}", "level": "caveat",
             "text": (f"log values aligned to the model's training distribution (quantile), not "
                      f"taken as {logged}: {why}; if they are {logged} "
                      "of the model's kind, --normalisation none takes them as given"),
             "median_total": totals.median_total, "expected_total": totals.expected,
             "n_samples": totals.n_samples, "n_samples_off": totals.n_off,
             "n_file_genes": totals.n_file_genes, "n_trained_genes": totals.n_trained_genes}]


def given_step_words(method: str) -> str:
    """The ``cross_pipeline`` step's rule for log values taken as given under ``auto``:
    ``none: values read as log2(TPM + 1), taken as given``; for FPKM-UQ, whose unit has no
    total to check, no unit claimed (only the distance decided)."""
    if method in UNIT_TOTALS or method == "log2p1":
        return f"none: values read as {unit_words(method)}, taken as given"
    return f"none: taken as given on the model's {unit_words(method)} scale (by their distance only)"


def own_log_notes(shift: np.ndarray | None, method: str = "log2p1",
                  totals: UnitTotals | None = None) -> list[dict]:
    """The caveat that log values were read as log2(unit + 1) of the kind of values a model
    of ``method`` (:data:`~genemoe.data.crossscale.LOG2P1_UNITS`) was trained on and taken
    as given (scale rule ``given`` under ``auto``), with their distances (``shift``,
    ``(n_samples,)``): how many samples sit beyond :data:`OWN_SCALE_SHIFT` (they were
    quantile-aligned, unsaid, before: 8% of a probe's calls changed against the same
    samples' linear values; a log2 TPM model's risks moved by up to 0.43 against counts).
    With ``totals`` (a TPM or CPM model) their per-sample totals are said, and that TPM's
    and CPM's are alike; for FPKM-UQ, whose unit has no total, that the unit went
    unchecked (the distance alone decided)."""
    finite = np.asarray(shift if shift is not None else [], np.float64)
    finite = finite[np.isfinite(finite)]
    median = float(np.median(finite)) if finite.size else float("nan")
    n_off = int((finite > OWN_SCALE_SHIFT).sum())
    off = (f"; {n_off:,} of {finite.size:,} samples sit beyond it (input_shift)" if n_off else "")
    words = unit_words(method)
    trained = ("log2(x + 1) of linear values" if method == "log2p1"
               else f"{words} (its {method} normalisation)")
    read = (f"values read as {words}, taken as given" if method in UNIT_TOTALS or method == "log2p1"
            else f"values taken as given on the model's {words} scale")
    unit = LOG2P1_UNITS.get(method, method)
    if totals is not None:  # CPM and TPM both sum to 1e6: only the distance tells them apart
        tail = (f"; their {_totals_words(totals)}, as {unit}'s (and {_twin_unit(unit)}'s: the "
                f"totals cannot tell {unit} from {_twin_unit(unit)}, only the distance does)")
    elif method in UNIT_TOTALS or method == "log2p1":
        tail = ""
    else:
        tail = (f"; their unit is unchecked ({unit} has no fixed per-sample total): log values "
                "of another unit that sit as close are taken alike")
    return [{"code": "read_as_log2p1", "level": "caveat",
             "text": (f"{read} (not aligned): the model was "
                      f"trained on {trained} and they sit a median "
                      f"{median:.2f} log2 units from its training distribution, as files of its "
                      f"own scale do (under {OWN_SCALE_SHIFT:g}){off}{tail}"),
             "median_shift": round(median, 3), "own_scale_below": OWN_SCALE_SHIFT,
             "n_samples_beyond": n_off, "n_samples": int(finite.size), "unit": words,
             **({"median_total": totals.median_total} if totals is not None else {})}]


def missing_cells(table: ExpressionTable, gene_ids: Sequence[str]) -> np.ndarray:
    """``(n_samples, n_genes)`` True where the model's gene is absent from ``table`` or its
    value is not finite: the cells :func:`align_to_model` fills."""
    pos = pd.Index(table.gene_ids).get_indexer(gene_ids)
    out = np.ones((table.shape[0], len(gene_ids)), bool)
    out[:, pos >= 0] = ~np.isfinite(np.asarray(table.values)[:, pos[pos >= 0]])
    return out


def gene_weights(payload: dict) -> np.ndarray | None:
    """``(n_genes,)`` a linear model's |coefficient| per gene on its scaled input (the effect
    of one training standard deviation), summed over its outputs; None for other models."""
    from genemoe.explain.linear import LinearScore, is_linear_payload, linear_weights

    if not is_linear_payload(payload):
        return None
    model = LinearScore(payload)
    if payload["task"] == "survival":
        targets = np.arange(1)
    else:  # the classes every member was fitted on (an ensemble's members are its parts: it
        #   has no estimator_ of its own, and predict failed with an AttributeError on it)
        fitted = [set(np.asarray(m.estimator_.classes_).tolist()) for m, _ in model.parts]
        targets = np.asarray(sorted(set.intersection(*fitted)))
    return np.abs(linear_weights(model, np.zeros(model.n_genes), targets)).sum(0)


def weighted_missing(weights: np.ndarray | None, table: ExpressionTable,
                     gene_ids: Sequence[str]) -> dict[str, int]:
    """The record's ``n_weighted_genes`` (a linear model's genes with a coefficient) and
    ``max_missing_weighted_genes`` (the most of them one sample lacks), for the missing-genes
    line; {} for other models (a 6-gene Coxnet was "none of the model's 19,076")."""
    if weights is None:
        return {}
    has = np.asarray(weights) > 0
    missing = missing_cells(table, gene_ids)[:, has]
    return {"n_weighted_genes": int(has.sum()),
            "max_missing_weighted_genes": int(missing.sum(1).max()) if len(missing) else 0}


def check_missing_weight(payload: dict, table: ExpressionTable, max_missing: float,
                         weights: np.ndarray | None = None) -> np.ndarray | None:
    """Each sample's share of a linear model's weight (:func:`gene_weights`) on the genes it
    lacks, refused above ``max_missing`` (a probe: the 23 genes a 19,409-gene Coxnet uses
    removed, every patient scored the training average, said as "23 of 19,409 missing");
    None for other models. ``weights``: :func:`gene_weights`, where computed already.

    Raises
    ------
    InputError
        A sample lacks genes carrying more than ``max_missing`` of the weight.
    """
    weights = gene_weights(payload) if weights is None else weights
    if weights is None or not weights.sum():
        return None
    missing = missing_cells(table, payload["gene_ids"])
    share = missing @ weights / weights.sum()
    if (share > max_missing).any():
        worst = int(share.argmax())
        ids = np.asarray(payload["gene_ids"], dtype=str)
        symbols = [str(s) if s is not None and s == s and str(s) not in ("", "None", "nan")
                   else ids[i] for i, s in enumerate(payload.get("symbols") or ids)]  # not "None"
        lost = np.flatnonzero(missing[worst] & (weights > 0))
        top = lost[np.argsort(-weights[lost])][:5]
        who = ("every sample" if (share == share[worst]).all() and len(share) > 1
               else f"sample {table.sample_ids[worst]!r}")
        raise input_error(
            f"the genes missing for {who} carry {share[worst]:.0%} of the {payload['model_name']} "
            f"model's weight ({int((weights > 0).sum()):,} of its {len(ids):,} genes have one; "
            f"missing: {', '.join(f'{symbols[g]} ({ids[g]})' if symbols[g] != ids[g] else ids[g] for g in top)}"
            f"{', ...' if len(lost) > 5 else ''}), above the limit of {max_missing:.0%}: filled "
            "with the training mean, its output would be the training average",
            path=table.source_path, where="gene identifiers",
            fix="score a file holding these genes, or raise --max-missing (it then bounds the "
                "missing share of the model's weight too)")
    return share
