"""Gene annotation and gene identifier mapping.

Two annotation shapes are read, told apart by their header:

* **Ensembl** (``ensembl105_genes.tsv.gz``): ``gene_id, gene_name, biotype, chrom, start,
  end, length`` with ``length`` the exonic length (what TPM/FPKM need);
* **Xena probeMap** (``gencode.v22.annotation.gene.probeMap``): ``id, gene, chrom,
  chromStart, chromEnd, strand`` with versioned IDs and ``chr``-prefixed chromosomes; it
  has no exonic length, so the length is the genomic span (an approximation for TPM/FPKM).

Canonical gene IDs are unversioned Ensembl IDs where they can be had; Entrez IDs (the
PanCanAtlas matrices) stay Entrez IDs, since neither annotation carries Entrez numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from genemoe.data.annotation_checks import check_numeric, unmapped_text
from genemoe.data.ids import IdKind, gene_names
from genemoe.data.textio import _check_path
from genemoe.errors import input_error

__all__ = [
    "ENSEMBL_COLUMNS",
    "PROBEMAP_COLUMNS",
    "PRIMARY_CHROMOSOMES",
    "GeneAnnotation",
    "GeneMapping",
    "gene_table",
    "map_gene_ids",
    "protein_coding_mask",
    "read_annotation",
]

logger = logging.getLogger(__name__)

ENSEMBL_COLUMNS = ("gene_id", "gene_name", "biotype", "chrom", "start", "end", "length")
PROBEMAP_COLUMNS = ("id", "gene", "chrom", "chromStart", "chromEnd", "strand")
PRIMARY_CHROMOSOMES = frozenset([str(i) for i in range(1, 23)] + ["X", "Y", "MT"])
TABLE_COLUMNS = ("symbol", "biotype", "chrom", "start", "end", "length")

# Vectorised forms of the patterns in genemoe.data.ids (RE2 syntax, run by pyarrow).
_ENSEMBL_RE = r"ENS[A-Z]*G[R0-9]\d{5,}(?:\.\d+)?(?:_PAR_Y)?"
_VERSION_RE = r"^(ENS[A-Z0-9]+)\.\d+(_PAR_Y)?$"
_ENTREZ_RE = r"\d{1,9}"
_FIREHOSE_RE = r"[^|\s]*\|\d+"
_SYMBOL_RE = r"[A-Za-z][A-Za-z0-9\-\.@_/]{0,30}"
# Only empty cells are missing: a gene called "NA" (or "NaN") is a gene name.
_NA = {"keep_default_na": False, "na_values": [""]}


def _as_strings(values: Iterable[object]) -> pd.Series:
    """Arrow-backed, stripped strings (missing values become ``""``), shape ``(n,)``.

    Arrow strings make the regular expressions below run in C (pyarrow), which keeps
    mapping 60,000 IDs to about a tenth of a second.
    """
    if not isinstance(values, pd.Series | pd.Index | np.ndarray):
        values = list(values)
    obj = pd.Series(np.asarray(values, dtype=object))
    return obj.astype("string[pyarrow]").fillna("").str.strip()


def _regex_replace(s: pd.Series, pattern: str, repl: str) -> pd.Series:
    """Vectorised regex substitution on an arrow string Series (pyarrow compute)."""
    out = pc.replace_substring_regex(pa.array(s.array), pattern=pattern, replacement=repl)
    return pd.Series(pd.arrays.ArrowStringArray(out), index=s.index)


def _strip_versions(ids: pd.Series) -> pd.Series:
    """``ENSG00000223972.5`` → ``ENSG00000223972``; ``_PAR_Y`` suffixes are kept.

    Takes and returns an arrow string Series (see :func:`_as_strings`).
    """
    return _regex_replace(ids, _VERSION_RE, r"\1\2")


@dataclass
class GeneAnnotation:
    """Gene annotation table.

    Attributes
    ----------
    table
        Indexed by unversioned Ensembl ``gene_id`` (unique); columns ``symbol``,
        ``biotype`` (NA for a probeMap), ``chrom`` (``"1"``..``"22"``, ``"X"``, ``"Y"``,
        ``"MT"`` or a scaffold name), ``start``, ``end`` (1-based, inclusive), ``length``.
    source_path
        The file read.
    length_kind
        ``"exonic"`` (Ensembl) or ``"genomic_span"`` (probeMap: end − start + 1).
    n_duplicates_dropped
        Rows whose gene ID repeated an earlier row's (the first was kept).

    Treat ``table`` as read-only: symbol look-ups are cached on first use.
    """

    table: pd.DataFrame
    source_path: Path | None = None
    length_kind: Literal["exonic", "genomic_span"] = "exonic"
    n_duplicates_dropped: int = 0
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def span_note(self, method: str) -> str | None:
        """The warning for ``method`` computed from a probeMap's span lengths, else None."""
        if self.length_kind != "genomic_span":
            return None
        return (f"{self.source_path}: gene lengths are genomic spans (no exonic lengths in a "
                f"probeMap): {method} computed from them is an approximation")

    def __post_init__(self) -> None:
        missing = [c for c in TABLE_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"annotation table lacks columns {missing} (needs {TABLE_COLUMNS})")
        if not self.table.index.is_unique:
            raise ValueError("annotation table index (gene_id) must be unique")

    def __len__(self) -> int:
        return len(self.table)

    @property
    def has_biotype(self) -> bool:
        """True when the table carries biotypes (Ensembl), False for a probeMap."""
        return bool(self.table["biotype"].notna().any())

    def symbol_index(self, *, case_insensitive: bool = False) -> pd.DataFrame:
        """One row per symbol: the chosen gene ID and how many IDs carry that symbol.

        Several IDs for one symbol are resolved by: biotype ``protein_coding`` first,
        then a primary chromosome (1-22, X, Y, MT) over scaffolds/patches, then the
        smallest gene ID. With ``case_insensitive`` the index is the upper-cased symbol.

        Returns
        -------
        pandas.DataFrame
            Indexed by symbol, columns ``gene_id`` and ``n_ids``.
        """
        key = ("symbols", case_insensitive)
        if key not in self._cache:
            self._cache[key] = _symbol_index(self.table, case_insensitive)
        return self._cache[key]


def _symbol_index(table: pd.DataFrame, case_insensitive: bool) -> pd.DataFrame:
    t = table[table["symbol"].notna()]
    sym = t["symbol"].astype(str)
    df = pd.DataFrame(
        {
            "symbol": (sym.str.upper() if case_insensitive else sym).to_numpy(),
            "not_coding": (t["biotype"] != "protein_coding").to_numpy(),
            "not_primary": ~t["chrom"].isin(PRIMARY_CHROMOSOMES).to_numpy(),
            "gene_id": t.index.to_numpy(),
        }
    )
    df = df.sort_values(["symbol", "not_coding", "not_primary", "gene_id"], kind="stable")
    n_ids = df.groupby("symbol", sort=False).size()
    first = df.drop_duplicates("symbol", keep="first").set_index("symbol")
    return pd.DataFrame({"gene_id": first["gene_id"], "n_ids": n_ids.reindex(first.index)})


def _read_header(path: Path) -> list[str]:
    _check_path(path)
    try:
        return list(pd.read_csv(path, sep="\t", nrows=0).columns)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise input_error(
            f"cannot read a tab-separated header ({exc})",
            path=path,
            fix="give the Ensembl gene table or Xena's gencode probeMap",
        ) from exc




def _symbols(names: pd.Series, path: Path) -> np.ndarray:
    """The symbols, None where empty or written as a missing-value marker (``nan``, ``NA``,
    ``.``: a table saved from pandas or R; said and counted, not a gene called "nan")."""
    out, markers = gene_names(names)
    if markers:
        logger.warning("%s: %d gene name(s) written as a missing-value marker (%s): taken as no "
                       "name", path.name, sum(markers.values()),
                       ", ".join(f"{k!r} {v}x" for k, v in markers.items()))
    return out


def _read_ensembl(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, sep="\t", dtype={"gene_id": str, "chrom": str}, **_NA)
    check_numeric(df, ["start", "end", "length"], path)
    return pd.DataFrame(
        {
            "gene_id": _strip_versions(_as_strings(df["gene_id"])).astype(object),
            "symbol": _symbols(df["gene_name"], path),
            "biotype": df["biotype"].astype(object).where(df["biotype"].notna(), None),
            "chrom": df["chrom"].astype(str),
            "start": df["start"],
            "end": df["end"],
            "length": df["length"],
        }
    )


def _read_probemap(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, sep="\t", dtype={"id": str, "chrom": str}, **_NA)
    check_numeric(df, ["chromStart", "chromEnd"], path)
    chrom = df["chrom"].astype(str).str.replace(r"^chr", "", regex=True).replace("M", "MT")
    return pd.DataFrame(
        {
            "gene_id": _strip_versions(_as_strings(df["id"])).astype(object),
            "symbol": _symbols(df["gene"], path),
            "biotype": None,
            "chrom": chrom,
            "start": df["chromStart"],
            "end": df["chromEnd"],
            "length": df["chromEnd"] - df["chromStart"] + 1,
        }
    )


def read_annotation(path: str | Path) -> GeneAnnotation:
    """Read a gene annotation (Ensembl gene table or Xena probeMap; see module doc).

    Parameters
    ----------
    path
        Tab-separated file, optionally gzipped. The shape is detected from the header.

    Returns
    -------
    GeneAnnotation
        Duplicate gene IDs (after stripping versions) keep their first row; the number
        dropped is logged and kept in ``n_duplicates_dropped``.

    Raises
    ------
    InputError
        For an unknown header (the message names both expected column sets) or
        non-numeric positions.
    """
    path = Path(path)
    header = _read_header(path)
    if set(ENSEMBL_COLUMNS) <= set(header):
        df, kind = _read_ensembl(path), "exonic"
    elif set(PROBEMAP_COLUMNS[:5]) <= set(header):
        df, kind = _read_probemap(path), "genomic_span"
    else:
        raise input_error(
            f"unknown annotation header {header[:8]}",
            path=path,
            where="line 1 (header)",
            fix=(
                f"expected the Ensembl columns {', '.join(ENSEMBL_COLUMNS)} or the Xena "
                f"probeMap columns {', '.join(PROBEMAP_COLUMNS)} (tab-separated)"
            ),
        )
    dup = df["gene_id"].duplicated(keep="first")
    n_dup = int(dup.sum())
    if n_dup:
        logger.warning("%s: %d duplicate gene IDs; kept the first row of each", path, n_dup)
    table = df[~dup.to_numpy()].set_index("gene_id")[list(TABLE_COLUMNS)]
    logger.info("read %d genes from %s (%s lengths)", len(table), path, kind)
    return GeneAnnotation(table, source_path=path, length_kind=kind, n_duplicates_dropped=n_dup)


@dataclass
class GeneMapping:
    """Result of :func:`map_gene_ids`, aligned with the input IDs.

    Attributes
    ----------
    gene_id
        Object array, shape ``(n_ids,)``: the canonical ID per input ID, None if unmapped.
    symbol
        Object array, shape ``(n_ids,)``: the gene symbol, None where unknown.
    report
        Counts (every key always present): ``n_ids``, ``mapped``, ``unmapped`` and its
        reasons ``unmapped_empty``, ``unmapped_symbol_not_found``,
        ``unmapped_firehose_no_symbol``; ``version_stripped``,
        ``ambiguous_symbol_resolved``, ``symbol_case_insensitive``, ``entrez_kept``,
        ``kept_as_given``, ``ensembl_not_in_annotation``, ``duplicates_after_mapping``,
        ``ensembl_among_symbols`` (Ensembl ids in a list of symbols, mapped as Ensembl ids),
        and ``matched_in_annotation``: the ids whose canonical id is a row of the annotation (0
        without one). ``mapped`` also counts the ids kept without a match (Ensembl ids not in
        the annotation, Entrez ids), so ``matched_in_annotation`` is the number matched.
    unmapped_examples
        Up to ten unmapped input IDs.
    ambiguous_examples
        Up to five symbols carried by several gene IDs, with the ID chosen
        (``"SYMBOL -> ENSG..."``; ``ambiguous_symbol_resolved`` counts them all).
    """

    gene_id: np.ndarray
    symbol: np.ndarray
    report: dict[str, int]
    unmapped_examples: list[str] = field(default_factory=list)
    ambiguous_examples: list[str] = field(default_factory=list)

    def step_examples(self) -> dict[str, list[str]]:
        """The examples a preparation step records: up to five unmapped IDs and five
        symbols of several genes with the ID chosen."""
        return {"unmapped_examples": list(self.unmapped_examples)[:5],
                "ambiguous_examples": list(self.ambiguous_examples)[:5]}

    @property
    def mapped(self) -> np.ndarray:
        """Boolean mask, shape ``(n_ids,)``: True where a canonical ID was found."""
        return pd.notna(self.gene_id).astype(bool)


_REPORT_KEYS = (
    "n_ids", "mapped", "unmapped", "unmapped_empty", "unmapped_symbol_not_found",
    "unmapped_firehose_no_symbol", "version_stripped", "ambiguous_symbol_resolved",
    "symbol_case_insensitive", "entrez_kept", "kept_as_given", "ensembl_not_in_annotation",
    "duplicates_after_mapping", "matched_in_annotation", "ensembl_among_symbols",
)  # fmt: skip


def _classify(ids: pd.Series, id_kind: IdKind | None) -> np.ndarray:
    """Kind per ID, object array ``(n_ids,)``: ``ensembl``, ``entrez``, ``firehose``,
    ``symbol``, ``other`` (no recognised shape) or ``empty``."""
    n = len(ids)
    if id_kind in ("ensembl", "ensembl_versioned"):
        kind = np.full(n, "ensembl", dtype=object)
    elif id_kind in ("entrez", "firehose", "symbol"):
        kind = np.full(n, id_kind, dtype=object)
        if id_kind == "symbol":  # scanpy's var names: a symbol, else the gene's Ensembl id (16,464
            #   of them were looked up as symbols and lost); each maps by its own pattern
            kind[ids.str.fullmatch(_ENSEMBL_RE).to_numpy(dtype=bool)] = "ensembl"
    else:
        kind = np.full(n, "other", dtype=object)
        for name, pattern in (
            ("symbol", _SYMBOL_RE),
            ("firehose", _FIREHOSE_RE),
            ("entrez", _ENTREZ_RE),
            ("ensembl", _ENSEMBL_RE),
        ):
            kind[ids.str.fullmatch(pattern).to_numpy(dtype=bool)] = name
    kind[(ids == "").to_numpy(dtype=bool)] = "empty"
    return kind


def _lookup_symbols(
    query: np.ndarray, annotation: GeneAnnotation, report: dict[str, int],
    ambiguous: list[str] | None = None,
) -> np.ndarray:
    """Ensembl ID per symbol in ``query`` (None entries are skipped; None where not found).

    Exact case first, then case-insensitive; counts the case-insensitive hits and the
    symbols carried by several IDs in ``report``, the first five (``SYMBOL -> ID``) in
    ``ambiguous``.
    """
    exact = annotation.symbol_index()
    pos = exact.index.get_indexer(query)
    found = pos >= 0
    gid = np.where(found, exact["gene_id"].to_numpy(dtype=object)[pos], None)
    n_ids = np.where(found, exact["n_ids"].to_numpy()[pos], 0)
    retry = ~found & pd.notna(query)
    if retry.any():
        loose = annotation.symbol_index(case_insensitive=True)
        upper = np.array([str(q).upper() for q in query[retry]], dtype=object)
        pos2 = loose.index.get_indexer(upper)
        hit = pos2 >= 0
        gid[retry] = np.where(hit, loose["gene_id"].to_numpy(dtype=object)[pos2], None)
        n_ids[retry] = np.where(hit, loose["n_ids"].to_numpy()[pos2], 0)
        report["symbol_case_insensitive"] = int(hit.sum())
    report["ambiguous_symbol_resolved"] = int((n_ids > 1).sum())
    if ambiguous is not None:
        ambiguous += [f"{q} -> {g}" for q, g in zip(query[n_ids > 1][:5], gid[n_ids > 1][:5],
                                                     strict=True)]
    return gid


def _firehose_symbols(ids: pd.Series, is_fh: np.ndarray) -> np.ndarray:
    """Symbol part of Firehose IDs (None for ``?|123`` and for non-Firehose IDs)."""
    sym = _regex_replace(ids, r"\|\d+$", "").to_numpy(dtype=object)
    ok = is_fh & (sym != "") & (sym != "?")
    return np.where(ok, sym, None)


def _map_with_annotation(
    ids: pd.Series, kind: np.ndarray, annotation: GeneAnnotation, report: dict[str, int],
    ambiguous: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    raw = ids.to_numpy(dtype=object)
    gene = np.full(len(raw), None, dtype=object)
    is_ens, is_fh = kind == "ensembl", kind == "firehose"
    gene[is_ens] = _strip_versions(ids[is_ens]).to_numpy(dtype=object)
    table_pos = annotation.table.index.get_indexer(gene[is_ens])
    report["ensembl_not_in_annotation"] = int((table_pos < 0).sum())
    gene[kind == "entrez"] = raw[kind == "entrez"]
    fh_sym = _firehose_symbols(ids, is_fh)
    report["unmapped_firehose_no_symbol"] = int((is_fh & pd.isna(fh_sym)).sum())
    as_symbol = (kind == "symbol") | (kind == "other")
    query = np.where(as_symbol, raw, fh_sym)
    looked = pd.notna(query)
    if looked.any():
        gene[looked] = _lookup_symbols(query[looked], annotation, report, ambiguous)
    report["unmapped_symbol_not_found"] = int((looked & pd.isna(gene)).sum())
    pos = annotation.table.index.get_indexer(gene)
    table_symbol = annotation.table["symbol"].to_numpy(dtype=object)
    symbol = np.where(pos >= 0, table_symbol[pos], None)
    return gene, symbol


def _map_without_annotation(
    ids: pd.Series, kind: np.ndarray, report: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    raw = ids.to_numpy(dtype=object)
    gene = raw.copy()
    is_ens, is_fh = kind == "ensembl", kind == "firehose"
    gene[is_ens] = _strip_versions(ids[is_ens]).to_numpy(dtype=object)
    gene[kind == "empty"] = None
    symbol = np.where(kind == "symbol", raw, _firehose_symbols(ids, is_fh))
    report["kept_as_given"] = int(np.isin(kind, ["symbol", "firehose", "other"]).sum())
    return gene, symbol


def map_gene_ids(
    ids: Iterable[str],
    annotation: GeneAnnotation | None,
    *,
    id_kind: IdKind | None = None,
    source: str | Path | None = None,
) -> GeneMapping:
    """Map gene identifiers to canonical IDs (unversioned Ensembl where possible).

    Rules, per input ID:

    * Ensembl, versioned or not → the unversioned ID (kept even when absent from the
      annotation; counted as ``ensembl_not_in_annotation``), symbol from the annotation.
    * Symbol → Ensembl through the annotation, exact case first, then case-insensitive
      (``symbol_case_insensitive``). A symbol carried by several IDs resolves to
      protein-coding first, then a primary chromosome, then the smallest ID
      (``ambiguous_symbol_resolved``). Not found → unmapped. IDs of no recognised shape
      (``5S_rRNA``) are looked up as symbols too.
    * An Ensembl id among symbols (scanpy's var names: a symbol, else the Ensembl id) maps
      as an Ensembl id, though ``id_kind`` is ``"symbol"`` (``ensembl_among_symbols``).
    * Firehose ``SYMBOL|ENTREZ`` → through its symbol; ``?|12345`` → unmapped.
    * Entrez → kept as it is (no annotation here carries Entrez IDs), symbol None;
      counted as ``entrez_kept`` with or without an annotation.
    * Without an annotation, every other ID is kept as given (Ensembl versions
      stripped; ``kept_as_given``); symbol = the ID for symbols, the symbol part for
      Firehose IDs, else None.
    * Empty IDs are unmapped (``unmapped_empty``).

    Several inputs mapping to one canonical ID are all kept; ``duplicates_after_mapping``
    counts the inputs whose canonical ID repeats an earlier one. The caller decides what
    to do with them (e.g. sum them or keep the first).

    Parameters
    ----------
    ids
        Gene identifiers, shape ``(n_ids,)``.
    annotation
        Optional annotation (needed to map symbols to Ensembl IDs).
    id_kind
        Treat every ID as this kind; None (or ``"unknown"``) classifies each ID.
    source
        The file the IDs come from, named in the unmapped IDs' warning.

    Returns
    -------
    GeneMapping
    """
    ids_s = _as_strings(ids)
    kind = _classify(ids_s, None if id_kind == "unknown" else id_kind)
    report = dict.fromkeys(_REPORT_KEYS, 0)
    report["n_ids"] = len(ids_s)
    is_ens = kind == "ensembl"
    report["version_stripped"] = int(ids_s[is_ens].str.contains(r"\.\d+", regex=True).sum())
    report["entrez_kept"] = int((kind == "entrez").sum())
    if id_kind == "symbol":
        report["ensembl_among_symbols"] = int(is_ens.sum())
    report["unmapped_empty"] = int((kind == "empty").sum())
    ambiguous: list[str] = []
    if annotation is None:
        gene, symbol = _map_without_annotation(ids_s, kind, report)
    else:
        gene, symbol = _map_with_annotation(ids_s, kind, annotation, report, ambiguous)
    mapped = pd.notna(gene)
    report["mapped"] = int(mapped.sum())
    report["unmapped"] = int((~mapped).sum())
    report["duplicates_after_mapping"] = int(pd.Series(gene[mapped]).duplicated().sum())
    if annotation is not None:  # "mapped" keeps ids the annotation lacks: the terminal's number
        report["matched_in_annotation"] = int((annotation.table.index.get_indexer(gene) >= 0).sum())
    examples = ids_s[~mapped].head(10).tolist()
    if report["unmapped"]:
        logger.warning("%s", unmapped_text(report["unmapped"], len(gene), examples, source,
                                           annotation and annotation.source_path))
    if report["duplicates_after_mapping"]:
        logger.info("%d gene IDs map to an already mapped ID", report["duplicates_after_mapping"])
    return GeneMapping(gene_id=gene, symbol=symbol, report=report, unmapped_examples=examples,
                       ambiguous_examples=ambiguous)


def gene_table(
    gene_ids: Iterable[str],
    annotation: GeneAnnotation | None,
    *,
    symbols: Iterable[str | None] | None = None,
    biotypes: Iterable[str | None] | None = None,
) -> pd.DataFrame:
    """Per-gene table for canonical IDs (the bundle's ``var`` before statistics).

    Parameters
    ----------
    gene_ids
        Canonical gene IDs, shape ``(n_genes,)`` (None is not allowed; drop unmapped IDs
        first). Ensembl versions are stripped for the lookup.
    annotation
        Optional annotation for symbol, chromosome, start, length and biotype.
    symbols
        Optional symbols, shape ``(n_genes,)``, used where the annotation has none.
    biotypes
        Optional biotypes (the expression file's own), shape ``(n_genes,)``, the same way.

    Returns
    -------
    pandas.DataFrame
        Columns ``gene_id, symbol, chrom, start, length, biotype`` in the input order;
        NaN/None where unknown (``start`` and ``length`` are float).
    """
    ids = pd.Series(list(gene_ids), dtype=object)
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise ValueError(f"gene_ids[{i}] is None: drop unmapped genes before gene_table")
    ids = ids.astype(str)
    given = pd.Series(list(symbols) if symbols is not None else [None] * len(ids), dtype=object)
    if len(given) != len(ids):
        raise ValueError(f"{len(given)} symbols for {len(ids)} gene IDs")
    if annotation is None:
        info = pd.DataFrame(index=range(len(ids)), columns=list(TABLE_COLUMNS), dtype=object)
    else:
        lookup = _strip_versions(_as_strings(ids)).to_numpy(dtype=object)
        info = annotation.table.reindex(lookup).reset_index(drop=True)
    symbol = info["symbol"].where(info["symbol"].notna(), given)
    own = pd.Series(list(biotypes) if biotypes is not None else [None] * len(ids), dtype=object)
    biotype = info["biotype"].where(info["biotype"].notna(), own)
    return pd.DataFrame(
        {
            "gene_id": ids.to_numpy(),
            "symbol": symbol.where(symbol.notna(), None).to_numpy(dtype=object),
            "chrom": info["chrom"].where(info["chrom"].notna(), None).to_numpy(dtype=object),
            "start": pd.to_numeric(info["start"]).astype(float).to_numpy(),
            "length": pd.to_numeric(info["length"]).astype(float).to_numpy(),
            "biotype": biotype.where(biotype.notna(), None).to_numpy(dtype=object),
        }
    )


def protein_coding_mask(gene_ids: Iterable[str], annotation: GeneAnnotation) -> np.ndarray:
    """True where a gene's biotype is ``protein_coding``.

    Parameters
    ----------
    gene_ids
        Gene IDs, shape ``(n_genes,)`` (versions are stripped for the lookup).
    annotation
        An annotation with biotypes (the Ensembl table; a probeMap has none).

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``(n_genes,)``; False for genes absent from the annotation.

    Raises
    ------
    InputError
        When the annotation has no biotypes.
    """
    if not annotation.has_biotype:
        raise input_error(
            "the annotation has no biotype column, so protein-coding genes cannot be chosen",
            path=annotation.source_path,
            fix="use the Ensembl gene table (with a biotype column) as the annotation",
        )
    ids = _strip_versions(_as_strings(gene_ids)).to_numpy(dtype=object)
    pos = annotation.table.index.get_indexer(ids)
    coding = (annotation.table["biotype"] == "protein_coding").to_numpy(dtype=bool)
    return np.where(pos >= 0, coding[pos], False)
