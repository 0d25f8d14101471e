"""A delimited expression matrix's data lines, parsed by pyarrow in chunks of whole lines.

:func:`line_chunks` hands out the lines after the header at most :data:`CHUNK_BYTES` at a
time, :func:`parse_chunk` parses one chunk to an Arrow table, and :func:`diagnose_text`
finds, after pyarrow refused the file, the first ragged row or non-numeric cell and says it
with the file, line, column and fix. :mod:`genemoe.data.read` assembles the matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pcc
import pyarrow.csv as pacsv

from genemoe.data.text_layout import TextLayout
from genemoe.data.textio import _REFETCH, NA_TOKENS, compression, open_binary
from genemoe.errors import input_error

__all__ = ["CHUNK_BYTES", "WIDE_FIELDS", "diagnose_text", "line_chunks", "parse_chunk"]

CHUNK_BYTES = 16 << 20  # text handed to pyarrow per call (transient memory ~10x this)
WIDE_FIELDS = 5000  # rows with more fields are parsed one block per chunk, single-threaded


def line_chunks(path: Path, n_skip: int) -> Iterator[memoryview]:
    """Whole lines after the ``n_skip`` header lines, at most about ``CHUNK_BYTES`` at a time.

    One buffer is reused (a chunk is valid until the next is requested), so reading
    does not fragment the heap with a fresh large allocation per chunk.
    """
    packed = compression(path) is not None
    text_bytes = path.stat().st_size * (4 if packed else 1)  # about; sizes the buffer for small files
    buf = bytearray(min(CHUNK_BYTES, max(1 << 20, text_bytes // 8)))
    with open_binary(path) as fh:
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
                yield memoryview(buf)[:cut]
            buf[:end - cut] = buf[cut:end]
            end -= cut


def parse_chunk(chunk: memoryview, lay: TextLayout, types: dict[str, pa.DataType], *,
                 invalid: list | None = None) -> pa.Table:
    """Parse whole lines with pyarrow; ``invalid`` collects ragged rows instead of raising.

    Narrow rows are parsed in parallel blocks; wide rows (many columns: pyarrow's per-column
    overhead dominates) in one block per chunk, which is both leaner and faster.
    """
    wide = lay.n_fields > WIDE_FIELDS
    read = pacsv.ReadOptions(column_names=list(types), use_threads=invalid is None and not wide,
                             block_size=len(chunk) + 1 if wide else max(4 << 20, 16 * lay.line_len))
    handler = None if invalid is None else (lambda row: invalid.append(row) or "skip")
    parse = pacsv.ParseOptions(delimiter=lay.delimiter, invalid_row_handler=handler)
    names = list(types)  # annotation columns (lay.n_meta after the id) are not parsed, but
    kept = [names[c] for c in lay.kept_columns]  # gene symbols, Entrez ids, biotypes
    conv = pacsv.ConvertOptions(column_types=types, null_values=NA_TOKENS, decimal_point=lay.decimal_point,
                                strings_can_be_null=invalid is not None,
                                include_columns=names[:1] + kept + names[1 + lay.n_meta:])
    return pacsv.read_csv(pa.BufferReader(pa.py_buffer(chunk)), read_options=read, parse_options=parse,
                          convert_options=conv)


def diagnose_text(path: Path, lay: TextLayout, arrow_msg: str) -> Exception:
    """After pyarrow refused the file: find the first ragged row or non-numeric cell."""
    types = dict.fromkeys([f"c{i}" for i in range(lay.n_fields)], pa.string())
    n_bad, first, offset, ragged = 0, None, 0, []
    first_value = 1 + len(lay.kept_columns)  # the parsed table's first value column
    for chunk in line_chunks(path, lay.n_skip):
        invalid: list = []
        tbl = parse_chunk(chunk, lay, types, invalid=invalid)
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
            if len(bad) and (first is None or (offset + bad[0], j) < first[:2]):
                first = (offset + int(bad[0]), j, s.iloc[bad[0]], tbl.column(0)[int(bad[0])].as_py())
        offset += tbl.num_rows + len(invalid)
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
        return input_error(
            f"{n_bad} non-numeric cell(s); the first is {value!r}", path=path,
            where=f"line {lay.n_skip + row + 1} (row {rid!r}), column {lay.value_names[j - first_value]!r}",
            fix="the matrix must hold numbers only: fix or remove those cells")
    return input_error(f"could not parse the matrix: {arrow_msg[:300]}", path=path,
                       fix="check the delimiter and that every cell is a number")
