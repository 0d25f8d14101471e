"""``run_benchmark(val_fraction=1.5)`` (a Python argument: the command line has no such flag)
was refused naming ``--val-fraction/--test-fraction`` with a "test=0.0" it was never given,
and ``val_fraction=0`` as "an empty validation or test part: use fewer --folds"; both now
name ``val_fraction`` and its range, before ``--out`` is made."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.workflows.benchmark import run_benchmark
from genemoe.workflows.folds import plan_folds


@pytest.mark.parametrize("value", [1.5, 0.0, 1.0, -0.1])
def test_val_fraction_out_of_range_is_named(synthetic_bundle, tmp_path, value):
    b = synthetic_bundle()
    with pytest.raises(InputError) as err:
        run_benchmark(b.path, task="classify", models=["logreg"], out_dir=tmp_path / "o",
                      val_fraction=value)
    text = str(err.value)
    assert text.startswith("val_fraction: must be above 0 and below 1"), text
    assert "--val-fraction" not in text and "--folds" not in text
    assert "val_fraction=0.15" in text
    assert not (tmp_path / "o").exists()


def test_plan_folds_in_range_unchanged(synthetic_bundle):
    plans = plan_folds(synthetic_bundle(), "classify", n_folds=3, val_fraction=0.2)
    assert len(plans) == 3
