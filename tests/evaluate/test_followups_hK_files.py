"""Follow-ups (hK): load_cells' warnings on left-out cell files fit a 100-character terminal."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from genemoe.evaluate.benchmark_files import load_cells


def _bench() -> Path:
    """A benchmark folder of one good cell, three damaged ones and one of other options."""
    out = Path("bench")  # relative: the lines' width is the words' alone
    (out / "cells").mkdir(parents=True)
    (out / "protocol.json").write_text(json.dumps({"models": ["fcn", "genemoe_pretrained"],
                                                    "fingerprint": "abc"}))
    (out / "cells" / "fcn__r0_f0.json").write_text(json.dumps(
        {"fingerprint": "abc", "model": "fcn", "repeat": 0, "fold": 0}))
    (out / "cells" / "fcn__r0_f1.json").write_text(json.dumps({"fingerprint": "old"}))
    for fold in range(4):
        (out / "cells" / f"genemoe_pretrained__r0_f{fold}.json").write_text('{"fingerpr')
    return out


def test_left_out_cell_warnings_are_short_lines(tmp_path, caplog, monkeypatch):
    """Old behaviour: the damaged cells' warning was one line of ~160 characters (more with
    the folder's path); the terminal prints "warning: " before its first line."""
    monkeypatch.chdir(tmp_path)
    out = _bench()
    with caplog.at_level(logging.WARNING):
        cells = load_cells(out)
    assert [c["fold"] for c in cells] == [0]
    messages = [r.getMessage() for r in caplog.records]
    damaged = [m for m in messages if "cut short or damaged" in m]
    other = [m for m in messages if "computed under other options" in m]
    assert len(damaged) == 1 and len(other) == 1
    for message in damaged + other:
        lines = ("warning: " + message).split("\n")
        assert all(len(line) <= 100 for line in lines), lines
        assert "re-run `genemoe benchmark` with the same --out and options" in " ".join(
            line.strip() for line in lines)
    flat = " ".join(line.strip() for line in damaged[0].split("\n"))
    assert "4 cell file(s) cut short or damaged and left out (genemoe_pretrained__r0_f0.json" in flat
    assert str(out / "cells") in damaged[0] and "..." in flat
    assert "cells of fcn were computed under other options" in other[0]
