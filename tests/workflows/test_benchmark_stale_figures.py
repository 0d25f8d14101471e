"""A benchmark rerun into the same --out leaves no figure of the earlier run to be read as
this run's.

An outside review: a rerun with fewer --models kept the dropped models' confusion matrices,
reliability diagrams and F1 bars in plots/ beside the new figures (the CLI redrew only the
models it still held), and a report written elsewhere kept them in its ``_plots`` folder.
"""

from __future__ import annotations

import logging

import pytest

import genemoe.workflows.benchmark as bm
from genemoe.report.html import write_report
from genemoe.report.plots import benchmark_figures

MODELS = ["logreg", "svm_linear"]


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _run(bundle, out, models):
    return bm.run_benchmark(bundle.path, task="classify", models=models, n_folds=2, out_dir=out)


def test_a_rerun_of_fewer_models_removes_the_earlier_figures_and_says_so(bundle, tmp_path,
                                                                         caplog):
    out = tmp_path / "bench"
    _run(bundle, out, MODELS)
    benchmark_figures(out)  # as the CLI draws them (--plots, the default)
    assert (out / "plots" / "confusion_svm_linear.png").exists()
    n_figs = len(list((out / "plots").glob("*.png")))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _run(bundle, out, ["logreg"])
    assert not (out / "plots").exists()  # every figure was drawn from the earlier results
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"removed {n_figs} figures in plots/, made from the earlier results" in s
               for s in said), said
    figures = benchmark_figures(out)
    assert figures and not any("svm_linear" in f.path.name for f in figures)
    assert not any("svm_linear" in p.name for p in (out / "plots").iterdir())
    caplog.clear()
    _run(bundle, out, ["logreg"])  # the same results again: this run's figures are kept
    assert (out / "plots" / "confusion_logreg.png").exists()
    assert "figures in plots/" not in caplog.text


def test_figures_a_benchmark_no_longer_draws_are_removed_where_they_are_drawn(bundle, tmp_path,
                                                                             caplog):
    """A report written outside the benchmark keeps its figures in ``<name>_plots``: those of
    models the benchmark no longer holds are removed when it is written again, and the
    other files there are left alone."""
    out = tmp_path / "bench"
    _run(bundle, out, MODELS)
    page = tmp_path / "shared" / "bench.html"
    page.parent.mkdir()
    write_report(out, out_path=page)
    elsewhere = tmp_path / "shared" / "bench_plots"
    assert (elsewhere / "confusion_svm_linear.png").exists()
    (elsewhere / "notes.png").write_bytes(b"the user's")  # not a benchmark figure's name
    _run(bundle, out, ["logreg"])
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        text = write_report(out, out_path=page).read_text()
    assert not any("svm_linear" in p.name for p in elsewhere.iterdir())
    assert (elsewhere / "notes.png").exists() and (elsewhere / "confusion_logreg.png").exists()
    assert 'alt="logreg: ' in text and 'alt="svm_linear: ' not in text  # the figures shown
    assert "confusion_svm_linear.png" in caplog.text and "an earlier run's" in caplog.text
