"""Noise and repeats in the terminal output, found by a first-contact probe (hAL).

Under ``-v`` (DEBUG records with their logger names) a line was said twice: once by the
library's record, once by the command; and a per-run allocator line at every run and cell.
"""

from __future__ import annotations

import logging
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def _said(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
                    reason="mallopt is glibc's")
def test_mallopt_is_logged_once_per_process() -> None:
    """Old behaviour: "mallopt mmap_threshold=... trim_threshold=...: ok" at every call (each
    run, each benchmark cell). In a child process: the setting is process-wide."""
    code = ("import logging\n"
            "logging.basicConfig(level=logging.DEBUG, format='%(name)s: %(message)s')\n"
            "from genemoe.models.dispatch import retain_freed_memory\n"
            "assert all(retain_freed_memory() for _ in range(3))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("mallopt") == 1, res.stderr


def test_export_leaves_its_wrote_line_to_the_command(synthetic_bundle, tmp_path, caplog) -> None:
    """Old behaviour: `genemoe -v export` printed "wrote b.h5ad: 150 samples × 60 genes, ..."
    twice (the library's INFO record, then the command's own line)."""
    from genemoe.data.anndata_io import export_line, write_h5ad

    bundle = synthetic_bundle()
    with caplog.at_level(logging.DEBUG, logger="genemoe"):
        write_h5ad(bundle, tmp_path / "b.h5ad")
    said = _said(caplog, "genemoe.data.anndata_io")
    line = export_line(bundle, tmp_path / "b.h5ad")
    assert not any(line in s or s.startswith("wrote") for s in said), said
    assert not any(r.levelno >= logging.INFO for r in caplog.records
                   if r.name == "genemoe.data.anndata_io"), said


def test_report_leaves_its_wrote_line_to_the_command(labelled_logreg_run, tmp_path,
                                                     caplog) -> None:
    """Old behaviour: `genemoe -v report RUN` printed "wrote RUN/report.html (3 figures)" and
    then the command's "wrote RUN/report.html"."""
    from genemoe.report.html import write_report

    d, _, _ = labelled_logreg_run()
    with caplog.at_level(logging.DEBUG, logger="genemoe"):
        write_report(d / "run", out_path=tmp_path / "page.html")
    said = _said(caplog, "genemoe.report.html")
    assert not any(s.startswith("wrote") for s in said), said
    assert any("figure" in s for s in said), said  # the figure count is still said, once


def test_features_notes_are_not_logged_again(tiny_pretrained, tmp_path, caplog) -> None:
    """Old behaviour: `genemoe -v features` printed each note as a record
    ("genemoe.workflows.features: features: correlations pooled over ...") and again as the
    command's "note: ..." line."""
    from genemoe.workflows.features import analyse_features

    bundle, _, run_dir = tiny_pretrained
    with caplog.at_level(logging.DEBUG, logger="genemoe"):
        res = analyse_features(run_dir, data=bundle.path, out_dir=tmp_path / "f", n_features=3,
                               max_samples=60)
    notes = [n for n in res.notes if n not in res.warnings]
    assert notes and all(f"  note: {n[:40]}" in res.describe().replace("\n      ", " ")
                         for n in notes)
    said = " ".join(_said(caplog, "genemoe.workflows.features"))
    assert not any(n in said for n in notes), said
    assert all(n in res.summary["notes"] for n in notes)  # kept in summary.json


def test_clipped_negatives_warning_names_the_file_not_its_path(caplog) -> None:
    """Old behaviour: "warning: /work/shared/data/pancan33_random100/expression.tsv.gz: 371
    negative values ..." (the full path; every other prepare line names the file)."""
    from genemoe.data.normalise import normalise_values

    x = np.abs(np.random.default_rng(0).normal(size=(20, 10))).astype(np.float32) * 50
    x[0, :3] = -0.2
    src = Path("/some/where/deep/expression.tsv.gz")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        _, notes = normalise_values(x, "log2p1", source=src)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == ["expression.tsv.gz: 3 negative values (minimum -0.2) clipped to 0 before "
                      "log2(x + 1)"]
    assert notes["negative_values_clipped_to_0"] == 3  # the record keeps the count
