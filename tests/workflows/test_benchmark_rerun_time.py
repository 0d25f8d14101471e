"""A fully reused benchmark rerun said "8 reused · 0 s" though the command took 7 s (its
figures are drawn after the benchmark's clock stops): no time is given where nothing was
trained; a run that trained cells gives its time."""

from __future__ import annotations

import pytest

import genemoe.workflows.benchmark as bm


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _title(result) -> str:
    return result.describe().splitlines()[0]


def test_a_reused_rerun_gives_no_time_and_a_trained_run_does(bundle, tmp_path):
    kw = dict(task="classify", models=["logreg"], n_folds=2, out_dir=tmp_path / "bench")
    first = bm.run_benchmark(bundle.path, **kw)
    assert "2 cells trained, 0 reused · " in _title(first) and " s" in _title(first)
    again = bm.run_benchmark(bundle.path, **kw)
    title = _title(again)
    assert "0 cells trained, 2 reused · SYNTHETIC DATA" in title and " 0 s" not in title
