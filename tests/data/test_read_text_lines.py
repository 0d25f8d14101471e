"""Text matrices' lines and cells as spreadsheets and old tools write them (probeW): blank
lines holding spaces, CR-only line ends, decimal commas and thousands separators, ids with
a tab or surrounding spaces. Each is read and said, or refused naming the cause and the fix.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from genemoe.data.read import read_expression
from genemoe.errors import InputError

SAMPLES = [f"TCGA-B{i}-00{i}{i}-01A-11R-A29S-07" for i in range(4)]
GENES = [f"ENSG0000022151{i}" for i in range(6)]
VALUES = np.arange(24, dtype=np.float32).reshape(6, 4) * 7 + 1  # genes x samples counts


def _lines(cells: list[list[str]] | None = None, sep: str = "\t") -> list[str]:
    """A genes x samples matrix's lines (header first), the cells given or VALUES'."""
    cells = cells or [[f"{v:g}" for v in row] for row in VALUES]
    return [sep.join(["gene_id", *SAMPLES])] + [sep.join([g, *row]) for g, row in zip(GENES, cells, strict=True)]


def _write(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode()) if path.suffix == ".gz" else text.encode())
    return path


def _note(table, start: str) -> str:
    return next((n for n in table.notes if n.startswith(start)), "")


# ----------------------------------------------------------------------------- blank lines


@pytest.mark.parametrize("tail", [" \n", " ", "\t \n\n"])
def test_trailing_blank_line_with_spaces_is_skipped_and_counted(tmp_path, tail):
    """A last line holding only spaces was "cut off mid-row (truncated)": download again."""
    path = _write(tmp_path / "m.tsv", "\n".join(_lines()) + "\n" + tail)
    table = read_expression(path)
    np.testing.assert_array_equal(table.values, VALUES.T)
    n = 2 if tail == "\t \n\n" else 1
    assert _note(table, f"{n} blank line(s) skipped")


def test_empty_lines_inside_are_counted_like_space_lines(tmp_path):
    """Empty lines were skipped unsaid; now counted with the space-only ones (gzip too)."""
    lines = _lines()
    text = "\n".join([lines[0], lines[1], "", lines[2], "  ", *lines[3:]]) + "\n"
    table = read_expression(_write(tmp_path / "m.tsv.gz", text))
    np.testing.assert_array_equal(table.values, VALUES.T)
    assert _note(table, "2 blank line(s) skipped")
    plain = read_expression(_write(tmp_path / "p.tsv", "\n".join(_lines()) + "\n"))
    assert not any("blank" in n for n in plain.notes)


@pytest.mark.parametrize(("name", "sep"), [("m.tsv", "\t"), ("m.csv.gz", ",")])
def test_rows_of_only_separators_are_skipped_and_counted(tmp_path, name, sep):
    """A spreadsheet saves its formatted empty rows as ``\t\t\t\t`` (the right number of
    fields): they were refused as "1 empty gene identifier(s)", fix "give every gene a name"."""
    lines, empty = _lines(sep=sep), sep * len(SAMPLES)
    text = "\n".join([*lines[:3], empty, *lines[3:], empty, " " + empty]) + "\n"
    table = read_expression(_write(tmp_path / name, text))
    np.testing.assert_array_equal(table.values, VALUES.T)
    assert list(table.gene_ids) == GENES
    assert _note(table, "3 blank line(s) skipped")


def test_an_empty_id_with_values_is_still_refused(tmp_path):
    lines = _lines()
    text = "\n".join([*lines[:3], "\t" + "\t".join(["5"] * len(SAMPLES)), *lines[3:]]) + "\n"
    with pytest.raises(InputError, match="empty gene identifier"):
        read_expression(_write(tmp_path / "m.tsv", text))


# ----------------------------------------------------------------------------- CR line ends


@pytest.mark.parametrize("name", ["cr.tsv", "cr.tsv.gz"])
def test_cr_only_line_endings_are_read_as_lines(tmp_path, name):
    """Old-Mac CR line ends gave "empty matrix (4 samples x 0 genes)"."""
    table = read_expression(_write(tmp_path / name, "\r".join(_lines()) + "\r"))
    np.testing.assert_array_equal(table.values, VALUES.T)
    assert list(table.gene_ids) == GENES and list(table.sample_ids) == SAMPLES
    assert _note(table, "line endings: CR (old Mac) read as lines")


# ----------------------------------------------------------------------------- commas in numbers


def test_decimal_commas_in_a_tab_file_are_read_and_said(tmp_path):
    """'34,5' in a tab-separated file was "non-numeric ... numbers only" (the ';' file's
    decimal commas were read)."""
    cells = [[f"{v:g},5" for v in row] for row in VALUES]
    table = read_expression(_write(tmp_path / "m.tsv", "\n".join(_lines(cells)) + "\n"))
    np.testing.assert_allclose(table.values, VALUES.T + 0.5)
    assert _note(table, "decimal commas read as decimal points")


def test_tab_file_commas_of_thousands_shape_are_refused_as_ambiguous(tmp_path):
    cells = [[f"1,{int(v):03d}" for v in row] for row in VALUES]
    with pytest.raises(InputError) as err:
        read_expression(_write(tmp_path / "m.tsv", "\n".join(_lines(cells)) + "\n"))
    assert "thousands separators or decimal commas" in str(err.value)
    assert "no thousands separator" in err.value.fix


def test_thousands_separators_in_a_csv_are_named(tmp_path):
    """A quoted '1,003' in a CSV was "non-numeric cells ... numbers only"."""
    cells = [[f"{v:g}" for v in VALUES[0]]] + [[f'"1,{int(v):03d}"' for v in row] for row in VALUES[1:]]
    with pytest.raises(InputError) as err:
        read_expression(_write(tmp_path / "m.csv", "\n".join(_lines(cells, ",")) + "\n"))
    assert "thousands separators" in str(err.value) and "'1,029'" in str(err.value)
    assert "line 3" in str(err.value)
    assert "no thousands separator" in err.value.fix


def test_decimal_commas_beside_decimal_points_are_named(tmp_path):
    """Not read as decimal commas (a dot decimal too): refused naming them."""
    cells = [[f"{v:g}.5" for v in row] for row in VALUES]
    cells[3][1] = "3,25"
    with pytest.raises(InputError) as err:
        read_expression(_write(tmp_path / "m.tsv", "\n".join(_lines(cells)) + "\n"))
    assert "decimal commas" in str(err.value) and "line 5" in str(err.value)


# ----------------------------------------------------------------------------- ids


def test_sample_id_with_a_tab_is_refused_with_its_column(tmp_path):
    """A quoted header cell holding a tab read on; prepare then said "some sample ids are
    TCGA barcodes and some are not", naming neither file nor column."""
    lines = _lines()
    lines[0] = lines[0].replace(SAMPLES[1], f'"{SAMPLES[1][:12]}\t{SAMPLES[1][12:]}"')
    with pytest.raises(InputError) as err:
        read_expression(_write(tmp_path / "m.tsv", "\n".join(lines) + "\n"))
    assert "column 3 of line 1" in str(err.value) and "tab" in str(err.value)
    assert "must not contain tabs" in err.value.fix and "m.tsv" in str(err.value)


def test_gene_id_with_a_tab_is_refused_with_its_line(tmp_path):
    lines = _lines()
    lines[2] = lines[2].replace(GENES[1], f'"{GENES[1]}\tx"')
    with pytest.raises(InputError) as err:
        read_expression(_write(tmp_path / "m.tsv", "\n".join(lines) + "\n"))
    assert "line 3" in str(err.value) and "gene id(s) hold a tab" in str(err.value)


def test_spaces_around_ids_are_trimmed_and_counted(tmp_path):
    """Trimmed before, unsaid."""
    lines = _lines()
    lines[0] = lines[0].replace(SAMPLES[0], f" {SAMPLES[0]} ").replace(SAMPLES[2], f"{SAMPLES[2]} ")
    lines[1] = lines[1].replace(GENES[0], f"{GENES[0]}  ")
    table = read_expression(_write(tmp_path / "m.tsv", "\n".join(lines) + "\n"))
    assert list(table.sample_ids) == SAMPLES and list(table.gene_ids) == GENES
    assert _note(table, "2 sample id(s) had surrounding spaces: trimmed")
    assert _note(table, "1 gene id(s) had surrounding spaces: trimmed")
