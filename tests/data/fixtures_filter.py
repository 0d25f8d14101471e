"""Reusable bundles for gene-filter tests (import: ``from data.fixtures_filter import ...``).

:func:`bundle_with_fold_only_gene` prepares a small k-fold bundle holding a gene that fails
the gene filter fitted on the bundle's training split (so the default mask leaves it out)
but passes the filter fitted on one fold's training part: a benchmark that refits the
filter per fold must use it in that fold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.bundle import Bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset

FOLD_ONLY_GENE = "GENE_FOLD_ONLY"


@dataclass(frozen=True)
class FoldOnlyGene:
    """The bundle, the gene (its id and column) and the fold whose filter keeps it."""

    bundle: Bundle
    gene_id: str
    column: int
    fold: int


def write_log_inputs(d: Path, X: np.ndarray, genes: list[str], samples: list[str],
                     labels: list[str]) -> tuple[Path, Path]:
    """``d/expression.tsv`` (genes × samples, log scale) and ``d/labels.tsv`` of ``X``
    ``(n_samples, n_genes)``."""
    d.mkdir(parents=True, exist_ok=True)
    expr, lab = d / "expression.tsv", d / "labels.tsv"
    pd.DataFrame(X.T, index=pd.Index(genes, name="gene_id"), columns=samples).to_csv(expr, sep="\t")
    pd.DataFrame({"sample_id": samples, "cancer_type": labels}).to_csv(lab, sep="\t", index=False)
    return expr, lab


def bundle_with_fold_only_gene(out_dir: Path, *, n_samples: int = 90, n_genes: int = 30,
                               n_folds: int = 3, fold: int = 0, seed: int = 0) -> FoldOnlyGene:
    """A k-fold bundle (log-scale, TCGA barcodes, 3 types) with one fold-only gene.

    The gene is 0 in every training-split sample (it fails the training split's filter:
    ``var["keep"]`` False) and 8.0 in the validation/test samples outside fold ``fold``, so
    the filter fitted on fold ``fold``'s training part keeps it (``keep_fold<fold>`` True).
    Prepared twice: the first pass only reads the split and folds (they depend on labels
    and patients, not on expression).

    The benchmark's ``plan_folds(bundle, "classify", n_folds=n_folds, seed=seed)`` deals the
    same folds (same keys, seed and singleton patients), and the filter refitted on each of
    its fold training parts (validation carved out) keeps the gene: checked for the defaults.
    """
    rng = np.random.default_rng(seed)
    samples = [f"TCGA-AA-{i:04d}-01A" for i in range(n_samples)]
    labels = [("BRCA", "LUAD", "KIRC")[i % 3] for i in range(n_samples)]
    genes = [f"GENE{j:03d}" for j in range(n_genes)] + [FOLD_ONLY_GENE]
    X = np.column_stack([rng.normal(5.0, 1.0, (n_samples, n_genes)).clip(0.1),
                         np.zeros(n_samples)])
    cfg = PrepareConfig(n_folds=n_folds, seed=seed, normalisation="none")
    expr, lab = write_log_inputs(out_dir / "in1", X, genes, samples, labels)
    first = prepare_dataset([expr], out_path=out_dir / "pass1", label_paths=[lab], config=cfg)
    split = dict(zip(first.sample_ids, first.obs["split"], strict=True))
    folds = dict(zip(first.sample_ids, first.folds, strict=True))
    outside = np.array([split[s] != "train" and folds[s] != fold for s in samples])
    X[outside, -1] = 8.0
    expr, lab = write_log_inputs(out_dir / "in2", X, genes, samples, labels)
    bundle = prepare_dataset([expr], out_path=out_dir / "bundle", label_paths=[lab], config=cfg)
    assert (bundle.obs["split"].to_numpy() == first.obs["split"].to_numpy()).all()
    column = int(np.flatnonzero(bundle.gene_ids == FOLD_ONLY_GENE)[0])
    return FoldOnlyGene(bundle=bundle, gene_id=FOLD_ONLY_GENE, column=column, fold=fold)
