"""`-v` says the preset's tuned_on entries a run does not use in one line, not one each."""

from __future__ import annotations

import logging

from genemoe.train.fit import resolve_config


def test_unused_tuned_on_entries_are_one_debug_line(caplog):
    """Old behaviour: seven ``tuned_on KEY: describes no value in force`` lines per run and
    per benchmark cell under -v."""
    with caplog.at_level(logging.DEBUG, logger="genemoe"):
        resolve_config("small", None, "coxnet", seed=0, device="cpu", epochs=None,
                       task="survival")
    said = [r.getMessage() for r in caplog.records if "tuned_on" in r.getMessage()]
    assert len(said) == 1, said
    assert "entries of the preset describe no value this run uses" in said[0]
