"""prepare said "holds a bundle: replacing it" before any work (outside probe, helper hQ)."""

from __future__ import annotations

import logging

from genemoe.data.bundle import check_bundle_out


def test_an_earlier_bundle_is_said_to_be_replaced_at_the_end(tmp_path, caplog):
    """Old behaviour: "holds a bundle: replacing it" before any work, though a run that then
    failed left the old bundle (the write is atomic, at the end)."""
    old = tmp_path / "b"
    old.mkdir()
    (old / "X.npy").touch()
    (old / "obs.parquet").touch()
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        check_bundle_out(old)
    assert "holds a bundle: replacing it at the end (a failed run keeps it)" in caplog.text
