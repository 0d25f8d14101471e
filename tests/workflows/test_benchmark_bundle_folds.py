"""A bundle prepared with ``--folds K`` holds folds (folds.tsv) that benchmark does not use:
it deals its own per repeat. ``benchmark --folds K`` drew about half other folds than the
bundle's without a word; it is said once."""

from __future__ import annotations

import numpy as np
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.data.bundle import Bundle, write_bundle

SAID = "the bundle's own 3 folds (prepare --folds 3, folds.tsv) are not used"


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_a_bundle_s_own_folds_are_said_to_be_unused(bundle, tmp_path, caplog):
    folds = np.arange(len(bundle.obs)) % 3
    path = write_bundle(Bundle(X=np.asarray(bundle.X), obs=bundle.obs, var=bundle.var,
                               record=bundle.record, folds=folds), tmp_path / "with_folds")
    with caplog.at_level("WARNING"):
        bm.run_benchmark(path, task="classify", models=["logreg"], n_folds=2, n_repeats=2,
                         out_dir=tmp_path / "bench")
    said = [w for w in _warnings(caplog) if SAID in w]
    assert said == [f"{SAID}: the benchmark deals its own 2 folds per repeat (seeds 0..1; "
                    "in splits.tsv)"]


def test_a_bundle_without_folds_says_nothing_of_them(bundle, tmp_path, caplog):
    with caplog.at_level("WARNING"):
        bm.run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2,
                         out_dir=tmp_path / "bench")
    assert not any("folds.tsv" in w for w in _warnings(caplog))
