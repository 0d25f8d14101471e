"""Cancer types a survival benchmark's models rank backwards: results.csv's columns and
summary.md's line.

Each survival cell's metrics list the types whose test C-index and whole 95% interval lie
below 0.5 (``types_ranked_backwards``,
:func:`~genemoe.evaluate.survival_flags.ranked_backwards`); the benchmark left them in
cells/*.json, so a model that ranked UVM backwards in a fold read as fine in results.csv
and summary.md. Pure functions of cells and ``results.csv`` rows; they write nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["backwards_columns", "backwards_folds", "backwards_folds_text", "backwards_line"]


def backwards_columns(metrics: dict) -> dict[str, Any]:
    """A survival cell's ``n_types_ranked_backwards`` (NaN in cells from before the list)
    and ``types_ranked_backwards`` (``"UVM 0.21 [0.00, 0.48]; ACC ..."``, "" where none)."""
    flagged = metrics.get("types_ranked_backwards")
    if flagged is None:
        return {"n_types_ranked_backwards": np.nan, "types_ranked_backwards": ""}
    said = [f"{e['type']} {e['c_index']:.2f} [{e['ci'][0]:.2f}, {e['ci'][1]:.2f}]"
            for e in flagged]
    return {"n_types_ranked_backwards": len(flagged), "types_ranked_backwards": "; ".join(said)}


def backwards_folds(results: pd.DataFrame) -> list[str]:
    """Per model, the folds where it ranks a cancer type backwards (its C and whole 95%
    interval below 0.5): ``["coxnet in 1/3 folds (UVM 1)", "fcn in 0/3 folds"]``; [] where no
    fold does or results.csv has no such column (classification, older cells). What
    summary.md's line and the terminal's say alike."""
    if "n_types_ranked_backwards" not in results:
        return []
    n = pd.to_numeric(results["n_types_ranked_backwards"], errors="coerce")
    if not (n > 0).any():
        return []
    parts = []
    for model, g in results.groupby("model", sort=False):
        counted = n[g.index].notna()
        hit = (n[g.index] > 0)
        types: dict[str, int] = {}
        for said in g.loc[hit, "types_ranked_backwards"].astype(str):
            for entry in said.split("; "):
                name = entry.split(" ")[0]
                types[name] = types.get(name, 0) + 1
        which = ", ".join(f"{t} {k}" for t, k in types.items())
        parts.append(f"{model} in {int(hit.sum())}/{int(counted.sum())} folds"
                     + (f" ({which})" if which else ""))
    return parts


def backwards_folds_text(results: pd.DataFrame) -> str:
    """summary.md's line on the folds where a model ranks a cancer type backwards (its C and
    whole 95% interval below 0.5): ``"coxnet in 1/3 folds (UVM 1), fcn in 0/3"``; "" where
    no fold does or results.csv has no such column (classification, older cells)."""
    if not (parts := backwards_folds(results)):
        return ""
    return ("Folds where a model ranks a cancer type backwards (the type's C-index and its "
            "whole 95% interval below 0.5; `types_ranked_backwards` in results.csv): "
            + ", ".join(parts) + ".")


def backwards_line(results: pd.DataFrame) -> str | None:
    """The terminal's line of :func:`backwards_folds` (summary.md and the report page said
    it; the terminal's table did not): ``"a type ranked backwards (its C and whole 95% CI below
    0.5): coxnet in 1/3 folds (UVM 1), fcn in 0/3 folds"``; None where none did."""
    if not (parts := backwards_folds(results)):
        return None
    return ("a type ranked backwards (its C and whole 95% CI below 0.5): "
            + ", ".join(parts))
