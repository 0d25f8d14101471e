"""create_model's widths refused naming the argument (outside probe hF): n_genes=0 was a
ZeroDivisionError, n_outputs=0 and a four-output survival model were built unsaid."""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.models.registry import create_model


@pytest.mark.parametrize(("kwargs", "where", "words"), [
    (dict(n_genes=0, n_outputs=3, task="classify"), "n_genes", "1 or more, got 0"),
    (dict(n_genes="50", n_outputs=3, task="classify"), "n_genes", "got '50' (a string)"),
    (dict(n_genes=50, n_outputs=0, task="classify"), "n_outputs", "1 or more, got 0"),
    (dict(n_genes=50, n_outputs=4, task="survival"), "n_outputs", "one output (its risk)"),
])
def test_create_model_refuses_widths_naming_the_argument(kwargs, where, words) -> None:
    """Old behaviour: n_genes=0 a ZeroDivisionError in the gate; n_outputs=0 a head of no
    outputs and task="survival" with 4 outputs, both unsaid; n_genes="50" a fix about the
    preset's YAML."""
    with pytest.raises(InputError) as err:
        create_model("genemoe", **kwargs)
    assert err.value.where == where and words in str(err.value)
    assert "YAML" not in str(err.value)


def test_create_model_still_builds_one_output_encoders() -> None:
    """Pre-training builds its model with one output for classify: still allowed."""
    model = create_model("genemoe", n_genes=np.int64(50), n_outputs=1, task="classify")
    assert model is not None
