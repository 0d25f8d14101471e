"""Small HTML pieces of the reports: one value as a table cell's text, a data frame as a
table, a mapping as a two-column table, a figure embedded with its caption."""

from __future__ import annotations

import base64
import html
from typing import Any

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_files import software_versions
from genemoe.report.first_screen import figure_id
from genemoe.report.plots import Figure

__all__ = ["cell_text", "column_decimals", "figure_html", "html_table", "kv_table",
           "page_context", "seed_table"]


def cell_text(v: Any) -> str:  # a bool and a dict were shown as Python wrote them
    """One value as the pages show it: ``yes``/``no``, a count with its thousands separator
    (``3,996``: the image row read ``pixels empty 3996``), a float by :func:`_float_text`, a
    mapping as ``key value · ...``; ``""`` for None. Seeds are identifiers, not counts: the
    pages give them as text (:func:`seed_table`)."""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float):
        return _float_text(v)
    if isinstance(v, dict):
        return " · ".join(f"{k} {cell_text(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "[" + ", ".join(map(cell_text, v)) + "]"
    return "" if v is None else str(v)


def html_table(df: pd.DataFrame, na_rep: str = "–") -> str:  # "–": not applicable, not computed
    """``df`` as an HTML table; booleans as ``yes``/``no``, as :func:`cell_text` and
    :func:`kv_table` show them (a tuning page showed ``False`` in one table, ``no`` in the next).

    Each float column is shown with one number of decimals (:func:`column_decimals`): a
    column read ``0.8`` beside ``0.8123`` and a count of 54,462 genes as ``5.446e+04``.
    """
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == bool or df[col].dtype == object:
            df[col] = df[col].map(lambda v: cell_text(bool(v)) if isinstance(v, bool | np.bool_) else v)
        elif pd.api.types.is_integer_dtype(df[col].dtype) and "seed" not in str(col):
            df[col] = df[col].map(lambda v: v if pd.isna(v) else cell_text(v))  # 1100 → 1,100
        elif pd.api.types.is_float_dtype(df[col].dtype):
            df[col] = _float_column_text(df[col].to_numpy(dtype=float))
    return df.to_html(index=False, escape=True, border=0, na_rep=na_rep)


def column_decimals(values: np.ndarray) -> int | None:
    """The decimals that show every finite value of a column to four significant figures,
    at most 4; ``None`` where a nonzero value under 0.001 needs scientific notation.

    Parameters
    ----------
    values : (n,) float
    """
    finite = values[np.isfinite(values)]
    if (finite[finite != 0].size and np.abs(finite[finite != 0]).min() < 1e-3):
        return None
    decimals = 0
    for x in finite:
        if abs(x) >= 1000 or float(x).is_integer():
            continue
        shown = f"{x:.{min(4, max(0, 3 - int(np.floor(np.log10(abs(x))))))}f}".rstrip("0")
        decimals = max(decimals, len(shown.split(".")[1]) if "." in shown else 0)
    return decimals


def _float_column_text(values: np.ndarray) -> list[Any]:
    d = column_decimals(values)
    return [np.nan if not np.isfinite(x) else _float_text(x) if d is None else f"{x:,.{d}f}"
            for x in values]


def _float_text(v: float) -> str:
    """One float alone: ``0.8123``, ``54,462`` (was ``5.446e+04``), ``1e-05``."""
    if np.isfinite(v) and 1e4 <= abs(v) < 1e15:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def seed_table(seeds: dict) -> str:
    """The seeds as a two-column table, each as it was given (``seed 20240`` is not a count
    of 20,240)."""
    return kv_table({k: v if v is None else str(v) for k, v in seeds.items()})


def _seed_text(key: Any, v: Any) -> str:
    """A whole number under a key naming a seed, as given; '' for anything else."""
    is_int = isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)
    return str(int(v)) if is_int and "seed" in str(key).lower() else ""


def kv_table(d: dict) -> str:
    """A two-column table of ``d``'s values (None left out); a key naming a seed keeps its
    value as given (a summary's ``seed 20240`` read ``20,240``)."""
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>"
                   f"{html.escape(_seed_text(k, v) or cell_text(v))}</td></tr>"
                   for k, v in d.items() if v is not None)
    return f"<table>{rows}</table>"


def page_context(title: str, *, synthetic: bool, summary: dict, record: dict, protocol: dict,
                 panel: str, metrics: str, figures: list, versions: dict, seeds: dict,
                 config: Any = None, linked: list | None = None, **extra: Any) -> dict[str, Any]:
    """What the report renders, one schema for every kind of page (each page built the dict
    key by key): the parts given, and the versions of the software writing the report.
    ``extra``: an ``explanation`` section shown first."""
    return {"title": title, "synthetic": bool(synthetic), "summary": summary, "record": record,
            "protocol": protocol, "panel": panel, "metrics": metrics, "figures": figures,
            "versions": versions, "report_versions": software_versions(), "seeds": seeds,
            "config": config, "linked": linked or [], **extra}


def figure_html(fig: Figure) -> str:
    data = base64.b64encode(fig.path.read_bytes()).decode("ascii")
    return (f'<figure id="{figure_id(fig)}"><img alt="{html.escape(fig.caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(fig.caption)}'
            "</figcaption></figure>")
