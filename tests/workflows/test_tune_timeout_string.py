"""tune_run(timeout="5") said "must be a number of seconds above 0, got 5": the value was
right, its type was not, and the message hid which (probeFF)."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.workflows.tune import tune_run


@pytest.mark.parametrize(("timeout", "said"), [("5", "got '5' (a string)"), (-5, "got -5")])
def test_a_bad_timeout_says_what_was_given(tmp_path, timeout, said):
    with pytest.raises(InputError, match="--timeout: must be a number of seconds above 0") as e:
        tune_run(tmp_path / "no_bundle", out_dir=tmp_path / "t", model_name="fcn", n_trials=1,
                 timeout=timeout)
    assert said in str(e.value)
    assert not (tmp_path / "t").exists()
