"""predict: the unfamiliar-sample count leaves out the validation samples that set its threshold.

Found scoring a gdc6 logreg on log2(TPM + 1) of ACC and KICH (144 samples: 100 of the
model's training split, 15 of its validation split, 29 of its test split): the summary said
"2 of 44 samples not used in training look unlike the training data"; both were test
samples, and the 15 validation samples are the split-conformal calibration set of the
threshold (the 29th of 29 validation scores), under it by construction: 2 of 29.
"""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_text import lines, unfamiliar_counts, unfamiliar_notes


def _report(df: pd.DataFrame) -> dict:
    return {"n_samples": len(df), "ood": {"threshold": 5.08}, **unfamiliar_counts(df)}


def test_validation_samples_are_not_counted() -> None:
    df = pd.DataFrame({"model_split": ["train"] * 3 + ["val"] * 4 + ["test"] * 5,
                       "looks_like_training": [None] * 3 + [True] * 4 + [False, False]
                       + [True] * 3, "empty_profile": [False] * 12})
    got = unfamiliar_counts(df)
    assert got["n_scored_for_ood"] == 5 and got["n_unfamiliar"] == 2
    assert got["n_train"] == 3 and got["n_val"] == 4
    said = " ".join(lines(unfamiliar_notes(_report(df))).split())
    assert "2 of 5 samples not the model's own look unlike the training data" in said


def test_only_the_models_own_samples_are_said_so() -> None:
    df = pd.DataFrame({"model_split": ["train", "val"], "looks_like_training": [None, True]})
    said = " ".join(lines(unfamiliar_notes(_report(df))).split())
    assert "not counted over the model's own training and validation samples" in said
