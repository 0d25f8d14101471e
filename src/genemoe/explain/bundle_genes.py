"""The model's genes in a bundle: its columns, and the genes prepare dropped as zero.

``prepare`` keeps a gene only where it is non-zero in some sample of the bundle
(``record["dropped"]["genes"]["zero in every sample"]``). A held-out cohort's bundle (UVM
for a model of ACC) then lacks the model's genes that are zero in every one of its
samples: ``explain`` refused it ("81 of the model's 20,732 genes are not in the bundle;
fix: explain with the bundle the model was trained on", a fix that cannot work), where
``predict`` scores the same samples. Such a gene's value is known: zero on the bundle's
own scale (the filter looks at the bundle's values), so it is filled as zero (then the
model's scaler), counted and said. Genes missing for another reason are still refused.

A bundle names every gene prepare dropped with its reason (``dropped_genes.tsv.gz``,
:meth:`~genemoe.data.bundle.Bundle.dropped_genes`): a model gene is filled exactly where
that file lists it as zero in every sample. A bundle from an earlier genemoe has no such
file: its record names at most ten genes per reason (``dropped_gene_examples``) beside the
counts, so a gene it does not name is taken as dropped as zero only where (1) as many genes
reached the bundle's gene filter as reached the model's bundle's (the same gene set read:
a file lacking genes has fewer, and its absent genes are no recorded drop), and (2) no
other recorded reason can have dropped a gene of the model: a reason that names all its
genes, or one set by the annotation (identifiers, gene lengths) where the bundle was
prepared with the model's annotation (the same sha256), whose checks the model's genes
passed; said as inferred from the record's counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genemoe.data.dropped_genes import DROPPED_GENES_FILE
from genemoe.data.gene_filter import ZERO_REASON
from genemoe.errors import input_error

__all__ = ["INFERRED", "LISTED", "MAX_ZERO_FILLED", "ZERO_REASON", "ModelGenes", "model_genes",
           "other_reasons", "zero_dropped", "zero_filled", "zero_filled_note", "zero_filled_text"]

LISTED = f"listed so in the bundle's {DROPPED_GENES_FILE}"
INFERRED = "inferred from the record's counts (a bundle from an earlier genemoe)"
MAX_ZERO_FILLED = 0.2
"""The largest share of the model's genes filled as zero: predict's ``--max-missing``
default (beyond it the bundle is too unlike the model's data to read the attributions)."""

_ANNOTATION_REASONS = ("identifier not in annotation", "pseudoautosomal Y copy",
                       "no gene length in the annotation")  # set by the annotation alone


@dataclass(frozen=True)
class ModelGenes:
    """Where each of the model's genes is in a bundle.

    ``cols`` ``(n_genes,)``: the bundle's column of each model gene, -1 for a gene filled as
    zero; ``filled``: the ids of those genes, in the model's order; ``source``: how they
    were known (:data:`LISTED`, :data:`INFERRED`).
    """

    cols: np.ndarray
    filled: list[str] = field(default_factory=list)
    source: str = LISTED

    def take(self, X: Any, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), n_genes)`` the bundle's values of ``rows`` on the model's genes,
        zero where filled (the bundle's scale: the value its gene filter dropped)."""
        out = np.zeros((len(rows), len(self.cols)), np.float32)
        have = self.cols >= 0
        out[:, have] = np.asarray(X[rows])[:, self.cols[have]]
        return out

    def note(self, n_genes: int) -> dict[str, Any] | None:
        """convergence.json's ``zero_filled_genes`` (None where none was filled)."""
        return zero_filled_note(self.filled, n_genes, self.source)


def zero_filled_note(filled: Sequence[str], n_genes: int, source: str) -> dict[str, Any] | None:
    """The ``zero_filled_genes`` entry explain and features record (None where none).

    Parameters
    ----------
    filled
        The ids of the model's genes filled as zero, in the model's order.
    n_genes
        How many genes the model has.
    source
        How they were known (:data:`LISTED`, :data:`INFERRED`).
    """
    if not filled:
        return None
    return {"n": len(filled), "of": n_genes, "examples": list(filled[:10]),
            "source": source, "text": zero_filled_text(len(filled), source)}


def zero_filled_text(n: int, source: str = LISTED) -> str:
    """The sentence said in the terminal and recorded (``source``: how the genes were known)."""
    return (f"{n:,} of the model's genes were zero in every sample of this bundle (dropped "
            f"at prepare): filled as zero ({source})")


def _annotation_sha(record: dict[str, Any] | None) -> str | None:
    for item in (record or {}).get("inputs") or ():
        if isinstance(item, dict) and item.get("role") == "annotation":
            return item.get("sha256")
    return None


def _filtered_from(record: dict[str, Any] | None) -> int | None:
    """How many genes reached the record's gene filter (kept, dropped as zero, dropped as
    not protein-coding); None where the record does not say."""
    kept = ((record or {}).get("genes") or {}).get("n_in_bundle")
    if kept is None:
        return None
    dropped = ((record or {}).get("dropped") or {}).get("genes") or {}
    return int(kept) + int(dropped.get(ZERO_REASON, 0)) + int(dropped.get("not protein-coding", 0))


def zero_dropped(record: dict[str, Any], missing: Sequence[str], *,
                 listed: pd.DataFrame | None = None,
                 model_record: dict[str, Any] | None = None,
                 gene_lengths: dict[str, float] | None = None) -> np.ndarray:
    """Which of the model's genes ``missing`` from a bundle it dropped as zero in every
    sample: those ``listed`` so, else (an earlier genemoe's bundle) as its record's counts
    place them.

    Parameters
    ----------
    record
        The bundle's preparation record (``dropped``, ``dropped_gene_examples``, ``inputs``).
    missing
        ``(m,)`` the model's gene ids the bundle lacks.
    listed
        The bundle's ``dropped_genes.tsv.gz`` (``gene_id``, ``reason``); None for a bundle
        without one: then placed by the record (the rest of this docstring).
    model_record, gene_lengths
        The model's bundle's record (its annotation's sha256, the genes that reached its
        gene filter) and the model's gene lengths (a gene with one cannot have been dropped
        for lacking one, same annotation).

    Returns
    -------
    np.ndarray
        ``(m,)`` bool: dropped as zero (listed so; without a list, named so or no other
        recorded reason can hold it).
    """
    if listed is not None:  # exact: every dropped gene is named with its reason
        zero_ids = set(listed.loc[listed["reason"] == ZERO_REASON, "gene_id"].astype(str))
        return np.array([str(g) in zero_ids for g in missing], bool)
    counts = ((record.get("dropped") or {}).get("genes") or {})
    examples = record.get("dropped_gene_examples") or {}
    missing = [str(g) for g in missing]
    if not counts.get(ZERO_REASON):
        return np.zeros(len(missing), bool)
    named = {str(g): why for why, ids in examples.items() for g in ids or ()}
    same_annotation = _annotation_sha(record) is not None and (
        _annotation_sha(record) == _annotation_sha(model_record))
    same_genes_read = _filtered_from(record) is not None and (
        _filtered_from(record) == _filtered_from(model_record))
    open_reasons = [] if same_genes_read else ["genes not read"]  # may hold unnamed model genes
    for why, n in counts.items():
        if why == ZERO_REASON or not n or len(examples.get(why) or ()) >= n:
            continue
        if same_annotation and why.startswith(_ANNOTATION_REASONS):
            continue
        open_reasons.append(why)
    zero = np.array([named.get(g) == ZERO_REASON or (g not in named and not open_reasons
                     and _has_length(g, counts=counts, lengths=gene_lengths))
                     for g in missing], bool)
    if zero.sum() > counts[ZERO_REASON]:  # the record counts fewer: it cannot be all of them
        return np.array([named.get(g) == ZERO_REASON for g in missing], bool)
    return zero


def _has_length(gene: str, *, counts: dict[str, int], lengths: dict[str, float] | None) -> bool:
    """False where the bundle dropped genes for lacking a length and the model has none for
    ``gene`` (then it may be one of them); True otherwise."""
    if not any(w.startswith("no gene length") and n for w, n in counts.items()):
        return True
    return lengths is not None and bool(np.isfinite(lengths.get(gene, np.nan)))


def zero_filled(bundle, gene_ids: Sequence[str], missing: np.ndarray, *,
                gene_lengths: Any = None,
                model_record: dict[str, Any] | None = None) -> tuple[np.ndarray, str]:
    """Which of the model's genes ``missing`` from a bundle it dropped as zero in every
    sample (:func:`zero_dropped`, from its dropped-gene list where it has one).

    Parameters
    ----------
    bundle
        The bundle (``record``, ``dropped_genes()``).
    gene_ids
        ``(n_genes,)`` the model's gene ids.
    missing
        ``(n_genes,)`` bool: the genes the bundle lacks.
    gene_lengths, model_record
        The model's gene lengths ``(n_genes,)`` and its bundle's record (as
        :func:`zero_dropped` reads them); None where it has none.

    Returns
    -------
    tuple[np.ndarray, str]
        ``(n_genes,)`` bool: filled as zero; how they were known (:data:`LISTED`,
        :data:`INFERRED`).
    """
    mask = np.zeros(len(gene_ids), bool)
    if not missing.any():
        return mask, LISTED
    ids = [str(g) for g in gene_ids]
    by_gene = (None if gene_lengths is None else
               dict(zip(ids, np.asarray(gene_lengths, np.float64), strict=False)))
    listed = bundle.dropped_genes() if bundle.record.get("dropped_genes_file") else None
    mask[missing] = zero_dropped(bundle.record, list(np.asarray(ids, object)[missing]),
                                 listed=listed, model_record=model_record, gene_lengths=by_gene)
    return mask, LISTED if listed is not None else INFERRED


def model_genes(bundle, payload: dict[str, Any], *, max_filled: float = MAX_ZERO_FILLED) -> ModelGenes:
    """The bundle's columns of the model's genes (``payload['gene_ids']``), the genes its
    record says were dropped as zero in every sample filled as zero.

    Raises
    ------
    InputError
        Genes missing for another reason (or that the record cannot place), or more than
        ``max_filled`` of the model's genes to fill.
    """
    gene_ids = [str(g) for g in payload["gene_ids"]]
    cols = pd.Index(bundle.gene_ids.astype(str)).get_indexer(gene_ids)
    if (cols >= 0).all():
        return ModelGenes(cols)
    missing = np.asarray(gene_ids, object)[cols < 0]
    filled, source = zero_filled(bundle, gene_ids, cols < 0, gene_lengths=payload.get("gene_lengths"),
                                 model_record=payload.get("record"))
    zero = filled[cols < 0]
    n, total = len(missing), len(gene_ids)
    if not zero.all():
        other = missing[~zero]
        listed = bundle.dropped_genes() if source == LISTED else None  # read again to say why
        said = f"; {int(zero.sum()):,} more were dropped at prepare as zero in every sample" * bool(zero.any())
        raise input_error(
            f"{len(other):,} of the model's {total:,} genes are not in the bundle (e.g. "
            f"{', '.join(other[:5])}), and its record does not say they were zero in every "
            f"sample ({other_reasons(other, listed)}{said})", path=bundle.path, where="--data",
            fix="prepare the bundle again from expression files holding the model's genes "
                "(its record: inputs), or score these samples with genemoe predict (which "
                "fills absent genes with the training mean)")
    if n > max_filled * total:
        raise input_error(
            f"{n:,} of the model's {total:,} genes ({n / total:.0%}) were zero in every sample "
            f"of this bundle (dropped at prepare), above the limit of {max_filled:.0%} filled "
            "as zero: the bundle's samples are too unlike the model's training data to "
            "explain", path=bundle.path, where="--data",
            fix="explain samples of cancer types the model was trained on, or a bundle "
                "prepared together with them (genes zero in one type kept by the others)")
    return ModelGenes(cols, [str(g) for g in missing], source)


def other_reasons(genes: Sequence[str], listed: pd.DataFrame | None) -> str:
    """Why the bundle lacks ``genes`` (not dropped as zero), as its dropped-gene list says:
    counts per reason, and those it does not list (absent from the files read)."""
    if listed is None:
        return "a bundle from an earlier genemoe names ten dropped genes per reason"
    why = listed.loc[listed["gene_id"].isin(set(map(str, genes)))].drop_duplicates("gene_id")
    parts = [f"{n:,} {reason}" for reason, n in why["reason"].value_counts(sort=False).items()]
    if n_absent := len(set(map(str, genes)) - set(why["gene_id"])):
        parts.append(f"{n_absent:,} not dropped at prepare: absent from the files read")
    return f"{DROPPED_GENES_FILE}: " + "; ".join(parts)
