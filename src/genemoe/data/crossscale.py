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
    this removes; gene-specific biases between pipelines stay. A file holding part of the
    model's genes is aligned to where those genes sat in training
    (:func:`subset_reference`), not to the whole distribution.
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
    genemoe export of another normalisation. For a unit with a known per-sample total
    (:data:`UNIT_TOTALS`: TPM sums to 1e6 over all genes, CPM over the counted genes) the
    distance is not enough: log2(FPKM + 1) sat 0.49 log2 units from a log2(TPM + 1)
    reference on real CHOL+UVM counts (FPKM differs from TPM by a per-sample factor, which
    the median gene hardly shows) and was taken as given. So each sample's total of
    2^x − 1 over the file's genes must be the unit's too (:func:`check_unit_totals`);
    otherwise the values are aligned, said why. The totals cannot tell TPM from CPM (both
    sum to 1e6): there only the distance decides (log2(CPM + 1) sat 0.16 from the same
    TPM reference, and is taken as given). FPKM-UQ and ``log2p1``'s unknown unit have no
    fixed total: the distance alone decides.
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

Under ``same`` a counts file lacking some of the model's genes is normalised over the genes
it holds: its per-sample total or upper quartile is not training's, and every value moves
(:func:`missing_genes_shift`, estimated from the absent genes' training levels; warned beyond
:data:`GENE_SET_SHIFT_WARN`). A file lacking the most-counted 5% of the genes moved ~0.9
log2, its gene count within 10% of training's (:func:`gene_set_note` alone passed it).

Every sample's distance to the training distribution before alignment (the 1-Wasserstein
distance between its sorted log values and the reference, in log2 units) is reported, so a
user sees how far each input sat from what the model knows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from genemoe.errors import input_error

__all__ = ["ScaleRule", "check_request", "scale_rule", "reference_profile", "quantile_align", "distribution_shift",
           "gene_set_note", "LOG2P1_UNITS", "LOG2_SCALES", "OWN_SCALE_SHIFT", "UNIT_TOTALS", "TOTAL_TOLERANCE",
           "FULL_FILE_SHARE", "TotalsVerdict", "UnitTotals", "check_unit_totals", "linear_totals",
           "trained_gene_counts", "subset_reference", "missing_genes_shift", "GENE_SET_SHIFT_WARN"]

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
LOG2_SCALES = {m: f"log2({unit} + 1)" for m, unit in LOG2P1_UNITS.items()}
"""Each such normalisation's values in words: ``log2(CPM + 1)`` for ``log2cpm`` (the export's
scale and prepare's normalise line)."""
UNIT_TOTALS = {"log2tpm": 1e6, "log2cpm": 1e6}
"""Model normalisations whose linear unit has one per-sample total (TPM over all genes, CPM
over the counted genes), which log values taken as given must have (:func:`check_unit_totals`).
TPM and CPM share it: the totals cannot tell one from the other."""
TOTAL_TOLERANCE = 0.1  # a median per-sample total within 10% of the unit's agrees with it
FULL_FILE_SHARE = 0.9  # a file of at least 90% of the genes training's unit was summed over
GENE_SET_SHIFT_WARN = 0.2
"""Median shift (log2 units, :func:`missing_genes_shift`) above which a file lacking genes is
warned that its count normalisation left it off the model's scale. Real gdc6 counts (a
CHOL+UVM FPKM-UQ model, ACC/KICH/UCS files): without their 300 most-counted genes (~30% of
the reads) values moved 0.08-0.09 (estimated 0.07-0.08), without the top 1,000 0.28-0.31
(0.25-0.27), the top 3,000 (~70%) 0.91-1.04 (0.84-0.89). A file-wide shift, every sample
alike: the model's own samples' per-sample median difference to the training means spreads
over ~1 log2 unit by biology (CHOL 5-95%: −0.37 to 0.67), but not all one way."""
TotalsVerdict = Literal["agrees", "other_unit", "too_few_genes"]


@dataclass(frozen=True)
class UnitTotals:
    """What log values' per-sample totals of 2^x − 1 say of their unit (:func:`check_unit_totals`)."""

    verdict: TotalsVerdict  # agrees with the model's unit; another unit; can't tell (a gene subset)
    unit: str  # the model's unit: "TPM", "CPM"
    expected: float  # its per-sample total (1e6)
    median_total: float  # the file's median per-sample total
    n_samples: int  # samples with a positive total
    n_off: int  # of them, outside TOTAL_TOLERANCE of ``expected``
    n_file_genes: int  # genes the file holds (before any mapping)
    n_trained_genes: int | None  # genes training's unit was summed over (its record), if said


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
               own_log_shift: float | None = None,
               own_log_totals: TotalsVerdict | None = None) -> ScaleRule:
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
    ``own_log_totals``: what their per-sample totals of 2^x − 1 say of their unit
    (:attr:`UnitTotals.verdict`, for a unit of :data:`UNIT_TOTALS`); anything but
    ``agrees`` keeps them aligned however close they sit. None where not checked.
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
            and own_log_shift <= OWN_SCALE_SHIFT  # was log2p1 only: log2(TPM + 1) for a
            and own_log_totals in (None, "agrees")):  # log2tpm model aligned (risks moved
        return "given"  # 0.43); log2(FPKM + 1) was taken as TPM (0.49 off): totals now
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


def subset_reference(reference: np.ndarray, gene_levels: np.ndarray | None,
                     present: np.ndarray) -> np.ndarray:
    """The quantile target of a file holding only the model's genes ``present``.

    ``reference`` ``(n_genes,)`` is the training samples' mean sorted profile over all the
    model's genes; ``gene_levels`` ``(n_genes,)`` each gene's training level (its mean on
    the model's input scale); ``present`` ``(n_genes,)`` bool, the genes the file holds.
    Each present gene takes the reference value at its level's rank among all genes, so a
    file lacking the lowly expressed genes (a protein-coding table for a model of every
    gene) is aligned to the upper part of the distribution, where its genes sat in training.
    Interpolating the whole reference at the file's rank positions instead (as before)
    pulled every value of such a file down: a protein-coding log2(TPM + 1) file scored by
    an FCN of 52,008 genes changed 3 of 24 calls against the same samples' counts.
    The sorted reference unchanged where every gene is present, or the levels are missing,
    of another length or all alike (a ``global`` or ``none`` scaler: no per-gene level).
    """
    ref = np.sort(np.asarray(reference, np.float64))
    present = np.asarray(present, bool)
    if (gene_levels is None or present.all() or not present.any()
            or len(gene_levels) != len(ref) or len(present) != len(ref)):
        return ref
    levels = np.asarray(gene_levels, np.float64)
    if not np.isfinite(levels).all() or float(np.ptp(levels)) == 0.0:
        return ref
    rank = np.empty(len(levels), np.int64)
    rank[np.argsort(levels, kind="stable")] = np.arange(len(levels))
    return np.sort(ref[rank[present]])


def distribution_shift(X: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per row, the 1-Wasserstein distance of its values to the reference ``(n,)``; NaN for
    a row without a finite non-zero value (an empty profile, which predict leaves unscored:
    its distance, the reference's mean, was counted among the samples "beyond" the model's
    own scale)."""
    X = np.asarray(X, np.float64)
    ref = np.sort(np.asarray(reference, np.float64))
    grid = (np.arange(200) + 0.5) / 200
    ref_q = np.interp(grid, (np.arange(len(ref)) + 0.5) / len(ref), ref)
    out = np.full(len(X), np.nan)
    for i, row in enumerate(X):
        v = np.sort(row[np.isfinite(row)])
        if len(v) and np.any(v != 0):
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
    trained = trained_gene_counts(record)
    if not trained or any(abs(n_file_genes - n) <= tolerance * n for n in trained):
        return None
    said = "/".join(f"{n:,}" for n in trained[:3])
    return (f"each sample's {method} scale is computed over this file's {n_file_genes:,} genes, "
            f"training's over its files' {said}: other genes shift every value; give files of "
            "the training files' genes, or --normalisation quantile")


def trained_gene_counts(record: dict) -> list[int]:
    """The gene counts a model's training files were normalised over, sorted, from its
    bundle ``record``: the ``normalise`` steps' (bundles since 2026-12-04: after genes
    without a length; "56,537" was said where 56,380 were used), else ``map_gene_ids``'s."""
    steps = record.get("steps", [])
    step = "normalise" if any(s.get("step") == "normalise" and s.get("n_genes")
                              for s in steps) else "map_gene_ids"
    return sorted({int(s["n_genes"]) for s in steps if s.get("step") == step and s.get("n_genes")})


def linear_totals(values: np.ndarray, *, block_rows: int = 64) -> np.ndarray:
    """Per-sample totals ``(n_samples,)`` of 2^x − 1 over every gene of log2(x + 1) values
    ``(n_samples, n_genes)`` (missing values skipped), ``block_rows`` samples at a time in
    float64."""
    out = np.empty(values.shape[0])
    for i in range(0, values.shape[0], block_rows):
        block = np.asarray(values[i:i + block_rows], np.float64)
        out[i:i + block_rows] = np.nansum(np.expm1(block * np.log(2)), axis=1)
    return out


def check_unit_totals(totals: np.ndarray, model_normalisation: str, *, n_file_genes: int,
                      n_trained_genes: int | None) -> UnitTotals | None:
    """Whether log values' per-sample totals of 2^x − 1 (``totals``, ``(n_samples,)``, over
    the file's ``n_file_genes`` genes: :func:`linear_totals`) are those of the model's unit
    (:data:`UNIT_TOTALS`); None for a unit without one (FPKM-UQ, ``log2p1``'s) or no sample
    with a positive total.

    The median total within :data:`TOTAL_TOLERANCE` of the unit's agrees (TPM or CPM: they
    cannot be told apart); above it, another unit (a part of the genes cannot sum to more);
    below it, another unit (FPKM's totals sat ~2.5-4e5 on TCGA) where the file holds at
    least :data:`FULL_FILE_SHARE` of the ``n_trained_genes`` training's unit was summed
    over, else ``too_few_genes`` (a gene subset of TPM sums to less too: no telling).
    """
    expected = UNIT_TOTALS.get(model_normalisation)
    finite = np.asarray(totals, np.float64)
    finite = finite[np.isfinite(finite) & (finite > 0)]  # samples of zeros: no library
    if expected is None or not finite.size:
        return None
    median = float(np.median(finite))
    n_off = int((np.abs(finite / expected - 1) > TOTAL_TOLERANCE).sum())
    full = n_trained_genes is not None and n_file_genes >= FULL_FILE_SHARE * n_trained_genes
    if abs(median / expected - 1) <= TOTAL_TOLERANCE:
        verdict: TotalsVerdict = "agrees"
    else:
        verdict = "other_unit" if median > expected or full else "too_few_genes"
    return UnitTotals(verdict, LOG2P1_UNITS[model_normalisation], expected, median,
                      int(finite.size), n_off, int(n_file_genes), n_trained_genes)



def missing_genes_shift(values: np.ndarray, levels: np.ndarray, lengths: np.ndarray | None,
                        present: np.ndarray, method: str, *, rounds: int = 50) -> np.ndarray | None:
    """Per sample ``(n,)``, how far (log2 units) a count-based normalisation moved every value
    of a file lacking the model's genes not ``present``: positive, above training's scale.

    ``values`` ``(n, n_genes)``: the samples normalised over the file's genes, on the model's
    genes (log2(unit + 1); columns not ``present`` are ignored); ``levels`` ``(n_genes,)``
    each gene's training mean on that scale, standing in for the absent genes; ``lengths``
    ``(n_genes,)`` (FPKM-UQ only). CPM and TPM divide by a per-sample total: the file's
    values rise by −log2(1 − s), ``s`` the absent genes' share of the training total over
    the model's genes. FPKM-UQ divides by the upper quartile of the sample's counts over
    its genes with a read (counts ∝ FPKM-UQ × length): the factor ``r`` that puts the
    quartile of the present genes' counts and the absent genes' (their training levels,
    ``r`` times the file's scale) where the present genes' alone sit, by fixed-point
    iteration; an absent gene counts among those with a read as often as the sample's
    present genes of its training level have one (taking every absent gene as read said
    −4.1 log2 for gdc6 KICH's protein-coding genes, whose values fell 1.28: now −1.39). Real counts (gdc6, a CHOL+UVM FPKM-UQ model): ACC, KICH and UCS without
    their 3,000 most-counted genes (~70% of the reads) moved every expressed gene a median
    0.91-1.04 log2, estimated 0.84-0.89; without the top 300 (~30%) 0.08-0.09, estimated
    0.07-0.08 (:data:`GENE_SET_SHIFT_WARN`). Zeros where every gene is
    present; None for another normalisation, or FPKM-UQ without the genes' lengths.
    """
    X = np.asarray(values, np.float64)
    present = np.asarray(present, bool)
    if method not in COUNT_BASED:
        return None
    if present.all() or not present.any():
        return np.zeros(len(X))
    absent = np.maximum(np.exp2(np.asarray(levels, np.float64)[~present]) - 1, 0.0)
    if method != "fpkm_uq":
        total = float(np.maximum(np.exp2(np.asarray(levels, np.float64)) - 1, 0.0).sum())
        share = float(absent.sum()) / total if total > 0 else 0.0
        return np.full(len(X), -np.log2(max(1.0 - share, 1e-6)))
    if lengths is None or len(lengths) != len(present):
        return None
    length = np.asarray(lengths, np.float64)
    level = np.asarray(levels, np.float64)
    absent = absent * length[~present]
    keep = np.isfinite(absent) & (absent > 0)
    bin_present, bin_absent, n_bin, lift = _level_bins(level, present, keep)
    absent = absent[keep]
    out = np.zeros(len(X))
    for i, row in enumerate(X[:, present]):
        counts = np.expm1(row * np.log(2)) * length[present]  # ∝ the sample's read counts
        read = np.isfinite(counts) & (counts > 0)
        if not read.any():
            out[i] = np.nan
            continue
        # an absent gene counts among the genes with a read as often as the sample's present
        #   genes of its training level have one (a protein-coding file: most of the absent
        #   non-coding genes have none; taking all as read said −4.1 log2 for a true −1.3)
        share = lift(np.bincount(bin_present, read, len(n_bin)) / np.maximum(n_bin, 1))
        weight = np.concatenate([np.ones(int(read.sum())), share[bin_absent]])
        quartile, r = _weighted_quartile(counts[read], np.ones(int(read.sum()))), 1.0
        for _ in range(rounds):  # monotone in r: a few rounds settle it
            nxt = _weighted_quartile(np.concatenate([counts[read], r * absent]), weight) / quartile
            if abs(nxt - r) < 1e-6 * r:
                break
            r = nxt
        out[i] = np.log2(r)
    return out


def _level_bins(level: np.ndarray, present: np.ndarray, keep: np.ndarray, n_bins: int = 20,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The model's genes in ``n_bins`` bins of training level: the present genes' bins, the
    absent ``keep`` genes' bins, the present genes' count per bin, and a function taking a
    per-bin share of present genes with a read to every bin's: a bin without present genes
    takes its nearest one's, scaled down by level below the lowest (a mean of log values
    is about its share of samples with a read times their level)."""
    edges = np.quantile(level, np.linspace(0, 1, n_bins + 1)[1:-1])
    every = np.digitize(level, edges)
    n_bin = np.bincount(every[present], None, n_bins)
    held = np.flatnonzero(n_bin)
    nearest = held[np.abs(np.arange(n_bins)[:, None] - held[None, :]).argmin(1)]
    mid = np.bincount(every, level, n_bins) / np.maximum(np.bincount(every, None, n_bins), 1)
    scale = np.clip(np.where(np.arange(n_bins) < held[0], mid / max(mid[held[0]], 1e-12), 1.0),
                    0.0, 1.0)
    return (every[present], every[~present][keep], n_bin,
            lambda share: share[nearest] * scale)


def _weighted_quartile(values: np.ndarray, weights: np.ndarray, q: float = 0.75) -> float:
    """The ``q`` quantile of ``values`` each counted ``weights`` times (linear between the
    sorted values' mid-weight positions; ``np.percentile`` where all weights are 1)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    pos = (np.cumsum(w) - w) / max(float(w.sum()) - 1.0, 1e-12)  # 0 … 1 as np.percentile's
    return float(np.interp(q, pos, v))
