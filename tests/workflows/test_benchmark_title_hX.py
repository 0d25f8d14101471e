"""A probe of ``genemoe benchmark``'s terminal title: an ensemble benchmark's title (its
members clause, cells, time, SYNTHETIC DATA and output path) ran to 169 characters on one
line; it is wrapped at 100 between its parts, continued 4 spaces in, and loses no word."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from genemoe.report.terminal import benchmark_table
from genemoe.workflows.benchmark import BenchmarkResult


def _results() -> pd.DataFrame:
    return pd.DataFrame({"model": ["logreg", "logreg", "fcn", "fcn"],
                         "accuracy": [0.8, 0.7, 0.4, 0.5], "macro_f1": [0.5, 0.6, 0.3, 0.2],
                         "repeat": 0, "fold": [0, 1, 0, 1], "n_test": 10, "n_train": 20})


def test_a_long_benchmark_title_is_wrapped_at_100(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the paths said relative to it, as a user's
    out = tmp_path / "a_benchmark_folder"
    out.mkdir()
    (out / "protocol.json").write_text(json.dumps(
        {"ensemble": 3, "endpoint": None, "bundle_summary": {"synthetic": True}}))
    models = ["logreg", "svm", "svm_linear", "fcn"]
    said = BenchmarkResult(out, "classify", models, _results(), 12, 3, 75.0).describe()
    lines = said.splitlines()
    assert max(map(len, lines)) <= 100, said
    assert lines[0].startswith("benchmark · classify · every model × 3")
    title = lines[:next(i for i, x in enumerate(lines) if "macro-F1" in x)]  # the table's
    assert len(title) > 1 and all(x.startswith("    ") for x in title[1:])
    flat = " ".join(" ".join(title).split())
    assert ("logreg, svm, svm_linear: members fit on 2/3 of the training part, a handicap · "
            "mean ± sd over folds · 12 cells trained, 3 reused · ") in flat
    assert flat.endswith("· 1 min 15 s · SYNTHETIC DATA → a_benchmark_folder")


def test_a_short_title_stays_one_line():
    text = benchmark_table(_results(), task="classify", out_dir=Path("b"),
                           title="benchmark · classify · mean ± sd over folds · 4 cells "
                                 "trained, 0 reused  → b")
    assert text.splitlines()[0] == ("benchmark · classify · mean ± sd over folds · 4 cells "
                                    "trained, 0 reused  → b")
