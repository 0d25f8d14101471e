"""predict --labels' "by split" note repeats no headline."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import score_predictions

NAMES = ["ACC", "BRCA"]
COUNTS = {"file": "l.tsv", "matched_by": {}, "respelt": {}}


def _splits(groups: list[str]) -> str:
    n = len(groups)
    given = pd.Series((["ACC", "BRCA"] * n)[:n], dtype=object)
    predicted = pd.Series(["ACC"] * n, dtype=object)
    scores = score_predictions(predicted, given, NAMES, pd.Series(groups, dtype=object))
    return {x["code"]: x for x in label_notes(scores, COUNTS, NAMES)}["label_splits"]["text"]


def test_new_samples_alone_beside_the_models_own_are_not_said_twice():
    """Old behaviour: "by split: new 0.500 (n = 6); the model's own ..." where the headline
    already is those 6 new samples' 0.500."""
    text = _splits(["new"] * 6 + ["model_own"] * 4)
    assert "new 0." not in text and text.startswith("the model's own training or validation")
    both = _splits(["new"] * 6 + ["test"] * 4 + ["model_own"] * 2)
    assert both.startswith("by split: new 0.500 (n = 6), its test split 0.500 (n = 4)")
    assert "; the model's own training or validation samples" in both
