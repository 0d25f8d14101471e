"""Fixtures shared by the ablation tests: the bundle they run on and the tiny preset file."""

from __future__ import annotations

import pytest
import yaml

from tiny_configs import TINY_ABLATION_PRESET


@pytest.fixture(scope="session")
def ablation_bundle(synthetic_bundle):
    """The synthetic bundle of seed 1 without clinical columns (``synthetic_bundle`` caches
    it for the session: every module gets the same one)."""
    return synthetic_bundle(seed=1, clinical=False)


@pytest.fixture(scope="module")
def ablation_preset(tmp_path_factory):
    """``TINY_ABLATION_PRESET`` written as YAML, one file (in its own folder) per module: a
    test may write other presets beside it."""
    path = tmp_path_factory.mktemp("cfg") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY_ABLATION_PRESET))
    return path
