"""A seeded, TCGA-like synthetic cohort for tests and demos, always labelled synthetic.

The cohort imitates what genemoe reads from real TCGA data, so the whole pipeline runs on
it unchanged, yet nothing in it can be mistaken for real data:

* sample barcodes use the project code ``SYNT`` (``SYNT-A1-0001-01A-11R-S001-07``; the
  patient id ``SYNT-A1-0001`` is 12 characters like ``TCGA-OR-A5J1``);
* gene ids are Ensembl-shaped but in the unused ``ENSG99`` range (``ENSG99000000001``),
  with symbols ``SYN1``, ``SYN2``, …;
* every file :func:`write_synthetic_files` writes has ``synthetic`` in its name, and the
  folder gets a ``SYNTHETIC_README.txt`` with the seed and parameters.

Generative model (natural-log scale, per sample *i* and gene *g*)::

    latent[i, g] = baseline[g] + (Z @ W.T)[i, g] + purity[i] * A[type[i], g] + noise[i, g]
    mean[i, g]   = library_size[i] * softmax_g(latent[i])
    counts[i, g] ~ NegativeBinomial(mean[i, g], dispersion[g]), zeroed w.p. p_drop(mean)

``A`` holds type programs: markers shared by related types (kidney, gut, lung, …) plus
markers unique to each type, so a linear classifier does well but not perfectly.
Survival follows a Weibull proportional-hazards model whose log-hazard is a type effect
plus ``survival_signal`` times a standardised weighted sum of the latent expression of
about 20 prognostic genes; censoring is independent and tuned to the requested fraction.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genemoe.errors import input_error

__all__ = [
    "SYNTHETIC_PROJECT", "TCGA_TYPES", "TCGA_PRIMARY_COUNTS",
    "SyntheticCohort", "make_synthetic_cohort", "write_synthetic_files",
]  # fmt: skip

logger = logging.getLogger(__name__)

SYNTHETIC_PROJECT = "SYNT"  # barcode project code: SYNT-A1-0001 is 12 characters like TCGA-OR-A5J1
SYNTHETIC_GENE_PREFIX = "ENSG99"  # Ensembl-shaped, outside the range Ensembl has used
MIN_PER_TYPE = 6  # every type gets at least this many tumours, so stratified splits work

# Approximate numbers of TCGA primary tumours with RNA-seq (GDC / PanCanAtlas).
TCGA_PRIMARY_COUNTS: dict[str, int] = {
    "ACC": 79, "BLCA": 408, "BRCA": 1097, "CESC": 304, "CHOL": 36, "COAD": 457,
    "DLBC": 48, "ESCA": 184, "GBM": 156, "HNSC": 520, "KICH": 66, "KIRC": 533,
    "KIRP": 290, "LAML": 151, "LGG": 516, "LIHC": 371, "LUAD": 515, "LUSC": 501,
    "MESO": 87, "OV": 304, "PAAD": 178, "PCPG": 179, "PRAD": 497, "READ": 166,
    "SARC": 259, "SKCM": 103, "STAD": 415, "TGCT": 150, "THCA": 505, "THYM": 120,
    "UCEC": 545, "UCS": 57, "UVM": 80,
}  # fmt: skip
TCGA_TYPES: tuple[str, ...] = tuple(TCGA_PRIMARY_COUNTS)

# Related types share marker programmes (tissue of origin / histology), which is what
# makes the classification non-trivial (COAD vs READ, LUAD vs LUSC, KIRC vs KIRP, ...).
RELATED_GROUPS: tuple[tuple[str, ...], ...] = (
    ("COAD", "READ", "STAD", "ESCA"), ("KIRC", "KIRP", "KICH"), ("LUAD", "LUSC", "MESO"),
    ("GBM", "LGG"), ("UCEC", "UCS", "OV", "CESC"), ("HNSC", "LUSC", "ESCA", "CESC", "BLCA"),
    ("SKCM", "UVM"), ("LIHC", "CHOL", "PAAD"), ("DLBC", "LAML", "THYM"), ("ACC", "PCPG"),
    ("SARC", "UCS", "MESO"),
)  # fmt: skip

# Log-hazard offsets by type (positive = worse), loosely after TCGA overall survival.
TYPE_LOG_HAZARD: dict[str, float] = {
    "GBM": 1.5, "LAML": 1.2, "PAAD": 1.2, "MESO": 1.2, "ESCA": 0.8, "LUSC": 0.5,
    "STAD": 0.5, "LIHC": 0.5, "CHOL": 0.8, "UCS": 0.8, "LUAD": 0.4, "HNSC": 0.4,
    "BLCA": 0.5, "OV": 0.6, "SKCM": 0.2, "SARC": 0.2, "DLBC": -0.3, "ACC": 0.3,
    "UVM": 0.2, "COAD": -0.2, "READ": -0.2, "KIRC": 0.0, "CESC": -0.2, "LGG": -0.3,
    "BRCA": -0.8, "UCEC": -0.6, "KIRP": -0.6, "KICH": -1.2, "THYM": -1.2,
    "PRAD": -2.0, "THCA": -1.8, "PCPG": -1.5, "TGCT": -2.0,
}  # fmt: skip
FEMALE_ONLY = {"OV", "UCEC", "UCS", "CESC"}
MALE_ONLY = {"PRAD", "TGCT"}
YOUNG_TYPES = {"TGCT": 32.0, "LGG": 43.0, "THCA": 47.0, "PCPG": 47.0, "ACC": 47.0}

# Chromosomes 1-22, X with their lengths (Mb) and rough shares of genes.
_CHROM_MB = (249, 242, 198, 190, 181, 171, 159, 145, 138, 134, 135, 133, 114, 107, 102, 90,
             83, 80, 59, 64, 47, 51, 156)  # fmt: skip
_CHROM_GENES = (5702, 4361, 3321, 2751, 3085, 3187, 3132, 2554, 2417, 2429, 3488, 3152, 1448,
                2358, 2295, 2641, 3159, 1279, 3098, 1514, 907, 1441, 2522)  # fmt: skip
CHROMOSOMES: tuple[str, ...] = (*(str(c) for c in range(1, 23)), "X")


@dataclass
class SyntheticCohort:
    """A synthetic TCGA-like cohort: raw counts, labels, survival and the ground truth.

    Rows are ``n_samples`` tumours (in random order) followed by any solid tissue
    normals; columns are ``n_genes`` genes.

    Attributes
    ----------
    counts
        ``(n_samples, n_genes)`` int64 raw counts, non-negative.
    sample_ids
        ``(n_samples,)`` object array of aliquot barcodes (``SYNT-A1-0001-01A-11R-S001-07``).
    gene_ids
        ``(n_genes,)`` object array of Ensembl-shaped ids (``ENSG99000000001``).
    symbols
        ``(n_genes,)`` object array (``SYN1``, ``SYN2``, ...).
    cancer_type
        ``(n_samples,)`` object array of TCGA codes (a normal carries its patient's type).
    sample_type
        ``(n_samples,)`` object array of two-digit TCGA sample-type codes: ``"01"``
        (primary solid tumour), ``"03"`` (LAML, blood) or ``"11"`` (solid tissue normal).
    time
        ``(n_samples,)`` float days, whole days ≥ 1 (a normal carries its patient's).
    event
        ``(n_samples,)`` bool, True for an observed death.
    true_log_hazard
        ``(n_samples,)`` float, the log-hazard the survival times were drawn from.
    informative_genes
        Type → int array of indices of the genes up-regulated in that type: its planted
        program, the markers it shares with related types plus its own
        (:meth:`programs` gives their gene ids).
    prognostic_genes
        ``(n_prognostic,)`` int indices of the genes that drive the hazard.
    gene_lengths
        ``(n_genes,)`` int64 exonic lengths (bp), for TPM / FPKM.
    chrom
        ``(n_genes,)`` object array of chromosome names (``"1"``-``"22"``, ``"X"``).
    start
        ``(n_genes,)`` int64 fake genomic start positions (1-based).
    end
        ``(n_genes,)`` int64 fake genomic end positions (``end - start + 1 >= length``).
    biotype
        ``(n_genes,)`` object array: ``"protein_coding"`` or ``"lncRNA"``.
    params
        Everything needed to describe and regenerate the cohort, including ``seed``.
    """

    counts: np.ndarray
    sample_ids: np.ndarray
    gene_ids: np.ndarray
    symbols: np.ndarray
    cancer_type: np.ndarray
    sample_type: np.ndarray
    time: np.ndarray
    event: np.ndarray
    true_log_hazard: np.ndarray
    informative_genes: dict[str, np.ndarray]
    prognostic_genes: np.ndarray
    gene_lengths: np.ndarray
    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray
    biotype: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.counts.shape[0])

    @property
    def n_genes(self) -> int:
        return int(self.counts.shape[1])

    def programs(self) -> dict[str, np.ndarray]:
        """Type → gene ids of its planted program (``informative_genes``, as ids)."""
        return {t: self.gene_ids[m] for t, m in self.informative_genes.items()}

    @property
    def patient_ids(self) -> np.ndarray:
        """``(n_samples,)`` 12-character patient barcodes (``SYNT-A1-0001``)."""
        return np.array([s[:12] for s in self.sample_ids], dtype=object)


def make_synthetic_cohort(
    *,
    n_samples: int = 1000,
    n_genes: int = 2000,
    n_types: int = 33,
    seed: int = 0,
    survival_signal: float = 1.0,
    censoring: float = 0.35,
    dropout: float = 0.1,
    include_normals: int = 0,
) -> SyntheticCohort:
    """Generate a seeded synthetic TCGA-like cohort.

    Parameters
    ----------
    n_samples
        Number of tumours; at least ``6 * n_types``.
    n_genes
        Number of genes; at least 50.
    n_types
        Use the first ``n_types`` of the 33 TCGA codes (alphabetical, ``ACC`` first).
        Class sizes follow real TCGA primary-tumour counts, at least 6 per type.
    seed
        Seed of everything: the same arguments give identical cohorts.
    survival_signal
        Weight of the prognostic-gene score (standardised, SD 1) in the log-hazard;
        0 leaves only the type effect.
    censoring
        Target fraction of censored samples, in ``[0, 1)``.
    dropout
        Probability that a count is zeroed (technical dropout), in ``[0, 1)``.
    include_normals
        Number of solid tissue normals (sample type 11) to append, each from a distinct
        tumour patient of a solid (non-LAML) type.

    Returns
    -------
    SyntheticCohort
        ``n_samples + include_normals`` samples × ``n_genes`` genes.

    Raises
    ------
    InputError
        When a parameter is out of range.
    """
    _check_params(n_samples, n_genes, n_types, censoring, dropout, include_normals)
    rng_genes, rng_samples, rng_expr, rng_counts, rng_surv = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)
    )
    types = TCGA_TYPES[:n_types]
    class_counts = _class_counts(types, n_samples)
    genes = _gene_table(n_genes, rng_genes)
    design = _expression_design(types, genes["baseline"], rng_genes)
    type_idx = rng_samples.permutation(np.repeat(np.arange(n_types), class_counts))
    normal_of = _pick_normals(type_idx, types, include_normals, rng_samples)
    all_type = np.concatenate([type_idx, type_idx[normal_of]])  # (n_samples + n_normals,)
    latent = _latent_expression(design, all_type, np.arange(all_type.size) >= n_samples, rng_expr)
    counts = _sample_counts(latent, genes["dispersion"], dropout, rng_counts)
    log_hazard = _log_hazard(latent[:n_samples], type_idx, types, design["prognostic"],
                             survival_signal, rng_surv)  # fmt: skip
    time, event = _survival_times(log_hazard, censoring, rng_surv)
    sample_ids, sample_type = _barcodes(types, type_idx, normal_of, rng_samples)
    time, event, log_hazard = (np.concatenate([a, a[normal_of]]) for a in (time, event, log_hazard))
    params = {
        "synthetic": True, "generator": f"{__name__}.make_synthetic_cohort", "seed": seed,
        "n_samples": n_samples, "n_genes": n_genes, "n_types": n_types,
        "survival_signal": survival_signal, "censoring": censoring, "dropout": dropout,
        "include_normals": include_normals,
        "class_counts": dict(zip(types, (int(c) for c in class_counts), strict=True)),
        "realised_censoring": float(1.0 - event[:n_samples].mean()),
        "n_prognostic": int(design["prognostic"].size), "n_shared_programs": design["W"].shape[1],
    }  # fmt: skip
    logger.info("synthetic cohort: %d samples × %d genes, %d types, seed %d",
                counts.shape[0], n_genes, n_types, seed)  # fmt: skip
    return SyntheticCohort(
        counts=counts, sample_ids=sample_ids, gene_ids=genes["gene_ids"], symbols=genes["symbols"],
        cancer_type=np.array([types[t] for t in all_type], dtype=object), sample_type=sample_type,
        time=time, event=event, true_log_hazard=log_hazard,
        informative_genes={types[t]: m for t, m in enumerate(design["markers"])},
        prognostic_genes=design["prognostic"], gene_lengths=genes["length"], chrom=genes["chrom"],
        start=genes["start"], end=genes["end"], biotype=genes["biotype"], params=params,
    )  # fmt: skip


def _check_params(
    n_samples: int, n_genes: int, n_types: int, censoring: float, dropout: float,
    include_normals: int,
) -> None:  # fmt: skip
    """Raise an InputError naming the first parameter out of range."""
    fix = "choose a value in range (see genemoe.data.synthetic.make_synthetic_cohort)"
    if not 1 <= n_types <= len(TCGA_TYPES):
        raise input_error(f"n_types={n_types} must be between 1 and {len(TCGA_TYPES)}", fix=fix)
    if n_samples < MIN_PER_TYPE * n_types:
        raise input_error(
            f"n_samples={n_samples} is too small: need at least {MIN_PER_TYPE} per type "
            f"({MIN_PER_TYPE * n_types} for {n_types} types)", fix=fix)  # fmt: skip
    if n_samples >= 36**4:
        raise input_error(f"n_samples={n_samples} must be below {36**4} (4-character ids)", fix=fix)
    if n_genes < 50:
        raise input_error(f"n_genes={n_genes} must be at least 50", fix=fix)
    if not 0.0 <= censoring < 1.0:
        raise input_error(f"censoring={censoring} must be in [0, 1)", fix=fix)
    if not 0.0 <= dropout < 1.0:
        raise input_error(f"dropout={dropout} must be in [0, 1)", fix=fix)
    if include_normals < 0:
        raise input_error(f"include_normals={include_normals} must be >= 0", fix=fix)


def _class_counts(types: tuple[str, ...], n_samples: int) -> np.ndarray:
    """``(n_types,)`` tumours per type: proportional to TCGA, at least 6, summing to n.

    Water-filling: find the scale ``s`` with ``sum(max(6, s * w)) == n_samples`` so the
    floor only lifts the small types and the large ones keep their real imbalance.
    """
    w = np.array([TCGA_PRIMARY_COUNTS[t] for t in types], dtype=float)
    w /= w.sum()
    lo, hi = 0.0, float(n_samples) / w.min()
    for _ in range(100):
        s = 0.5 * (lo + hi)
        lo, hi = (s, hi) if np.maximum(MIN_PER_TYPE, s * w).sum() < n_samples else (lo, s)
    share = np.maximum(MIN_PER_TYPE, hi * w)
    counts = np.maximum(MIN_PER_TYPE, np.floor(share)).astype(np.int64)
    order = np.argsort(-(share - np.floor(share)), kind="stable")  # largest remainders first
    i = 0
    while counts.sum() != n_samples:
        k = order[i % order.size]
        step = 1 if counts.sum() < n_samples else -1
        if counts[k] + step >= MIN_PER_TYPE:
            counts[k] += step
        i += 1
    return counts


def _gene_table(n_genes: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Gene ids, symbols, positions, lengths, baseline expression and dispersion."""
    idx = np.arange(1, n_genes + 1)
    gene_ids = np.array([f"{SYNTHETIC_GENE_PREFIX}{i:09d}" for i in idx], dtype=object)
    symbols = np.array([f"SYN{i}" for i in idx], dtype=object)
    chrom_p = np.asarray(_CHROM_GENES, dtype=float) / sum(_CHROM_GENES)
    chrom_i = rng.choice(len(CHROMOSOMES), size=n_genes, p=chrom_p)
    chrom_len = np.asarray(_CHROM_MB, dtype=np.int64)[chrom_i] * 1_000_000
    span = np.round(np.exp(rng.normal(np.log(25_000), 1.2, n_genes))).astype(np.int64) + 500
    start = (rng.random(n_genes) * (chrom_len - span - 1)).astype(np.int64) + 1
    length = np.minimum(span, np.round(np.exp(rng.normal(np.log(2_500), 0.7, n_genes))))
    # baseline log expression (natural log, up to a constant): most genes moderate, ~3%
    # very highly expressed (the heavy upper tail), ~12% near-empty, almost always zero
    baseline = rng.normal(0.0, 1.5, n_genes)
    baseline += np.where(rng.random(n_genes) < 0.03, rng.uniform(2.5, 5.0, n_genes), 0.0)
    empty = rng.random(n_genes) < 0.12
    baseline[empty] = rng.normal(-7.0, 1.0, empty.sum())
    lnc = rng.random(n_genes) < np.where(empty | (baseline < -1.5), 0.6, 0.12)
    return {
        "gene_ids": gene_ids, "symbols": symbols, "start": start, "end": start + span - 1,
        "chrom": np.array([CHROMOSOMES[c] for c in chrom_i], dtype=object),
        "length": np.maximum(length, 200).astype(np.int64),
        "biotype": np.where(lnc, "lncRNA", "protein_coding").astype(object),
        "baseline": baseline, "dispersion": np.exp(rng.normal(np.log(0.08), 0.5, n_genes)),
    }  # fmt: skip


def _expression_design(
    types: tuple[str, ...], baseline: np.ndarray, rng: np.random.Generator
) -> dict[str, Any]:
    """Shared programmes, type programmes ``A (n_types, n_genes)`` and prognostic genes.

    Marker genes are drawn among expressed genes; each related group of types gets its
    own markers, each type its own; prognostic genes are expressed non-markers.
    """
    n_genes = baseline.size
    expressed = np.flatnonzero(baseline > -2.0)
    n_mark = max(6, n_genes // 100)
    n_prog = min(20, max(5, n_genes // 25))
    prognostic = np.sort(rng.choice(expressed, size=n_prog, replace=False))
    pool = np.setdiff1d(expressed, prognostic)

    A = np.zeros((len(types), n_genes))
    markers: list[set[int]] = [set() for _ in types]
    for group in RELATED_GROUPS:
        members = [types.index(t) for t in group if t in types]
        if len(members) < 2:
            continue
        genes = rng.choice(pool, size=n_mark, replace=False)
        lfc = rng.uniform(1.0, 2.5, n_mark)
        for m in members:
            A[m, genes] += lfc
            markers[m].update(genes.tolist())
    for t in range(len(types)):
        genes = rng.choice(pool, size=n_mark, replace=False)
        A[t, genes] += rng.uniform(0.8, 2.2, n_mark)
        markers[t].update(genes.tolist())

    n_prog_shared = 4
    W = rng.normal(0.0, 0.5, (n_genes, n_prog_shared))
    W *= rng.random((n_genes, n_prog_shared)) < 0.3  # each programme touches ~30% of genes
    noise_sd = np.full(n_genes, 0.35)
    noise_sd[prognostic] = 0.8  # prognostic genes vary more, so their signal is visible
    return {
        "baseline": baseline, "A": A, "W": W, "noise_sd": noise_sd,
        "markers": [np.array(sorted(m), dtype=np.int64) for m in markers],
        "prognostic": prognostic.astype(np.int64),
    }  # fmt: skip


def _pick_normals(
    type_idx: np.ndarray, types: tuple[str, ...], n_normals: int, rng: np.random.Generator
) -> np.ndarray:
    """Indices of the tumours whose patients also give a solid tissue normal."""
    solid = np.flatnonzero(np.array([types[t] != "LAML" for t in type_idx], dtype=bool))
    if n_normals > solid.size:
        raise input_error(
            f"include_normals={n_normals} exceeds the {solid.size} solid-tumour patients",
            fix="ask for fewer normals or more samples",
        )
    return np.sort(rng.choice(solid, size=n_normals, replace=False)).astype(np.int64)


def _latent_expression(
    design: dict[str, Any], type_idx: np.ndarray, is_normal: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``(n_samples, n_genes)`` latent log expression (natural log, unnormalised).

    Tumours express their type programme scaled by a purity ~ Beta(5, 2); normals keep
    only a quarter of it (tissue of origin without the tumour).
    """
    n, n_genes = type_idx.size, design["baseline"].size
    purity = np.where(is_normal, 0.25, rng.beta(5.0, 2.0, n))
    Z = rng.normal(0.0, 1.0, (n, design["W"].shape[1]))
    noise = rng.normal(0.0, 1.0, (n, n_genes)) * design["noise_sd"]
    return design["baseline"] + Z @ design["W"].T + purity[:, None] * design["A"][type_idx] + noise


def _sample_counts(
    latent: np.ndarray, dispersion: np.ndarray, dropout: float, rng: np.random.Generator
) -> np.ndarray:
    """``(n_samples, n_genes)`` int64 gamma-Poisson counts with log-normal library sizes."""
    n, n_genes = latent.shape
    expo = np.exp(latent - latent.max(axis=1, keepdims=True))
    props = expo / expo.sum(axis=1, keepdims=True)
    library = np.exp(rng.normal(np.log(1_500.0 * n_genes), 0.35, n))
    mean = library[:, None] * props
    shape = 1.0 / dispersion
    lam = rng.gamma(shape, mean / shape)  # broadcasting: (n, n_genes)
    counts = rng.poisson(lam).astype(np.int64)
    if dropout > 0:
        counts[rng.random((n, n_genes)) < _dropout_probability(mean, dropout)] = 0
    return counts


def _dropout_probability(mean: np.ndarray, dropout: float) -> np.ndarray:
    """``(n_samples, n_genes)`` logistic dropout probabilities averaging ``dropout``.

    As in Splatter, a count drops out with probability ``expit(-(log(mean) - x0))``:
    weakly expressed genes lose most, highly expressed genes almost nothing. The midpoint
    ``x0`` is found by bisection so that the mean probability equals ``dropout``.
    """
    log_mean = np.log(mean + 1e-12)
    probe = log_mean.ravel()[:: max(1, log_mean.size // 20_000)]  # a fixed subsample
    lo, hi = float(probe.min()) - 50.0, float(probe.max()) + 50.0
    for _ in range(60):  # the mean probability grows with the midpoint
        x0 = 0.5 * (lo + hi)
        lo, hi = (x0, hi) if np.mean(_expit(x0 - probe)) < dropout else (lo, x0)
    return _expit(0.5 * (lo + hi) - log_mean)


def _expit(x: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _log_hazard(
    latent: np.ndarray, type_idx: np.ndarray, types: tuple[str, ...], prognostic: np.ndarray,
    survival_signal: float, rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """``(n_samples,)`` log-hazard: type effect + signal × standardised gene score."""
    x = latent[:, prognostic]
    x = (x - x.mean(axis=0)) / np.maximum(x.std(axis=0), 1e-12)
    weights = rng.normal(0.0, 1.0, prognostic.size)
    score = x @ weights
    score = (score - score.mean()) / max(float(score.std()), 1e-12)
    type_effect = np.array([TYPE_LOG_HAZARD[t] for t in types])[type_idx]
    return type_effect + survival_signal * score


def _survival_times(
    log_hazard: np.ndarray, censoring: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Weibull proportional-hazards times (days) with independent censoring.

    Baseline: Weibull shape 1.2 with a median of two years at log-hazard 0. Censoring
    times are exponential with a scale found by bisection so that the realised censored
    fraction matches ``censoring``.
    """
    shape = 1.2
    scale = 730.0 / np.log(2.0) ** (1.0 / shape)
    e = rng.exponential(1.0, log_hazard.size)
    t_event = scale * (e * np.exp(-log_hazard)) ** (1.0 / shape)
    u = rng.exponential(1.0, log_hazard.size)
    if censoring <= 0.0:
        t_cens = np.full(log_hazard.size, np.inf)
    else:
        lo, hi = 1e-3, 1e9
        for _ in range(200):  # fraction censored falls as the censoring scale grows
            mid = np.sqrt(lo * hi)
            lo, hi = (mid, hi) if np.mean(mid * u < t_event) > censoring else (lo, mid)
        t_cens = hi * u
    event = t_event <= t_cens
    time = np.maximum(np.ceil(np.minimum(t_event, t_cens)), 1.0)
    return time.astype(np.float64), event.astype(bool)


def _barcodes(
    types: tuple[str, ...], type_idx: np.ndarray, normal_of: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Aliquot barcodes and sample-type codes for the tumours then the normals.

    Each type has two tissue-source sites (2 characters) and one plate (``S`` + 3
    digits); participants are 4-character base-36 codes, unique over the cohort.
    """

    def b36(value: int, width: int) -> str:
        return np.base_repr(int(value), 36).zfill(width)

    n = type_idx.size
    site = rng.integers(0, 2, n)
    tss = [b36(36 * 10 + 2 * t + s, 2) for t, s in zip(type_idx, site, strict=True)]
    participants = [b36(i + 1, 4) for i in rng.permutation(n)]
    codes = ["03" if types[t] == "LAML" else "01" for t in type_idx]
    ids = [
        f"{SYNTHETIC_PROJECT}-{tss[i]}-{participants[i]}-{codes[i]}A-11R-S{type_idx[i] + 1:03d}-07"
        for i in range(n)
    ]
    for i in normal_of:
        ids.append(f"{ids[i][:12]}-11A-11R-S{type_idx[i] + 1:03d}-07")
        codes.append("11")
    return np.array(ids, dtype=object), np.array(codes, dtype=object)


def write_synthetic_files(cohort: SyntheticCohort, out_dir: Path) -> dict[str, Path]:
    """Write the cohort in the real formats genemoe reads, every file named synthetic.

    Files (in ``out_dir``, created if missing; gzip with mtime 0, so byte-identical):
    ``synthetic_counts.tsv.gz`` genes × samples raw counts as GDC ``*_Counts.exp.gz``
    (empty first header cell, gene ids, one column per aliquot barcode);
    ``synthetic_labels.tsv`` as GDC ``*_Target.txt`` (``Sample_name``, ``Target`` =
    ``"ACC (TCGA)"``); ``synthetic_clinical.tsv.gz`` one row per patient, TCGA-CDR columns
    (``bcr_patient_barcode``, ``acronym``, ``gender``, ``age_at_initial_pathologic_diagnosis``,
    ``OS``, ``OS.time``, ``PFI``, ``PFI.time``); ``synthetic_annotation.tsv.gz`` as the
    Ensembl table; ``SYNTHETIC_README.txt`` saying the data are synthetic, with the seed.

    Parameters
    ----------
    cohort
        From :func:`make_synthetic_cohort`.
    out_dir
        Folder to write into.

    Returns
    -------
    dict[str, Path]
        ``counts``, ``labels``, ``clinical``, ``annotation``, ``readme`` → path.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {"counts": "synthetic_counts.tsv.gz", "labels": "synthetic_labels.tsv",
             "clinical": "synthetic_clinical.tsv.gz", "annotation": "synthetic_annotation.tsv.gz",
             "readme": "SYNTHETIC_README.txt"}  # fmt: skip
    paths = {kind: out_dir / name for kind, name in names.items()}
    gz = {"method": "gzip", "mtime": 0, "compresslevel": 6}  # mtime 0: byte-identical output
    pd.DataFrame(cohort.counts.T, index=list(cohort.gene_ids), columns=list(cohort.sample_ids)
                 ).to_csv(paths["counts"], sep="\t", compression=gz)  # fmt: skip
    pd.DataFrame({"Sample_name": cohort.sample_ids, "Target": [f"{t} (TCGA)" for t in cohort.cancer_type]}
                 ).to_csv(paths["labels"], sep="\t", index=False)  # fmt: skip
    _clinical_table(cohort).to_csv(paths["clinical"], sep="\t", index=False, compression=gz)
    _annotation_table(cohort).to_csv(paths["annotation"], sep="\t", index=False, compression=gz)
    paths["readme"].write_text(_readme_text(cohort), encoding="utf-8")
    logger.info("wrote synthetic cohort files to %s", out_dir)
    return paths


def _clinical_table(cohort: SyntheticCohort) -> pd.DataFrame:
    """One row per patient, TCGA-CDR columns; PFI never later than OS."""
    rng = np.random.default_rng(np.random.SeedSequence([int(cohort.params.get("seed", 0)), 7]))
    patients = cohort.patient_ids
    _, first = np.unique(patients, return_index=True)
    rows = np.sort(first)  # the first sample of each patient (its tumour)
    types = cohort.cancer_type[rows]
    os_time, os_event = cohort.time[rows], cohort.event[rows]
    n = rows.size
    female_p = np.array([1.0 if t in FEMALE_ONLY else 0.0 if t in MALE_ONLY
                         else 0.99 if t == "BRCA" else 0.45 for t in types])  # fmt: skip
    gender = np.where(rng.random(n) < female_p, "FEMALE", "MALE")
    age_mean = np.array([YOUNG_TYPES.get(t, 62.0) for t in types])
    age = np.clip(np.round(rng.normal(age_mean, 11.0)), 15, 90)
    progressed = os_event | (rng.random(n) < 0.25)
    frac = np.where(os_event, rng.uniform(0.2, 1.0, n), rng.uniform(0.2, 0.9, n))
    pfi_time = np.where(progressed, np.maximum(np.floor(os_time * frac), 1.0), os_time)
    return pd.DataFrame({
        "bcr_patient_barcode": patients[rows], "acronym": types, "gender": gender,
        "age_at_initial_pathologic_diagnosis": age.astype(float),
        "OS": os_event.astype(float), "OS.time": os_time.astype(float),
        "PFI": progressed.astype(float), "PFI.time": np.minimum(pfi_time, os_time).astype(float),
    })  # fmt: skip


def _annotation_table(cohort: SyntheticCohort) -> pd.DataFrame:
    """Ensembl-shaped gene table, one row per gene in the cohort's order."""
    return pd.DataFrame({"gene_id": cohort.gene_ids, "gene_name": cohort.symbols,
                         "biotype": cohort.biotype, "chrom": cohort.chrom, "start": cohort.start,
                         "end": cohort.end, "length": cohort.gene_lengths})  # fmt: skip


def _readme_text(cohort: SyntheticCohort) -> str:
    """The SYNTHETIC_README.txt text: provenance, seed and parameters."""
    return (
        "SYNTHETIC DATA — NOT REAL PATIENTS\n"
        "==================================\n\n"
        "These files were generated by genemoe.data.synthetic.make_synthetic_cohort. They\n"
        "imitate TCGA file formats for tests and demos; no value comes from any person.\n"
        f"Barcodes use the project code {SYNTHETIC_PROJECT} and gene ids the range "
        f"{SYNTHETIC_GENE_PREFIX}000000001...\n\n"
        f"seed: {cohort.params.get('seed')}\n"
        f"samples: {cohort.n_samples}  genes: {cohort.n_genes}\n\n"
        "parameters:\n" + json.dumps(cohort.params, indent=2, sort_keys=True) + "\n"
    )
