"""A large synthetic bundle written in chunks, never held in memory (streaming benchmarks).

:func:`write_synthetic_corpus` writes a bundle (``genemoe.data.bundle`` format) of
``n_samples × n_genes`` log-scale expression, e.g. the TCGA-size 100,000 × 20,000 (8 GB of
float32) that pre-training streams, chunk by chunk: ``X.npy`` is written as a header then
row blocks (``ndarray.tofile``), and the training split's per-gene statistics are
accumulated over the blocks, so the writer's memory is a few chunks whatever ``n_samples``.

It is for measuring speed and memory, not biology. Per sample *i* of type *t* and gene *g*::

    x[i, g] = max(0, baseline[g] + markers[t, g] + (Z @ W.T)[i, g] + noise[i, g])

with 8 latent factors ``Z``, about 2 % marker genes per type and Gaussian noise; the names
are synthetic as in :mod:`genemoe.data.synthetic` (project ``SYNT``, genes ``ENSG99…``) and
the record says ``synthetic: true``. The splits are seeded (``val_fraction``,
``test_fraction``); there is no survival data.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.bundle import atomic_dir, dump_json, summarise
from genemoe.data.synthetic import SYNTHETIC_GENE_PREFIX, SYNTHETIC_PROJECT, TCGA_PRIMARY_COUNTS
from genemoe.errors import input_error

__all__ = ["write_synthetic_corpus"]

logger = logging.getLogger(__name__)

N_FACTORS = 8  # latent factors shared by all samples


def _obs(n_samples: int, n_types: int, rng: np.random.Generator, val_fraction: float,
         test_fraction: float) -> pd.DataFrame:
    """One row per sample: ids, cancer type (TCGA proportions), seeded split."""
    types = list(TCGA_PRIMARY_COUNTS)[:n_types]
    p = np.array([TCGA_PRIMARY_COUNTS[t] for t in types], dtype=float)
    type_idx = rng.choice(n_types, size=n_samples, p=p / p.sum())
    u = rng.random(n_samples)
    split = np.where(u < test_fraction, "test", np.where(u < test_fraction + val_fraction,
                                                         "val", "train"))
    patients = [f"{SYNTHETIC_PROJECT}-ZZ-{np.base_repr(i + 1, 36).zfill(4)}" for i in range(n_samples)]
    return pd.DataFrame({
        "sample_id": [f"{p_}-01A-11R-S{t + 1:03d}-07" for p_, t in zip(patients, type_idx, strict=True)],
        "patient_id": patients, "cancer_type": np.asarray(types, dtype=object)[type_idx],
        "sample_type": "01", "time": np.nan, "event": False, "has_survival": False,
        "split": split})


def _design(n_genes: int, n_types: int, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-gene baseline ``(n_genes,)``, type markers ``(n_types, n_genes)``, loadings
    ``(n_genes, N_FACTORS)``, float32."""
    baseline = np.clip(rng.gamma(2.0, 1.6, n_genes), 0, 14).astype(np.float32)
    markers = np.zeros((n_types, n_genes), np.float32)
    n_mark = max(1, n_genes // 50)
    for t in range(n_types):
        markers[t, rng.choice(n_genes, n_mark, replace=False)] = rng.uniform(2, 5, n_mark)
    loadings = (0.4 * rng.standard_normal((n_genes, N_FACTORS))).astype(np.float32)
    return baseline, markers, loadings


def write_synthetic_corpus(out_path: Path | str, *, n_samples: int, n_genes: int,
                           n_types: int = 33, seed: int = 0, val_fraction: float = 0.1,
                           test_fraction: float = 0.1, chunk_rows: int = 512) -> Path:
    """Write a synthetic bundle of ``n_samples × n_genes`` in chunks; returns its path.

    Parameters
    ----------
    out_path
        The bundle directory (written atomically: a temporary sibling renamed at the end).
    n_samples, n_genes, n_types
        Matrix size ``(n_samples, n_genes)`` float32 (``4 × n_samples × n_genes`` bytes on
        disk) and number of cancer types (the first ``n_types`` TCGA types, TCGA shares).
    seed
        Everything is a function of the seed (and of ``chunk_rows``).
    val_fraction, test_fraction
        Expected shares of the validation and test splits (seeded per sample).
    chunk_rows
        Rows generated and written at a time (memory ≈ 3 × ``chunk_rows × n_genes × 4`` bytes).

    Returns
    -------
    Path
        ``out_path``; :func:`~genemoe.data.bundle.load_bundle` reads it.
    """
    if n_samples < 3 or n_genes < 2 or not 1 <= n_types <= len(TCGA_PRIMARY_COUNTS):
        raise input_error(f"a corpus of {n_samples} samples × {n_genes} genes, {n_types} types",
                          where="write_synthetic_corpus", fix="use n_samples >= 3, n_genes >= 2, "
                          f"1 <= n_types <= {len(TCGA_PRIMARY_COUNTS)}")
    if not (0 <= val_fraction and 0 <= test_fraction and val_fraction + test_fraction < 1):
        raise input_error("val_fraction + test_fraction must be in [0, 1)",
                          where="write_synthetic_corpus", fix="e.g. 0.1 and 0.1")
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    obs = _obs(n_samples, n_types, rng, val_fraction, test_fraction)
    baseline, markers, loadings = _design(n_genes, n_types, rng)
    type_idx = pd.Categorical(obs["cancer_type"], categories=list(TCGA_PRIMARY_COUNTS)[:n_types]).codes
    is_train = (obs["split"] == "train").to_numpy()
    acc = {"sum": np.zeros(n_genes), "sq": np.zeros(n_genes),
           "min": np.full(n_genes, np.inf), "max": np.full(n_genes, -np.inf)}
    out_path = Path(out_path)
    with atomic_dir(out_path) as tmp:
        with (tmp / "X.npy").open("wb") as fh:
            np.lib.format.write_array_header_1_0(
                fh, {"descr": np.dtype(np.float32).str, "fortran_order": False,
                     "shape": (n_samples, n_genes)})
            for start in range(0, n_samples, chunk_rows):
                stop = min(n_samples, start + chunk_rows)
                crng = np.random.default_rng([seed, start])
                z = crng.standard_normal((stop - start, N_FACTORS), dtype=np.float32)
                x = crng.standard_normal((stop - start, n_genes), dtype=np.float32)
                x *= 0.5
                x += baseline
                x += markers[type_idx[start:stop]]
                x += z @ loadings.T
                np.maximum(x, 0, out=x)
                x.tofile(fh)
                _accumulate(acc, x[is_train[start:stop]])
        var = _var(n_genes, acc, int(is_train.sum()))
        _write_tables(tmp, obs, var, seed, n_types)
    logger.info("synthetic corpus %s: %d x %d written in %.1f s", out_path, n_samples, n_genes,
                time.perf_counter() - t0)
    return out_path


def _accumulate(acc: dict[str, np.ndarray], x: np.ndarray) -> None:
    if len(x):
        acc["sum"] += x.sum(0, dtype=np.float64)
        acc["sq"] += np.square(x, dtype=np.float64).sum(0)
        np.minimum(acc["min"], x.min(0), out=acc["min"])
        np.maximum(acc["max"], x.max(0), out=acc["max"])


def _var(n_genes: int, acc: dict[str, np.ndarray], n_train: int) -> pd.DataFrame:
    """Per-gene table with the training split's statistics (every gene kept)."""
    n = max(1, n_train)
    mean = acc["sum"] / n
    std = np.sqrt(np.maximum(acc["sq"] / n - mean**2, 0.0))
    return pd.DataFrame({
        "gene_id": [f"{SYNTHETIC_GENE_PREFIX}{i + 1:09d}" for i in range(n_genes)],
        "symbol": [f"SYN{i + 1}" for i in range(n_genes)], "chrom": None, "start": np.nan,
        "length": np.nan, "train_mean": mean.astype(np.float32), "train_std": std.astype(np.float32),
        "train_min": acc["min"].astype(np.float32), "train_max": acc["max"].astype(np.float32),
        "keep": True})


def _write_tables(d: Path, obs: pd.DataFrame, var: pd.DataFrame, seed: int, n_types: int) -> None:
    record = {"format_version": 1, "synthetic": True, "normalisation": "synthetic log2-like",
              "source": "genemoe.data.synthetic_corpus.write_synthetic_corpus",
              "params": {"seed": seed, "n_types": n_types, "n_factors": N_FACTORS},
              "genes": {"rule": "all synthetic genes"}, "dropped": {}, "warnings": []}
    obs.to_parquet(d / "obs.parquet", index=False)
    var.to_parquet(d / "var.parquet", index=False)
    (d / "record.json").write_text(json.dumps(record, indent=2))
    (d / "summary.json").write_text(dump_json(summarise(obs, var, record)))
