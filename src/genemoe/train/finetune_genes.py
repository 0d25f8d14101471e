"""Fine-tuning's genes: the pre-trained encoder's input layer re-indexed onto the model's.

Split out of :mod:`genemoe.train.finetune`. The pre-training's genes the model lacks are
said apart: those absent from the fine-tuning bundle and those its gene filter removed
(one count said "not in this bundle" of both); a bundle sharing no gene is said with
both sides' id kinds (Entrez ids against Ensembl ids, as ``genemoe features`` says it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from genemoe.data.ids import detect_id_kind
from genemoe.errors import input_error

__all__ = ["align_genes", "ids_said", "missing_genes_line"]

_KIND_WORDS = {"ensembl": "Ensembl ids", "ensembl_versioned": "versioned Ensembl ids",
               "entrez": "Entrez ids", "symbol": "gene symbols",
               "firehose": "Firehose SYMBOL|Entrez ids"}


def ids_said(ids: Sequence[str]) -> str:
    """``'Entrez ids, e.g. 7157'``: the kind of ``ids`` (when known) and the first one."""
    ids = [str(i) for i in ids]
    kind = _KIND_WORDS.get(detect_id_kind(ids))
    first = ids[0] if ids else "?"
    return f"{kind}, e.g. {first}" if kind else f"e.g. {first}"


def _missing_counts(src: Sequence[str], dst_set: set[str],
                    bundle_genes: Sequence[str] | None) -> dict[str, int]:
    """``n_genes_absent`` (not in the bundle) and ``n_genes_filtered`` (in it, removed by
    its gene filter) of the pre-training's genes the model lacks; {} without the bundle's
    genes."""
    if bundle_genes is None:
        return {}
    lacking = [g for g in src if g not in dst_set]
    in_bundle = set(map(str, bundle_genes))
    absent = sum(g not in in_bundle for g in lacking)
    return {"n_genes_absent": absent, "n_genes_filtered": len(lacking) - absent}


def _split_said(counts: Mapping[str, int]) -> str:
    if not counts:
        return "absent from the bundle or removed by its gene filter"
    return (f"{counts['n_genes_absent']:,} absent from the bundle, "
            f"{counts['n_genes_filtered']:,} removed by its gene filter")


def align_genes(state: dict[str, torch.Tensor], src: Sequence[str], dst: Sequence[str],
                max_missing: float, path: str,
                gene_axis: Sequence[tuple[re.Pattern[str], int]], *,
                bundle_genes: Sequence[str] | None = None) -> dict[str, int]:
    """Re-index the gene axis of the input-layer tensors of ``state`` from ``src`` to ``dst``.

    Parameters
    ----------
    state
        The encoder's tensors (changed in place).
    src, dst
        The pre-training's genes and the model's (the bundle's after its gene filter).
    max_missing
        Largest share of ``src`` that ``dst`` may lack (absent and filtered counted together).
    path
        The run, named in a refusal.
    gene_axis
        (pattern of a state-dict key, the axis that indexes genes) pairs.
    bundle_genes
        Every gene of the fine-tuning bundle (before its gene filter): the lacking genes
        are then counted apart (``n_genes_absent``, ``n_genes_filtered``).

    Returns
    -------
    dict
        ``n_genes_pretrained``, ``n_genes_shared``, ``n_genes_new``, ``n_genes_missing``
        (and the two counts apart, with ``bundle_genes``).
    """
    pos = {g: i for i, g in enumerate(src)}
    dst_idx = np.array([pos.get(g, -1) for g in dst])
    n_shared = int((dst_idx >= 0).sum())
    n_missing = len(src) - n_shared  # pre-trained genes the fine-tuning data lacks
    counts = _missing_counts(src, set(dst), bundle_genes)
    if n_shared == 0:  # ids of another kind, most likely: both said
        raise input_error(
            f"the fine-tuning bundle has none of the {len(src)} genes the encoder was "
            f"pre-trained on (the run's: {ids_said(src)}; the bundle's: "
            f"{ids_said(bundle_genes if bundle_genes is not None else dst)})", path=path,
            fix="fine-tune on a bundle prepared with the pre-training's gene ids (the same "
                "--annotation and gene filter), or pre-train on this bundle")
    if n_missing > max_missing * len(src):
        raise input_error(
            f"the fine-tuning bundle has {n_shared} of the {len(src)} genes the encoder was "
            f"pre-trained on ({n_missing} missing: {_split_said(counts)}; at most "
            f"{max_missing:.0%} may be, the two counted together)", path=path,
            fix="fine-tune on a bundle prepared like the pre-training ones (same "
                "--annotation and gene filter), or pre-train on this bundle")
    base = {"n_genes_pretrained": len(src), "n_genes_shared": n_shared}
    if n_shared == len(src) == len(dst) and (dst_idx == np.arange(len(src))).all():
        return base | {"n_genes_new": 0, "n_genes_missing": 0} | counts
    have = torch.from_numpy(np.flatnonzero(dst_idx >= 0))
    take = torch.from_numpy(dst_idx[dst_idx >= 0])
    for key, t in list(state.items()):
        axis = next((a for pat, a in gene_axis if pat.match(key)), None)
        if axis is None:
            continue
        shape = list(t.shape)
        shape[axis] = len(dst)
        out = t.new_zeros(shape)  # genes new to the encoder start with zero weight
        out.index_copy_(axis, have, t.index_select(axis, take))
        state[key] = out
    return base | {"n_genes_new": len(dst) - n_shared, "n_genes_missing": n_missing} | counts


def missing_genes_line(pre: Mapping[str, Any], n_pre: int) -> str | None:
    """The pre-training's genes the model lacks, said apart when counted apart
    (``n_genes_absent``, ``n_genes_filtered``); None without any."""
    missing = int(pre.get("n_genes_missing") or 0)
    if not missing:
        return None
    counts = ({k: int(pre[k]) for k in ("n_genes_absent", "n_genes_filtered")}
              if "n_genes_absent" in pre and "n_genes_filtered" in pre else {})
    return (f"{missing:,} of the pre-training's {n_pre:,} genes are not among the model's: "
            f"{_split_said(counts)}")
