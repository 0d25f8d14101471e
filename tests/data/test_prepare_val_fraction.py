"""``PrepareConfig(val_fraction=0)`` is refused when made, naming ``val_fraction``.

Old behaviour: the CLI refused ``prepare --val-fraction 0``, but the Python API took the
config and wrote a bundle without a validation split, which ``train`` and ``tune`` refused
only later ("the val split has no usable samples"), far from the cause."""

from __future__ import annotations

import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.errors import InputError


@pytest.mark.parametrize("value", [0, 0.0, -0.0, -0.1])
def test_a_val_fraction_leaving_no_validation_split_is_refused_when_made(value):
    with pytest.raises(InputError) as info:
        PrepareConfig(val_fraction=value)
    err = info.value
    assert err.where == "val_fraction"
    assert "leaves no validation split" in err.problem
    assert "val_fraction=0.1" in err.fix
    assert "--val-fraction" not in str(err)  # a Python name from Python, not the CLI flag


def test_prepare_dataset_refuses_it_before_reading_or_writing(tmp_path):
    with pytest.raises(InputError, match=r"^val_fraction: 0 leaves no validation split"):
        prepare_dataset([tmp_path / "missing.tsv"], out_path=tmp_path / "b",
                        config={"val_fraction": 0})
    assert not (tmp_path / "b").exists()


def test_a_small_positive_val_fraction_is_still_taken():
    assert PrepareConfig(val_fraction=0.05, test_fraction=0.0).val_fraction == 0.05
