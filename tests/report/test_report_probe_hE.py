"""An outside reader's probe of the benchmark and ablation reports (probe hE).

Each test names the old behaviour it pins down; all use small seeded synthetic tables or
folders, no model is trained.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel

SURVIVAL = {"task": "survival", "models": ["genemoe", "coxnet", "coxph"], "n_folds": 5,
            "n_repeats": 1}


def _text(html: str) -> str:
    """The HTML's text: tags out (a cell boundary a space), spaces collapsed."""
    text = re.sub(r"</?(td|th|tr|table|p|section|div|h2)[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def _survival_results(nan_fold: int | None = 2) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for model, base in (("genemoe", 0.62), ("coxnet", 0.60), ("coxph", 0.55)):
        for fold in range(5):
            c = base + rng.normal(0, 0.03)
            if model == "coxnet" and fold == nan_fold:
                c = float("nan")  # a test part whose C-index could not be computed
            rows.append({"model": model, "repeat": 0, "fold": fold, "c_index": c,
                         "uno_c_index": c, "n_train": 400, "n_val": 50, "n_test": 100})
    return pd.DataFrame(rows)


def test_a_mean_over_fewer_folds_than_run_says_k_of_n_on_the_first_screen():
    """Old behaviour: the first screen showed coxnet's "0.597 ± 0.009" (the mean of 4 of its
    5 folds, one C-index NaN) with no mark, beside the terminal's "(4/5)" and summary.md's
    "(4/5 folds)"; the benchmark was finished, so no folds column said it either."""
    results = _survival_results()
    text = _text(benchmark_panel(protocol=SURVIVAL, results=results, summary={}, record={},
                                 figures=[], comparison=paired_comparisons(results, "survival")))
    row = re.search(r"coxnet (\S+ ± \S+(?: \(\d/\d\))?)", text)
    assert row is not None and row.group(1).endswith("(4/5)")
    assert "(k/n): the mean ± sd of the k folds with a value, of n run" in text
    genemoe = re.search(r"genemoe (\S+ ± \S+ \S+)", text)
    assert genemoe is not None and "/5)" not in genemoe.group(1)  # every fold: no mark


def test_every_fold_scored_carries_no_k_of_n_note():
    results = _survival_results(nan_fold=None)
    text = _text(benchmark_panel(protocol=SURVIVAL, results=results, summary={}, record={},
                                 figures=[], comparison=paired_comparisons(results, "survival")))
    assert "(k/n)" not in text and "/5)" not in text
