"""The chunked synthetic corpus: a valid bundle whatever the chunk size, statistics exact."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.data.bundle import load_bundle
from genemoe.data.synthetic_corpus import write_synthetic_corpus
from genemoe.errors import InputError


def test_corpus_is_a_bundle_with_exact_training_statistics(tmp_path):
    path = write_synthetic_corpus(tmp_path / "c", n_samples=50, n_genes=30, n_types=4, seed=3,
                                  chunk_rows=7)
    b = load_bundle(path)
    assert b.X.shape == (50, 30) and b.X.dtype == np.float32 and b.synthetic
    assert (np.asarray(b.X) >= 0).all() and set(b.obs["cancer_type"]) <= {"ACC", "BLCA", "BRCA", "CESC"}
    assert b.obs["sample_id"].is_unique and b.var["gene_id"].str.startswith("ENSG99").all()
    assert b.summary["splits"]["train"] == len(b.indices("train")) > 25
    x = np.asarray(b.X[b.indices("train")], np.float64)
    np.testing.assert_allclose(b.var["train_mean"], x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(b.var["train_std"], x.std(0), rtol=1e-4)
    np.testing.assert_allclose(b.var["train_max"], x.max(0))
    again = load_bundle(write_synthetic_corpus(tmp_path / "d", n_samples=50, n_genes=30,
                                               n_types=4, seed=3, chunk_rows=7))
    assert np.array_equal(np.asarray(again.X), np.asarray(b.X))  # a function of the seed


def test_bad_corpus_sizes_are_refused(tmp_path):
    with pytest.raises(InputError, match="fix: use n_samples >= 3"):
        write_synthetic_corpus(tmp_path / "c", n_samples=2, n_genes=30)
    with pytest.raises(InputError, match="val_fraction"):
        write_synthetic_corpus(tmp_path / "c", n_samples=20, n_genes=30, val_fraction=0.6,
                               test_fraction=0.5)
    assert not (tmp_path / "c").exists()
