"""``benchmarks/calibration_ood.py``: a missing data folder is one error naming the file and
the option (was a pandas traceback); bundles and runs reused from an earlier call into the
same ``--work`` are said and recorded (they were reused silently, whatever ``--seed``)."""

from __future__ import annotations

import sys

import pytest

from benchmark_scripts import load_script

calood = load_script("calibration_ood")


def test_a_missing_data_folder_names_the_file_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["calibration_ood.py", "--data", str(tmp_path / "nodata"),
                                      "--work", str(tmp_path / "w")])
    with pytest.raises(SystemExit) as err:
        calood.main()
    msg = str(err.value)
    assert "nodata/pancan33_random100/expression.tsv.gz not found" in msg
    assert "--data" in msg


def test_a_reused_run_is_recorded_and_said(tmp_path, capsys):
    results: dict = {"reused": []}
    assert calood._reused(tmp_path / "pc33_genemoe" / "model.pt", results) is False
    (tmp_path / "pc33_genemoe").mkdir()
    (tmp_path / "pc33_genemoe" / "model.pt").write_text("x")
    assert calood._reused(tmp_path / "pc33_genemoe" / "model.pt", results) is True
    assert results["reused"] == [str(tmp_path / "pc33_genemoe" / "model.pt")]
    assert "reusing" in capsys.readouterr().out
