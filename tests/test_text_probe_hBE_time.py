"""One formatter of durations (genemoe.text_time) for report and explain.

Old behaviour: explain's ``took_text`` was a copy of report's ``fmt_seconds`` (explain may
not import report), each with its own rules to keep in step. Both now call the root
module's; the strings each gave are pinned here, unchanged.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from genemoe import text_time
from genemoe.explain import summary_text
from genemoe.report import text as report_text


def test_report_and_explain_share_the_root_formatter():
    assert report_text.fmt_seconds is text_time.fmt_seconds
    assert summary_text.short_seconds is text_time.short_seconds


@pytest.mark.parametrize(("seconds", "said"), [
    (8.4, "8 s"), (0.3, "0 s"), (59.4, "59 s"), (125, "2 min 05 s"), (3599.6, "1 h 00 min"),
    (3780, "1 h 03 min"), (np.float32(9.6), "10 s"), (math.nan, "–"), (None, "–"),
    ("8", "–"), (np.bool_(True), "–"), (True, "–"),
])
def test_report_fmt_seconds_strings(seconds, said):
    assert report_text.fmt_seconds(seconds) == said


@pytest.mark.parametrize(("seconds", "said"), [
    (0.00186, "1.86 ms"), (0.0, "0 s"), (2.5, "2.5 s"), (8.4, "8.4 s"), (9.96, "10 s"),
    (12.4, "12 s"), (273, "4 min 33 s"), (3780, "1 h 03 min"),
])
def test_explain_took_text_strings(seconds, said):
    assert summary_text.took_text(seconds) == said
