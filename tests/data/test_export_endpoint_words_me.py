"""Scoring a run against an export of another endpoint is not told to pass ``--endpoint``.

Old behaviour: ``predict`` (which has no --endpoint) on an OS export with a DSS run warned
"this bundle's survival is DSS (pass --endpoint OS to keep the export's)": prepare's words.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from genemoe.data.clinical import exported_clinical


def _export() -> SimpleNamespace:
    meta = pd.DataFrame({"patient_id": ["TCGA-OR-A5J1", "TCGA-OR-A5J2"],
                         "time": [100.0, 200.0], "event": [1.0, 0.0],
                         "os_time": [100.0, 200.0], "os_event": [1.0, 0.0],
                         "dss_time": [100.0, 250.0], "dss_event": [0.0, 0.0]})
    return SimpleNamespace(sample_meta=meta, from_export=True, source_path=Path("x.h5ad"))


def test_prepare_keeps_its_flag_and_predict_says_the_run(caplog):
    with caplog.at_level(logging.WARNING):
        exported_clinical([_export()], "DSS")
    assert "this bundle's survival is DSS (pass --endpoint OS to keep the export's)" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        clinical, _ = exported_clinical([_export()], "DSS", whose="run")
    assert "--endpoint" not in caplog.text
    assert "this run's survival is DSS (the export's own columns of it are scored)" in caplog.text
    assert list(clinical["dss_time"]) == [100.0, 250.0]
