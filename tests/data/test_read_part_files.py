"""An unfinished download's ``.part`` is refused as an input (probeH, session 20): the
README's ``--labels xena/TCGA-*.clinical.tsv*`` also matched a ``.part`` left beside the
files, and a plain table cut at a line's end was read as whole, silently."""

from __future__ import annotations

import pytest

from genemoe.data.read import read_labels
from genemoe.errors import InputError


def test_a_part_file_is_refused_naming_it_and_the_fix(tmp_path):
    p = tmp_path / "TCGA-UVM.clinical.tsv.part"
    p.write_text("sample\tcancer_type\nTCGA-V4-A9E5-01\tUVM\n")  # whole lines: readable
    with pytest.raises(InputError, match="unfinished download") as err:
        read_labels(p)
    assert "TCGA-UVM.clinical.tsv.part" in str(err.value)
    assert "genemoe download" in str(err.value)
