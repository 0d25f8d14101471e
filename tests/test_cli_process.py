"""The training commands' process set-up: freed memory kept unless GENEMOE_RETAIN_MEMORY=0."""

from __future__ import annotations

import pytest

from genemoe import cli_process
from genemoe.models import dispatch


@pytest.mark.parametrize(("env", "called"), [(None, True), ("1", True), ("0", False)])
def test_training_process_keeps_freed_memory_unless_opted_out(monkeypatch, env, called):
    calls = []
    monkeypatch.setattr(dispatch, "retain_freed_memory", lambda: calls.append(1) or True)
    if env is None:
        monkeypatch.delenv("GENEMOE_RETAIN_MEMORY", raising=False)
    else:
        monkeypatch.setenv("GENEMOE_RETAIN_MEMORY", env)
    cli_process.training_process()
    assert calls == ([1] if called else [])


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("wanted", "tty", "shown"), [(True, True, True), (True, False, False),
                                                      (False, True, False)])
def test_progress_bars_are_drawn_only_on_a_terminal(monkeypatch, wanted, tty, shown):
    monkeypatch.setattr(cli_process.sys, "stderr", _Stream(tty))
    assert cli_process.progress_bars(wanted) is shown


def test_tuning_process_leaves_optuna_warnings_only():
    import optuna

    before = optuna.logging.get_verbosity()
    try:
        optuna.logging.set_verbosity(optuna.logging.INFO)
        cli_process.tuning_process()
        assert optuna.logging.get_verbosity() == optuna.logging.WARNING
    finally:
        optuna.logging.set_verbosity(before)
