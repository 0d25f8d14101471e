"""The two kinds of ``genemoe explain`` folder, and what one written over the other removes.

A single explanation (``explain``) writes its files at the top of ``--out``
(:data:`SINGLE_FILES`); a method comparison (``explain --compare``) writes ``methods.csv``
and one explanation folder per method (``<method>/``, ``<method>_other/``). Written into
a folder of the other kind, the two mixed: ``genemoe report`` then showed the old one. So
each removes the other kind's files, only those genemoe wrote (known names; a method
folder only where it holds an explanation), and names them in a warning, as a rerun of
the same kind replaces its own ("holds an explanation: replacing it").
"""

from __future__ import annotations

import logging
from pathlib import Path

from genemoe.data.bundle import remove_outputs
from genemoe.explain.methods import METHODS

__all__ = ["SINGLE_FILES", "single_files_in", "compare_files_in", "clear_other_kind"]

log = logging.getLogger(__name__)

SINGLE_FILES = ("genes_by_class.csv", "genes_by_sample.csv", "attributions.npy", "samples.tsv",
                "genes.tsv", "convergence.json", "top_genes.png", "maps", "report.html", "plots")
"""What a single explanation (and ``genemoe report`` on it) writes at the top of ``--out``."""


def single_files_in(out_dir: Path) -> list[str]:
    """The single explanation's files at the top of ``out_dir`` (none unless it holds one:
    ``convergence.json`` or ``genes_by_class.csv``)."""
    if not any((out_dir / n).is_file() for n in ("convergence.json", "genes_by_class.csv")):
        return []
    return [n for n in SINGLE_FILES if (out_dir / n).exists()]


def _is_explanation(d: Path) -> bool:
    return d.is_dir() and any((d / n).is_file() for n in ("convergence.json", "genes_by_class.csv"))


def compare_files_in(out_dir: Path) -> list[str]:
    """A method comparison's files in ``out_dir``: ``methods.csv`` and the per-method
    explanation folders (``ig``, ``train_ig_other``, ...); [] where it holds none."""
    folders = [n for m in METHODS for n in (m, f"{m}_other") if _is_explanation(out_dir / n)]
    table = ["methods.csv"] if (out_dir / "methods.csv").is_file() else []
    return table + folders if table or folders else []


def clear_other_kind(out_dir: Path, kind: str) -> list[str]:
    """Before ``kind`` (``"single"`` or ``"compare"``) writes into ``out_dir``: remove the
    other kind's files there, named in a warning. Returns the names removed."""
    other = compare_files_in(out_dir) if kind == "single" else single_files_in(out_dir)
    if not other:
        return []
    shown = ", ".join(n + "/" * (out_dir / n).is_dir() for n in other)
    if kind == "single":
        log.warning("%s holds a method comparison (explain --compare): removing %s, replaced "
                    "by this explanation", out_dir, shown)
    else:
        log.warning("%s holds a single explanation: removing %s, replaced by the method "
                    "comparison (methods.csv and one folder per method)", out_dir, shown)
    remove_outputs(out_dir, other)
    return other
