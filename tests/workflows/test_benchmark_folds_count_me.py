"""`--folds 0` is refused with the other counts, before the bundle is read."""

from __future__ import annotations

import pytest

import genemoe.cli as cli


@pytest.mark.parametrize("command", ["benchmark", "ablation"])
def test_folds_below_two_are_refused_before_the_bundle_is_read(tmp_path, monkeypatch, capsys,
                                                                command):
    """Old behaviour: a missing bundle was told first (``no such bundle directory``), and a
    real one was read before its split refused ``--folds 0``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "defer_interrupts_in_imports", lambda: None)  # pytest's signals
    monkeypatch.setattr("sys.argv", ["genemoe", command, "--data", "missing", "--folds", "0",
                                     "--out", "o"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    err = capsys.readouterr().err
    assert stop.value.code != 0
    assert "--folds: must be at least 2, got 0" in err, err
    assert "no such bundle" not in err
    assert not (tmp_path / "o").exists()
