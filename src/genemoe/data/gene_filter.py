"""prepare's gene filter: the genes a bundle keeps, the paper's variance/mean masks, its
``var`` table.

The bundle keeps every gene non-zero in some sample (protein-coding only with
``--protein-coding-only``): a label- and split-free rule, so each fold's gene filter can
choose among all of them. The paper's filter (drop genes empty, or with variance <
``min_variance`` and mean < ``min_mean``) is fitted on the training split as the default
mask (``var["keep"]``) and on each fold's training part (``keep_fold<i>``). Every gene
dropped is recorded by id and reason (:class:`~genemoe.data.prep_text.PrepLog`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data import annotation as ann
from genemoe.data.prep_text import PrepLog
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.read import has_own_biotypes
from genemoe.data.scaling import column_moments
from genemoe.errors import input_error

__all__ = ["ZERO_REASON", "check_biotypes_at_hand", "filter_genes", "fit_gene_filter", "gene_rule",
           "protein_coding", "var_table"]

ZERO_REASON = "zero in every sample"  # the record's reason for a gene the bundle's rule drops


def fit_gene_filter(X_train: np.ndarray, *, min_variance: float = 0.4, min_mean: float = 0.8
                    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The paper's gene filter, fitted on training rows ``X_train`` ``(n_train, n_genes)``.

    Drops empty genes (zero in every training sample), then genes whose variance is below
    ``min_variance`` *and* whose mean is below ``min_mean`` (log scale).

    Returns
    -------
    tuple
        ``(n_genes,)`` bool keep mask, and the dropped genes' boolean masks by reason.
    """
    m = column_moments(X_train)  # a block of genes at a time (a float64 copy of every row)
    empty = ~m["nonzero"]
    low = (m["var"] < min_variance) & (m["mean"] < min_mean) & ~empty
    return ~(empty | low), {"empty in training split": empty,
                            f"variance < {min_variance} and mean < {min_mean} (training split)": low}


def gene_rule(cfg: PrepareConfig) -> str:
    """The label-free rule that decides which genes a bundle keeps (recorded)."""
    return ("non-zero in at least one sample of the bundle"
            + (", protein-coding" if cfg.protein_coding_only else ""))


def check_biotypes_at_hand(paths: list[Path], annotation: ann.GeneAnnotation | None) -> None:
    """Refuse ``--protein-coding-only`` when neither the annotation (a probeMap has no
    biotypes) nor any expression file's own ``gene_type``/``biotype`` column gives them."""
    if (annotation is not None and annotation.has_biotype) or any(map(has_own_biotypes, paths)):
        return
    said = "no --annotation" if annotation is None else "the annotation has no biotype column"
    raise input_error(f"--protein-coding-only needs gene biotypes: {said}, and no expression "
                      "file has its own gene_type/biotype column (their headers read)",
                      path=None if annotation is None else annotation.source_path,
                      where="--annotation" if annotation is None else "line 1 (the header)",
                      fix="pass --annotation with a biotype column (ensembl105_genes.tsv.gz: "
                          "gene_id, gene_name, biotype, ...; a Xena probeMap has none), or drop "
                          "--protein-coding-only")


def protein_coding(gene_ids: np.ndarray, annotation: ann.GeneAnnotation | None,
                    biotypes: dict[str, str | None], plog: PrepLog) -> np.ndarray:
    """``(n_genes,)`` bool: protein-coding by the annotation's biotypes, else by the
    expression files' own biotype column (GDC's ``gene_type``; its source recorded, genes
    without one counted)."""
    if annotation is not None and (annotation.has_biotype or not biotypes):
        return ann.protein_coding_mask(gene_ids, annotation)  # refuses one without biotypes
    if not biotypes:
        raise input_error("--protein-coding-only needs gene biotypes: no --annotation, and the "
                          "expression file has no gene_type/biotype column", where="--annotation",
                          fix="pass --annotation with a biotype column (ensembl105_genes.tsv.gz), or "
                              "a matrix with its own gene_type column")
    types = pd.Series([biotypes.get(str(g)) for g in gene_ids], dtype=object)
    plog.step("biotypes", source="the expression file's gene_type/biotype column",
              n_protein_coding=int((types == "protein_coding").sum()), n_without=int(types.isna().sum()))
    return (types == "protein_coding").to_numpy()  # one without a biotype: not protein-coding


def filter_genes(X: np.ndarray, obs: pd.DataFrame, folds: np.ndarray | None, gene_ids: np.ndarray,
                 annotation: ann.GeneAnnotation | None, cfg: PrepareConfig, plog: PrepLog,
                 biotypes: dict[str, str | None]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Genes the bundle keeps, and the gene-filter masks over them.

    The bundle keeps every gene that passes a label-free, split-free rule (non-zero in some
    sample; protein-coding with ``--protein-coding-only``, by :func:`protein_coding`), so a later fold's filter can
    choose among all of them. The paper's variance/mean filter is fitted on the training
    split (``keep``, the default mask) and on each fold's training part (``keep_fold<i>``).

    Returns
    -------
    tuple
        ``(n_genes,)`` bool: genes the bundle keeps; ``{mask name: (n_kept,) bool}``.
    """
    bundle_keep = (X != 0).any(0)
    plog.drop_genes(ZERO_REASON, gene_ids[~bundle_keep])
    if cfg.protein_coding_only:
        pc = protein_coding(gene_ids, annotation, biotypes, plog)
        plog.drop_genes("not protein-coding", gene_ids[bundle_keep & ~pc])
        bundle_keep &= pc
    train = obs["split"].to_numpy() == "train"
    keep, reasons = fit_gene_filter(X[train], min_variance=cfg.min_variance, min_mean=cfg.min_mean)
    masks = {"keep": keep[bundle_keep]}  # per-gene filters: fitting then subsetting is exact
    reasons = {k: v[bundle_keep] for k, v in reasons.items()}
    if folds is not None:  # each fold's filter sees only that fold's training part
        for i in range(int(folds.max()) + 1):
            m, _ = fit_gene_filter(X[folds != i], min_variance=cfg.min_variance,
                                   min_mean=cfg.min_mean)
            masks[f"keep_fold{i}"] = m[bundle_keep]
    if not masks["keep"].any():  # written with exit 0: train then failed or scored 0.010
        raise input_error(f"the gene filter keeps no gene of the {int(bundle_keep.sum()):,} on "
                          f"the training split (variance >= {cfg.min_variance:g} or mean >= "
                          f"{cfg.min_mean:g})", where="--min-variance / --min-mean",
                          fix="lower --min-variance and --min-mean (defaults 0.4 and 0.8, made "
                              "for log2 FPKM-UQ)")
    plog.genes = {
        "rule": gene_rule(cfg), "n_in_bundle": int(bundle_keep.sum()),
        "n_default_mask": int(masks["keep"].sum()),
        "default_mask": f"fitted on the training split: drop genes empty there, or with "
                        f"variance < {cfg.min_variance} and mean < {cfg.min_mean}",
        **({"n_fold_masks": [int(masks[f"keep_fold{i}"].sum()) for i in range(len(masks) - 1)]}
           if folds is not None else {}),
    }
    plog.step("gene_filter", **plog.genes, protein_coding_only=cfg.protein_coding_only,
              outside_default_mask={k: int(v.sum()) for k, v in reasons.items()})
    return bundle_keep, masks


def var_table(X: np.ndarray, obs: pd.DataFrame, gene_ids: np.ndarray, symbols: dict, biotypes: dict,
               annotation: ann.GeneAnnotation | None, masks: dict[str, np.ndarray]) -> pd.DataFrame:
    var = ann.gene_table(gene_ids, annotation, symbols=[symbols.get(g) for g in gene_ids],
                         biotypes=[biotypes.get(g) for g in gene_ids])
    m = column_moments(X, rows=obs["split"].to_numpy() == "train")
    var["train_mean"], var["train_std"] = m["mean"], np.sqrt(m["var"])
    var["train_min"], var["train_max"] = m["min"], m["max"]
    var = pd.concat([var, pd.DataFrame(masks, index=var.index)], axis=1)  # one block per call:
    return var.reset_index(drop=True)  # a column per fold warned "highly fragmented" each


