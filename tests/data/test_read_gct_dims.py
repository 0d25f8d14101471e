"""A GCT file's dimensions line is checked against its data: a mismatch is refused as a
truncated or damaged file, both counts named, line 2 pointed at.

Old behaviour (outside probe): a GCT declaring ``100 5`` that held 4,997 rows of a 56,380-row
file and 34 sample columns was read as 4,997 genes × 34 samples, caught only by predict's
missing-gene limit.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from genemoe.data.read import read_expression
from genemoe.data.text_layout import check_declared_rows, peek_text
from genemoe.errors import InputError

SAMPLES = ["GTEX-1117F-0226", "GTEX-111CU-1826", "GTEX-111FC-0226"]


def _gct(path: Path, n_genes: int, dims: str, *, version: str = "#1.2", tail: str = "\n") -> Path:
    if version == "#1.2":
        head = [version, dims, "Name\tDescription\t" + "\t".join(SAMPLES)]
    else:
        head = [version, dims, "id\tsymbol\t" + "\t".join(SAMPLES), "tissue\tna\tlung\tliver\tlung"]
    rows = [f"ENSG{i:011d}.1\tG{i}\t{i}\t{2 * i}\t{3 * i}" for i in range(n_genes)]
    text = "\n".join(head + rows) + tail
    path.write_bytes(gzip.compress(text.encode()) if path.suffix == ".gz" else text.encode())
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_expression(path)
    assert str(info.value).startswith(f"{path}: line 2 (the dimensions): ")
    assert info.value.fix == "the file looks truncated or damaged: fetch or export it again"
    return info.value


@pytest.mark.parametrize("name", ["m.gct", "m.gct.gz"])
def test_declared_columns_other_than_the_header_are_refused(tmp_path, name):
    err = _error(_gct(tmp_path / name, 40, "40\t5"))
    assert err.problem == ("the GCT dimensions line declares 40 rows × 5 columns of values, but "
                           "the file holds 3 value columns (line 3, the header)")


def test_fewer_rows_than_declared_are_refused(tmp_path):
    """A file cut at a line's end: 30 of 40 declared rows."""
    err = _error(_gct(tmp_path / "cut.gct", 30, "40\t3"))
    assert err.problem.endswith("declares 40 rows × 3 columns of values, but the file holds 30 data rows")


def test_more_rows_than_declared_are_refused_past_the_peek(tmp_path):
    """The probe's shape: far more rows than declared, more than the first lines peeked."""
    err = _error(_gct(tmp_path / "big.gct", 2500, "100\t3"))
    assert err.problem.endswith("the file holds at least 2,000 data rows")


def test_gct_1_3_rows_are_checked_after_its_column_metadata(tmp_path):
    assert read_expression(_gct(tmp_path / "ok.gct", 40, "40\t3\t1\t1", version="#1.3")).shape == (3, 40)
    err = _error(_gct(tmp_path / "bad.gct", 40, "41\t3\t1\t1", version="#1.3"))
    assert err.problem.endswith("the file holds 40 data rows")


def test_matching_dimensions_read_as_before(tmp_path):
    """Blank lines at the end are not rows."""
    assert read_expression(_gct(tmp_path / "ok.gct", 40, "40\t3", tail="\n\n\n")).shape == (3, 40)


def test_the_full_row_count_is_checked_by_check_declared_rows(tmp_path):
    """A long file (beyond the peek) short of its declared rows: the reader's count decides."""
    path = _gct(tmp_path / "long.gct", 2500, "3000\t3")
    lay = peek_text(path, None)
    assert lay.declared == (3000, 3)
    check_declared_rows(lay, 3000, path)  # as declared: nothing said
    with pytest.raises(InputError, match="declares 3,000 rows × 3 columns of values, but the file "
                                         "holds 2,500 data rows"):
        check_declared_rows(lay, 2500, path)


def test_a_long_gct_cut_at_a_line_end_is_refused_once_read(tmp_path):
    """Past the first look (2,000 rows), a file that stops short of its declared rows was
    read whole as the genes it held: the full read now counts them."""
    path = _gct(tmp_path / "long.gct", 2500, f"3000\t{len(SAMPLES)}")
    err = _error(path)
    assert "3,000" in str(err) and "2,500" in str(err)
