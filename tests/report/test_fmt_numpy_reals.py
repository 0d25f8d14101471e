"""report.text's number formatting takes numpy's float32 as the number it is (h22's note:
``isinstance(v, int | float)`` passed it over, so a float32 metric read "–")."""

from __future__ import annotations

import numpy as np

from genemoe.report.text import DASH, fmt_value


def test_a_float32_metric_is_shown_and_a_bool_is_not():
    assert fmt_value(np.float32(0.5)) == "0.500"
    assert fmt_value(np.float16(0.25)) == "0.250"
    assert fmt_value(True) == DASH and fmt_value(np.bool_(True)) == DASH
    assert fmt_value(np.float32("nan")) == DASH
