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
