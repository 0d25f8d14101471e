"""The record's note on Entrez ids written as decimals counts them in words that agree.

Old behaviour: "1 gene id(s) are Entrez ids written as decimals (e.g. 7157.0): read as
whole numbers (7157)" in the record, and "1 Entrez id written as decimals read as whole
number" on prepare's read line. Now "1 gene id is an Entrez id written as a decimal" /
"8 gene ids are Entrez ids written as decimals"; the read line (prep_text) reads both, and
the older records' "id(s)" too.
"""

from __future__ import annotations

from pathlib import Path

from genemoe.data.prep_text import step_line
from genemoe.data.read import read_expression


def _table(path: Path, genes: list[str]) -> Path:
    rows = ["gene\tS1\tS2\tS3", *(f"{g}\t1.5\t2.5\t{3.5 + i}" for i, g in enumerate(genes))]
    path.write_text("\n".join(rows) + "\n")
    return path


def _read_line(path: Path, notes: list[str]) -> str:
    return step_line("read", {"file": str(path), "shape": [3, 1], "orientation": "genes_by_samples",
                              "id_kind": "entrez", "value_kind": "log", "notes": notes})


def test_one_decimal_entrez_id_is_said_in_the_singular(tmp_path):
    f = _table(tmp_path / "one.tsv", ["7157.0"])
    table = read_expression(f)
    note = "1 gene id is an Entrez id written as a decimal (7157.0): read as a whole number (7157)"
    assert note in table.notes, table.notes
    assert not any("id(s)" in n for n in table.notes)
    line = _read_line(f, [note])
    assert line.endswith("\n  1 Entrez id written as a decimal read as a whole number: 7157.0 → 7157")


def test_several_decimal_entrez_ids_are_said_in_the_plural(tmp_path):
    f = _table(tmp_path / "two.tsv", ["7157.0", "1956.0"])
    note = "2 gene ids are Entrez ids written as decimals (e.g. 7157.0): read as whole numbers (7157)"
    assert note in read_expression(f).notes
    assert _read_line(f, [note]).endswith(
        "\n  2 Entrez ids written as decimals read as whole numbers, e.g. 7157.0 → 7157")


def test_an_older_records_note_is_still_read(tmp_path):
    old = "8 gene id(s) are Entrez ids written as decimals (e.g. 7157.0): read as whole numbers (7157)"
    assert _read_line(tmp_path / "old.tsv", [old]).endswith(
        "\n  8 Entrez ids written as decimals read as whole numbers, e.g. 7157.0 → 7157")
