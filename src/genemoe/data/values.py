"""What the numbers in an expression matrix are: raw counts, log scale, linear or transformed.

The readers fold every block they read into :class:`ValueStats`; :func:`value_kind` then
decides, from the whole matrix:

``counts``
    non-negative integers (raw read counts), or nearly so: at most
    :data:`NEARLY_WHOLE_SHARE` of the non-zero values not whole (an edited cell), and no
    sample with more than :data:`SAMPLE_NONWHOLE_SHARE` of its own (:func:`gathered_nonwhole`:
    a pasted log2 profile is then refused as two scales, as in a small file), those kept as
    they are, counted and named in the notes;
``log_counts``
    log2(x + 1) of counts (Xena's ``star_counts``: every 2^v − 1 is a whole number);
``log``
    non-integer, within [-1, 50]: already log scale, e.g. log2(FPKM-UQ + 1) from Xena;
    also log2(x + ε) with a small pseudocount (the UCSC Toil hub writes TPM as
    log2(x + 0.001); the GDC hub's STAR files are log2(x + 1)), recognised by its floor
    log2(ε) shared by many cells (every zero) and converted in place to log2(x + 1)
    (:func:`log_pseudocount`), said in the notes;
``transformed``
    a substantial share (> 1%) of clearly negative values (below −1) on a log-like range:
    log-ratios, centred microarray values, z-scores. Passed through unchanged; the gene
    filter's thresholds, made for log2(FPKM-UQ + 1), do not suit them;
``linear``
    anything else non-integer (TPM, FPKM, RSEM, batch-corrected RSEM with trace negatives).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from genemoe.data.crossscale import linear_totals
from genemoe.errors import input_error

if TYPE_CHECKING:
    from genemoe.data.read import ExpressionTable

__all__ = ["check_one_scale", "odd_scale_samples", "ValueKind", "ValueStats", "value_kind", "is_log_of_counts", "log_counts_rows", "estimated_counts_cue",
           "estimated_counts_note", "log_pseudocount", "PSEUDOCOUNTS", "COUNTS_QUESTION", "PREPARE_COUNTS_FIX", "negative_share",
           "whole_share", "two_scales", "LOG_MAX", "LINEAR_MAX", "ESTIMATED_COUNTS_SHARE",
           "TRANSFORMED_SHARE", "TRACE_SHARE", "natural_log_total", "NATURAL_LOG_NOTE", "LOG10_NOTE",
           "TOTAL_SPREAD", "TOTAL_CONTRAST", "NEARLY_WHOLE_SHARE", "nearly_whole",
           "SAMPLE_NONWHOLE_SHARE", "gathered_nonwhole", "percent"]

logger = logging.getLogger(__name__)

ValueKind = Literal["counts", "log_counts", "log", "linear", "transformed"]

TRANSFORMED_SHARE = 0.01  # above this share of values below -1: already transformed
ESTIMATED_COUNTS_SHARE = 0.5  # whole share in [1, 100) that suggests estimated counts
NEARLY_WHOLE_SHARE = 0.001  # at most this share of non-zero values not whole: still counts
SAMPLE_NONWHOLE_SHARE = 0.01  # ... and no sample with more of its own: a profile, not edits
N_CELLS_SHOWN = 3  # cells named in a note or an error (non-whole, negative)
TRACE_SHARE = 0.001  # clipping to 0 is refused when more than this share of values is below -1
LOG_MAX = 50.0  # log2 of anything real stays below this
LINEAR_MAX = 1000.0  # a linear profile (counts, TPM, RSEM) reaches this: 4,930 on 100 random genes
PSEUDOCOUNTS = (0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6)  # log2(x + ε) floors other than ε = 1's 0
FLOOR_TOLERANCE = 1e-4  # log2(ε) as float32, or written to 4 decimals (Xena's -9.9658)
FLOOR_SHARE = 0.01  # at least this share of the values on the floor: the zeros, not one low value
TOTAL_SPREAD = 0.01  # per-sample totals within this of their median: one normalisation target
TOTAL_CONTRAST = 10.0  # the other base's totals spread at least this many times more
NATURAL_LOG_NOTE = "values read as natural log"  # the note's start (prepare's read line says it)
LOG10_NOTE = "values read as log10"  # likewise for unmarked log10(x + 1) values
OTHER_BASES = ((float(np.e), "e^x - 1", NATURAL_LOG_NOTE, "ln(x + 1)"),
               (10.0, "10^x - 1", LOG10_NOTE, "log10(x + 1)"))  # tried in this order
COUNTS_QUESTION = ": estimated counts (Salmon, RSEM, nf-core gene_counts)? "  # the read note's
PREPARE_COUNTS_FIX = "then prepare them with --normalisation log2cpm"  # prepare's answer to it
_FILTER_NOTE = ("the gene filter's thresholds (--min-variance 0.4 / --min-mean 0.8, made for "
                "log2 FPKM-UQ) do not suit this scale: set them for it, or 0 to keep every gene")


@dataclass
class ValueStats:
    """Running statistics over samples × genes blocks: finiteness, range, integrality."""

    n_nonfinite: int = 0
    first_nonfinite: tuple[int, int, float] | None = None  # (sample index, gene index, value)
    n_finite: int = 0
    n_negative: int = 0
    n_below_minus_one: int = 0
    vmin: float = np.inf
    vmax: float = -np.inf
    integer: bool = True
    genes_first: bool = False  # file rows are genes: "first" cell is ordered by gene, then sample
    n_nonzero: int = 0  # finite values other than 0
    n_nonwhole: int = 0  # finite values that are not whole numbers
    first_nonwhole: list[tuple[int, int, float]] = field(default_factory=list)  # (s, g, value)
    first_negative: list[tuple[int, int, float]] = field(default_factory=list)  # in file order

    def _order(self, cell: tuple[int, int, float]) -> tuple[int, int]:
        return (cell[1], cell[0]) if self.genes_first else (cell[0], cell[1])

    def _keep_first(self, kept: list[tuple[int, int, float]], mask: np.ndarray,
                    block: np.ndarray, s0: int, g0: int) -> None:
        """Merge the first :data:`N_CELLS_SHOWN` cells of ``mask`` (in file order) into
        ``kept``, which stays the first cells over all blocks folded in."""
        bad_s, bad_g = np.nonzero(mask)
        order = np.lexsort((bad_s, bad_g) if self.genes_first else (bad_g, bad_s))
        cells = [(s0 + int(bad_s[k]), g0 + int(bad_g[k]), float(block[bad_s[k], bad_g[k]]))
                 for k in order[:N_CELLS_SHOWN]]
        kept[:] = sorted([*kept, *cells], key=self._order)[:N_CELLS_SHOWN]

    def update(self, block: np.ndarray, s0: int, g0: int) -> None:
        """Fold in ``block`` ``(n_s, n_g)`` whose top-left cell is (sample ``s0``, gene ``g0``)."""
        finite = np.isfinite(block)
        if not finite.all():
            bad_s, bad_g = np.nonzero(~finite)
            self.n_nonfinite += len(bad_s)
            k = int(np.lexsort((bad_s, bad_g) if self.genes_first else (bad_g, bad_s))[0])
            cand = (s0 + int(bad_s[k]), g0 + int(bad_g[k]), float(block[bad_s[k], bad_g[k]]))
            if self.first_nonfinite is None or self._order(cand) < self._order(self.first_nonfinite):
                self.first_nonfinite = cand
        if block.size == 0 or not finite.any():
            return
        self.n_finite += int(finite.sum())
        self.vmin = min(self.vmin, float(np.min(block, where=finite, initial=np.inf)))
        self.vmax = max(self.vmax, float(np.max(block, where=finite, initial=-np.inf)))
        negative = block < 0
        self.n_negative += int(np.count_nonzero(negative))
        self.n_below_minus_one += int(np.count_nonzero(block < -1))
        self.n_nonzero += int(np.count_nonzero(finite & (block != 0)))
        if negative.any():
            self._keep_first(self.first_negative, negative, block, s0, g0)
        nonwhole = finite & (block != np.rint(block))
        if (n := int(np.count_nonzero(nonwhole))):
            self.n_nonwhole += n
            self.integer = False
            self._keep_first(self.first_nonwhole, nonwhole, block, s0, g0)


def log_counts_rows(values: np.ndarray, *, n_rows: int = 256, n_per_row: int = 800,
                    seed: int = 0) -> tuple[int, int]:
    """How many of up to ``n_rows`` samples (rows of ``values``, evenly spaced) are
    log2(counts + 1): 2^v − 1 whole for at least 99% of up to ``n_per_row`` of their non-zero
    values (drawn with a fixed seed); the tolerance allows float32 rounding of large counts
    and values rounded to a few decimals.

    Returns
    -------
    tuple
        ``(n_checked, n_whole)``: samples with at least 20 non-zero values, and those whole.
    """
    v2 = values.reshape(1, -1) if values.ndim == 1 else values
    rows = np.unique(np.linspace(0, v2.shape[0] - 1, min(n_rows, v2.shape[0])).astype(int))
    rng = np.random.default_rng(seed)
    draws = [v2[r, rng.integers(0, v2.shape[1], min(n_per_row, v2.shape[1]))].astype(np.float64)
             for r in rows]
    draws = [v[np.isfinite(v) & (v > 0)] for v in draws]
    draws = [v for v in draws if v.size >= 20]
    if not draws or max(float(v.max()) for v in draws) > LOG_MAX:
        return len(draws), 0
    step = 0.5 * 10.0 ** -_decimals(np.concatenate(draws))  # rounded to d decimals (R's, pandas')
    n_whole = 0
    for v in draws:
        y = np.exp2(v) - 1
        n_whole += bool(np.mean(np.abs(y - np.rint(y)) <= 1e-3 + 5e-6 * y
                                + np.log(2) * step * (y + 1)) >= 0.99)
    return len(draws), n_whole


def is_log_of_counts(values: np.ndarray) -> bool:
    """True when (nearly) every sample of ``values`` ``(n_samples, n_genes)`` is
    log2(counts + 1) (:func:`log_counts_rows`): at least 90% of them.

    Judged per sample, not per value: a producer's averaged repeated aliquots (Xena's GDC hub)
    make one sample's counts half-integers, and 1.4% of a 36-sample ``star_counts`` file's
    values (one such sample) read the whole file as log scale, its counts left unnormalised.
    """
    return _mostly_log_counts(*log_counts_rows(values))


def _mostly_log_counts(n_checked: int, n_whole: int) -> bool:
    """At least 90% of the samples checked are log2(counts + 1)."""
    return n_checked > 0 and n_whole >= 0.9 * n_checked


def estimated_counts_cue(values: np.ndarray, name: str) -> tuple[float, bool] | None:
    """What says non-negative linear ``values`` (a file named ``name``) may be estimated
    counts (Salmon, RSEM, nf-core's ``*gene_counts.tsv``): ``(share of whole values in
    [1, 100), False)`` when that share reaches :data:`ESTIMATED_COUNTS_SHARE`, ``(share,
    True)`` for a file named ``*count*`` (EM estimates are mostly not whole), else None.
    The read note and prepare's warning ask the same question here."""
    share = whole_share(values)
    if share >= ESTIMATED_COUNTS_SHARE:
        return share, False
    return (share, True) if "count" in name.lower() else None


def estimated_counts_note(cue: tuple[float, bool], answer: str = PREPARE_COUNTS_FIX) -> str:
    """The read note on values that may be estimated counts (``cue``, from
    :func:`estimated_counts_cue`): the evidence, :data:`COUNTS_QUESTION`, then ``answer``:
    prepare's option by default; ``genemoe predict`` gives its own (it has no log2cpm)."""
    return ("named counts, values not whole" if cue[1] else
            f"{percent(cue[0])} of the values in [1, 100) are whole numbers") + COUNTS_QUESTION + answer


def _decimals(v: np.ndarray) -> float:
    """The decimals ``v`` ``(n,)`` were rounded to (99% whole at 10^d, d 1-6), else inf: a
    log2(counts + 1) file written to 4 decimals missed the float32 tolerance alone and was
    taken for normalised values."""
    for d in range(1, 7):
        scaled = v * 10.0 ** d
        if np.mean(np.abs(scaled - np.rint(scaled)) < 1e-6 * np.maximum(scaled, 1)) >= 0.99:
            return float(d)
    return float("inf")


def whole_share(values: np.ndarray, *, n_check: int = 200_000, seed: int = 0) -> float:
    """Share of whole numbers among up to ``n_check`` sampled values in [1, 100).

    Estimated counts (an EM's split of multi-mapping reads) are mostly whole at low
    magnitude; TPM, FPKM and 3-significant-digit RSEM values (PanCanAtlas EB++: 6%) are not.
    """
    flat = values.reshape(-1)
    idx = np.random.default_rng(seed).integers(0, flat.size, min(n_check, flat.size))
    v = flat[idx].astype(np.float64)
    v = v[(v >= 1) & (v < 100)]
    return float(np.mean(v == np.rint(v))) if v.size >= 20 else 0.0


def negative_share(values: np.ndarray, *, rows: int = 512) -> tuple[int, int, float]:
    """Negative values of ``values``: how many, how many below -1, and the minimum."""
    n_neg, n_material, vmin = 0, 0, 0.0
    for r in range(0, values.shape[0], rows):
        block = values[r:r + rows]
        n_neg += int(np.count_nonzero(block < 0))
        n_material += int(np.count_nonzero(block < -1))
        vmin = min(vmin, float(block.min(initial=0.0)))
    return n_neg, n_material, vmin


def log_pseudocount(stats: ValueStats, values: np.ndarray, *, rows: int = 512
                    ) -> tuple[float, int] | None:
    """The pseudocount ε of log2(x + ε) ``values`` ``(n_samples, n_genes)``, and how many
    cells sit on its floor; None for other values.

    The floor: the minimum equals log2(ε) for one ε of :data:`PSEUDOCOUNTS` (within
    :data:`FLOOR_TOLERANCE`), exactly that value is shared by at least :data:`FLOOR_SHARE` of
    the values (every zero of the linear values), and the maximum stays within the log range.
    A z-score or log-ratio matrix has no such repeated minimum at a power of ten's log2.
    """
    if stats.integer or stats.vmax > LOG_MAX or not np.isfinite(stats.vmin):
        return None
    eps = next((e for e in PSEUDOCOUNTS if abs(stats.vmin - np.log2(e)) <= FLOOR_TOLERANCE), None)
    if eps is None:
        return None
    n_floor = sum(int(np.count_nonzero(values[r:r + rows] == stats.vmin))
                  for r in range(0, values.shape[0], rows))
    return (eps, n_floor) if n_floor >= FLOOR_SHARE * max(stats.n_finite, 1) else None


def _to_log2p1(values: np.ndarray, eps: float, stats: ValueStats, *, rows: int = 512) -> None:
    """log2(x + ``eps``) ``values`` made log2(x + 1) in place (the floor, ``stats.vmin``,
    becomes 0, and so does any rounding below 0), and ``stats`` refolded over them."""
    fresh = ValueStats(genes_first=stats.genes_first)
    for r in range(0, values.shape[0], rows):
        block = values[r:r + rows].astype(np.float64)
        linear = np.where(block == stats.vmin, 0.0, np.clip(np.exp2(block) - eps, 0, None))
        values[r:r + rows] = np.log2(linear + 1)
        fresh.update(values[r:r + rows], r, 0)
    _refold(stats, fresh)


def _refold(stats: ValueStats, fresh: ValueStats) -> None:
    """``stats`` given the value statistics of ``fresh`` (values converted in place)."""
    for name in ("n_finite", "n_negative", "n_below_minus_one", "vmin", "vmax", "integer",
                 "n_nonzero", "n_nonwhole", "first_nonwhole", "first_negative"):
        setattr(stats, name, getattr(fresh, name))


def nearly_whole(stats: ValueStats) -> bool:
    """True when the values are whole numbers, or all but a few: at most
    :data:`NEARLY_WHOLE_SHARE` of the non-zero values not whole.

    A count matrix's scale does not change with a handful of edited cells: two values of
    12.5 and 3.25 among 12,000 counts read the whole file as linear values (log2(x + 1)
    without library-size normalisation). Estimated counts (RSEM, Salmon) are not whole in
    most non-zero cells, far above the threshold, and stay ``linear``. Negative values
    among them are no counts' edits (batch-corrected values' small negatives, -0.4): such a
    matrix stays ``linear``, its negatives clipped and counted as before.
    """
    return stats.integer or (not stats.n_negative
                             and stats.n_nonwhole <= NEARLY_WHOLE_SHARE * stats.n_nonzero)


def gathered_nonwhole(values: np.ndarray, *, rows: int = 512
                      ) -> list[tuple[int, int, float, float]]:
    """Samples of ``values`` ``(n_samples, n_genes)`` whose own non-whole values are more
    than :data:`SAMPLE_NONWHOLE_SHARE` of their non-zero ones (and more than
    :data:`N_CELLS_SHOWN`): ``(sample, its first non-whole gene, that value, the share)`` each.

    :func:`nearly_whole` counts the whole matrix: with 1,000 samples or more, one log2
    profile pasted among counts stays under :data:`NEARLY_WHOLE_SHARE`, and was read as
    counts (its log values through CPM). Edited cells scatter; a profile's gather.
    """
    found = []
    for r in range(0, values.shape[0], rows):
        block = values[r:r + rows]
        nonwhole = np.isfinite(block) & (block != np.rint(block))
        n_bad, n_nonzero = nonwhole.sum(axis=1), np.count_nonzero(block, axis=1)
        for i in np.flatnonzero(n_bad > np.maximum(SAMPLE_NONWHOLE_SHARE * n_nonzero,
                                                   N_CELLS_SHOWN)):
            g = int(np.argmax(nonwhole[i]))
            found.append((r + int(i), g, float(block[i, g]), float(n_bad[i] / n_nonzero[i])))
    return found


def _gathered_note(gathered: list[tuple[int, int, float, float]], stats: ValueStats,
                   where: Any) -> str:
    """The note on non-whole values gathered in samples (:func:`gathered_nonwhole`)."""
    shown = "; ".join(f"{where(s, g)} ({v:g}; {percent(share)} of its non-zero values)"
                      for s, g, v, share in gathered[:N_CELLS_SHOWN])
    more = f" and {len(gathered) - N_CELLS_SHOWN:,} more" if len(gathered) > N_CELLS_SHOWN else ""
    return (f"{stats.n_nonwhole:,} of the {stats.n_nonzero:,} non-zero values are not whole, "
            f"gathered in {len(gathered):,} sample(s) (the first non-whole cell of each: "
            f"{shown}{more}): whole profiles, not edited cells, so the matrix is not read as "
            "counts")


def percent(share: float) -> str:
    """``share`` as a percentage that says 100% or 0% only when exactly so (``99.98%``,
    not ``100%``)."""
    for digits in range(0, 4):
        text = f"{share:.{digits}%}"
        if share in (0.0, 1.0) or float(text.rstrip("%")) not in (0.0, 100.0):
            return text
    return "over 99.999%" if share > 0.5 else "under 0.001%"


def _cells_text(cells: list[tuple[int, int, float]], where: Any) -> str:
    """``row 'G1', column 'S2' (12.5); ...``: cells named in the file's own terms."""
    return "; ".join(f"{where(s, g)} ({v:g})" for s, g, v in cells)


def _log_totals(values: np.ndarray, rows: np.ndarray, *, base: float = float(np.e),
                step: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample totals over all genes of base^x − 1 and of 2^x − 1 (:func:`linear_totals`),
    for ``rows`` of ``values``, ``step`` rows copied at a time. A row with a missing value
    has a NaN base^x − 1 total (:func:`natural_log_total` then answers None)."""
    e_tot, two_tot = np.empty(len(rows)), np.empty(len(rows))
    for i in range(0, len(rows), step):
        block = values[rows[i:i + step]].astype(np.float64)
        e_tot[i:i + step] = np.expm1(block * np.log(base)).sum(axis=1)
        two_tot[i:i + step] = linear_totals(block, block_rows=step)
    return e_tot, two_tot


def _spread(totals: np.ndarray) -> float:
    """(max − min) / median of positive ``totals``."""
    return float((totals.max() - totals.min()) / np.median(totals))


def natural_log_total(values: np.ndarray, *, n_rows: int = 512, any_target_from: int = 20,
                      base: float = float(np.e)) -> tuple[float, float, float] | None:
    """The one per-sample total of e^x − 1 over all genes of non-negative log-scale
    ``values`` ``(n_samples, n_genes)`` that are ln(x + 1) of library-size-normalised
    values, and the lowest and highest total of 2^x − 1 beside it; None for other values.
    ``base=10``: the same of 10^x − 1 for log10(x + 1) values (log10(CPM + 1), as some
    pipelines and portals export), by the same evidence.

    Library-size normalisation gives every sample one total on the linear scale: scanpy's
    ``normalize_total`` the median library size by default (``target_sum=1e4`` in its
    tutorials), Seurat's ``NormalizeData`` 1e4, CPM 1e6; both then take the natural log,
    ln(x + 1). Summed with the right base, the totals are one number (their spread,
    (max − min) / median, under :data:`TOTAL_SPREAD`; ~1e-7 as float32); with the wrong one
    they are not. Natural log is said only when its totals are one number and those of
    2^x − 1 spread :data:`TOTAL_CONTRAST` times more, and over 1/100 of
    :data:`TOTAL_SPREAD` (0.3% for samples of one profile at high depth, more as cells
    differ): log2(CPM + 1) has 2^x − 1 totals of 1e6; neither (a gene subset, log-TPM of
    some genes, unnormalised values) or both alike (quantile-normalised values) is no
    evidence. The total must be a power of ten (1e3 to 1e6) or, as scanpy's median, any
    number over ``any_target_from`` samples or more (three totals can agree by chance). Up
    to ``n_rows`` samples, evenly spaced, are summed; samples of zeros alone (no library)
    are left out; fewer than 3: None.
    """
    if values.ndim != 2 or values.shape[0] < 3 or values.shape[1] < 2:
        return None
    rows = np.unique(np.linspace(0, values.shape[0] - 1, min(n_rows, values.shape[0])).astype(int))
    e_tot, two_tot = _log_totals(values, rows, base=base)
    keep = e_tot > 0
    if keep.sum() < 3 or not (np.isfinite(e_tot).all() and np.isfinite(two_tot).all()):
        return None
    e_tot, two_tot = e_tot[keep], two_tot[keep]
    e_spread = _spread(e_tot)
    if e_spread >= TOTAL_SPREAD or _spread(two_tot) <= max(TOTAL_CONTRAST * e_spread,
                                                           TOTAL_SPREAD / 100):
        return None
    total = float(np.median(e_tot))
    power = 10.0 ** np.clip(np.rint(np.log10(total)), 3, 6)
    if abs(total / power - 1) >= TOTAL_SPREAD and len(e_tot) < any_target_from:
        return None
    return total, float(two_tot.min()), float(two_tot.max())


def _natural_log_converted(values: np.ndarray, stats: ValueStats, path: Path,
                           *, rows: int = 512) -> str | None:
    """ln(x + 1) or log10(x + 1) ``values`` (:func:`natural_log_total`, each base of
    :data:`OTHER_BASES` tried) multiplied in place by log2(base) to log2(x + 1), ``stats``
    refolded over them; the note saying so (also logged as a warning), None for other
    values (log10 values were read as log2, every one 3.32 times too small, unsaid)."""
    if stats.vmin < 0:
        return None
    hit = next(((b, f) for b in OTHER_BASES
                if (f := natural_log_total(values, base=b[0])) is not None), None)
    if hit is None:
        return None
    (base, power, start, name), (total, lo, hi) = hit
    factor = float(np.log2(base))
    fresh = ValueStats(genes_first=stats.genes_first)
    for r in range(0, values.shape[0], rows):
        values[r:r + rows] *= np.float32(factor)
        fresh.update(values[r:r + rows], r, 0)
    _refold(stats, fresh)
    like = ("scanpy's normalize_total + log1p, Seurat's NormalizeData" if base != 10
            else "log10(CPM + 1) exports")
    note = (f"{start} (per-sample totals of {power} all ≈ {total:,.0f}, as "
            f"library-size-normalised {name} values ({like}); of 2^x - 1 from {lo:,.0f} to "
            f"{hi:,.0f}; no base marked): all {values.size:,} multiplied by {factor:.4f} to "
            "log2(x + 1)")
    logger.warning("%s: %s", path.name, note)
    return note


def value_kind(stats: ValueStats, values: np.ndarray, path: Path, where: Any, *,
               base_given: bool = False) -> tuple[ValueKind, list[str]]:
    """Decide the kind of the matrix (module docstring); raise for NaN/inf and negative counts.

    ``where(sample_index, gene_index)`` names a cell in the file's own terms. log2(x + ε)
    values (:func:`log_pseudocount`) and, unless ``base_given`` (a file's own mark of its
    log base, such as scanpy's ``uns['log1p']``), unmarked natural-log values
    (:func:`natural_log_total`) are converted to log2(x + 1) in place, ``values`` and
    ``stats`` both, and the conversion is the first note.
    """
    if stats.first_nonfinite is not None:
        s, g, v = stats.first_nonfinite
        raise input_error(
            f"{stats.n_nonfinite} missing or non-finite value(s) (NaN/inf/empty); the first is "
            + ("empty or a missing-value mark (NA, #N/A, NaN, ...)" if v != v else repr(v)),  # was
            # "the first is nan" for a cell holding #N/A
            path=path, where=where(s, g),
            fix="impute them, or drop the genes/samples that hold them, before reading",
        )
    if nearly_whole(stats):
        if stats.integer or not (gathered := gathered_nonwhole(values)):
            return _counts_kind(stats, path, where)
        note = _gathered_note(gathered, stats, where)  # then as any non-whole matrix: two
        logger.warning("%s: %s", path.name, note)  # scales are refused (check_one_scale)
        kind, notes = _uncounted_kind(stats, values, path, where, base_given=base_given)
        return kind, [*notes, note]
    return _uncounted_kind(stats, values, path, where, base_given=base_given)


def _uncounted_kind(stats: ValueStats, values: np.ndarray, path: Path, where: Any, *,
                    base_given: bool) -> tuple[ValueKind, list[str]]:
    """:func:`value_kind` of finite values that are not (nearly) whole counts."""
    rng_txt = f"[{stats.vmin:g}, {stats.vmax:g}]"
    if (floor := log_pseudocount(stats, values)) is not None:
        eps, n_floor = floor
        said = (f"values: range {rng_txt}, {n_floor:,} of them ({n_floor / stats.n_finite:.0%}) "
                f"on the floor {stats.vmin:g} = log2({eps:g}) -> log2(x + {eps:g}) (as the UCSC Toil "
                f"hub writes TPM): converted to log2(x + 1), the pipeline's log scale")
        _to_log2p1(values, eps, stats)  # the floor log2(eps) told the base: 2, not e
        kind, notes = value_kind(stats, values, path, where, base_given=True)
        return kind, [said, *notes]
    share = stats.n_below_minus_one / max(stats.n_finite, 1)
    if share > TRANSFORMED_SHARE and stats.vmax <= 2 * LOG_MAX:
        return "transformed", [
            f"values: {share:.1%} below -1, range {rng_txt} -> already transformed (log-ratios, "
            "centred microarray values or z-scores): passed through unchanged", _FILTER_NOTE]
    if stats.vmax <= LOG_MAX:  # a log range; a few values below -1 (<= 1%) kept as they are
        stray = ([] if stats.vmin >= -1 else [
            f"{stats.n_below_minus_one} value(s) below -1 (minimum {stats.vmin:g}; a log matrix's "
            "batch correction?), read as they are"])
        n_checked, n_whole = log_counts_rows(values) if stats.vmin >= -1 else (0, 0)
        if _mostly_log_counts(n_checked, n_whole):
            every = ("every 2^v - 1 whole" if n_whole == n_checked else
                     f"2^v - 1 whole in {n_whole} of the {n_checked} samples checked; the other "
                     f"{n_checked - n_whole} not whole counts (repeated aliquots averaged by the "
                     "producer?), read as log2(counts + 1) too")  # was "every ... whole" beside it
            return "log_counts", [f"values: {rng_txt}, {every} -> log2(counts + 1)"]
        if not base_given and (said := _natural_log_converted(values, stats, path)):
            kind, notes = value_kind(stats, values, path, where, base_given=True)
            return kind, [said, *notes]
        return "log", [f"values: non-integer in {rng_txt} -> log scale", *stray]
    notes = [f"values: non-integer in {rng_txt} -> linear (TPM/RSEM/FPKM)"]
    if stats.vmin >= 0 and (cue := estimated_counts_cue(values, path.name)):
        notes.append(estimated_counts_note(cue))
    if stats.n_negative:
        notes.append(f"{stats.n_negative} negative values (minimum {stats.vmin:g}), read as they "
                     "are (batch-corrected data such as PanCanAtlas EB++ has small negatives); a "
                     "log normalisation clips them to 0 and counts them")
    return "linear", notes


def _counts_kind(stats: ValueStats, path: Path, where: Any) -> tuple[ValueKind, list[str]]:
    """``counts`` for (nearly, :func:`nearly_whole`) whole values, the non-whole ones named
    in the note (kept as they are); refused when any is negative, the first cells named."""
    if stats.n_negative:
        s, g, _ = stats.first_negative[0]
        raise input_error(
            f"the matrix holds integers (counts) but {stats.n_negative:,} value(s) are negative "
            f"(minimum {stats.vmin:g}); the first: {_cells_text(stats.first_negative, where)}",
            path=path, where=where(s, g),
            fix="counts cannot be negative: check the file is raw counts, or fix those cells",
        )
    if stats.integer:
        return "counts", ["values: non-negative integers -> raw counts"]
    more = " (the first shown)" if stats.n_nonwhole > len(stats.first_nonwhole) else ""
    note = (f"values: non-negative integers except {stats.n_nonwhole:,} of the "
            f"{stats.n_nonzero:,} non-zero values, not whole{more}: "
            f"{_cells_text(stats.first_nonwhole, where)} -> raw counts, those "
            f"{stats.n_nonwhole:,} kept as they are (edited cells? check them)")
    logger.warning("%s: %s", path.name, note)
    return "counts", [note]


def two_scales(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Samples of one matrix on two scales: ``(log-range rows, linear rows)``, else ``None``.

    A row whose non-zero values all stay within the log range (maximum in (0, 50]) beside
    rows that reach 1,000 or more: log2 profiles pasted among linear ones (or the reverse),
    which one normalisation would treat wrongly (log2(x + 1) twice, or not at all). Every
    linear TCGA profile reaches 1,000: the lowest maximum among pancan33's 1,106 samples on 100
    random genes is 4,930, among gdc6's counts 151,914. ``values``: ``(n_samples, n_genes)``,
    finite.
    """
    if values.shape[0] < 2:
        return None
    top = np.max(values, axis=1)
    low, high = np.flatnonzero((top > 0) & (top <= LOG_MAX)), np.flatnonzero(top >= LINEAR_MAX)
    return (low, high) if len(low) and len(high) else None


def odd_scale_samples(table: ExpressionTable) -> tuple[list[str], int, bool] | None:
    """A linear matrix on two scales (:func:`~genemoe.data.values.two_scales`): the fewer
    samples' ids, how many the others are, and whether the fewer are the log-range ones;
    ``None`` on one scale."""
    split = two_scales(np.asarray(table.values)) if table.value_kind == "linear" else None
    if split is None:
        return None
    low, high = split
    odd, other = (low, high) if len(low) <= len(high) else (high, low)
    return [str(table.sample_ids[i]) for i in odd], len(other), odd is low


def check_one_scale(table: ExpressionTable) -> None:
    """Refuse a matrix on two scales, the fewer samples named: one normalisation would log
    the log profiles twice, or the linear ones not at all."""
    if (found := odd_scale_samples(table)) is None:
        return
    ids, n_other, odd_low = found
    more = f" and {len(ids) - 3:,} more" if len(ids) > 3 else ""

    def said(n: int, low: bool) -> str:
        if low:
            return (f"{'stays' if n == 1 else 'stay'} within the log range (maximum {LOG_MAX:,.0f} or "
                    "less: log2 values, or a nearly empty profile)")
        return f"{'reaches' if n == 1 else 'reach'} {LINEAR_MAX:,.0f} or more (linear values)"

    raise input_error(
        f"{len(ids):,} of {len(ids) + n_other:,} samples ({', '.join(ids[:3])}{more}) "
        f"{said(len(ids), odd_low)}, while the other {n_other:,} {said(n_other, not odd_low)}: "
        "two scales in one matrix", path=table.source_path,
        fix="put every sample on one scale (log2(x + 1) of the linear ones, or 2^x - 1 of the log "
            "ones), or leave the odd samples out")
