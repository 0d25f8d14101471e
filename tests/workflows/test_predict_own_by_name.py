"""predict's caveat on the model's own samples says when they match by name only.

Old behaviour: another lab's samples named ``S0000``... scored with a model trained on
samples of the same names were called "61 training and 14 validation samples of the model
itself: not independent, predictions optimistic" (model_split's warning said the match was
by name only; the summary asserted they were the same samples).
"""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_text import unfamiliar_counts, unfamiliar_notes


def _caveat(ids: list[str], splits: list[str]) -> tuple[str, dict]:
    df = pd.DataFrame({"sample_id": ids, "model_split": splits})
    report = {**unfamiliar_counts(df), "n_samples": len(ids), "task": "classify"}
    found = [n for n in unfamiliar_notes(report) if n["code"] == "model_own_samples"]
    assert len(found) == 1
    return found[0]["text"], report


def test_names_that_are_not_barcodes_are_said_to_match_by_name_only() -> None:
    text, report = _caveat(["S0000", "S0001", "S0002", "S0009"], ["train", "train", "val", "new"])
    assert report["n_own_by_name_only"] == 3
    assert "3 by name only" in text and "if the same samples" in text
    assert "of the model itself" not in text


def test_barcodes_are_the_models_own_samples() -> None:
    text, report = _caveat(["TCGA-OR-A5J1-01A", "TCGA-OR-A5J2-01A"], ["train", "val"])
    assert report["n_own_by_name_only"] == 0
    assert text.startswith("1 training and 1 validation sample")
    assert "of the model itself" in text and "by name only" not in text
