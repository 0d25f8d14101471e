"""Bringing another pipeline's profiles onto a model's scale (``genemoe predict``).

A model learns on one scale: its bundle's normalisation of one kind of input (e.g. GDC
counts → log2(FPKM-UQ + 1)). New profiles arrive from other pipelines: Xena's
log2(x + 1) matrices, TPM from Salmon, RSEM-normalised values, another lab's FPKM. The rule
for each form (:func:`scale_rule`):

``same``
    Counts (or log2(counts + 1)) for a model trained on counts: the model's own
    normalisation, exactly as in training.
``quantile``
    Anything else on a linear or log scale (TPM, FPKM, FPKM-UQ, RSEM, log2(x + 1) of
    those, log values far from a log2(x + 1) model's training distribution: log2 of counts,
    natural logs): log2(x + 1) where linear, then per-sample **quantile alignment** to the training
    distribution — each sample's genes keep their order and take the values of the
    training samples' mean sorted profile (Bolstad et al. 2003, as ``preprocessCore``'s
    ``normalize.quantiles.use.target``). Pipelines differ mostly by a monotone,
    sample-wide transform (library-size and length scaling, offsets of the log), which
    this removes; gene-specific biases between pipelines stay.
``exported``
    A ``genemoe export`` (``.h5ad``) of a bundle of the model's normalisation: its values
    are already the model's input scale (log2 of the normalised values), used as they are,
    so each sample scores exactly as in training. Quantile-aligning them instead (as other
    log data) moved class probabilities by up to 0.37 (gdc6, logistic regression).
``given``
    Log values for a model of log2(unit + 1) of a linear unit (:data:`LOG2P1_UNITS`:
    ``log2p1`` of linear values such as TPM, and genemoe's own ``log2tpm``, ``log2cpm``,
    ``fpkm_uq``) that sit on its training distribution (a median distance under
    :data:`OWN_SCALE_SHIFT`, measured by the caller on the model's genes against its stored
    reference profile): log2(unit + 1) of the kind of values it was trained on, taken as
    given, as the model's own normalisation of the same samples' linear values or counts
    gives them (aligned instead, 8% of a probe's real TPM calls changed against the same
    samples' linear values; a log2 TPM survival model's risks moved by up to 0.43 against
    its counts). Log values farther off (log2 of counts: ~3-5 units; Xena's STAR FPKM-UQ
    for genemoe's ``fpkm_uq``: ~15) are another unit and aligned (``quantile``), as is a
    genemoe export of another normalisation.
    And ``--normalisation none``: the user's word that the values are already the model's input
    scale (Xena's ``star_fpkm-uq`` for a model trained on Xena's ``star_fpkm-uq``), used as
    they are, as an export is. Refused for counts and linear values given to a model of log
    values (their scale is plainly not the model's); warned when they sit far from the
    training distribution (the GDC's STAR FPKM-UQ divides by the upper quartile of autosomal
    protein-coding genes *and* their number, ~18,700: about 15 log2 units below genemoe's
    FPKM-UQ from counts, the paper's HTSeq-era form).
``refuse``
    Centred or log-ratio data (a substantial share of negatives: microarray, z-scores):
    their absolute levels are gone, and no conversion is sound; ``--normalisation
    quantile`` forces the alignment, at the user's word.

Every sample's distance to the training distribution before alignment (the 1-Wasserstein
distance between its sorted log values and the reference, in log2 units) is reported, so a
user sees how far each input sat from what the model knows.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from genemoe.errors import input_error

__all__ = ["ScaleRule", "check_request", "scale_rule", "reference_profile", "quantile_align", "distribution_shift",
           "gene_set_note", "LOG2P1_UNITS", "OWN_SCALE_SHIFT"]

ScaleRule = Literal["same", "exported", "given", "quantile", "refuse"]
COUNT_BASED = ("fpkm_uq", "log2cpm", "log2tpm")
REQUESTS = ("auto", "model", "quantile", "none")  # predict --normalisation
# Median distance (log2 units, :func:`distribution_shift`) under which log values sit on a
# model's own scale: gdc6 cohorts on the scale of a model of two others sat 0.47-1.19
# (medians); log2(TPM + 1) for a synthetic log2p1 TPM model 0.59, log2(counts + 1) 3.3.
OWN_SCALE_SHIFT = 1.5
LOG2P1_UNITS = {"log2p1": "x", "log2cpm": "CPM", "log2tpm": "TPM", "fpkm_uq": "FPKM-UQ"}
"""Model normalisations that are log2(unit + 1) of a linear unit (all of prepare's but
``none``), each to its unit's name: log values of that unit may be taken as given (``given``)."""


def check_request(requested: str) -> None:
    """Refuse a ``predict --normalisation`` that is not one of :data:`REQUESTS`; prepare's
    methods (log2cpm, ...) are named as prepare's: predict brings estimated counts, TPM or
    counts onto the model's scale itself (auto)."""
    if requested in REQUESTS:
        return
    prepare_s = requested in ("log2cpm", "log2tpm", "fpkm_uq", "log2p1")
    raise input_error(
        f"unknown normalisation {requested!r}" + (" (a genemoe prepare normalisation)" if prepare_s
                                                  else ""), where="--normalisation",
        fix="use auto (the default: the model's own normalisation, or log2(x+1) and quantile "
            "alignment for other pipelines' values), model, quantile or none")


def scale_rule(value_kind: str, model_normalisation: str, requested: str = "auto", *,
               exported_normalisation: str | None = None,
               own_log_shift: float | None = None) -> ScaleRule:
    """Which rule brings data of ``value_kind`` onto a model trained with ``model_normalisation``.

    ``requested``: ``auto`` (the rule of the module docstring), ``model`` (the model's own
    normalisation, refused by it where it cannot apply), ``quantile`` (always align),
    ``none`` (the values are on the model's scale already: used as they are).
    ``exported_normalisation``: the normalisation of the bundle a ``genemoe export`` file
    came from (:attr:`~genemoe.data.read.ExpressionTable.exported_normalisation`), if any.
    ``own_log_shift``: for log values given to a model of log2(unit + 1)
    (:data:`LOG2P1_UNITS`), their median distance to its training distribution (log2
    units); None where not measured. Under ``auto``, at most :data:`OWN_SCALE_SHIFT` takes
    them as given (``given``), unless they are a genemoe export of another normalisation.
    """
    check_request(requested)
    if requested == "quantile":
        return "quantile"
    if requested == "none":  # taken at the user's word, unless plainly another scale
        if value_kind in ("counts", "linear"):  # a log2p1 model's input is log2 too (its
            #   linear values were taken as they were: 1,170 log2 units off, scored)
            raise input_error(
                f"--normalisation none takes the values as the model's scale, but they look "
                f"{'like counts' if value_kind == 'counts' else 'linear (not log)'} and the model's input is log2 ({model_normalisation})",
                where="--normalisation", fix="leave it out (auto normalises them)")
        return "given"
    if exported_normalisation is not None and exported_normalisation == model_normalisation:
        return "exported"
    countable = value_kind in ("counts", "log_counts")
    if requested == "model" or (countable and model_normalisation in COUNT_BASED):
        return "same"
    if value_kind == "transformed":
        return "refuse"
    if (requested == "auto" and value_kind == "log" and model_normalisation in LOG2P1_UNITS
            and exported_normalisation is None and own_log_shift is not None
            and own_log_shift <= OWN_SCALE_SHIFT):  # was log2p1 only: log2(TPM + 1) for a
        return "given"  # log2tpm model aligned (risks moved 0.43); as their linear values
    if model_normalisation in COUNT_BASED or value_kind != _trained_kind(model_normalisation):
        return "quantile"
    return "same"


def _trained_kind(model_normalisation: str) -> str:
    """The value kind a model's normalisation was applied to (linear for log2p1)."""
    return "linear" if model_normalisation == "log2p1" else "log"


def reference_profile(X_train: np.ndarray, *, chunk_rows: int = 256) -> np.ndarray:
    """The training samples' mean sorted profile ``(n_genes,)``: the quantile target.

    ``X_train`` ``(n_train, n_genes)`` on the model's input (log) scale, before scaling
    (an array or a memory map). Rows are sorted ``chunk_rows`` at a time in their own dtype
    and summed in float64, so memory stays at one chunk, not a float64 copy of the matrix.
    """
    n, g = X_train.shape
    total = np.zeros(g, np.float64)
    for start in range(0, n, chunk_rows):
        total += np.sort(np.asarray(X_train[start:start + chunk_rows]), axis=1).sum(0, np.float64)
    return total / max(n, 1)


def quantile_align(X: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each row of ``X`` ``(n, g)`` given the reference's values in its own gene order.

    ``reference`` ``(m,)`` sorted; with ``m != g`` (genes missing from the input) it is
    interpolated at the rows' rank positions. NaN entries stay NaN; tied values share
    the mean of their reference values.
    """
    X = np.asarray(X, np.float64)
    ref = np.sort(np.asarray(reference, np.float64))
    out = np.full_like(X, np.nan)
    for i, row in enumerate(X):
        ok = np.isfinite(row)
        n = int(ok.sum())
        if n == 0:
            continue
        pos = (np.arange(n) + 0.5) / n  # plotting positions of the row's sorted values
        target = np.interp(pos, (np.arange(len(ref)) + 0.5) / len(ref), ref)
        vals = row[ok]
        order = np.argsort(vals, kind="stable")
        aligned = np.empty(n)
        aligned[order] = target
        _, inv, counts = np.unique(vals, return_inverse=True, return_counts=True)
        if (counts > 1).any():  # ties: the mean of their targets
            aligned = (np.bincount(inv, aligned) / counts)[inv]
        out[i, ok] = aligned
    return out


def distribution_shift(X: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per row, the 1-Wasserstein distance of its values to the reference ``(n,)``."""
    X = np.asarray(X, np.float64)
    ref = np.sort(np.asarray(reference, np.float64))
    grid = (np.arange(200) + 0.5) / 200
    ref_q = np.interp(grid, (np.arange(len(ref)) + 0.5) / len(ref), ref)
    out = np.full(len(X), np.nan)
    for i, row in enumerate(X):
        v = np.sort(row[np.isfinite(row)])
        if len(v):
            out[i] = float(np.abs(np.interp(grid, (np.arange(len(v)) + 0.5) / len(v), v) - ref_q).mean())
    return out


def refuse_transformed(path: object) -> None:
    """The one clear error for centred/log-ratio input under ``auto``."""
    raise input_error(
        "these values look centred or log-ratio (many negatives: microarray, z-scores); "
        "their absolute levels cannot be brought onto the model's scale", path=path,
        fix="score data on an absolute scale (counts, TPM, FPKM, log2(x + 1)), or pass "
            "--normalisation quantile to align each sample's distribution anyway")


def gene_set_note(n_file_genes: int, record: dict, method: str, *,
                  tolerance: float = 0.1) -> str | None:
    """Why a count-based normalisation may not reproduce training's scale, else ``None``.

    CPM, TPM and FPKM-UQ scale each sample by a total or quartile over the genes of its
    file: the same sample read from a file with other genes (all 60,660 GDC genes against
    a protein-coding subset) gets other values for every gene. ``record`` is the model's
    bundle record; its ``map_gene_ids`` steps say how many genes each training file held.
    """
    if method not in COUNT_BASED:
        return None
    steps = record.get("steps", [])  # the normalise step's genes (bundles since 2026-12-04:
    #   after those without a length; "56,537" was said where 56,380 were used), else mapped
    step = "normalise" if any(s.get("step") == "normalise" and s.get("n_genes")
                              for s in steps) else "map_gene_ids"
    trained = sorted({int(s["n_genes"]) for s in steps if s.get("step") == step and s.get("n_genes")})
    if not trained or any(abs(n_file_genes - n) <= tolerance * n for n in trained):
        return None
    said = "/".join(f"{n:,}" for n in trained[:3])
    return (f"each sample's {method} scale is computed over this file's {n_file_genes:,} genes, "
            f"training's over its files' {said}: other genes shift every value; give files of "
            "the training files' genes, or --normalisation quantile")
