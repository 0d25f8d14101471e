"""predict --clinical: a headline C-index whose interval includes 0.5 says so.

Found scoring a coxnet of five gdc6 cohorts on TCGA-UVM (a type it was not trained on):
"risk ranks within UVM may still hold — see the C-index", and the C-index line gave 0.607
(95% CI 0.447–0.758; n = 80, 23 events) with no word that chance lies inside it.
"""

from __future__ import annotations

from genemoe.workflows.predict_survival import clinical_notes

_JOIN = {"source": "--clinical clinical_survival.tsv.gz", "n_without": 0, "n_no_patient_row": 0,
         "no_patient_row_examples": [], "n_missing_time_or_event": 0, "clinical_report": {},
         "n_with_survival": 80, "n_events": 23, "n_repeat_samples": 0}


def _scores(ci: list[float]) -> dict:
    head = {"n": 80, "n_events": 23, "c_index": 0.607, "c_index_ci": ci, "uno_c_index": None}
    return {"endpoint": "OS", "n_samples": 80, "n_with_survival": 80, "n_not_predicted": 0,
            "n_repeat_samples": 0, "groups": {"new": 80}, "split_ids_known": True,
            "headline": head, "by_split": {"new": head}, "horizons": []}


def _said(ci: list[float]) -> str:
    notes = clinical_notes(_JOIN, _scores(ci))
    return next(n["text"] for n in notes if n["code"] == "clinical_scores")


def test_an_interval_over_chance_is_said() -> None:
    text = _said([0.447, 0.758])
    assert "0.607 (95% CI 0.447–0.758; n = 80, 23 events)" in text
    assert text.endswith("its 95% CI includes 0.5: not told apart from chance")


def test_an_interval_above_chance_says_nothing_more() -> None:
    assert "chance" not in _said([0.55, 0.70])
