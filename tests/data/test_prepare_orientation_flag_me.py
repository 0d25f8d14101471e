"""``prepare --orientation x`` is told in the CLI's words too.

Old behaviour: "orientation: unknown orientation 'x' ... e.g. PrepareConfig(orientation='auto')":
Python-only advice to a command-line user.
"""

from __future__ import annotations

import pytest

from genemoe.data.prepare_config import PrepareConfig
from genemoe.errors import InputError


def test_an_unknown_orientation_names_the_flag():
    with pytest.raises(InputError) as err:
        PrepareConfig(orientation="x")
    said = str(err.value)
    assert said.startswith("--orientation / orientation: unknown orientation 'x'")
    assert "e.g. --orientation auto" in said and "PrepareConfig(orientation='auto')" in said
