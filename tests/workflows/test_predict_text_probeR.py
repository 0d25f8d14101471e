"""predict's label and unfamiliar notes after an outside review (probeR): the false-call list
showed the first 5 types alphabetically with no "..." (LUAD's 67 of 157 calls hidden), an
empty (unscored) profile counted among the unfamiliar samples too, "1 samples"."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_text import unfamiliar_counts


def _texts(notes) -> str:  # noqa: ANN001
    return " | ".join(n["text"] if isinstance(n, dict) else str(getattr(n, "text", n))
                      for n in notes)


def test_false_calls_are_listed_largest_first_with_the_rest_counted():
    from genemoe.workflows import predict_label_text as plt

    calls = {"BLCA": 6, "BRCA": 23, "COAD": 2, "HNSC": 13, "KIRC": 4, "LUAD": 67, "LIHC": 16}
    notes = plt._left_out_notes({"n_other_sample_type": 1, "by_split": {},
                                 "false_calls": calls})
    said = _texts(notes)
    assert "LUAD 67, BRCA 23, LIHC 16, HNSC 13, BLCA 6, ... (7 types, 131 calls)" in said
    assert "1 labelled sample of sample types" in said


def test_an_empty_profile_is_not_counted_unfamiliar():
    df = pd.DataFrame({"model_split": ["new"] * 3, "looks_like_training": [True, False, False],
                       "empty_profile": [False, False, True]})
    got = unfamiliar_counts(df)
    assert got["n_unfamiliar"] == 1 and got["n_scored_for_ood"] == 2


def test_the_test_split_calibration_is_caveated_on_aligned_inputs_and_the_threshold_said():
    """probeR: on quantile-aligned input the terminal stated the test split's calibration
    error bare (a cohort was off by ~0.10), and ood_score had nothing to compare it to."""
    from genemoe.workflows.predict_text import probability_notes, unfamiliar_notes

    payload = {"task": "classify", "calibration": {"temperature": 0.9},
               "metrics": {"val": {"n": 100}, "test": {"ece": 0.064}}}
    assert "not checked on aligned inputs" in _texts(probability_notes(payload, aligned=True))
    assert "not checked" not in _texts(probability_notes(payload))
    report = {"n_samples": 10, "n_unfamiliar": 3, "n_scored_for_ood": 10, "n_train": 0,
              "n_val": 0, "n_same_patient": 0, "ood": {"threshold": 10.05}}
    assert "above the model's threshold 10.05" in _texts(unfamiliar_notes(report))


def test_a_one_type_macro_f1_is_said_to_be_that_types_f1():
    """probeR: an ACC-only cohort showed macro-F1 0.800 beside accuracy 0.667 as a second
    score; with one labelled type it is ACC's F1, its precision 1 by construction."""
    import pandas as pd

    from genemoe.workflows.predict_label_text import label_notes
    from genemoe.workflows.predict_score import score_predictions

    given = pd.Series(["ACC"] * 6, dtype=object)
    predicted = pd.Series(["ACC"] * 4 + ["BRCA"] * 2, dtype=object)
    s = score_predictions(predicted, given, ["ACC", "BRCA"])
    text = _texts(label_notes(s, {"file": "l.tsv", "matched_by": {}, "respelt": {}},
                              ["ACC", "BRCA"]))
    assert "over 1 type (one labelled type: the F1 of ACC, its precision 1 by construction)" \
        in text
