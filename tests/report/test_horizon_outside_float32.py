"""A predicted value outside the observed interval is marked whatever its number type.

Old behaviour: ``_outside`` accepted ``float | int`` only, so a numpy ``float32`` (a
column read as float32, or a value from a float32 model output) was never marked or said
outside the interval; ``float64`` passed only because it subclasses ``float``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from genemoe.report.horizons import outside_interval


@pytest.mark.parametrize("value", [np.float32(0.66), np.float16(0.66), np.float64(0.66), 0.66,
                                   Fraction(66, 100), np.int64(0)])
def test_any_real_number_outside_the_interval_is_counted(value) -> None:  # noqa: ANN001
    rows = [{"horizon": "1 year", "all: predicted": value,
             "all: observed 95% CI": [np.float32(0.682), np.float32(0.815)]}]
    assert outside_interval(rows) == {"1 year": ["all"]}


@pytest.mark.parametrize("value", [np.float32(0.70), np.float32(np.nan), True, "0.66",
                                   Decimal("0.66"), None])
def test_inside_missing_or_not_a_real_number_is_not(value) -> None:  # noqa: ANN001
    rows = [{"horizon": "1 year", "all: predicted": value,
             "all: observed 95% CI": [0.682, 0.815]}]
    assert outside_interval(rows) == {}
