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

Each such folder has a page of its own (``genemoe report FOLDER`` writes its
``report.html``): :func:`report_pointer_html` links the run's page to it, or gives the
command where it has not been written (or is older than the folder's results).
"""

from __future__ import annotations

import functools
import html
import json
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genemoe.data.args import shown_path
from genemoe.data.bundle import file_sha256

__all__ = ["LinkedDir", "find_linked_dirs", "recorded_run", "explains_earlier_model",
           "own_report", "report_pointer_html"]

# The files a folder's results live in: a report.html older than any is not their page.
_RESULTS = ("summary.json", "leading_features.tsv", "convergence.json", "genes_by_class.csv")


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


def own_report(d: Path | str) -> Path | None:
    """``d/report.html`` when it is there and no older than the folder's results, else None.

    Parameters
    ----------
    d
        An explanation or feature-analysis folder (:class:`LinkedDir`'s ``path``).

    Returns
    -------
    pathlib.Path or None
        The page ``genemoe report d`` wrote; None when it has not (or before the results
        it shows were written again).
    """
    page = Path(d) / "report.html"
    try:
        written = page.stat().st_mtime
        results = [f.stat().st_mtime for f in map(Path(d).joinpath, _RESULTS) if f.is_file()]
    except OSError:
        return None
    return page if all(written >= r for r in results) else None


def report_pointer_html(item: LinkedDir, out_dir: Path | str) -> str:
    """Where a linked folder's own page is, for the run's page (HTML, escaped).

    Parameters
    ----------
    item
        A folder :func:`find_linked_dirs` found.
    out_dir
        The folder the run's ``report.html`` is written to (links are relative to it).

    Returns
    -------
    str
        ``its page: <a href="../features/report.html">report.html</a>``, or where there
        is none ``its page: <code>genemoe report FOLDER</code> writes it`` (an older one:
        said to be older, the command writes it anew).
    """
    page = own_report(item.path)
    if page is not None:
        href = Path(os.path.relpath(page.resolve(), Path(out_dir).resolve())).as_posix()
        return f'its page: <a href="{html.escape(href)}">report.html</a>'
    command = html.escape(f"genemoe report {shlex.quote(shown_path(item.path))}")
    if (item.path / "report.html").is_file():  # written before its results were again
        return f"its report.html is older than its results: <code>{command}</code> writes it anew"
    return f"its page: <code>{command}</code> writes it"
