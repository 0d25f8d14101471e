"""A comparison over one fold is said as one fold (a page said "over these 1 folds")."""

from __future__ import annotations

from genemoe.evaluate.benchmark_pairs import folds_words


def test_one_fold_is_said_as_one():
    assert folds_words(1) == "this one fold"
    assert folds_words(6) == "these 6 folds"
