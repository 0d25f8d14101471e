"""Warnings on a terminal are wrapped at its width (at most 100); a log file keeps one record
per line.

Old behaviour: a warning of 160 characters ran past the window's edge on a terminal.
"""

from __future__ import annotations

import io
import logging

import pytest

from genemoe.cli_logging import TerminalHandler, wrap_for_terminal

LONG = ("the clinical table's column 'OS.time' holds 12 values in months (under 400 for every "
        "patient): read as days they would shorten follow-up thirty-fold; pass --time-unit months")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _emit(stream: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    record = logging.LogRecord("genemoe.x", logging.WARNING, __file__, 1, LONG, None, None)
    TerminalHandler().emit(record)
    return stream.getvalue()


def test_a_long_warning_is_wrapped_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _emit(_Tty(), monkeypatch)
    lines = out.rstrip("\n").splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= 100
    assert lines[0].startswith("warning: ") and all(x.startswith("    ") for x in lines[1:])
    assert " ".join(out.split()) == " ".join(("warning: " + LONG).split())  # no word lost


def test_a_log_file_keeps_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _emit(io.StringIO(), monkeypatch)
    assert out == f"warning: {LONG}\n"


def test_long_paths_stay_whole_and_short_lines_untouched() -> None:
    path = "/data/" + "x" * 120 + ".tsv.gz"
    wrapped = wrap_for_terminal(f"warning: could not read {path}", width=100)
    assert path in wrapped.splitlines()[1]
    assert wrap_for_terminal("  short\nlines", width=100) == "  short\nlines"


def test_an_error_on_a_terminal_is_wrapped_and_whole_in_a_pipe(monkeypatch) -> None:
    """Old behaviour: ``genemoe: error: ...`` and its ``fix:`` line (190 characters for the rf
    refusal) ran past the window's edge."""
    import click

    from genemoe.cli_logging import error_text

    message = f"{LONG}\n  fix: {LONG}"
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr("sys.stderr", _Tty())
    shown = click.unstyle(error_text("genemoe: error:", "red", message))
    assert max(map(len, shown.splitlines())) <= 100 and shown.startswith("genemoe: error: ")
    assert any(line.startswith("  fix: ") for line in shown.splitlines())
    assert " ".join(shown.split()) == " ".join(f"genemoe: error: {message}".split())
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert click.unstyle(error_text("genemoe: error:", "red", message)) == \
        f"genemoe: error: {message}"
