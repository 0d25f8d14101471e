"""Gene rows of one expression file that map to one gene under ids that differ only by
the Ensembl version (``ENSG….5`` and ``ENSG….6``) or only in case (``KRT33A`` and
``krt33a``): refused naming both rows, as a repeated exact id is (``prepare``'s and
``predict``'s gene mapping, :func:`genemoe.data.prepare.map_table_genes`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.data.ids import strip_version
from genemoe.data.read import ExpressionTable
from genemoe.errors import input_error

__all__ = ["refuse_case_repeats", "refuse_version_repeats"]


def refuse_version_repeats(table: ExpressionTable, ids: np.ndarray, repeated: np.ndarray) -> None:
    """Refuse genes whose file ids differ only by the Ensembl version (``ENSG….5`` and
    ``ENSG….6``, or one unversioned): which row is the gene is the user's call, as for a
    repeated exact id. Ids differing only in case: :func:`refuse_case_repeats`; other many-to-one
    mappings (a symbol and its Ensembl id) keep the first.

    Parameters
    ----------
    table
        The table as read (``gene_ids`` as in the file).
    ids
        ``(n_genes,)`` canonical ids (None: unmapped).
    repeated
        ``(n_genes,)`` bool: mapped ids that occur more than once.
    """
    at = np.flatnonzero(repeated)
    own = [i for i in at if str(strip_version([table.gene_ids[i]])[0]) == str(ids[i])]
    groups = pd.Series([str(table.gene_ids[i]) for i in own], dtype=object).groupby(
        [str(ids[i]) for i in own], sort=False).agg(list)
    groups = groups[groups.map(len) > 1]
    if groups.empty:
        return
    first = groups.iloc[0]
    shown = ", ".join(map(repr, first[:-1])) + f" and {first[-1]!r}"
    raise input_error(
        f"{len(groups):,} gene(s) appear under more than one version of their Ensembl id; "
        f"the first: {groups.index[0]!r}",
        path=table.source_path, where=f"gene identifier column, rows {shown}",
        fix="keep one row of each such gene (the version your annotation or model uses), or sum "
            "them if they are parts of one gene, and read the file again")


def refuse_case_repeats(table: ExpressionTable, ids: np.ndarray, repeated: np.ndarray) -> None:
    """Refuse genes named twice in ids that differ only in case (``KRT33A`` and ``krt33a``),
    both mapped to one gene: which row is the gene is the user's call, as for a repeated
    exact id (the second row was dropped as a "duplicate after id mapping").

    Parameters
    ----------
    table
        The table as read (``gene_ids`` as in the file).
    ids
        ``(n_genes,)`` canonical ids (None: unmapped).
    repeated
        ``(n_genes,)`` bool: mapped ids that occur more than once.
    """
    at = np.flatnonzero(repeated)
    given = pd.Series([str(table.gene_ids[i]) for i in at], dtype=object)
    key = pd.Series([f"{ids[i]}\t{str(table.gene_ids[i]).upper()}" for i in at], dtype=object)
    groups = given.groupby(key.to_numpy(), sort=False).agg(list)
    groups = groups[groups.map(lambda g: len(set(g)) > 1)]
    if groups.empty:
        return
    first = groups.iloc[0]
    shown = ", ".join(map(repr, first[:-1])) + f" and {first[-1]!r}"
    gene = groups.index[0].split("\t")[0]
    raise input_error(
        f"{len(groups):,} gene(s) appear in rows whose ids differ only in case, "
        f"the first {gene}",
        path=table.source_path, where=f"gene identifier column, rows {shown}",
        fix="keep one row of each such gene (symbols are upper case in human data: a lower-case "
            "one is a typo or another species' spelling), or sum them if they are parts of one "
            "gene, and read the file again")
