"""The --compare stability line marks an unreadable ranking as the table does.

Old behaviour: with DeepLIFT's ranking marked ``*`` (its attributions missed the live
change by 88%), the line under the table read "(the least: deeplift 61%)", unmarked, and a
marked method could be quoted as the stability of the comparison.
"""

from __future__ import annotations

import pandas as pd

from genemoe.explain.compare import _stability_text


def _table(unreliable: list[bool], overlaps: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"method": ["frozen_ig", "train_ig", "deeplift"][:len(overlaps)],
                         "top50_overlap": overlaps, "n_samples": 30, "top50_chance": 0.05,
                         "spearman": 0.5, "ranking_unreliable": unreliable})


def test_the_least_stable_unreadable_method_is_marked() -> None:
    text = _stability_text(_table([False, False, True], [0.65, 0.63, 0.61]))
    assert "with frozen_ig," in text
    assert "(the least: deeplift* 61%)" in text


def test_an_unreadable_ranking_is_not_quoted_as_the_stability() -> None:
    text = _stability_text(_table([False, False, True], [0.65, 0.63, 0.80]))
    assert "with frozen_ig," in text and "with deeplift" not in text
    assert "the most stable of those marked readable" in text


def test_a_table_without_the_mark_reads_as_before() -> None:
    table = _table([False, False], [0.65, 0.60]).drop(columns="ranking_unreliable")
    text = _stability_text(table)
    assert "frozen_ig: the most stable of the 2 methods compared (the least: train_ig 60%)" in text
