"""Cancer types a survival model ranks backwards beyond chance: a per-type C-index below 0.5
whose whole 95% interval lies below 0.5 (probeJJ: Gene-MOE's test C for UCS was 0.211
[0.000, 0.484], said nowhere but in the per-type table).

:func:`ranked_backwards` lists them from :func:`~genemoe.evaluate.survival.c_index_by_group`'s
result (a run's metrics.json ``types_ranked_backwards``, per part); :func:`backwards_text`
says one, :func:`backwards_lines` a part's on the terminal.

A C-index of exactly 0 or 1 is degenerate: every comparable pair in one order, which a
handful of pairs (2 deaths, a fold of one type) gives by chance; no resample differs, so it
has no interval. :func:`degenerate_text` says one (``"degenerate: all 13 pairs
concordant"``, the ``ci_reason`` shown in the interval's place; was ``"none: every resample
1.000"``, which did not say why), :func:`degenerate_groups` lists a part's groups,
:func:`degenerate_line` says them on the terminal (after :func:`backwards_lines`' own).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["ranked_backwards", "backwards_text", "backwards_lines", "is_degenerate",
           "degenerate_line", "within_flags",
           "degenerate_text", "degenerate_groups", "ci_reason", "MIN_CI_PAIRS", "DEGENERATE_TIES"]

CHANCE = 0.5
"""The C-index of a random ranking."""
MIN_CI_PAIRS = 10  # a group's comparable pairs below which no bootstrap interval is given
DEGENERATE_TIES = "degenerate: every risk the same"  # ci_reason of a constant risk


def ranked_backwards(by_type: dict[Any, dict] | None) -> list[dict[str, Any]]:
    """The groups of ``by_type`` whose C-index and whole interval lie below 0.5.

    Parameters
    ----------
    by_type
        ``{group: {"c_index", "ci": [lo, hi], "n", "n_events", ...}}`` (a group without a C
        or without an interval is never listed: nothing says it is beyond chance).

    Returns
    -------
    list[dict]
        ``[{"type", "c_index", "ci", "n", "n_events"}, ...]`` in ``by_type``'s order; empty
        where none is (or ``by_type`` is None).
    """
    out = []
    for group, v in (by_type or {}).items():
        c, ci = v.get("c_index"), v.get("ci") or [None, None]
        hi = ci[1] if len(ci) == 2 else None
        if _finite(c) and _finite(hi) and c < CHANCE and hi < CHANCE:
            out.append({"type": str(group), "c_index": float(c),
                        "ci": [float(ci[0]), float(hi)], "n": v.get("n"),
                        "n_events": v.get("n_events")})
    return out


def backwards_text(entry: dict[str, Any]) -> str:
    """``"ranks UCS patients backwards: C 0.21 [0.00, 0.48]"``: one entry of
    :func:`ranked_backwards`."""
    lo, hi = entry["ci"]
    return (f"ranks {entry['type']} patients backwards: C {entry['c_index']:.2f} "
            f"[{lo:.2f}, {hi:.2f}]")


def backwards_lines(part: dict[str, Any] | None, name: str = "test", *,
                    most: int = 4) -> list[str]:
    """Terminal lines for a part's metrics (``types_ranked_backwards``): ``"  test: ranks UCS
    patients backwards: C 0.21 [0.00, 0.48] (95% CI below 0.5)"``, at most ``most`` of them
    and a count of the rest; none where no type is (or older metrics without the list); then
    the types whose C is degenerate (:func:`degenerate_line`), where any is."""
    flagged = (part or {}).get("types_ranked_backwards") or []
    lines = [f"  {name}: {backwards_text(e)} (95% CI below 0.5)" for e in flagged[:most]]
    if len(flagged) > most:
        lines.append(f"  {name}: {len(flagged) - most} more types ranked backwards "
                     "(metrics.json: types_ranked_backwards)")
    return lines + ([line] if (line := degenerate_line(part, name)) else [])


def degenerate_line(part: dict[str, Any] | None, name: str = "test", *,
                    width: int = 100) -> str | None:
    """One terminal line for a part's ``types_degenerate_c``: ``"  test: C degenerate (0 or
    1, or risks all the same) in ACC, UVM"``, as many types as fit ``width`` and a count of
    the rest; None where no type's is (or older metrics). ``train`` said none of them: a C
    of 1.000 from 6 pairs stood in the per-type table as if real."""
    types = [str(t) for t in (part or {}).get("types_degenerate_c") or []]
    if not types:
        return None
    head = f"  {name}: C degenerate (0 or 1, or risks all the same) in "
    for k in range(len(types), 0, -1):
        rest = f" and {len(types) - k} more (types_degenerate_c)" if k < len(types) else ""
        line = head + ", ".join(types[:k]) + rest
        if len(line) <= width or k == 1:
            return line
    return None  # unreachable: k == 1 returns


def is_degenerate(c: Any) -> bool:
    """True for a C-index of exactly 0 or 1 (every comparable pair in one order)."""
    return _finite(c) and c in (0.0, 1.0)


def degenerate_text(c: float, n_pairs: int | None) -> str:
    """``"degenerate: all 13 pairs concordant"`` (C 1) or ``"... discordant"`` (C 0): why a
    C of exactly 0 or 1 has no interval; ``"degenerate: C 1.000"`` without a pair count."""
    if n_pairs is None:
        return f"degenerate: C {c:.3f}"
    way = "concordant" if c == 1.0 else "discordant"
    return f"degenerate: all {n_pairs:,} pair{'s' * (n_pairs != 1)} {way}"


def degenerate_groups(by_type: dict[Any, dict] | None) -> list[str]:
    """The groups of ``by_type`` (:func:`~genemoe.evaluate.survival.c_index_by_group`)
    whose C-index is degenerate (exactly 0 or 1, or of risks all the same: its
    ``"degenerate"``), in its order; empty where none is."""
    return [str(g) for g, v in (by_type or {}).items()
            if v.get("degenerate") or is_degenerate(v.get("c_index"))]


def within_flags(within: float | None, risks_tied: bool = False) -> dict[str, Any]:
    """metrics.json's flags of a within-type C-index (``within_type_c_index``): exactly 0 or 1,
    or of risks all the same (``risks_tied``: the pooled C's :data:`DEGENERATE_TIES`), is
    degenerate: ``{"within_type_c_index_degenerate": True, "within_type_c_index_reason":
    "degenerate: C 1.000"}``; {} otherwise (it stood unflagged beside a flagged pooled C)."""
    if risks_tied and within is not None:
        return {"within_type_c_index_degenerate": True,
                "within_type_c_index_reason": DEGENERATE_TIES}
    if is_degenerate(within):
        return {"within_type_c_index_degenerate": True,
                "within_type_c_index_reason": degenerate_text(float(within), None)}
    return {}


def ci_reason(c: float, n_pairs: int | None = None) -> str:
    """Why a C of ``c`` (from ``n_pairs`` comparable pairs) has no interval: short, a table
    cell. A C of exactly 0 or 1 is degenerate (``"degenerate: all 13 pairs concordant"``:
    every pair in one order, every resample the same; was ``"none: every resample 1.000"``);
    fewer than :data:`MIN_CI_PAIRS` pairs are too few; else every resample was the same."""
    if is_degenerate(c):
        return degenerate_text(c, n_pairs)
    if n_pairs is not None and n_pairs < MIN_CI_PAIRS:
        return f"{n_pairs} comparable pairs: too few for an interval"
    return "none: every resample the same"


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
