"""``--tune-cv 0`` is told its range, not that it "needs --tune N" beside the --tune given.

Old behaviour: ``benchmark --tune 2 --tune-cv 0`` said "--tune-cv 0 needs --tune N and K >= 2
(1: off)" with the fix "pass --tune N": --tune 2 was there.
"""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.workflows.benchmark_checks import check_benchmark_options


def _check(**kw):
    return check_benchmark_options("classify", ["logreg"], n_folds=3, n_repeats=1, n_boot=10,
                                   val_fraction=0.1, **kw)


def test_tune_cv_zero_is_told_its_range():
    with pytest.raises(InputError) as err:
        _check(tune=2, tune_cv=0)
    said = str(err.value)
    assert "must be 1 (off) or 2 or more inner folds, got 0" in said and "needs --tune" not in said


def test_tune_cv_without_tune_still_needs_tune():
    with pytest.raises(InputError, match="needs --tune N"):
        _check(tune=0, tune_cv=3)
