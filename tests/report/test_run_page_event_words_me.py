"""A PFI run page's AUC speaks of events, an OS run's of deaths."""

from __future__ import annotations

from genemoe.report.run_page import auc_note, part_metric_text


def test_the_auc_cells_and_note_use_the_endpoints_word():
    """Old behaviour: a PFI run's page gave "0.812 (3 deaths, 39 controls)" and "each
    patient's type's training death rate" (tests/report/test_endpoint_words_probeO.py)."""
    m = {"auc_1y": 0.812, "auc_1y_deaths": 3, "auc_1y_controls": 39}
    assert part_metric_text("auc_1y", m, "event") == "0.812 (3 events, 39 controls)"
    assert part_metric_text("auc_1y", m) == "0.812 (3 deaths, 39 controls)"
    assert "death" not in auc_note("event") and "training event rate" in auc_note("event")
    assert "who died by the horizon" in auc_note("death")
