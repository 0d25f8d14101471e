"""Reading and setting aside a benchmark directory's files (no training)."""

from __future__ import annotations

import json

from genemoe.evaluate.benchmark_files import option_changes, set_aside_cells


def _benchmark(out, fingerprint, **opts):
    out.mkdir(parents=True, exist_ok=True)
    (out / "protocol.json").write_text(json.dumps({"fingerprint": fingerprint, **opts}))


def test_option_changes_say_the_presets_value_not_none(tmp_path):
    """Old behaviour: "epochs None → 3" (a Python None for an option not given)."""
    _benchmark(tmp_path, "a" * 64, epochs=None, tune=2, pretrained=None)
    changes = option_changes(tmp_path, {"fingerprint": "b" * 64, "epochs": 3, "tune": 1,
                                        "pretrained": "pre/run"})
    assert changes == ["epochs the preset's → 3", "tune 2 → 1", "pretrained none → pre/run"]
    assert option_changes(tmp_path, {"fingerprint": "b" * 64, "epochs": None, "tune": 2}) == [
        "the preset's contents or the bundle"]


def test_the_earlier_options_figures_are_set_aside_with_their_cells(tmp_path):
    """Old behaviour: the cells went to cells.<fp>/, the figures drawn from them stayed in
    plots/ beside the new run's."""
    _benchmark(tmp_path, "a" * 64)
    (tmp_path / "cells").mkdir()
    (tmp_path / "cells" / "fcn__r0_f0.json").write_text("{}")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "confusion_fcn.png").write_bytes(b"png")
    assert set_aside_cells(tmp_path, "b" * 64) == ("cells.aaaaaaaaaaaa", False)
    kept = tmp_path / "cells.aaaaaaaaaaaa"
    assert (kept / "fcn__r0_f0.json").exists() and (kept / "plots" / "confusion_fcn.png").exists()
    assert not (tmp_path / "plots").exists()
    # the new options' run drew its own figures; then the earlier options come back
    _benchmark(tmp_path, "b" * 64)
    (tmp_path / "cells" / "logreg__r0_f0.json").write_text("{}")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "confusion_logreg.png").write_bytes(b"png")
    assert set_aside_cells(tmp_path, "a" * 64) == ("cells.bbbbbbbbbbbb", True)
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["confusion_fcn.png"]
    assert sorted(p.name for p in (tmp_path / "cells").iterdir()) == ["fcn__r0_f0.json"]
    assert not kept.exists()
    assert (tmp_path / "cells.bbbbbbbbbbbb" / "plots" / "confusion_logreg.png").exists()


def test_figures_without_cells_are_set_aside_too(tmp_path):
    _benchmark(tmp_path, "a" * 64)
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "box_accuracy.png").write_bytes(b"png")
    assert set_aside_cells(tmp_path, "b" * 64) == ("cells.aaaaaaaaaaaa", False)
    assert not (tmp_path / "plots").exists()
