"""``genemoe predict --labels`` and ``genemoe prepare --labels`` through the CLI, for the
label-table tests (a trained run's ``(folder, files, labels)``, as
``labelled_logreg_run`` gives it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from genemoe.cli import app


def flat(text: str) -> str:
    """``text`` on one line (the CLI wraps)."""
    return " ".join(text.split())


def predict_labels(trained: tuple, labels: Path, out: Path) -> Any:
    """``genemoe predict`` of the run's counts with ``--labels labels``."""
    d, f, _ = trained
    return CliRunner().invoke(app, ["predict", "--model", str(d / "run"), "--expression",
                                    str(f["counts"]), "--labels", str(labels), "--out", str(out)])


def prepare_labels(trained: tuple, labels: Path, out: Path, *extra: str) -> Any:
    """``genemoe prepare`` of the run's counts with ``--labels labels``."""
    _, f, _ = trained
    return CliRunner().invoke(app, ["prepare", "--expression", str(f["counts"]), "--labels",
                                    str(labels), "--annotation", str(f["annotation"]),
                                    "--out", str(out), *extra])
