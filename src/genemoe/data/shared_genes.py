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
from typing import Any

import numpy as np

from genemoe.data.normalise import COUNT_METHODS
from genemoe.data.prep_text import PrepLog
from genemoe.data.read import ExpressionTable
from genemoe.errors import InputError, input_error

__all__ = ["FEW_SHARED", "LEFT_OUT", "no_gene_left", "shared_genes_first", "gene_set_warnings", "smallest_files"]

log = logging.getLogger("genemoe.data.prepare")  # said as prepare's steps are

LEFT_OUT = "not in every expression file (left out before normalising)"  # dropped.genes reason
FEW_SHARED = 0.5
"""Shared genes under this share of some file's genes are warned of strongly."""


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
        step when the sets differ: per file its genes and those left out (numbers; the
        line is :func:`genemoe.data.prep_text.step_line`'s), and ``limited_by``, the
        smallest file(s).

    Returns
    -------
    tuple
        ``tables``, each ``(n_samples_i, n_shared)`` (unchanged when every set is the
        same), and ``{file path: genes left out}`` of every file (0: all its genes are
        shared; empty when every set is the same).

    Raises
    ------
    InputError
        A file has no gene left (all its rows dropped: :func:`no_gene_left`), or the files
        share no gene identifier.
    """
    if empty := [t for t in tables if not len(t.gene_ids)]:
        raise no_gene_left(empty[0], plog)
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
        lost[str(t.source_path)] = n_out
        if n_out:
            tables[i] = replace(t, values=t.values[:, keep], gene_ids=t.gene_ids[keep], **{
                k: getattr(t, k)[keep] for k in ("gene_symbols", "gene_biotypes")
                if getattr(t, k) is not None})
    plog.step("shared_genes", n_genes=len(common), files=files,
              limited_by=[f["file"] for f in smallest_files(files)],
              why="left out before normalising: each sample's scale (CPM/TPM library size, "
                  "FPKM-UQ's upper quartile) is taken over the same genes in every file")
    return tables, lost


def no_gene_left(table: ExpressionTable, plog: PrepLog) -> InputError:
    """The error for a file none of whose genes is left after reading and mapping (only
    GENCODE ``_PAR_Y`` rows, say): the genes dropped by reason, and the fix. One such file
    was refused as "the expression files share no gene identifier", which a single file
    cannot be, and which named no reason."""
    dropped = "; ".join(f"{reason}: {n:,}" for reason, n in plog.dropped_genes.items())
    said = f" (dropped: {dropped})" if dropped else ""
    return input_error(f"no gene is left to prepare: every gene row read was dropped{said}",
                       path=table.source_path, where="gene identifier column",
                       fix="give the genes as rows (or columns) of Ensembl ids, Entrez ids or "
                           "symbols; with --annotation, one of their id kind (_PAR_Y rows "
                           "are copies of X-chromosome genes)")


def smallest_files(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files of the fewest genes, which limit the shared set (a file whose genes are
    all shared is the set itself).

    Parameters
    ----------
    files
        The ``shared_genes`` step's entries: ``file``, ``n_genes``, ``n_left_out``.

    Returns
    -------
    list of dict
        Those entries, in the files' order.
    """
    fewest = min(f["n_genes"] for f in files)
    return [f for f in files if f["n_genes"] == fewest]


def gene_set_warnings(lost: dict[str, int], methods: dict[str, str], n_shared: int) -> list[str]:
    """One warning per file that lost genes before a normalisation over its genes, naming
    the smallest file(s), which limit the set; and, under any normalisation, a stronger one
    when the shared genes are under :data:`FEW_SHARED` of some file's (a UVM file cut to 300
    genes beside ACC's 56,537 left a bundle of 296 genes, said as gently as 1%, and the
    300-gene file was never named).

    Parameters
    ----------
    lost
        ``{file path: genes left out}`` of every file, 0 for those whose genes are all
        shared (:func:`shared_genes_first`); ``{}`` when the sets are the same.
    methods
        ``{file path: resolved normalisation}``; ``log2p1`` and ``none`` work gene by
        gene (the cut changes no value) and are not warned of file by file.
    n_shared
        The genes every file shares.

    Returns
    -------
    list of str
        The warnings, each also logged.
    """
    if not lost:
        return []
    files = [{"file": Path(p).name, "n_genes": n + n_shared, "n_left_out": n} for p, n in lost.items()]
    small = smallest_files(files)
    limit = (f"the smallest {'is' if len(small) == 1 else 'are'} " + " and ".join(
        f"{f['file']} with {f['n_genes']:,} genes" for f in small))
    said = []
    for path, n in lost.items():
        method = methods.get(path)
        if not n or method not in COUNT_METHODS:
            continue
        said.append(f"{Path(path).name}: {n:,} of its {n + n_shared:,} genes are not in every "
                    f"expression file ({limit}) and were left out before normalising, "
                    f"{_share(n_shared, n + n_shared)} of its genes kept: every sample's {method} "
                    f"scale is taken over the same {n_shared:,} genes (each file over its own "
                    "genes put whole cohorts on different scales); its values differ from this "
                    "file prepared alone")
    most = max(files, key=lambda f: f["n_genes"])
    if n_shared < FEW_SHARED * most["n_genes"]:
        one = len(small) == 1
        said.append(f"only {n_shared:,} genes are in every expression file, "
                    f"{_share(n_shared, most['n_genes'])} of {most['file']}'s "
                    f"{most['n_genes']:,}: the bundle holds at most these. The set is limited by "
                    + " and ".join(f"{f['file']} ({f['n_genes']:,} genes)" for f in small)
                    + f"; check that {'it is' if one else 'they are'} complete (not cut to a "
                    f"gene panel), or leave {'it' if one else 'them'} out of this bundle")
    for w in said:
        log.warning("%s", w)
    return said


def _share(part: int, whole: int) -> str:
    """``296`` of ``56,537`` → ``'0.5%'`` (never a rounded 0.0% or 100.0% of a part)."""
    pct = 100 * part / whole
    if part == whole:
        return "100%"
    return "<0.1%" if pct < 0.05 else ">99.9%" if pct >= 99.95 else f"{pct:.1f}%"
