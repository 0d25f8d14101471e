"""A survival run's page gives each time-dependent AUC's controls and the AUC of cancer type
alone, as the benchmark's summary does.

Old behaviour: metrics.json recorded ``auc_1y_controls`` (test patients followed past the
horizon) and ``type_only_auc_1y`` (the AUC of each type's training death rate as the risk),
but the run page showed ``0.967 (12 deaths)`` alone: a 5-year AUC on 12 controls, and a
pooled AUC the types alone nearly reach, read as the genes'.
"""

from __future__ import annotations

import re

from genemoe.report.run_page import run_metrics

TYPE_ONLY = "cancer type alone"


def _part(**extra: object) -> dict:
    """One part's survival metrics, as metrics.json records them (a real run's numbers)."""
    return {"c_index": 0.826, "type_only_c_index": 0.658, "n": 45, "n_events": 13,
            "auc_1y": 0.812, "auc_1y_deaths": 3, "auc_1y_controls": 39,
            "auc_5y": 0.967, "auc_5y_deaths": 12, "auc_5y_controls": 1,
            "auc_censoring_floor": 0.2, "type_only_auc_1y": 0.580, "type_only_auc_5y": 0.787,
            **extra}


def _cells(page: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>",
                                                                   r, flags=re.S)]
            for r in rows]


def test_each_auc_says_its_deaths_and_controls() -> None:
    page = run_metrics({"test": _part()}, "survival")
    assert "0.812 (3 deaths, 39 controls)" in page
    assert "0.967 (12 deaths, 1 control)" in page
    assert "controls" in page.split("</table>", 1)[1]  # the note says what they are


def test_the_type_alone_row_gives_its_c_index_and_aucs_under_the_models_columns() -> None:
    cells = _cells(run_metrics({"test": _part()}, "survival"))
    head = cells[0]
    row = next(r for r in cells if r and r[0] == f"test: {TYPE_ONLY}")
    assert row[head.index("c_index")] == "0.658"
    assert row[head.index("auc_1y")] == "0.580" and row[head.index("auc_5y")] == "0.787"
    assert row[head.index("n")] == ""


def test_older_metrics_without_them_show_no_type_row() -> None:
    old = {k: v for k, v in _part().items() if not k.startswith("type_only")
           and not k.endswith("_controls")}
    page = run_metrics({"test": old}, "survival")
    assert TYPE_ONLY not in page.split("</table>", 1)[0]
    assert "0.812 (3 deaths)" in page
    assert TYPE_ONLY not in run_metrics({"test": {"accuracy": 0.9, "n": 10}}, "classify")


def test_an_auc_recorded_undefined_reads_as_a_dash_said_in_the_note() -> None:
    """Old: a part's ``auc_1y: null`` (no death by a year) left its cell blank, as if the
    AUC had not been computed."""
    page = run_metrics({"val": _part(auc_1y=None, type_only_auc_1y=None),
                        "test": _part()}, "survival")
    cells = _cells(page)
    head = cells[0]
    assert next(r for r in cells if r[0] == "val")[head.index("auc_1y")] == "–"
    assert next(r for r in cells if r[0] == f"val: {TYPE_ONLY}")[head.index("auc_1y")] == "–"
    assert "–: no AUC at that horizon" in page
