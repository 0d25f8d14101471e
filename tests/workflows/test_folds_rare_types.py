"""Types rarer than the folds are warned about in the task's own terms: a survival
benchmark was told that "each fold's macro metrics average over the types it holds and
those a model predicts there", a classification clause (an outside probe)."""

from __future__ import annotations

import logging

import pytest

from genemoe.workflows.benchmark_protocol import said_rows


@pytest.mark.parametrize("task", ["classify", "survival"])
def test_types_rarer_than_the_folds_are_said_in_the_task_s_terms(synthetic_bundle, caplog, task):
    bundle = synthetic_bundle(seed=1)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        account = said_rows(bundle, task, 200)
    said = " | ".join(r.getMessage() for r in caplog.records)
    assert account["types_under_folds"]
    assert "fewer samples than the 200 folds" in said and "some test folds hold none of them" in said
    assert ("macro metrics average over the types it holds" in said) == (task == "classify")
