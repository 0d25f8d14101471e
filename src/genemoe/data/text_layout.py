"""How a delimited expression matrix is laid out, learnt from its first lines.

Besides the plain layout (a header, then one identifier and one value per column), two
shapes real producers write are read as they are:

* **annotation columns** after the gene identifier — nf-core/rnaseq's merged matrices
  (``gene_id, gene_name, sample...``), GDC- and Ensembl-style ``gene_type`` / ``biotype``,
  ``description``, ``length`` ... — are recognised by their header names and left out of
  the values (said in the notes); an unknown text column still stops with the cell named;
* **GCT** (GTEx, GenePattern, CMap): version 1.2 (``#1.2``, a dimensions line, then
  ``Name, Description, samples``) and 1.3 (``#1.3``, ``rows cols row-meta col-meta``, the
  row-metadata columns after the id, then one line per column-metadata field); the
  dimensions line is checked against the header's value columns and the rows peeked (all
  of a short file's; :func:`check_declared_rows` takes the reader's full count).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from genemoe.data.textio import (
    CR_NOTE,
    DECIMAL_COMMA,
    NA_TOKENS,
    THOUSANDS,
    _is_number,
    _sniff,
    checked_text_stream,
    cr_only,
)
from genemoe.errors import input_error

__all__ = ["ANNOTATION_COLUMNS", "BIOTYPE_COLUMNS", "SYMBOL_COLUMNS", "TextLayout", "check_declared_rows",
           "peek_text"]

# Header names (lower case, without "_", "-", "." and spaces) of per-gene annotation columns.
ANNOTATION_COLUMNS = frozenset({
    "genename", "genesymbol", "symbol", "hgncsymbol", "externalgenename", "name", "description",
    "genetype", "genebiotype", "biotype", "transcriptids", "transcriptid", "chr", "chrom",
    "chromosome", "seqname", "start", "end", "strand", "length", "efflength",
    "effectivelength", "entrez", "entrezid", "entrezgeneid", "geneid", "ensemblid", "ensemblgeneid"})
# Those of them that hold gene symbols (GCT's Description too: GTEx writes the symbol there).
SYMBOL_COLUMNS = frozenset({"genename", "genesymbol", "symbol", "hgncsymbol", "externalgenename"})
# Those that hold gene biotypes (``protein_coding``, ...): GDC's gene_type, Ensembl's biotype.
BIOTYPE_COLUMNS = frozenset({"genetype", "genebiotype", "biotype"})


@dataclass
class TextLayout:
    """What :func:`peek_text` learnt: where the values are and what was set aside."""

    delimiter: str
    n_skip: int  # header lines before the data
    n_fields: int  # fields per data row, identifier column included
    value_names: list[str]  # header cells of the value columns
    row_ids: list[str]  # first-column values of the first data rows
    line_len: int
    decimal_point: str = "."
    notes: list[str] = field(default_factory=list)
    n_meta: int = 0  # annotation columns between the identifier and the values
    symbol_column: int | None = None  # field index of the gene-symbol column among them
    entrez_column: int | None = None  # ... of an Entrez id column (names a gene with no id)
    biotype_column: int | None = None  # ... of a gene biotype column (GDC's gene_type)
    declared: tuple[int, int] | None = None  # a GCT's dimensions line: (data rows, value columns)
    cr_lines: bool = False  # lines end in a bare CR (old Mac): the byte reader turns CR into LF
    n_padded_names: int = 0  # value-column header cells that had surrounding spaces (trimmed)

    @property
    def kept_columns(self) -> list[int]:
        """Field indices of the annotation columns read beside the values, in the order
        the parsed table holds them (after the identifier): symbol, Entrez id, biotype."""
        return [c for c in (self.symbol_column, self.entrez_column, self.biotype_column) if c]


def _norm(name: str) -> str:
    return re.sub(r"[\s_.\-()]", "", name.lower())


def _gct_header(fh, first: str, path: Path) -> tuple[str, int, int, tuple[int, int], str]:
    """A GCT file's column header, its line number, row-metadata columns, declared
    dimensions (data rows, value columns) and the note; ``fh`` is just past the ``#1.x`` line."""
    dims = fh.readline().split()
    header = fh.readline().rstrip("\r\n")
    try:
        n_row_meta, n_col_meta = (int(dims[2]), int(dims[3])) if first == "#1.3" else (1, 0)
        declared = int(dims[0]), int(dims[1])
    except (IndexError, ValueError):
        raise input_error(f"a GCT {first[1:]} file whose second line is not its dimensions "
                          f"({' '.join(dims)!r})", path=path, where="line 2",
                          fix="the file looks damaged: export it again") from None
    for _ in range(n_col_meta):
        fh.readline()
    note = (f"GCT {first[1:]}: its {2 + n_col_meta} lines before the values' header skipped")
    return header, 3 + n_col_meta, n_row_meta, declared, note


def _refuse_shape(path: Path, declared: tuple[int, int], what: str, n: str) -> None:
    """A GCT file whose data disagree with its dimensions line: truncated or damaged."""
    raise input_error(f"the GCT dimensions line declares {declared[0]:,} rows × {declared[1]:,} "
                      f"columns of values, but the file holds {n} {what}", path=path,
                      where="line 2 (the dimensions)",
                      fix="the file looks truncated or damaged: fetch or export it again")


def check_declared_rows(lay: TextLayout, n_rows: int, path: Path) -> None:
    """Refuse a GCT file whose data rows (``n_rows``, all read) are not the declared count.

    Parameters
    ----------
    lay
        The file's layout (:func:`peek_text`); no declared dimensions: nothing to check.
    n_rows
        Data rows read (blank lines not counted, summary rows counted).
    path
        The file, named in the error.

    Raises
    ------
    InputError
        Both counts and the fix (fetch or export the file again).
    """
    if lay.declared is not None and n_rows != lay.declared[0]:
        _refuse_shape(path, lay.declared, "data rows", f"{n_rows:,}")


_DOT_DECIMAL = re.compile(r"-?\d*\.\d+([eE][-+]?\d+)?")
# A spreadsheet's scientific format in a decimal-comma locale (1,21E+03): no thousands shape
_COMMA_EXPONENT = re.compile(r"-?\d+,\d+[eE][-+]?\d+")


def _decimal_point(delim: str, rows: list[list[str]], path: Path) -> tuple[str, list[str]]:
    """``","`` where the value cells peeked hold decimal commas, with the note saying so.

    A semicolon file with ``34,5`` cells: decimal commas. A tab-separated file: decimal
    commas when no cell has a decimal point and some comma cell cannot be a thousands
    separator (``34,5``); every comma cell of thousands' shape (``1,003``) is refused as
    ambiguous (1003 or 1.003?). Comma files: pyarrow reads no comma in a number.
    """
    cells = [c for r in rows for c in r[1:]]
    commas = [c for c in cells if DECIMAL_COMMA.fullmatch(c) or _COMMA_EXPONENT.fullmatch(c)]
    if not commas or delim == ",":  # (1,21E+03 cells alone were refused as non-numeric)
        return ".", []
    if delim == ";":
        return ",", ["decimal commas read as decimal points"]
    if delim != "\t" or any(_DOT_DECIMAL.fullmatch(c) for c in cells):
        return ".", []  # the reader names the cells (diagnose_text)
    if all(THOUSANDS.fullmatch(c) for c in commas):
        raise input_error(f"numbers with a comma ({', '.join(repr(c) for c in commas[:3])}): "
                          "thousands separators or decimal commas? Either could be meant",
                          path=path, where="the first data rows",
                          fix="save the numbers with a decimal point and no thousands separator "
                              "(spreadsheet: format the cells as Number without the 1000 "
                              "separator, or set the locale to English before exporting)")
    return ",", [f"decimal commas read as decimal points (tab-separated; e.g. {commas[0]!r})"]


def _annotation_columns(names: list[str], row: list[str], decimal: str) -> int:
    """How many leading value columns are per-gene annotation (known name; text, or a
    coordinate/length column by its name), at most all but one."""
    k = 0
    while k < len(names) - 1 and _norm(names[k]) in ANNOTATION_COLUMNS and (
            not _is_number(row[k + 1].replace(decimal, ".")) or _norm(names[k]) in
            {"start", "end", "length", "efflength", "effectivelength", "entrez", "entrezid",
             "entrezgeneid", "chr", "chrom", "chromosome"}):
        k += 1
    return k


def _refuse_trailing_empty(names: list[str], rows: list[list[str]], n_fields: int, delim: str,
                           path: Path) -> None:
    """Columns at the end with no header cell and no value in the rows read (a spreadsheet's
    export with trailing separators): one error with the command that cuts them; they were
    refused as "empty sample identifier(s)", the fix "give every sample a name"."""
    k = 0
    while k < len(names) and not names[-1 - k]:
        k += 1
    if not k or not all(len(r) == n_fields and not any(r[n_fields - k:]) for r in rows):
        return
    unpack = {".gz": "zcat", ".bz2": "bzcat", ".xz": "xzcat", ".zip": "unzip -p"}.get(path.suffix)
    plain = path.suffixes[:-1] if unpack else path.suffixes
    cut = f"cut -d {chr(36) + repr(delim) if delim == chr(9) else repr(delim)} -f 1-{n_fields - k}"
    cmd = (f"{unpack} {path} | {cut}" if unpack else f"{cut} {path}")  # the path given (the
    #   name alone ran in another folder than the file's)
    raise input_error(f"the last {k} column(s) have no header and no values (trailing separators, "
                      "as a spreadsheet writes them)", path=path, where="line 1",
                      fix=f"cut them off: {cmd} > fixed{''.join(plain) or '.txt'} (or save the "
                          "sheet without them)")


def peek_text(path: Path, sep: str | None) -> TextLayout:
    """Read the header and the first rows (≤ 2,000 rows or 8 MB) to learn the layout."""
    notes: list[str] = []
    n_skip, gct_meta, declared, whole = 1, None, None, True
    cr_lines = cr_only(path)  # read as lines by the text stream; the byte reader is told
    if cr_lines:
        notes.append(CR_NOTE)
    with checked_text_stream(path) as fh:
        header = fh.readline().rstrip("\r\n")
        if header.strip() in ("#1.2", "#1.3"):
            header, n_skip, gct_meta, declared, note = _gct_header(fh, header.strip(), path)
            notes.append(note)
        lines: list[str] = []
        n_bytes = 0
        for line in fh:
            if line.strip():
                lines.append(line.rstrip("\r\n"))
                n_bytes += len(line)
            if len(lines) >= 2000 or n_bytes > (8 << 20):
                whole = False  # (a GCT's rows against its dimensions: counted as read)
                break
    if not header.strip() or not lines:
        raise input_error("empty matrix: no header or no data rows", path=path,
                          fix="check the file holds a header line and data rows")
    delim = _sniff(header, lines[0], sep, path)
    raw_head = next(csv.reader([header], delimiter=delim))
    head = [c.strip() for c in raw_head]
    rows = [[c.strip() for c in r] for r in csv.reader(lines[:50], delimiter=delim)]
    n_fields = len(rows[0])
    decimal, said = _decimal_point(delim, rows, path)
    notes += said
    names = head[1:] if len(head) == n_fields else head
    n_meta = gct_meta if gct_meta is not None else _annotation_columns(names, rows[0], decimal)
    if n_fields > 1 + n_meta and not any(_is_number(c.replace(decimal, ".")) or c in NA_TOKENS
                                         for c in rows[0][1 + n_meta:]):
        notes.append(f"second header line skipped (e.g. {rows[0][:2]})")  # Firehose 'gene_id normalized_count'
        rows, lines, n_skip = rows[1:], lines[1:], n_skip + 1
        if not rows:
            raise input_error("empty matrix: no data rows", path=path, fix="check the file")
        n_fields = len(rows[0])
    if len(head) == n_fields:
        names = head[1:]
    elif len(head) == n_fields - 1:
        names = head
        notes.append("header has no cell for the identifier column (R write.table style)")
    else:
        raise input_error(f"the header has {len(head)} cells but the first data row has {n_fields}",
                          path=path, where=f"line {n_skip + 1} (id {rows[0][0]!r})",
                          fix="give every column a header cell (the first may be empty)")
    _refuse_trailing_empty(names, rows, n_fields, delim, path)
    if n_fields < 2 + n_meta:
        raise input_error("only one column found (wrong delimiter?)", path=path,
                          where=f"line {n_skip + 1}", fix="save the matrix tab- or comma-separated")
    if n_meta:
        notes.append(f"annotation column(s) left out of the values: "
                     f"{', '.join(names[:n_meta][:4])}" + (f" (+{n_meta - 4})" if n_meta > 4 else ""))
    row_ids = [x.split(delim, 1)[0].strip().strip('"') for x in lines]
    line_len = max(len(header), max(len(x) for x in lines[:10]))
    symbols = SYMBOL_COLUMNS | ({"description"} if gct_meta is not None else set())
    symbol = next((1 + k for k in range(n_meta) if _norm(names[k]) in symbols), None)
    entrez = next((1 + k for k in range(n_meta) if _norm(names[k]) in
                   {"entrez", "entrezid", "entrezgeneid"}), None)
    biotype = next((1 + k for k in range(n_meta) if _norm(names[k]) in BIOTYPE_COLUMNS), None)
    n_padded = sum(c != c.strip() for c in raw_head[len(raw_head) - len(names) + n_meta:])
    lay = TextLayout(delim, n_skip, n_fields, names[n_meta:], row_ids, line_len, decimal, notes,
                     n_meta, symbol, entrez, biotype, declared, cr_lines, n_padded)
    _check_declared(lay, len(lines), whole, path)
    return lay


def _check_declared(lay: TextLayout, n_seen: int, whole: bool, path: Path) -> None:
    """A GCT's declared value columns against its header's, and its declared rows against
    the ``n_seen`` data rows peeked (all of the file's when ``whole``)."""
    if lay.declared is None:
        return
    if len(lay.value_names) != lay.declared[1]:
        _refuse_shape(path, lay.declared, "value columns (line 3, the header)", f"{len(lay.value_names):,}")
    if whole:
        check_declared_rows(lay, n_seen, path)
    elif n_seen > lay.declared[0]:
        _refuse_shape(path, lay.declared, "data rows", f"at least {n_seen:,}")
