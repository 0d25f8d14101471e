"""A benchmark's --pretrained run is checked before --out is touched: one that pre-trained
on a fold's test samples, or that cannot start one of the models, is refused up front."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.workflows.benchmark import run_benchmark


def _bench(bundle, cfg, run, out, models):
    return run_benchmark(bundle.path, task="classify", models=models, n_folds=2, n_repeats=1,
                         preset=str(cfg), epochs=1, device="cpu", pretrained=run,
                         out_dir=out, progress=False)


def test_a_run_that_pre_trained_on_a_folds_test_samples_is_refused_before_out(
        tiny_pretrained, tmp_path):
    """Old behaviour: refused in the first neural cell, after protocol.json was written
    (and a rerun of other options had set aside the earlier cells and summary)."""
    bundle, cfg, run = tiny_pretrained
    out = tmp_path / "bench"
    with pytest.raises(InputError, match=r"this run tests on .*\(repeat 0, fold 0's test part\)"):
        _bench(bundle, cfg, run, out, ["genemoe"])
    assert not out.exists()


def test_a_model_the_run_cannot_start_is_refused_before_out(tiny_pretrained, tmp_path):
    """Old behaviour: `--models genemoe,moe` computed genemoe's cells, then refused moe's."""
    bundle, cfg, run = tiny_pretrained
    out = tmp_path / "bench"
    out.mkdir()
    (out / "summary.md").write_text("an earlier benchmark\n")
    with pytest.raises(InputError, match="the run pre-trained model 'genemoe', not 'moe'"):
        _bench(bundle, cfg, run, out, ["moe"])
    with pytest.raises(InputError, match="needs a model with a pre-trained encoder"):
        _bench(bundle, cfg, run, out, ["fcn"])
    assert sorted(p.name for p in out.iterdir()) == ["summary.md"]
