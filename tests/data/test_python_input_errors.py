"""Errors a Python caller meets are InputErrors with a clear message (a probe: an
AttributeError from inside prepare, a plain ValueError from Bundle.indices)."""

from __future__ import annotations

import pytest

from genemoe.data.bundle import load_bundle
from genemoe.data.prepare import prepare_dataset
from genemoe.errors import InputError


def test_a_config_of_another_type_is_refused(tmp_path):
    with pytest.raises(InputError, match="config: must be a PrepareConfig or a dict of its "
                                         "options, got int"):
        prepare_dataset([tmp_path / "x.tsv"], out_path=tmp_path / "b", config=5)


def test_an_unknown_split_is_an_input_error(synthetic_bundle):
    bundle = load_bundle(synthetic_bundle(seed=3, clinical=False).path)
    with pytest.raises(InputError, match="split: unknown split 'training'"):
        bundle.indices("training")
