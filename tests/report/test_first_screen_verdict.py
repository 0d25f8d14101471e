"""The benchmark's first screen: an unfinished benchmark says so, and the verdict names the
test behind each of its clauses."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel

PROTOCOL = {"task": "classify", "models": ["genemoe", "fcn", "logreg"], "n_folds": 3,
            "n_repeats": 2}


def _results(folds: dict[str, int], shift: float = 0.05, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame([{"model": m, "repeat": i // 3, "fold": i % 3, "accuracy": 0.8,
                          "macro_f1": 0.7 + rng.random() * 0.1 + (shift if m == "genemoe" else 0),
                          "n_train": 60, "n_val": 10, "n_test": 30}
                         for m, n in folds.items() for i in range(n)])


def _panel(results: pd.DataFrame, protocol: dict | None = None) -> str:
    """The panel's text: tags out (a cell boundary a space), spaces collapsed."""
    html = benchmark_panel(protocol=protocol or PROTOCOL, results=results, summary={},
                           record={}, figures=[],
                           comparison=paired_comparisons(results, "classify"))
    text = re.sub(r"</?(td|th|tr|table|p|section|div|h2)[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def test_an_interrupted_benchmark_on_unequal_folds_says_so_and_withholds_its_verdict():
    """Old behaviour (an outside probe): a rerun from --repeats 1 to 2, stopped, showed
    "3-fold cross-validation × 2 repeat(s)" and a verdict with fcn on 6 folds and the others
    on 5; "cells finished 16 of 18" only deep in the Protocol table."""
    text = _panel(_results({"genemoe": 5, "fcn": 6, "logreg": 5}))
    assert "unfinished: cells finished 16 of 18" in text
    assert "genemoe 5, fcn 6, logreg 5" in text
    assert "the models are compared on unequal folds" in text
    assert "identical folds for every model" not in text
    assert "No verdict yet" in text and "significant difference" not in text
    assert "no difference established" not in text
    assert re.search(r"model folds accuracy", text)  # each mean's folds in the table


def test_an_unfinished_benchmark_on_equal_folds_gives_a_provisional_verdict():
    text = _panel(_results({"genemoe": 3, "fcn": 3, "logreg": 3}))
    assert "unfinished: cells finished 9 of 18" in text
    assert "unequal folds" not in text
    assert "Provisional (the benchmark is unfinished: 9 of 18 cells)" in text


def test_a_finished_benchmark_has_no_status_row():
    text = _panel(_results({"genemoe": 6, "fcn": 6, "logreg": 6}))
    assert "unfinished" not in text and "Provisional" not in text and "No verdict" not in text
    assert "identical folds for every model" in text


def test_the_verdict_names_the_test_of_each_clause_and_escapes_its_less_than():
    """Old behaviour: "a significant difference (p < 0.05) (only 5 non-zero pairs: the
    smallest possible p is 0.0625, so p < 0.05 cannot be reached; …)": the first clause the
    t-test's, the note the Wilcoxon test's, read as one claim; the first ``<`` raw HTML."""
    results = _results({"genemoe": 5, "fcn": 5, "logreg": 5}, shift=0.3)
    protocol = {**PROTOCOL, "n_repeats": 1, "n_folds": 5}
    results = results.assign(repeat=0, fold=results.groupby("model").cumcount())
    html = benchmark_panel(protocol=protocol, results=results, summary={}, record={},
                           figures=[], comparison=paired_comparisons(results, "classify"))
    verdict = html.split("against the best peer")[1]
    assert "p < 0.05" not in html  # every one escaped
    assert re.search(r"Corrected resampled t-test: p = [0-9.e-]+, a significant difference "
                     r"\(p &lt; 0\.05\)\.", verdict)
    assert re.search(r"Wilcoxon signed-rank test \(takes the folds as independent\): p = "
                     r"[0-9.]+ \(only 5 non-zero pairs: the smallest possible p is 0\.0625",
                     verdict)


def test_a_few_folds_note_goes_with_the_t_test_not_the_wilcoxon_test():
    """Old behaviour: both notes in one bracket after the t-test's clause."""
    results = _results({"genemoe": 3, "fcn": 3, "logreg": 3})
    text = _panel(results, {**PROTOCOL, "n_repeats": 1})
    t_part, w_part = text.split("Wilcoxon signed-rank test")
    assert "corrected_p from only 3 paired folds" in t_part.split("Corrected resampled t-test")[1]
    assert "corrected_p" not in w_part and "only 3 non-zero pairs" in w_part
