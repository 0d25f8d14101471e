"""Markdown tables for the files genemoe writes (summary.md): no optional dependency."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["markdown_table"]


def markdown_table(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (no optional dependency)."""
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return "NaN" if np.isnan(v) else f"{v:.4g}"
        return str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])
