"""predict --labels' headline: its bracket adds up to its n. An outside probe: "of the 509
samples not the model's own (its test split 118, new 396)" beside "by split: new 0.824 (n =
391)" (the 5 samples of a type the model never saw counted in "new"; a GDC run "of the 45
samples ... (its test split 45, new 137)", all 137 unseen types)."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import score_predictions

NAMES = ["ACC", "BRCA"]
COUNTS = {"file": "l.tsv", "matched_by": {}, "respelt": {}}


def _notes(scores: dict) -> dict:
    return {n["code"]: n for n in label_notes(scores, COUNTS, NAMES)}


def test_the_bracket_counts_the_scored_samples_and_adds_up():
    """3 of its test split and 7 new labelled, 2 of the new of a type the model never saw:
    the headline covers 8 (test 3, new 5), the 2 said apart once."""
    given = pd.Series(["ACC"] * 3 + ["BRCA"] * 5 + ["UVM"] * 2, dtype=object)
    predicted = pd.Series(["ACC"] * 8 + ["BRCA"] * 2, dtype=object)
    groups = pd.Series(["test"] * 3 + ["new"] * 7, dtype=object)
    notes = _notes(score_predictions(predicted, given, NAMES, groups))
    head = notes["label_scores"]["text"]
    assert "of the 8 samples not the model's own (its test split 3, new 5)" in head
    assert "UVM" not in head
    assert "new 0.000 (n = 5)" in notes["label_splits"]["text"]
    assert "2 samples of types the model was not trained on (UVM 2" in \
        notes["label_unknown_types"]["text"]


def test_unseen_types_only_among_the_new_leave_new_at_0():
    """The GDC run: 45 of its test split scored, 137 new samples all of unseen types."""
    given = pd.Series(["ACC"] * 45 + ["CHOL"] * 137, dtype=object)
    predicted = pd.Series(["ACC"] * 182, dtype=object)
    groups = pd.Series(["test"] * 45 + ["new"] * 137, dtype=object)
    head = _notes(score_predictions(predicted, given, NAMES, groups))["label_scores"]["text"]
    assert "of the 45 samples not the model's own (its test split 45, new 0)" in head
