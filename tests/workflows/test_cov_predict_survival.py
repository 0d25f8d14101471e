"""predict --clinical's small parts: the column flags without a table, an export's survival
by run task, and the scores table's rows."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.predict_survival import (
    export_survival,
    refuse_columns_without_clinical,
    survival_scores_table,
)


@pytest.mark.parametrize("time_column, event_column, flag", [
    ("OS.time", None, "--time-column"), (None, "OS", "--event-column"),
    ("OS.time", "OS", "--time-column")])
def test_a_column_flag_without_clinical_is_refused_naming_it(time_column, event_column, flag):
    with pytest.raises(InputError, match=f"{flag} names a column of the survival table") as e:
        refuse_columns_without_clinical(None, time_column, event_column)
    assert f"drop {flag}" in e.value.fix and "--clinical FILE" in e.value.fix


def test_column_flags_with_clinical_or_none_at_all_pass():
    refuse_columns_without_clinical(Path("c.tsv"), "OS.time", "OS")
    refuse_columns_without_clinical(None, None, None)


def _export(tmp_path) -> SimpleNamespace:
    """What the expression reader gives for a genemoe export: obs with survival columns."""
    meta = pd.DataFrame({"patient_id": ["P1", "P1", "P2"], "os_time": [10.0, 10.0, 20.0],
                         "os_event": [1, 1, 0], "time": [10.0, 10.0, 20.0], "event": [1, 1, 0]})
    return SimpleNamespace(sample_meta=meta, from_export=True, source_path=tmp_path / "x.h5ad")


def test_an_exports_survival_is_read_for_a_survival_run_only(tmp_path):
    table = _export(tmp_path)
    assert export_survival({"task": "classify"}, table) == (None, {})
    clinical, report = export_survival({"task": "survival", "config": {"endpoint": "os"}}, table)
    assert list(clinical.index) == ["P1", "P2"]
    assert clinical.loc["P1", "os_time"] == 10.0 and clinical.loc["P2", "os_event"] == 0.0
    assert report["n_patients"] == 2 and report["endpoints_present"] == ["OS"]
    plain = SimpleNamespace(sample_meta=None, from_export=False, source_path=tmp_path / "c.tsv")
    assert export_survival({"task": "survival"}, plain) == (None, {})


def test_the_scores_table_has_the_headline_then_each_part_rounded_with_reasons():
    scores = {"headline": {"n": 40, "n_events": 12, "c_index": 0.712345678,
                           "c_index_ci": [0.61234567, 0.80987654], "uno_c_index": 0.70001,
                           "uno_reason": None},
              "by_split": {"new": {"n": 40, "n_events": 12, "c_index": 0.712345678,
                                   "c_index_ci": [0.6, 0.8], "uno_reason": "no training follow-up"},
                           "model_own": {"n": 3, "n_events": 1, "c_index": None,
                                         "c_index_reason": "1 event (below 2)"}}}
    table = survival_scores_table(scores)
    assert table.columns.tolist() == ["part", "n", "n_events", "c_index", "ci_low", "ci_high",
                                      "uno_c_index", "reason"]
    assert table["part"].tolist() == ["headline", "new", "model_own"]
    head = table.iloc[0]
    assert (head["c_index"], head["ci_low"], head["ci_high"], head["uno_c_index"]) == (
        0.7123, 0.6123, 0.8099, 0.7)
    assert pd.isna(head["reason"])
    assert np.isnan(table.iloc[1]["uno_c_index"]) and table.iloc[1]["reason"] == "no training follow-up"
    own = table.iloc[2]
    assert np.isnan(own["c_index"]) and np.isnan(own["ci_low"]) and own["reason"] == "1 event (below 2)"
