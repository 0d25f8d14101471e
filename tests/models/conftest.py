"""Fixtures of the model tests."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest


@pytest.fixture
def quiet_convergence() -> Iterator[None]:
    """scikit-learn's and scikit-survival's convergence warnings silenced (small grids on
    small cohorts); a test file opts in with ``pytestmark``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        yield
