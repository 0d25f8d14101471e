"""Explanation and feature-analysis directories that belong to a run, found beside it.

``genemoe explain --out DIR`` and ``genemoe features --out DIR`` write wherever the user
says; the report picks up the usual places: ``RUN/explain*``, ``RUN/features*`` and the
run's siblings ``RUN/../explain*``, ``RUN/../features*``, ``RUN/../<run name>_explain*``…,
and the folders of ``RUN/../../explain*/`` and ``RUN/../../features*/`` (``runs/gm`` explained
into ``explain/gm``, as the README does)
A directory counts as an explanation when it holds ``genes_by_class.csv`` (an ``explain
--compare`` folder's method folders too) and as a
feature analysis when it holds ``summary.json`` and ``leading_features.tsv``. A
directory that records which run it analysed (``summary.json``'s ``run.path``,
``convergence.json``'s ``run_dir``) is taken
only when that is this run; a sibling that records nothing is taken when its name starts
with ``explain``/``features`` or holds the run's name, and the report says it could not
check. An explanation that records the model file it explained (``convergence.json``'s
``model_sha256``, since 2026-12-03) is marked ``stale`` when the run's ``model.pt`` has
changed since (the run was trained again into the same folder).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genemoe.data.bundle import file_sha256

__all__ = ["LinkedDir", "find_linked_dirs", "recorded_run", "explains_earlier_model"]


@dataclass(frozen=True)
class LinkedDir:
    """A directory beside a run: ``kind`` is ``"explain"`` or ``"features"``."""

    path: Path
    kind: str
    checked: bool  # the directory records this run (False: found by its name and place only)
    stale: bool = False  # made from an earlier model.pt of the run (trained again since)


def _stale(d: Path, model_hash: Callable[[], str | None]) -> bool:
    """An explanation whose recorded model file is not the run's model.pt any more."""
    try:
        recorded = json.loads((d / "convergence.json").read_text()).get("model_sha256")
    except (OSError, ValueError, AttributeError):
        return False
    return bool(recorded) and (current := model_hash()) is not None and recorded != current


def _kind(d: Path) -> str | None:
    if (d / "genes_by_class.csv").is_file():
        return "explain"
    if (d / "summary.json").is_file() and (d / "leading_features.tsv").is_file():
        return "features"
    return None


def recorded_run(d: Path) -> Path | None:
    """The run a directory says it analysed, when it says so."""
    for name in ("summary.json", "convergence.json"):
        f = d / name
        if not f.is_file():
            continue
        try:
            info = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        run = info.get("run") or info.get("run_dir")  # features: run.path; explain: run_dir
        path = run.get("path") if isinstance(run, dict) else run
        if isinstance(path, str) and path:
            return Path(path)
    return None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def find_linked_dirs(run_dir: Path | str) -> list[LinkedDir]:
    """Explanation / feature directories of ``run_dir`` (inside it, or beside it), sorted."""
    run_dir = Path(run_dir)
    model = run_dir / "model.pt"
    model_hash = functools.cache(lambda: file_sha256(model) if model.is_file() else None)
    inside = [p for p in run_dir.iterdir() if p.is_dir()] if run_dir.is_dir() else []
    parent = run_dir.resolve().parent
    beside = [p for p in parent.iterdir() if p.is_dir() and not _same(p, run_dir)]
    # the README's own layout: runs/gm explained into explain/gm (was not found)
    across = [sub for top in sorted(parent.parent.iterdir()) if top.is_dir() and top != parent
              and top.name.lower().startswith(("explain", "features"))
              for sub in sorted(top.iterdir()) if sub.is_dir()] if parent.parent != parent else []
    found = []
    candidates = sorted(inside) + sorted(beside) + across
    candidates += [m for d in candidates if (d / "methods.csv").is_file()  # `explain --compare`:
                   for m in sorted(d.iterdir()) if m.is_dir()]  # one folder per method (missed)
    for d in candidates:
        kind = _kind(d)
        if kind is None:
            continue
        recorded = recorded_run(d)
        if recorded is not None:
            if _same(recorded, run_dir):
                found.append(LinkedDir(d, kind, True, kind == "explain" and _stale(d, model_hash)))
            continue
        named = d.name.lower().startswith(("explain", "features")) or run_dir.name in d.name
        if d.parent.resolve() == run_dir.resolve() or named:
            found.append(LinkedDir(d, kind, d.parent.resolve() == run_dir.resolve()))
    return found


def explains_earlier_model(d: Path | str, run_dir: Path | str) -> bool:
    """Whether explanation ``d`` records a model file that is not ``run_dir``'s model.pt any
    more (the run was trained again into its folder since)."""
    model = Path(run_dir) / "model.pt"
    return _stale(Path(d), lambda: file_sha256(model) if model.is_file() else None)
