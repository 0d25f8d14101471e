"""The benchmark's first screen (outside probe MM, defects 2 and 4): its verdict rests on the
Holm p of the page's table, summary.md and the terminal, with summary.md's caveat; and its
ensembles' member scheme is named."""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel

PROTOCOL = {"task": "classify", "models": ["genemoe", "fcn", "logreg"], "n_folds": 5,
            "n_repeats": 1}
BASE = (0.70, 0.72, 0.74, 0.71, 0.73)
OURS = (0.025, 0.010, 0.027, 0.011, 0.021)  # genemoe − fcn: corrected p 0.040, Holm p 0.079
LOGREG = (-0.02, -0.07, -0.04, -0.05, -0.09)  # logreg − fcn


def _results() -> pd.DataFrame:
    rows = []
    for i, b in enumerate(BASE):
        for model, v in (("fcn", b), ("genemoe", b + OURS[i]), ("logreg", b + LOGREG[i])):
            rows.append({"model": model, "repeat": 0, "fold": i, "accuracy": 0.8,
                         "macro_f1": v, "n_train": 60, "n_val": 10, "n_test": 30})
    return pd.DataFrame(rows)


def _text(html: str) -> str:
    text = re.sub(r"</?(td|th|tr|table|p|section|div|h2)[^>]*>", " ", html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _panel(protocol: dict, results: pd.DataFrame) -> str:
    return benchmark_panel(protocol=protocol, results=results, summary={}, record={},
                           figures=[], comparison=paired_comparisons(results, "classify"))


def test_the_verdict_rests_on_the_holm_p_and_says_the_best_peer_was_picked_after():
    """Old behaviour: "Corrected resampled t-test: p = 0.040, a significant difference
    (p < 0.05)" beside the table's Holm p of 0.079 for the same comparison; nothing said of
    fcn having been picked as the best peer after the fact (summary.md says it)."""
    results = _results()
    best, comp = paired_comparisons(results, "classify")
    row = comp.set_index("model").loc["genemoe"]
    assert best == "fcn" and row["corrected_p"] < 0.05 <= row["holm_p"]  # the case at issue
    text = _text(_panel(PROTOCOL, results))
    verdict = text.split("against the best peer fcn:")[1]
    assert "Corrected resampled t-test: p = 0.079, no difference established" in verdict
    assert "significant difference" not in verdict
    assert ("That p is Holm-adjusted for the 2 models tested against fcn (Holm 1979; "
            "unadjusted: 0.040)") in verdict
    assert "no adjustment covers fcn having been picked as the best peer after the fact" in verdict
    assert re.search(r"after the fact\. Wilcoxon signed-rank test", verdict)


def test_two_models_need_no_adjustment_and_no_after_the_fact_caveat():
    results = _results()
    two = results[results["model"] != "logreg"]
    text = _text(_panel({**PROTOCOL, "models": ["genemoe", "fcn"]}, two))
    assert "Corrected resampled t-test: p = 0.040, a significant difference (p < 0.05)." in text
    assert "Holm-adjusted" not in text and "after the fact" not in text
    assert "(p < 0.05). Wilcoxon signed-rank test" in text  # one space, no empty sentence


def test_an_ensemble_benchmark_names_its_member_scheme_and_the_handicap():
    """Old behaviour: "each an ensemble of 2" alone, under ``auto`` with logreg's members
    fitted on 1/2 of the training part against the seeded models' every row (summary.md and
    the terminal said it)."""
    results = _results()
    auto = _text(_panel({**PROTOCOL, "ensemble": 2, "ensemble_members": "auto"}, results))
    assert ("each an ensemble of 2 (--ensemble-members auto: logreg: members fit on 1/2 of "
            "the training part, a handicap)") in auto
    old = _text(_panel({**PROTOCOL, "ensemble": 2}, results))  # an older protocol: auto
    assert "(--ensemble-members auto: logreg: members fit on 1/2" in old
    folds = _text(_panel({**PROTOCOL, "ensemble": 3, "ensemble_members": "folds"}, results))
    assert ("each an ensemble of 3 (--ensemble-members folds: every model's members fit on "
            "2/3 of the training part)") in folds
    seeded = {**PROTOCOL, "models": ["genemoe", "fcn"], "ensemble": 2}
    two = results[results["model"] != "logreg"]
    assert ("each an ensemble of 2 (--ensemble-members auto: every model's members differ "
            "by seed)") in _text(_panel(seeded, two))
    assert "ensemble" not in _text(_panel(PROTOCOL, results))  # single models: nothing
