"""A benchmark's first screen says when its preset's values were chosen on data that may be
its test folds (helper hJ, item 4).

Old behaviour: the small preset's train.epochs, train.patience and model.dropout, chosen on
pancan33_random100's validation split (``overlaps_benchmark_test_folds: true``), were named
only in the Protocol table and summary.md; the first screen's verdict stood unqualified.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel


def _entry(**kw) -> dict:
    return {"value": 20, "data": "pancan33_random100, default split",
            "part": "validation split", "overlaps_benchmark_test_folds": True,
            "used_by": ["fcn"], **kw}


def _protocol(tuned_on: dict, *, synthetic: bool = False) -> dict:
    return {"task": "classify", "models": ["logreg", "fcn"], "n_folds": 2, "n_repeats": 1,
            "preset": "small", "preset_tuned_on": tuned_on,
            "bundle_summary": {"synthetic": synthetic, "n_samples": 900}}


def _results() -> pd.DataFrame:
    rows = [{"model": m, "repeat": 0, "fold": f, "accuracy": a + 0.01 * f, "macro_f1": a}
            for m, a in (("logreg", 0.80), ("fcn", 0.78)) for f in range(2)]
    return pd.DataFrame(rows)


def _caveat(protocol: dict) -> str | None:
    results = _results()
    page = benchmark_panel(protocol=protocol, results=results, summary={}, record={},
                           figures=[], comparison=paired_comparisons(results, "classify"))
    row = re.search(r"<tr><th>caveat</th><td>(.*?)</td></tr>", page)
    return None if row is None else " ".join(html.unescape(re.sub(r"<[^>]+>", "", row[1])).split())


def test_a_preset_tuned_on_data_that_may_be_the_test_folds_is_a_caveat_row():
    said = _caveat(_protocol({"train.patience": _entry(), "model.dropout": _entry()}))
    assert said is not None
    assert said.startswith("preset small: train.patience, model.dropout chosen on data whose "
                           "samples may sit in these test folds (not checked against them)")
    assert "scores may be optimistic" in said


def test_a_counted_overlap_is_said_with_its_count():
    checked = _entry(n_test_folds_tuned_on=5, n_test_folds=116, same_samples=False,
                     test_folds_overlap="5 of the 116 samples in the benchmark's test folds")
    said = _caveat(_protocol({"tuned": checked}))
    assert said is not None
    assert "tuned (5 of the 116 test-fold samples) chosen on samples in these test folds" in said


def test_no_caveat_where_the_overlap_is_ruled_out():
    none_counted = _entry(n_test_folds_tuned_on=0, n_test_folds=116, same_samples=False,
                          test_folds_overlap="0 of the 116")
    assert _caveat(_protocol({"tuned": none_counted})) is None
    assert _caveat(_protocol({"train.patience": _entry()}, synthetic=True)) is None
    assert _caveat(_protocol({"train.patience": _entry(used_by=[])})) is None  # unused
    assert _caveat(_protocol({"x": _entry(overlaps_benchmark_test_folds=False)})) is None
    assert _caveat(_protocol({})) is None
