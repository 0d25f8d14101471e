"""Every gene ``prepare`` dropped, by id and reason: a bundle's ``dropped_genes.tsv.gz``.

The record counts the genes dropped per reason (``dropped.genes``) and names ten of each
(``dropped_gene_examples``); this file names all of them, so a later step can tell which
genes a bundle lacks and why (``explain`` fills the model's genes it dropped as zero in
every sample). Columns: ``gene_id`` (as the step that dropped it saw it: the file's id
before mapping, the canonical id after), ``reason`` (the record's words). A gene dropped
for two reasons (its rows in two files) has a row for each. Genes a ``--quant-dir`` join
lost before prepare read the matrix are counted, not named (``reasons_not_listed``).

The record's ``dropped_genes_file`` names the file with its sha256 (so the bundle's
fingerprint, the record's sha256, covers it); reading checks it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from genemoe.errors import input_error

__all__ = ["DROPPED_GENES_FILE", "dropped_gene_table", "dropped_genes_entry", "empty_dropped_genes",
           "encode_dropped_genes",
           "read_dropped_genes"]

DROPPED_GENES_FILE = "dropped_genes.tsv.gz"
COLUMNS = ("gene_id", "reason")


def dropped_gene_table(gene_ids: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """``(n_rows, 2)`` gene_id, reason: the ids of each reason, sorted, reasons in order."""
    rows = [(str(g), str(why)) for why, ids in gene_ids.items() for g in sorted(map(str, ids))]
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)


def encode_dropped_genes(table: pd.DataFrame) -> bytes:
    """The file's bytes: tab-separated, gzip with no timestamp (the same genes, the same
    bytes and sha256)."""
    text = table.loc[:, list(COLUMNS)].to_csv(sep="\t", index=False, lineterminator="\n")
    return gzip.compress(text.encode(), mtime=0)


def dropped_genes_entry(data: bytes, table: pd.DataFrame, counts: Mapping[str, int]) -> dict[str, Any]:
    """The record's ``dropped_genes_file``: the file, its sha256, rows per reason, and the
    recorded reasons it does not list (``counts``: the record's ``dropped.genes``)."""
    listed = table["reason"].value_counts()
    return {"file": DROPPED_GENES_FILE, "columns": list(COLUMNS), "n_rows": int(len(table)),
            "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "text": "every gene prepare dropped, by id and reason (dropped_gene_examples: ten "
                    "of each)",
            "reasons_not_listed": {str(k): int(n) for k, n in counts.items()
                                   if n and k not in listed.index}}


def read_dropped_genes(bundle_path: Path, entry: Mapping[str, Any]) -> pd.DataFrame:
    """The file ``entry`` (the record's ``dropped_genes_file``) names in ``bundle_path``.

    Raises
    ------
    InputError
        The file is missing, or not the one the record names (sha256), or unreadable.
    """
    path = Path(bundle_path) / str(entry.get("file") or DROPPED_GENES_FILE)
    fix = "copy the bundle again whole, or re-create it with `genemoe prepare`"
    if not path.is_file():
        raise input_error("missing: the bundle's record names it (every gene prepare dropped)",
                          path=path, fix=fix)
    data = path.read_bytes()
    if entry.get("sha256") and hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise input_error("not the file the bundle's record names (its sha256 differs: changed "
                          "or from another bundle)", path=path, fix=fix)
    try:
        table = pd.read_csv(io.BytesIO(gzip.decompress(data)), sep="\t", dtype=str,
                            keep_default_na=False)
    except (OSError, EOFError, ValueError, pd.errors.ParserError) as exc:
        raise input_error(f"unreadable ({type(exc).__name__})", path=path, fix=fix) from exc
    if list(table.columns) != list(COLUMNS):
        raise input_error(f"columns {list(table.columns)}, not {list(COLUMNS)}", path=path, fix=fix)
    return table


def empty_dropped_genes() -> pd.DataFrame:
    """The table of a bundle without the file (an earlier genemoe's)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
