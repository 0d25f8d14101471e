"""predict --clinical: the baseline-misfit warning says how many patients are still at risk.

Found scoring a coxnet of five gdc6 cohorts on TCGA-UVM's counts (80 patients, 23 deaths):
the warning said "predicted 5-year survival 0.710, observed 0.385 [0.17, 0.60] ...: the
model's baseline does not fit this cohort" with 3 patients still followed at 5 years, a
number it kept in the record (scores.horizons[].at_risk) but never said.
"""

from __future__ import annotations

from genemoe.workflows.predict_survival import FEW_AT_RISK, _horizons_note


def _scores(at_risk: int) -> dict:
    return {"endpoint": "OS", "horizons": [
        {"horizon": "1 year", "predicted": 0.93, "observed": 0.92, "observed_ci": [0.85, 0.97],
         "at_risk": 60, "outside": False},
        {"horizon": "5 years", "predicted": 0.710, "observed": 0.385,
         "observed_ci": [0.17, 0.60], "at_risk": at_risk, "outside": True}]}


def test_few_at_risk_is_said_and_softens_the_verdict() -> None:
    (n,) = _horizons_note(_scores(3))
    assert "3 at risk" in n["text"]
    assert "does not fit" not in n["text"] and "rough estimate" in n["text"]
    assert n["at_risk"] == [3]


def test_enough_at_risk_keeps_the_verdict() -> None:
    (n,) = _horizons_note(_scores(FEW_AT_RISK + 30))
    assert f"{FEW_AT_RISK + 30} at risk" in n["text"]
    assert "does not fit this cohort" in n["text"]


def test_no_note_inside_the_interval() -> None:
    s = _scores(3)
    s["horizons"][1]["outside"] = False
    assert _horizons_note(s) == []
