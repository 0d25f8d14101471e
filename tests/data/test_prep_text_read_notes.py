"""prepare's read line says the text reader's counted notes (probeW): blank lines skipped,
CR line ends, ids trimmed of spaces (they were in record.json only)."""

from __future__ import annotations

from genemoe.data.prep_text import step_line


def test_read_line_says_blank_lines_cr_and_trimmed_ids():
    notes = ["line endings: CR (old Mac) read as lines", "orientation: genes x samples (as stated)",
             "3 blank line(s) skipped", "60 sample id(s) had surrounding spaces: trimmed",
             "gene identifiers: ensembl"]
    info = {"file": "m.tsv", "shape": [60, 200], "orientation": "genes_by_samples",
            "id_kind": "ensembl", "value_kind": "counts", "notes": notes}
    line = step_line("read", info)
    assert line.startswith("read m.tsv: 200 genes")
    for said in (notes[0], notes[2], notes[3]):
        assert f"\n  {said}" in line
    assert "orientation: genes x samples" not in line
