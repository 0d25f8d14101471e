"""``--sample-types 1`` was recorded and shown as "1", not TCGA's "01" (outside probe, helper hQ)."""

from __future__ import annotations

import logging

import pytest

from genemoe.data.prep_text import step_line
from genemoe.data.prepare_config import PrepareConfig


@pytest.mark.parametrize("given, codes", [("1", ("01",)), ("1,3", ("01", "03")),
                                          (["01", 3], ("01", "03")), ("001", ("01",))])
def test_one_digit_sample_types_are_recorded_as_tcga_two_digit_codes(caplog, given, codes):
    """Old behaviour: --sample-types 1 was recorded and shown as "sample types 1", not "01"."""
    with caplog.at_level(logging.INFO, logger="genemoe"):
        cfg = PrepareConfig(sample_types=given)
    assert cfg.sample_types == codes
    assert "read as two digits (TCGA's)" in caplog.text
    assert step_line("select_samples", {"sample_types": list(cfg.sample_types), "kept": 3}
                     ).startswith(f"sample types {', '.join(codes)}: kept 3 samples")


def test_two_digit_codes_and_names_are_kept_unsaid(caplog):
    with caplog.at_level(logging.INFO, logger="genemoe"):
        assert PrepareConfig(sample_types="01,TP,nt").sample_types == ("01", "TP", "nt")
    assert "two digits" not in caplog.text
