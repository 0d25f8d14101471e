"""Durations written for people: the one formatter of seconds every package uses.

A root module (importable everywhere): ``explain`` may not import ``report``, and its
``took_text`` had become a second copy of report's ``fmt_seconds``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["NO_TIME", "fmt_seconds", "short_seconds"]

NO_TIME = "–"  # a duration not measured (report.text's DASH)


def short_seconds(seconds: float) -> str:
    """``18.2 s``, ``2.8 ms``, ``28.2 µs``: three figures in the unit that keeps them
    (``2.82e-05 s`` read as a float's repr)."""
    seconds = max(float(seconds), 0.0)
    if seconds == 0:
        return "0 s"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def fmt_seconds(seconds: Any, *, fine: bool = False) -> str:
    """A duration for people: ``8 s``, ``2 min 05 s``, ``1 h 03 min``.

    Parameters
    ----------
    seconds
        The duration; anything but a finite real number reads :data:`NO_TIME`.
    fine
        Keep the figures of a short duration: under 1 s in the unit that keeps three
        (:func:`short_seconds`: ``1.86 ms``), under 10 s two (``8.4 s``). Without it they
        are rounded to whole seconds (``8 s``; a table's column of run times).

    Returns
    -------
    str
        The text (never a float's repr: ``2.8e-05 s`` was printed for a fast model).
    """
    if (not isinstance(seconds, numbers.Real) or isinstance(seconds, bool)
            or not math.isfinite(seconds)):
        return NO_TIME
    s = int(round(seconds))
    if fine and seconds < 1:
        return short_seconds(seconds)
    if s < 60:
        return f"{seconds:.2g} s" if fine and seconds < 10 else f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
