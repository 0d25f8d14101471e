"""A delimited expression matrix's data lines, parsed by pyarrow in chunks of whole lines.

:func:`line_chunks` hands out the lines after the header at most :data:`CHUNK_BYTES` at a
time, :func:`parse_chunk` parses one chunk to an Arrow table, and :func:`diagnose_text`
finds, after pyarrow refused the file, the first ragged row or non-numeric cell and says it
with the file, line, column and fix. :mod:`genemoe.data.read` assembles the matrix.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pcc
import pyarrow.csv as pacsv

from genemoe.data.text_layout import TextLayout
from genemoe.data.textio import (
    _REFETCH,
    DECIMAL_COMMA,
    NA_TOKENS,
    THOUSANDS,
    compression,
    open_binary,
)
from genemoe.errors import input_error

__all__ = ["CHUNK_BYTES", "WIDE_FIELDS", "Skipped", "diagnose_text", "line_chunks", "parse_chunk"]

CHUNK_BYTES = 16 << 20  # text handed to pyarrow per call (transient memory ~10x this)
WIDE_FIELDS = 5000  # rows with more fields are parsed one block per chunk, single-threaded


@dataclass
class Skipped:
    """Lines the reader passed over, for its notes."""

    n_blank: int = 0  # lines holding nothing, or only spaces and tabs

    def note(self) -> list[str]:
        """``["3 blank line(s) skipped"]``, or nothing."""
        return [f"{self.n_blank:,} blank line(s) skipped"] if self.n_blank else []


class _CrAsLf(io.RawIOBase):
    """A byte stream whose bare-CR line ends (old Mac) are read as LF."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001 (a writable buffer)
        n = self.raw.readinto(b)
        if n:
            b[:n] = bytes(b[:n]).replace(b"\r", b"\n")
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def _empty_lines(buf: bytearray, cut: int) -> int:
    """Empty lines (nothing, or a lone CR) in ``buf[:cut]``: pyarrow skips them."""
    if not (buf.startswith((b"\n", b"\r\n")) or buf.find(b"\n\n", 0, cut) >= 0
            or buf.find(b"\n\r\n", 0, cut) >= 0):
        return 0  # (the usual case: one scan, no copy)
    return sum(not line.strip(b"\r") for line in bytes(buf[:cut]).split(b"\n")[:-1])


def line_chunks(path: Path, n_skip: int, *, cr_lines: bool = False,
                skipped: Skipped | None = None) -> Iterator[memoryview]:
    """Whole lines after the ``n_skip`` header lines, at most about ``CHUNK_BYTES`` at a time.

    One buffer is reused (a chunk is valid until the next is requested), so reading
    does not fragment the heap with a fresh large allocation per chunk. ``cr_lines``: the
    lines end in a bare CR, read as LF. ``skipped`` counts the empty lines (pyarrow passes
    over them) and a last stretch of blank ones; :func:`parse_chunk` counts those that
    hold only spaces.
    """
    packed = compression(path) is not None
    text_bytes = path.stat().st_size * (4 if packed else 1)  # about; sizes the buffer for small files
    buf = bytearray(min(CHUNK_BYTES, max(1 << 20, text_bytes // 8)))
    skipped = skipped if skipped is not None else Skipped()
    with open_binary(path) as raw:
        fh = io.BufferedReader(_CrAsLf(raw)) if cr_lines else raw
        for _ in range(n_skip):
            fh.readline()
        end, eof = 0, False
        while not eof:
            while end < len(buf) and not eof:
                n = fh.readinto(memoryview(buf)[end:])
                eof, end = not n, end + (n or 0)
            cut = buf.rfind(b"\n", 0, end) + 1 if not eof else end
            if cut == 0:  # a line longer than the buffer: a bigger one (the last chunk may live on)
                buf = buf + bytes(len(buf))
                continue
            if not eof or buf[:cut].strip():
                skipped.n_blank += _empty_lines(buf, cut)
                yield memoryview(buf)[:cut]
            else:  # blank lines at the end: all counted here
                skipped.n_blank += buf.count(b"\n", 0, cut) + (not buf[:cut].endswith(b"\n") and cut > 0)
            buf[:end - cut] = buf[cut:end]
            end -= cut


def parse_chunk(chunk: memoryview, lay: TextLayout, types: dict[str, pa.DataType], *,
                invalid: list | None = None, skipped: Skipped | None = None) -> pa.Table:
    """Parse whole lines with pyarrow; ``invalid`` collects ragged rows instead of raising.

    A line holding only spaces or tabs is skipped, counted in ``skipped`` (it was taken for
    a row cut off mid-way: "the file is truncated"). pyarrow parses a third slower with a
    row handler, so the usual parse has none; a chunk it refuses is parsed again with one.

    Narrow rows are parsed in parallel blocks; wide rows (many columns: pyarrow's per-column
    overhead dominates) in one block per chunk, which is both leaner and faster.
    """
    wide = lay.n_fields > WIDE_FIELDS
    read = pacsv.ReadOptions(column_names=list(types), use_threads=invalid is None and not wide,
                             block_size=len(chunk) + 1 if wide else max(4 << 20, 16 * lay.line_len))
    skipped = skipped if skipped is not None else Skipped()

    def handler(row) -> str:  # noqa: ANN001 (pyarrow's InvalidRow)
        if not row.text.strip():
            skipped.n_blank += 1
            return "skip"
        if invalid is None:
            return "error"
        invalid.append(row)
        return "skip"

    names = list(types)  # annotation columns (lay.n_meta after the id) are not parsed, but
    kept = [names[c] for c in lay.kept_columns]  # gene symbols, Entrez ids, biotypes
    conv = pacsv.ConvertOptions(column_types=types, null_values=NA_TOKENS, decimal_point=lay.decimal_point,
                                strings_can_be_null=invalid is not None,
                                include_columns=names[:1] + kept + names[1 + lay.n_meta:])

    def parse(rows_handler) -> pa.Table:  # noqa: ANN001
        opts = pacsv.ParseOptions(delimiter=lay.delimiter, invalid_row_handler=rows_handler)
        return pacsv.read_csv(pa.BufferReader(pa.py_buffer(chunk)), read_options=read,
                              parse_options=opts, convert_options=conv)

    if invalid is not None:
        return _drop_separator_rows(parse(handler), skipped)
    try:
        return _drop_separator_rows(parse(None), skipped)
    except pa.ArrowInvalid:
        return _drop_separator_rows(parse(handler), skipped)  # raises again unless the rows
        # refused held only spaces


def _drop_separator_rows(tbl: pa.Table, skipped: Skipped) -> pa.Table:
    """Rows of only separators (``\t\t\t``: a spreadsheet's saved empty rows, which have
    the right number of fields) skipped and counted as blank lines; they were refused as
    an "empty gene identifier"."""
    ids = tbl.column(0)
    if ids.null_count == 0 and pcc.min(pcc.utf8_length(ids)).as_py() not in (0, None):
        return tbl  # (the usual case: every row named)
    blank = pcc.equal(pcc.fill_null(pcc.utf8_trim_whitespace(ids), ""), "")
    for column in tbl.columns[1:]:
        empty = (pcc.equal(pcc.fill_null(pcc.utf8_trim_whitespace(column), ""), "")
                 if pa.types.is_string(column.type) else pcc.is_null(column))
        blank = pcc.and_(blank, empty)
    if n := pcc.sum(blank).as_py():
        skipped.n_blank += n
        tbl = tbl.filter(pcc.invert(blank))
    return tbl


def diagnose_text(path: Path, lay: TextLayout, arrow_msg: str) -> Exception:
    """After pyarrow refused the file: find the first ragged row or non-numeric cell."""
    types = dict.fromkeys([f"c{i}" for i in range(lay.n_fields)], pa.string())
    n_bad, first, offset, ragged = 0, None, 0, []
    commas = {"thousands": 0, "decimal": 0}  # non-numeric cells of these shapes
    first_value = 1 + len(lay.kept_columns)  # the parsed table's first value column
    for chunk in line_chunks(path, lay.n_skip, cr_lines=lay.cr_lines):
        invalid: list = []
        spaces = Skipped()
        tbl = parse_chunk(chunk, lay, types, invalid=invalid, skipped=spaces)
        ragged += [(lay.n_skip + offset + r.number, r) for r in invalid]
        for j in range(first_value, tbl.num_columns):
            col = pcc.utf8_trim_whitespace(tbl.column(j))
            if lay.decimal_point == ",":
                col = pcc.replace_substring(col, ",", ".")
            try:
                pcc.cast(col, pa.float32())
                continue
            except pa.ArrowInvalid:
                s = col.to_pandas()
            bad = np.flatnonzero((pd.to_numeric(s, errors="coerce").isna() & s.notna()).to_numpy())
            n_bad += len(bad)
            shapes = s.iloc[bad]
            commas["thousands"] += int(shapes.str.fullmatch(THOUSANDS).sum())
            commas["decimal"] += int(shapes.str.fullmatch(DECIMAL_COMMA).sum())
            if len(bad) and (first is None or (offset + bad[0], j) < first[:2]):
                first = (offset + int(bad[0]), j, s.iloc[bad[0]], tbl.column(0)[int(bad[0])].as_py())
        offset += tbl.num_rows + len(invalid) + spaces.n_blank
    if ragged:
        line, r = ragged[0]
        if len(ragged) == 1 and line == lay.n_skip + offset and r.actual_columns < r.expected_columns:
            return input_error(
                f"the last line stops after {r.actual_columns} of {r.expected_columns} fields: "
                "the file is cut off mid-row (truncated)", path=path,
                where=f"line {line} (row {r.text.split(lay.delimiter, 1)[0]!r})", fix=_REFETCH)
        return input_error(
            f"{len(ragged)} row(s) with the wrong number of fields; the first has "
            f"{r.actual_columns} instead of {r.expected_columns}", path=path,
            where=f"line {line} (row {r.text.split(lay.delimiter, 1)[0]!r})",
            fix="every row needs one identifier and one value per column (check the delimiter)")
    if first is not None:
        row, j, value, rid = first
        where = f"line {lay.n_skip + row + 1} (row {rid!r}), column {lay.value_names[j - first_value]!r}"
        return _non_numeric(path, lay, n_bad, value, where, commas)
    return input_error(f"could not parse the matrix: {arrow_msg[:300]}", path=path,
                       fix="check the delimiter and that every cell is a number")


_NO_SEPARATORS = ("save the numbers with a decimal point and no thousands separator "
                  "(spreadsheet: format the cells as Number without the 1000 separator, or "
                  "export with an English locale)")


def _non_numeric(path: Path, lay: TextLayout, n_bad: int, value: str, where: str,
                 commas: dict[str, int]) -> Exception:
    """The error for non-numeric cells; when every one is a number written with a comma,
    it names thousands separators (``1,003`` in a comma file) or decimal commas."""
    if lay.decimal_point == "." and n_bad == commas["thousands"] and lay.delimiter != "\t":
        return input_error(f"{n_bad:,} cell(s) hold numbers with thousands separators (a quoted "
                           f"{value!r}), not plain numbers", path=path, where=where, fix=_NO_SEPARATORS)
    if lay.decimal_point == "." and n_bad == commas["decimal"]:
        sed = "sed 's/,/./g' FILE > FILE.fixed.tsv (tab-separated, no comma in the ids)"
        return input_error(f"{n_bad:,} cell(s) hold numbers with decimal commas (the first "
                           f"{value!r}), or thousands separators", path=path, where=where,
                           fix=f"{_NO_SEPARATORS}; decimal commas in a tab-separated file: {sed}")
    return input_error(f"{n_bad} non-numeric cell(s); the first is {value!r}", path=path,
                       where=where, fix="the matrix must hold numbers only: fix or remove those cells")
