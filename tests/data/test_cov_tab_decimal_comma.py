"""A tab-separated matrix's decimal commas: the note names the file kind and a cell; a
file mixing decimal points and commas is not read as decimal commas (the cell is named)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genemoe.data.read import read_expression
from genemoe.errors import InputError

HEADER = "gene_id\tS1\tS2\n"


def _tsv(tmp_path: Path, rows: list[str]) -> Path:
    (path := tmp_path / "m.tsv").write_text(HEADER + "".join(f"ENSG0000000000{i}\t{r}\n"
                                                             for i, r in enumerate(rows, 1)))
    return path


def test_the_note_says_tab_separated_with_an_example_cell(tmp_path):
    table = read_expression(_tsv(tmp_path, ["1,5\t2,25", "3\t4,75"]))
    np.testing.assert_allclose(table.values, [[1.5, 3.0], [2.25, 4.75]])
    assert "decimal commas read as decimal points (tab-separated; e.g. '1,5')" in table.notes


def test_a_thousands_shaped_cell_beside_a_decimal_comma_is_a_decimal_comma(tmp_path):
    table = read_expression(_tsv(tmp_path, ["1,5\t2", "1,000\t4"]))
    np.testing.assert_allclose(table.values, [[1.5, 1.0], [2.0, 4.0]])


def test_decimal_points_and_commas_mixed_are_refused_naming_the_cell(tmp_path):
    with pytest.raises(InputError, match=r"column 'S1': 1 cell\(s\) hold numbers with decimal "
                                         r"commas \(the first '1,5'\)") as e:
        read_expression(_tsv(tmp_path, ["1,5\t2.5", "3\t4"]))
    assert "decimal point" in e.value.fix
