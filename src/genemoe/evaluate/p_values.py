"""P-values as people read them: two significant digits, small ones in e-notation.

One formatter for the terminal, the report and the Markdown files (summary.md and an
ablation's tables.md rounded p to 4 decimals: a corrected p of 3e-6 read ``0``).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["fmt_p", "with_p_text", "P_COLUMNS"]

DASH = "–"  # a p-value that was not computed
P_COLUMNS = ("p_value", "corrected_p", "holm_p")  # the paired comparisons' p-value columns


def fmt_p(p: Any) -> str:
    """A p-value to two significant digits, trailing zeros kept (``0.10`` beside ``0.17``,
    not ``0.1``): ``0.016``, ``0.0023``, ``2.3e-4``, ``< 1e-16``; ``–`` when missing. Any
    real number type is read (an ``np.float32`` or a 0-d array showed ``–``); a bool is not."""
    if isinstance(p, np.ndarray) and p.ndim == 0:
        p = p.item()
    if isinstance(p, bool | np.bool_) or not isinstance(p, Real) or not math.isfinite(p):
        return DASH
    p = float(p)
    if p < 1e-16:
        return "< 1e-16"
    if p >= 1e-3:
        return f"{p:#.2g}" if p < 0.995 else "1"
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def with_p_text(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its :data:`P_COLUMNS` as :func:`fmt_p` text (for a Markdown table)."""
    return table.assign(**{c: table[c].map(lambda v: fmt_p(None if pd.isna(v) else float(v)))
                           for c in P_COLUMNS if c in table})
