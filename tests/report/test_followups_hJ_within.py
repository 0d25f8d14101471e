"""A degenerate within-type C-index is said where it is shown (helper hJ, item 1).

Old behaviour: metrics.json flagged ``within_type_c_index_degenerate`` (``_reason``
"degenerate: C 1.000", or "degenerate: every risk the same"), but train's terminal table,
the run page's first screen and the demo's verdict showed a bare 1.000 beside the pooled C
whose cells carried their reason.
"""

from __future__ import annotations

import html
import re

from genemoe.report.first_screen import run_panel
from genemoe.report.terminal import run_table

BASE = {"n": 40, "n_events": 6, "c_index": 0.81, "c_index_ci": [0.7, 0.9], "logrank_p": 0.01,
        "logrank_p_within_type": 0.02, "type_only_c_index": 0.644}
ONE = {**BASE, "within_type_c_index": 1.0, "within_type_c_index_degenerate": True,
       "within_type_c_index_reason": "degenerate: C 1.000"}
TIED = {**BASE, "within_type_c_index": 0.5, "within_type_c_index_degenerate": True,
        "within_type_c_index_reason": "degenerate: every risk the same"}


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_terminal_says_why_a_within_type_c_is_degenerate():
    text = run_table({"test": ONE}, task="survival", title="t")
    said = " ".join(text.split())
    assert "C-index 1.000 (degenerate: every pair in one order)" in said
    tied = " ".join(run_table({"test": TIED}, task="survival", title="t").split())
    assert "C-index 0.500 (degenerate: every risk the same)" in tied
    assert max(map(len, text.splitlines())) <= 100


def test_older_metrics_without_the_flag_are_told_from_the_value():
    from genemoe.report.terminal import within_c_text

    old = {k: v for k, v in ONE.items() if "degenerate" not in k and "reason" not in k}
    assert within_c_text({**old, "within_type_c_index": 0.0}) == (
        "0.000 (degenerate: every pair in one order)")
    assert within_c_text({**old, "within_type_c_index": 0.7142857}) == "0.714"


def test_a_plain_within_type_c_keeps_its_line():
    m = {**BASE, "within_type_c_index": 0.7142857}
    assert ("test within cancer types: C-index 0.714, log-rank p 0.020; the cancer type alone: "
            "0.644") in run_table({"test": m}, task="survival", title="t")


def test_the_run_pages_first_screen_says_why():
    page = run_panel(task="survival", model="coxnet", metrics={"test": ONE}, cfg={},
                     summary={"n_cancer_types": 3}, record={}, bundle_path=None, figures=[])
    text = _text(page)
    assert re.search(r"C-index within types 1\.000 degenerate: every pair in one order; pairs "
                     r"of one cancer type only", text), text
