"""Outside probe hS: the ablation page's first screen said each cell was "the mean ± std
over every test fold" above cells of "(1/2 folds; 1 degenerate)", and never said what a
degenerate fold is (tables.md's paragraph on the C-index stayed below, in the metrics)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from genemoe.report.ablation_page import ablation_context
from genemoe.workflows.ablation_tables import ablation_tables


def _folder(tmp_path: Path) -> Path:
    """An ablation folder of two models' survival results, one fold of fcn degenerate."""
    rows = [{"model": m, "label": m, "repeat": 0, "fold": f, "seed": 0, "c_index": c,
             "c_index_UVM": u, "events_UVM": 2}
            for m, cs, us in (("fcn", [0.6, 0.7], [1.0, 0.6]), ("moe", [0.6, 0.7], [0.5, 0.7]))
            for f, (c, u) in enumerate(zip(cs, us, strict=True))]
    results = pd.DataFrame(rows)
    d = tmp_path / "abl"
    d.mkdir()
    results.to_csv(d / "results.csv", index=False)
    (d / "tables.md").write_text(ablation_tables(
        results, "survival", n_folds=2, n_repeats=1, seed=0, preset="small", pretrained=None,
        synthetic=True))
    return d


def test_first_screen_says_which_folds_a_cell_averages(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    panel = ablation_context(d, tmp_path / "plots")["panel"]
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel)))
    assert "0.600 (1/2 folds; 1 degenerate)" in text
    assert "over every test fold" not in text
    assert "where a cell says (k/n folds), over the k of n folds that had a score" in text
    assert "\"d degenerate\": folds whose C was exactly 0 or 1" in text  # said on screen
