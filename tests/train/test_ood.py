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


def test_a_small_validation_part_keeps_the_flag_rate_near_the_stated_one(rng):
    """Old behaviour: the plain 95th percentile of 16 validation scores flagged ~10 % of new
    samples like them (ACC + UVM: 16 % of the test patients). The conformal rule takes the
    largest of 16 scores: 1 / 17 = 5.9 % expected (no rule can promise 5 % with 16)."""
    train, y = _classes(rng, 300, n_features=8)
    rates = []
    for _ in range(300):
        stats = fit_ood(train, _classes(rng, 16, n_features=8)[0], labels=y, n_components=8)
        rates.append(np.mean(ood_score(stats, _classes(rng, 400, n_features=8)[0]) > stats["threshold"]))
    assert np.mean(rates) == pytest.approx(1 / 17, abs=0.012)
    assert stats["expected_false_alarm"] == pytest.approx(1 / 17)
    assert stats["threshold_rule"] == "split conformal: the 16th of 16 validation scores"


def test_the_conformal_rank_for_enough_validation_samples(rng):
    train, y = _classes(rng, 300, n_features=8)
    stats = fit_ood(train, _classes(rng, 100, n_features=8)[0], labels=y, n_components=8)
    # ceil(101 * 0.95) = 96: 5 of 100 validation scores above, 5 / 101 expected
    assert stats["threshold_rule"] == "split conformal: the 96th of 100 validation scores"
    assert stats["val_false_alarm"] == pytest.approx(0.04) and stats["expected_false_alarm"] == pytest.approx(5 / 101)
    assert 0.0 <= stats["train_flagged"] <= 1.0


def test_training_samples_scored_again_sit_farther_out_on_wide_data(rng):
    """More genes than training samples: the components fit the training samples' own
    noise, so re-scored training samples are flagged far more often than new ones (why
    predict says which samples the model was fitted on)."""
    train = rng.normal(size=(60, 2000))
    stats = fit_ood(train, rng.normal(size=(40, 2000)), n_components=50)
    fresh = np.mean(ood_score(stats, rng.normal(size=(200, 2000))) > stats["threshold"])
    assert stats["train_flagged"] > 0.5 and fresh < 0.15


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


def test_the_threshold_rule_names_its_rank_in_english(rng):
    """Old behaviour: "the 23th of 23 validation scores" (any rank took "th")."""
    train, y = _classes(rng, 200, n_features=8)
    stats = fit_ood(train, _classes(rng, 23, n_features=8)[0], labels=y, n_components=8)
    assert stats["threshold_rule"] == "split conformal: the 23rd of 23 validation scores"
    from genemoe.train.ood import _ordinal  # noqa: PLC2701 (the helper under test)

    assert [_ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 96, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "96th", "101st", "111th"]
