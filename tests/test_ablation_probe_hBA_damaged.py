"""An ablation folder holding tables.md but no results.csv (broken off between its last two
writes, or results.csv lost) was refused as "neither a run, a benchmark, ..."."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.report.html import report_kind


@pytest.mark.parametrize("with_parts", [False, True])
def test_tables_without_results_is_a_damaged_ablation(tmp_path, with_parts):
    (tmp_path / "tables.md").write_text("# Ablation\n")
    if with_parts:
        (tmp_path / "models").mkdir()
        (tmp_path / "models" / "protocol.json").write_text("{}")
    with pytest.raises(InputError) as info:
        report_kind(tmp_path)
    text = str(info.value)
    assert "neither a run" not in text
    assert "no results.csv" in text
    assert "run the same `genemoe ablation` command again" in info.value.fix
