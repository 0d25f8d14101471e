"""The warning on the outputs a benchmark rerun removed says what is true of this run.

A probe read "warning: bench2: removed report.html and 14 figures in plots/ ...; `genemoe
report bench2` writes them anew" while the same benchmark command went on to draw the
current models' figures itself (its --plots default).
"""

from __future__ import annotations

import logging

import pytest

import genemoe.workflows.benchmark as bm
from genemoe.report.plots import benchmark_figures
from genemoe.workflows.benchmark_protocol import stale_words


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _warned(caplog) -> str:
    return next(r.getMessage() for r in caplog.records
                if r.levelname == "WARNING" and "made from the earlier results" in r.getMessage())


def test_a_rerun_that_draws_its_figures_says_so(bundle, tmp_path, caplog):
    out = tmp_path / "bench"
    bm.run_benchmark(bundle.path, task="classify", models=["logreg", "svm_linear"], n_folds=2,
                     out_dir=out)
    n_figs = len(benchmark_figures(out))
    (out / "report.html").write_text("<html>earlier</html>")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                         out_dir=out, plots=True)
    said = _warned(caplog)
    assert f"removed report.html and {n_figs} figures in plots/" in said
    assert "this run draws its own" in said and "writes report.html anew" in said
    assert "writes them anew" not in said


def test_the_words_for_each_case(tmp_path):
    out = tmp_path / "b"
    both = ["report.html", "plots"]
    drawn = stale_words(out, both, 14, True)
    assert drawn.startswith("report.html and 14 figures in plots/, made from the earlier")
    assert "this run draws its own" in drawn and "them anew" not in drawn
    assert stale_words(out, both, 14, False).endswith(f"`genemoe report {out}` writes them anew")
    unknown = stale_words(out, ["plots"], 3, None)
    assert "unless given --no-plots" in unknown and "writes them anew" not in unknown
    assert stale_words(out, ["report.html"], 0, True).endswith("writes it anew")


def test_the_cli_passes_whether_it_draws(bundle, tmp_path, monkeypatch):
    """`genemoe benchmark` did not tell run_benchmark whether it draws the figures, so its
    rerun warning could only say "unless given --no-plots"."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    seen = []
    real = bm.run_benchmark
    monkeypatch.setattr(bm, "run_benchmark", lambda *a, **kw: seen.append(kw["plots"])
                        or real(*a, **kw))
    for flag in ("--plots", "--no-plots"):
        res = CliRunner().invoke(app, ["benchmark", "--data", str(bundle.path), "--models",
                                       "logreg", "--folds", "2", "--out", str(tmp_path / flag),
                                       flag, "--no-progress"])
        assert res.exit_code == 0, res.output
    assert seen == [True, False]
