"""A rerun of `genemoe ablation` of other options stopped halfway (an error in a later cell,
Ctrl-C) leaves no page of the earlier results beside its new cells: the earlier report.html,
plots/ and tables are removed before anything is computed, in one warning. An identical
rerun keeps them (its cells are the page's)."""

from __future__ import annotations

import pytest

import genemoe.workflows.benchmark as benchmark
from genemoe.workflows.ablation import run_ablation
from log_lines import warning_lines

OPTS = dict(task="classify", n_folds=2, n_repeats=1, epochs=1, device="cpu")


def _with_page(out):
    (out / "report.html").write_text("<html>the earlier results</html>")
    (out / "plots").mkdir()
    (out / "plots" / "ablation_folds.png").write_bytes(b"png")


def _stop_after(monkeypatch, n_cells: int) -> None:
    """The cell computed after ``n_cells`` others fails (as an error or Ctrl-C would)."""
    real, calls = benchmark._run_cell, []

    def run_cell(*args, **kwargs):
        calls.append(1)
        if len(calls) > n_cells:
            raise RuntimeError("stopped in a later cell")
        return real(*args, **kwargs)

    monkeypatch.setattr(benchmark, "_run_cell", run_cell)


def test_an_interrupted_rerun_of_other_options_leaves_no_earlier_page(
        ablation_bundle, ablation_preset, tmp_path, monkeypatch):
    """Old behaviour: the earlier report.html and plots/ were removed only at the end of the
    rerun: stopped after its first cell, the earlier page stayed beside the new cells."""
    out = tmp_path / "abl"
    run_ablation(ablation_bundle.path, out_dir=out, preset=str(ablation_preset), seed=0, **OPTS)
    _with_page(out)
    _stop_after(monkeypatch, 1)

    def rerun():
        with pytest.raises(RuntimeError, match="stopped in a later cell"):
            run_ablation(ablation_bundle.path, out_dir=out, preset=str(ablation_preset), seed=1,
                         **OPTS)

    said = warning_lines(rerun)
    assert not (out / "report.html").exists() and not (out / "plots").exists()
    assert not (out / "tables.md").exists() and not (out / "results.csv").exists()
    removed = [s for s in said if "holds an ablation of other options" in s]
    assert len(removed) == 1, said
    assert "(seed 0 → 1): removed report.html and 1 figure in plots/, made from the earlier " \
           "results" in removed[0] and "tables.md and results.csv too" in removed[0]


def test_an_interrupted_identical_rerun_keeps_the_page(ablation_bundle, ablation_preset, tmp_path,
                                                       monkeypatch):
    out = tmp_path / "abl"
    run_ablation(ablation_bundle.path, out_dir=out, preset=str(ablation_preset), seed=0, **OPTS)
    _with_page(out)
    (out / "models" / "cells" / "moe__r0_f1.json").unlink()  # one cell to compute again
    _stop_after(monkeypatch, 0)
    said = warning_lines(lambda: pytest.raises(RuntimeError, run_ablation, ablation_bundle.path,
                                               out_dir=out, preset=str(ablation_preset), seed=0,
                                               **OPTS))
    assert (out / "report.html").exists() and (out / "plots" / "ablation_folds.png").exists()
    assert not [s for s in said if "other options" in s], said
