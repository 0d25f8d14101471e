"""Every genemoe log line a call writes, for tests that read what a user would see
(importable from any test module: ``tests/`` is on sys.path)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def logged_lines(fn: Callable[[], Any]) -> tuple[Any, list[str]]:
    """``fn()``'s result and every genemoe log line it wrote (INFO and up), as
    ``"WARNING: text"``."""
    handler, lg = _Records(), logging.getLogger("genemoe")
    level = lg.level
    lg.addHandler(handler)
    lg.setLevel(logging.INFO)
    try:
        return fn(), handler.lines
    finally:
        lg.removeHandler(handler)
        lg.setLevel(level)


def warning_lines(fn: Callable[[], Any]) -> list[str]:
    """The messages of every genemoe warning (and error) ``fn()`` logged, as written (the
    ablation rerun tests each had their own copy of this)."""
    _, lines = logged_lines(fn)
    return [line.split(": ", 1)[1] for line in lines
            if line.startswith(("WARNING: ", "ERROR: ", "CRITICAL: "))]
