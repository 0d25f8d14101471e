"""Scalers: per-gene z-score, and the image models' global and centred scaling."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.data.scaling import Scaler, centred_scaler, fit_scaler, global_scaler
from genemoe.explain.integrated_gradients import baseline_vector


@pytest.fixture
def X() -> np.ndarray:
    rng = np.random.default_rng(0)
    levels = rng.uniform(0, 12, size=30)  # genes at very different expression levels
    return (levels + rng.normal(size=(50, 30))).astype(np.float32)


def test_global_scaling_keeps_relative_levels(X) -> None:
    s = fit_scaler(X, method="global", clip=None)
    Z = s.transform(X)
    assert s.method == "global" and np.unique(s.shift).size == 1 and np.unique(s.scale).size == 1
    np.testing.assert_allclose(Z.mean(), 0, atol=1e-5)  # pooled over every value
    np.testing.assert_allclose(Z.std(), 1, atol=1e-4)
    # an affine map shared by all genes: the gene ordering by level is untouched
    np.testing.assert_array_equal(np.argsort(Z.mean(0)), np.argsort(X.mean(0)))


def test_global_scaler_from_the_bundles_per_gene_moments_is_exact(X) -> None:
    a = global_scaler(X.mean(0), X.std(0))
    b = fit_scaler(X, method="global")
    np.testing.assert_allclose(a.shift, X.astype(np.float64).mean(), rtol=1e-6)
    np.testing.assert_allclose(a.scale, X.astype(np.float64).std(), rtol=1e-5)
    np.testing.assert_allclose(a.shift, b.shift, rtol=1e-6)
    np.testing.assert_allclose(a.scale, b.scale, rtol=1e-6)


def test_centred_scaling_keeps_each_genes_spread_relative_to_the_others() -> None:
    rng = np.random.default_rng(1)
    spread = np.array([0.1, 1.0, 5.0])  # a flat gene, an ordinary one, a tissue marker
    X = (rng.uniform(0, 12, 3) + rng.normal(size=(400, 3)) * spread).astype(np.float32)
    s = fit_scaler(X, method="centred", clip=None)
    Z = s.transform(X)
    assert s.method == "centred" and np.unique(s.scale).size == 1 and s.train_mean is None
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-4)  # the average tumour is 0
    np.testing.assert_allclose((Z ** 2).mean(), 1, rtol=1e-4)  # unit mean variance
    np.testing.assert_allclose(Z.std(0) / Z.std(0)[1], X.std(0) / X.std(0)[1], rtol=1e-5)
    # per-gene z-scores give the flat gene the marker's contrast; centring does not
    assert fit_scaler(X, method="standard", clip=None).transform(X).std(0).round(3).tolist() == [1, 1, 1]
    a = centred_scaler(X.mean(0), X.std(0), clip=None)  # from the bundle's per-gene moments
    np.testing.assert_allclose(a.shift, s.shift, rtol=1e-6)
    np.testing.assert_allclose(a.scale, s.scale, rtol=1e-6)
    r = Scaler.from_dict(s.to_dict())
    assert r.method == "centred" and not r.mean_profile().any()


def test_mean_profile_round_trips_and_is_the_ig_train_mean_baseline(X) -> None:
    g = Scaler.from_dict(fit_scaler(X, method="global").to_dict())
    expected = g.transform(X.mean(0, keepdims=True))[0]
    np.testing.assert_allclose(g.mean_profile(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(baseline_vector("train_mean", X.shape[1], scaler=g), expected,
                               rtol=1e-5, atol=1e-6)
    z = fit_scaler(X, method="standard")
    assert z.train_mean is None and not z.mean_profile().any()  # z-scores: the mean is 0
    assert not baseline_vector("train_mean", X.shape[1], scaler=z).any()
