"""The genes every expression file shares, kept *before* normalising (``genemoe prepare``).

CPM and TPM divide each sample by a total over its file's genes, FPKM-UQ by the upper
quartile of them: the same sample normalised over 19,546 protein-coding genes sits about
1 log2 unit below itself normalised over all 56,537 GDC genes. Files with different gene
sets normalised each over its own genes, then cut to the shared ones, put whole cohorts
(that is, cancer types) on different scales: UVM given as its protein-coding genes beside
a full ACC file moved every UVM sample by -1.0 to -1.25 log2 and ACC by 0, unsaid. So each
file is cut to the shared genes first, counted per file in the record
(``shared_genes`` step, ``dropped.genes``) and, where the normalisation depends on the
gene set, said as a warning.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from genemoe.data.normalise import COUNT_METHODS
from genemoe.data.prep_text import PrepLog
from genemoe.data.read import ExpressionTable
from genemoe.errors import input_error

__all__ = ["LEFT_OUT", "shared_genes_first", "gene_set_warnings"]

log = logging.getLogger("genemoe.data.prepare")  # said as prepare's steps are

LEFT_OUT = "not in every expression file (left out before normalising)"  # dropped.genes reason


def shared_genes_first(tables: list[ExpressionTable], plog: PrepLog) -> tuple[list[ExpressionTable], dict[str, int]]:
    """Each table cut to the genes every table has (in its own order), before normalising;
    ``tables`` is changed in place (a cut copy replaces each file's table, so the uncut
    ones are not all held at once).

    Parameters
    ----------
    tables
        The mapped tables, ``(n_samples_i, n_genes_i)`` each (canonical gene ids).
    plog
        The record: the left-out genes under :data:`LEFT_OUT`, and a ``shared_genes``
        step (per file: genes before, genes left out) when the sets differ.

    Returns
    -------
    tuple
        ``tables``, each ``(n_samples_i, n_shared)`` (unchanged when every set is the
        same), and ``{file path: genes left out}`` (empty when none was).

    Raises
    ------
    InputError
        The files share no gene identifier.
    """
    common = set(tables[0].gene_ids.tolist())
    for t in tables[1:]:
        common &= set(t.gene_ids.tolist())
    if not common:
        raise input_error("the expression files share no gene identifier",
                          path=", ".join(str(t.source_path) for t in tables),
                          fix="use files with the same identifier kind, or pass --annotation to map them")
    if all(len(t.gene_ids) == len(common) for t in tables):
        return tables, {}
    lost, files = {}, []
    for i, t in enumerate(tables):  # in place: each file's uncut copy freed once cut
        keep = np.fromiter((g in common for g in t.gene_ids.tolist()), bool, len(t.gene_ids))
        plog.drop_genes(LEFT_OUT, t.gene_ids[~keep])
        n_out = int((~keep).sum())
        files.append({"file": t.source_path.name, "n_genes": len(keep), "n_left_out": n_out})
        if n_out:
            lost[str(t.source_path)] = n_out
            tables[i] = replace(t, values=t.values[:, keep], gene_ids=t.gene_ids[keep], **{
                k: getattr(t, k)[keep] for k in ("gene_symbols", "gene_biotypes")
                if getattr(t, k) is not None})
    plog.step("shared_genes", n_genes=len(common), left_out="; ".join(
        f"{f['file']} {f['n_left_out']:,} of {f['n_genes']:,}" for f in files if f["n_left_out"]),
        why="left out before normalising: each sample's scale (CPM/TPM library size, "
            "FPKM-UQ's upper quartile) is taken over the same genes in every file",
        files=files)
    return tables, lost


def gene_set_warnings(lost: dict[str, int], methods: dict[str, str], n_shared: int) -> list[str]:
    """One warning per file that lost genes before a normalisation over its genes.

    Parameters
    ----------
    lost
        ``{file path: genes left out}`` (:func:`shared_genes_first`).
    methods
        ``{file path: resolved normalisation}``; ``log2p1`` and ``none`` work gene by
        gene (the cut changes no value) and are not warned of.
    n_shared
        The genes every file shares.

    Returns
    -------
    list of str
        The warnings, each also logged.
    """
    said = []
    for path, n in lost.items():
        method = methods.get(path)
        if method not in COUNT_METHODS:
            continue
        said.append(f"{Path(path).name}: {n:,} of its {n + n_shared:,} genes are not in every expression "
                    f"file and were left out before normalising, so every sample's {method} "
                    f"scale is taken over the same {n_shared:,} genes (each file over its own "
                    "genes put whole cohorts on different scales); its values differ from "
                    "this file prepared alone")
        log.warning("%s", said[-1])
    return said
