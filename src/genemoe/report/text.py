"""Numbers as people read them, and compact text tables for the terminal.

One place decides how a metric, an interval and a p-value print, so the terminal
(``describe()`` of the workflows, ``genemoe demo``) and the HTML report agree:
``0.593``, ``[0.501, 0.681]``, ``p = 0.016`` or ``2.3e-4``, ``56,537``.
Tables are drawn with rich (box-drawing characters, no colour) into a string.
"""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from genemoe.data.download_manifest import human_bytes
from genemoe.evaluate.p_values import fmt_p
from genemoe.text_time import fmt_seconds

if TYPE_CHECKING:
    from genemoe.data.download_listing import PlannedFile

__all__ = ["fmt_value", "fmt_apart", "fmt_ci", "fmt_p", "fmt_count", "fmt_mean_sd", "fmt_seconds",
           "fmt_bytes", "download_listing_lines", "wilson_interval", "text_table", "METHOD_NAMES",
           "chosen_on_validation", "models_lines"]

DASH = "–"  # a value that does not apply or was not computed
# an explanation method's name as the report writes it
METHOD_NAMES = {"ig": "Integrated Gradients", "frozen_ig": "Integrated Gradients with routing "
                "frozen at each sample's experts", "gradient_shap": "GradientSHAP (expected gradients "
                "over training samples)", "deeplift": "DeepLIFT (rescale rule)",
                "train_ig": "Integrated Gradients averaged over training tumours as baselines",
                "linear": "a linear model's coefficient x (value - reference), exact"}


def _finite(v: Any) -> bool:
    """A finite real number, numpy's float32 included (``int | float`` passed it over: "–")."""
    return (isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
            and math.isfinite(v))


def fmt_value(v: Any, digits: int = 3) -> str:
    """A metric in [0, 1] (accuracy, F1, C-index) to ``digits`` decimals; ``–`` when missing."""
    return f"{v:.{digits}f}" if _finite(v) else DASH


def fmt_apart(a: float, b: float, digits: int = 3) -> tuple[str, str]:
    """Two compared values to ``digits`` decimals, or more (up to 6) until they differ:
    "0.196 against 0.196" was said of a model worse than no model (0.19597, 0.19583)."""
    d = next((d for d in range(digits, 7) if f"{a:.{d}f}" != f"{b:.{d}f}"), 6)
    return fmt_value(a, d), fmt_value(b, d)


def fmt_ci(ci: Sequence[float] | None, digits: int = 3) -> str:
    """An interval ``[0.501, 0.681]``; empty when there is none."""
    if ci is None or len(ci) != 2 or not all(_finite(x) for x in ci):
        return ""
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def fmt_count(n: Any) -> str:
    """``56537`` → ``56,537``."""
    return f"{int(n):,}" if _finite(n) else DASH


def fmt_mean_sd(values: Sequence[float], digits: int = 3) -> str:
    """``0.812 ± 0.021`` over folds (no ``±`` for a single value)."""
    v = [x for x in values if _finite(x)]
    if not v:
        return DASH
    mean = sum(v) / len(v)
    if len(v) == 1:
        return f"{mean:.{digits}f}"
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1))
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def wilson_interval(k: int, n: int, *, z: float = 1.959964) -> tuple[float, float] | None:
    """Wilson score interval (95% by default) of a proportion ``k / n``, e.g. test accuracy.

    Reference: Wilson (1927), centre (p + z²/2n) / (1 + z²/n); for k = 81, n = 100 the
    interval is [0.722, 0.875] (worked by hand in tests/report/test_text.py).
    """
    if n <= 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
               title: str | None = None, caption: str | None = None,
               right: Sequence[str] = ()) -> str:
    """A compact table drawn with rich into plain text (no colour codes).

    Parameters
    ----------
    columns
        Header of each column.
    rows
        One sequence of cell texts per row (``None`` prints as empty).
    title, caption
        Lines above / below the table (the table itself is indented by two spaces).
    right
        Columns to right-align (numbers).
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for c in columns:
        table.add_column(c, justify="right" if c in right else "left", no_wrap=True)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None, force_terminal=False, legacy_windows=False,
            emoji=False, highlight=False).print(table)
    lines = [line.rstrip() for line in buf.getvalue().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(([title] if title else []) + ["  " + x for x in lines]
                     + ([caption] if caption else []))


def fmt_bytes(n: int | None) -> str:
    """``2.0 KiB``, ``512 B``; ``size unknown`` for None (a download listing's sizes): the
    download summary's :func:`~genemoe.data.download_manifest.human_bytes` (one rounding)."""
    return "size unknown" if n is None else human_bytes(n)


def download_listing_lines(planned: Sequence[PlannedFile], out_dir: Path | str, *,
                           urls: bool = False) -> list[str]:
    """``download tcga --list``'s lines: the base URL once, then one per file (name, size,
    state), then the total, and the files a download would fail on (were "sizes unknown",
    as for a silent server). Each row carried its full URL (143+ characters): only with
    ``urls`` (``-v``), or where the files are not under one base URL."""
    bases = {p.item.url.rsplit("/", 1)[0] + "/" for p in planned}
    urls = urls or len(bases) > 1
    lines = [] if urls or not bases else [f"from {bases.pop()}"]
    width = max((len(p.item.filename) for p in planned), default=0)
    for p in planned:
        where = " (in cache)" if p.size_from == "cache" else ""
        if p.part_bytes:  # a .part an earlier run left: the next one resumes it
            where += f" ({p.part_bytes:,} bytes here; would resume)"
        if p.stale_part:  # the other URL form's: never resumed
            where += f" (stale {p.stale_part} here)"
        size = ("NOT ON SERVER" if p.size_from == "missing"
                else p.status if p.size_from == "error" and p.status
                else fmt_bytes(p.size))  # a server's 500 read "size unknown", as a silent one
        lines.append(f"{p.item.filename:{width}s} {size:>13s}{where}"
                     + (f"  {p.item.url}" if urls else ""))
    known = [p.size for p in planned if p.size is not None]
    missing = [p.item.filename for p in planned if p.size_from == "missing"]
    errors = [p for p in planned if p.size_from == "error"]
    unknown = len(planned) - len(known) - len(missing) - len(errors)
    notes = ([f"{unknown} size{'s' if unknown != 1 else ''} unknown"] if unknown else []) + (
        [f"{len(missing)} not on the server: a download would fail on "
         f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}"] if missing else []) + (
        [f"{len(errors)} answered {errors[0].status or 'an error'}: a download would likely "
         "fail"] if errors else [])
    lines.append(f"{len(planned)} files into {out_dir}; total "
                 f"{fmt_bytes(sum(known)) if known else 'unknown'}"
                 + (f" ({'; '.join(notes)})" if notes else ""))
    return lines


def chosen_on_validation(metrics: dict) -> str:
    """What was chosen on a run's validation split (``metrics.json``): the model (early
    stopping, selection), and the options where a ``genemoe tune`` chose them there
    (``protocol.options_tuned_on_validation``, read as a flag, not from the text), else
    where they were tuned (``protocol.options_tuned_on``: a best.yaml of another bundle's
    was said to be tuned on this split)."""
    protocol = metrics.get("protocol") or {}
    if protocol.get("options_tuned_on_validation"):
        return "the options were tuned and the model chosen"
    if elsewhere := protocol.get("options_tuned_on"):
        return f"the model was chosen (the options were tuned on {elsewhere})"
    return "the model was chosen"


def models_lines(rows: Sequence[tuple[str, str, Sequence[str], str]], width: int = 100) -> list[str]:
    """``genemoe models``' table: name, kind, tasks and what, the description wrapped under its
    column so no line passes ``width`` (they ran to 144 characters).

    Parameters
    ----------
    rows : sequence of (name, kind, tasks, description)
    width : int
        Longest line, in characters.

    Returns
    -------
    list of str
        The header line, then each model's lines.
    """
    import textwrap

    lead = 14 + 1 + 8 + 1 + 18 + 1  # the name, kind and tasks columns and their spaces
    out = [f"{'name':14s} {'kind':8s} {'tasks':18s} what"]
    for name, kind, tasks, what in rows:
        head = f"{name:14s} {kind:8s} {','.join(tasks):18s} "
        parts = textwrap.wrap(what, max(width - lead, 20), break_on_hyphens=False) or [""]
        out.append(head + parts[0])
        out += [" " * lead + part for part in parts[1:]]
    return out
