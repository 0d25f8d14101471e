"""An outside probe of ``genemoe predict --labels`` (probe H): a zero-width bootstrap
interval of macro-F1 ("1.000 (1.000–1.000)" of 5 samples) is said not informative, and a
labelled sample with no prediction (an empty profile) is left out of the scores, counted."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_a_labelled_empty_profile_is_left_out_of_the_scores_and_said():
    from genemoe.workflows.predict_label_text import label_notes
    from genemoe.workflows.predict_score import score_predictions

    given = pd.Series(["A", "B", "A", "B", "C", "C"])
    predicted = pd.Series(["A", "B", "A", "B", "C", np.nan], dtype=object)
    s = score_predictions(predicted, given, ["A", "B", "C"])
    assert s["n_not_predicted"] == 1 and s["n_scored"] == 5 and s["n_labelled"] == 6
    notes = label_notes(s, {"file": "l.tsv", "matched_by": {"id": 6}, "respelt": {}},
                        ["A", "B", "C"])
    assert any(n["code"] == "label_not_predicted" for n in notes)


def test_a_zero_width_bootstrap_interval_is_said_not_informative():
    """Old behaviour: "macro-F1 1.000 (1.000–1.000) over 3 types, of the 5 samples"."""
    from genemoe.workflows.predict_label_text import label_notes
    from genemoe.workflows.predict_score import score_predictions

    given = pd.Series(["A", "B", "C", "A", "B"])
    s = score_predictions(given.copy(), given, ["A", "B", "C"])
    assert s["macro_f1"] == 1.0 and s["macro_f1_ci95"] is None
    assert "not informative" in s["macro_f1_ci_note"]
    notes = label_notes(s, {"file": "l.tsv", "matched_by": {"id": 5}, "respelt": {}},
                        ["A", "B", "C"])
    head = next(n["text"] for n in notes if n["code"] == "label_scores")
    assert "macro-F1 1.000 (interval not informative, n = 5)" in head
    mixed = score_predictions(pd.Series(["A", "B", "A", "A", "C", "B", "C", "A"]),
                              pd.Series(["A", "B", "B", "A", "C", "B", "A", "A"]), ["A", "B", "C"])
    assert mixed["macro_f1_ci95"] is not None and mixed["macro_f1_ci_note"] is None
