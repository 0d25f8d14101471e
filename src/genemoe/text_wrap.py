"""Terminal lines at most 100 characters wide: a command's summary (predict's) and the
warnings explain logs (one ran to 469 characters).

:func:`wrapped` is predict's wrapping, here at the package's root (beside :mod:`genemoe.errors`)
so every layer can use it: explain, evaluate's benchmark warnings, tune's and train's lines
(it lived in ``genemoe.explain``, which evaluate may not import, so evaluate had a copy).
"""

from __future__ import annotations

import textwrap

__all__ = ["WIDTH", "wrapped", "warning_text"]

WIDTH = 100
_PREFIX = "warning: "  # the terminal handler's, before a logged warning's first line


def wrapped(text: str, width: int = WIDTH, *, first_whole: bool = True) -> str:
    """Each line of a summary at most ``width`` wide, continued under its own indent + 4
    (a sample-type warning ran to 280 characters); the first line (the output's path) whole
    unless ``first_whole`` is False."""
    first, *rest = text.split("\n")
    out = [first] if first_whole else []
    for line in rest if first_whole else [first, *rest]:
        pad = " " * (len(line) - len(line.lstrip()) + 4)
        out += textwrap.wrap(line, width=width, subsequent_indent=pad, break_long_words=False,
                             break_on_hyphens=False) or [line]
    return "\n".join(out)


def warning_text(text: str, width: int = WIDTH) -> str:
    """A warning to log, wrapped as :func:`wrapped` wraps predict's: its first line fits
    beside the terminal's ``warning:`` prefix, the others are indented 4."""
    return wrapped(_PREFIX + text, width, first_whole=False)[len(_PREFIX):]
