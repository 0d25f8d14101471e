"""The unfamiliar-sample score (train/ood.py): threshold on validation, foreign profiles flagged."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.train.ood import energy_score, fit_ood, ood_score


def _classes(rng, n, n_features=30, n_classes=4):
    y = np.arange(n) % n_classes
    centres = np.random.default_rng(99).normal(scale=3.0, size=(n_classes, n_features))
    mixing = np.random.default_rng(98).normal(size=(n_features, n_features)) / np.sqrt(n_features)
    return centres[y] + rng.normal(size=(n, n_features)) @ mixing, y


def test_threshold_gives_the_stated_false_alarm_rate(rng):
    train, y = _classes(rng, 800)
    val, _ = _classes(rng, 1000)
    fresh, _ = _classes(rng, 4000)
    stats = fit_ood(train, val, labels=y, false_alarm=0.05)
    assert stats["val_false_alarm"] == pytest.approx(0.05, abs=0.002)
    # samples like validation but never seen: close to the stated rate too
    assert np.mean(ood_score(stats, fresh) > stats["threshold"]) == pytest.approx(0.05, abs=0.02)


def test_foreign_profiles_are_flagged(rng):
    train, y = _classes(rng, 800)
    val, _ = _classes(rng, 400)
    stats = fit_ood(train, val, labels=y)
    test, _ = _classes(rng, 200)
    shifted = test + 4.0  # a far shift of every feature
    shuffled = np.stack([row[rng.permutation(row.size)] for row in test])  # genes shuffled
    assert np.mean(ood_score(stats, shifted) > stats["threshold"]) > 0.99
    assert np.mean(ood_score(stats, shuffled) > stats["threshold"]) > 0.9
    assert np.mean(ood_score(stats, test) > stats["threshold"]) < 0.15


def test_one_mean_without_labels_and_more_features_than_samples(rng):
    train = rng.normal(size=(40, 500))
    stats = fit_ood(train, rng.normal(size=(40, 500)), n_components=50)
    assert stats["n_components"] == 39 and len(stats["means"]) == 1
    assert np.isfinite(ood_score(stats, rng.normal(size=(5, 500)))).all()
    assert (ood_score(stats, rng.normal(size=(5, 500)) + 5) > stats["threshold"]).all()


def test_energy_score_is_minus_logsumexp():
    z = np.array([[0.0, 0.0], [10.0, -10.0]])
    np.testing.assert_allclose(energy_score(z), [-np.log(2.0), -np.log(np.exp(10.0) + np.exp(-10.0))])
    stats = fit_ood(None, np.random.default_rng(0).normal(size=(200, 3)), method="energy")
    assert stats["method"] == "energy" and np.isfinite(stats["threshold"])
