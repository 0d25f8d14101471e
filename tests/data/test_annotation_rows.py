"""A gene annotation's bad position cell, as the error names it.

Before: a probemap cut short mid-line (a download cached as whole) failed with
``data row 2000, column 'chromStart': non-numeric chromStart np.float64(nan) (1 such rows)``:
the value printed as numpy's repr, an empty cell called "non-numeric", and nothing said
that the file was cut short or that it should be downloaded again.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from genemoe.data.annotation import read_annotation
from genemoe.errors import InputError

HEADER = "id\tgene\tchrom\tchromStart\tchromEnd\tstrand\n"
ROWS = [f"ENSG{i:011d}.5\tG{i}\tchr1\t{1000 + i}\t{2000 + i}\t+\n" for i in range(5)]


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_annotation(path)
    return str(info.value)


def test_a_probemap_cut_mid_line_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gencode.v36.annotation.gtf.gene.probemap"
    path.write_text(HEADER + "".join(ROWS) + "ENSG00000000099.5\tG99\tch")
    msg = _error(path)
    assert "data row 6, column 'chromStart': empty chromStart (1 such row)" in msg
    assert "np.float64" not in msg and "non-numeric" not in msg
    assert "last row and has 3 of the header's 6 tab-separated fields" in msg
    assert "the file looks cut short" in msg
    assert "fix: download it again" in msg


def test_a_gzipped_table_cut_short_says_so_too(tmp_path: Path) -> None:
    path = tmp_path / "probemap.tsv.gz"
    path.write_bytes(gzip.compress((HEADER + "".join(ROWS) + "ENSG1.1\tG\tchr1\t5\n").encode()))
    msg = _error(path)
    assert "empty chromEnd" in msg and "has 4 of the header's 6" in msg
    assert "looks cut short" in msg


def test_an_empty_cell_mid_file_is_empty_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "p.probemap"
    path.write_text(HEADER + ROWS[0] + "ENSG2.1\tG2\tchr1\t\t10\t+\n" + "".join(ROWS[1:]))
    msg = _error(path)
    assert "data row 2, column 'chromStart': empty chromStart (1 such row)" in msg
    assert "cut short" not in msg and "positions must be integers" in msg


def test_a_text_value_is_quoted_as_written(tmp_path: Path) -> None:
    path = tmp_path / "p.probemap"
    path.write_text(HEADER + "".join(ROWS) + "ENSG2.1\tG2\tchr1\tabc\t10\t+\n")
    msg = _error(path)
    assert "non-numeric chromStart 'abc' (1 such row)" in msg
    assert "cut short" not in msg
