"""Per-class F1 bars of a model with one fold carry no error bar (helper hJ, item 3).

Old behaviour: ``benchmark_figures`` passed ``sub.std(ddof=1).fillna(0)``, so a model with
one finished fold (an interrupted benchmark) was drawn "± 0" per class, a spread of none,
under the caption "mean ± std over folds".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from genemoe.report import plots


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    """A finished 2-fold logreg benchmark on a tiny synthetic bundle."""
    from genemoe.workflows.benchmark import run_benchmark
    from synthetic_inputs import prepare_synthetic

    d = tmp_path_factory.mktemp("hJ_f1")
    bundle = prepare_synthetic(d, n_samples=90, n_genes=60, n_types=3, seed=3)[0]
    run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                  out_dir=d / "bench", progress=False, plots=False)
    return d / "bench"


def _drawn(bench: Path, tmp_path: Path, monkeypatch) -> tuple[dict, str]:
    seen: dict = {}
    real = plots.plot_per_class_f1

    def spy(f1, **kw):
        seen["err"] = kw.get("err")
        return real(f1, **kw)

    monkeypatch.setattr(plots, "plot_per_class_f1", spy)
    figs = plots.benchmark_figures(bench, plot_dir=tmp_path / "plots")
    caption = next(f.caption for f in figs if Path(f.path).name == "f1_logreg.png")
    return seen, caption


def test_one_fold_draws_no_error_bar_and_says_so(bench, tmp_path, monkeypatch):
    copy = tmp_path / "bench"
    shutil.copytree(bench, copy)
    (copy / "cells" / "logreg__r0_f1.json").unlink()
    seen, caption = _drawn(copy, tmp_path, monkeypatch)
    assert not seen["err"], seen["err"]  # was {type: 0.0, ...}: "± 0"
    assert "one fold: no spread" in caption
    assert "mean ± std over folds" not in caption


def test_two_folds_keep_their_spread(bench, tmp_path, monkeypatch):
    seen, caption = _drawn(bench, tmp_path, monkeypatch)
    assert seen["err"] and all(np.isfinite(v) for v in seen["err"].values())
    assert caption == "logreg: per-class F1, mean ± std over folds"
