"""A pair's folds left out (a degenerate C) are said of both tests, not the Wilcoxon's."""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_pairs import left_out_note
from genemoe.report.benchmark_words import left_out_words, split_test_notes


def test_the_left_out_folds_leave_the_wilcoxon_note():
    """Old behaviour: "(Wilcoxon: 2 paired folds; 1 left out: a degenerate C ...)", filed
    under the Wilcoxon test though both tests pair the same folds."""
    said = left_out_note(2, 1)
    r = pd.Series({"model": "coxnet", "n_pairs": 2, "n_left_out": 1,
                   "note": f"{said}; too few non-zero pairs for p < 0.05"})
    t_note, w_note = split_test_notes(r)
    assert said not in w_note and "too few non-zero pairs" in w_note
    assert left_out_words(r) == said
    assert left_out_words(pd.Series({"n_pairs": 3, "n_left_out": 0, "note": ""})) == ""
    assert left_out_words(pd.Series({"n_pairs": 3, "note": ""})) == ""  # classification
