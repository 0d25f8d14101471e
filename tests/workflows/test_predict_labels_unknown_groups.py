"""Labels of types the model never saw are counted in every group, not only the headline's:
the model's own samples' 48 labelled were 46 scored, 2 said nowhere."""

from __future__ import annotations

import pandas as pd

from genemoe.workflows.predict_label_text import label_notes
from genemoe.workflows.predict_score import GROUPS, score_predictions


def test_unknown_types_on_the_models_own_samples_are_counted_and_said() -> None:
    given = pd.Series(["BRCA", "LUAD", "Breast", "BRCAA", "BRCA", "LUAD", "Lung"])
    predicted = pd.Series(["BRCA", "LUAD", "BRCA", "BRCA", "BRCA", "BRCA", "LUAD"])
    groups = pd.Series(["model_own"] * 4 + ["test"] * 3)
    s = score_predictions(predicted, given, ["BRCA", "LUAD"], groups)
    assert s["groups"]["model_own"] == 4 and s["by_split"]["model_own"]["n"] == 2
    assert s["by_split"]["model_own"]["n_unknown_type"] == 2  # was said nowhere
    assert s["unknown_types_by_group"]["model_own"] == {
        "Breast": {"n": 1, "predicted_as": {"BRCA": 1}},
        "BRCAA": {"n": 1, "predicted_as": {"BRCA": 1}}}
    for g in GROUPS:  # every group's labelled samples add up
        assert s["groups"][g] == (s["by_split"].get(g, {}).get("n", 0)
                                  + s["n_unknown_type_by_group"][g])
    assert s["unknown_types"] == {"Lung": {"n": 1, "predicted_as": {"LUAD": 1}}}  # the headline's
    labels = {"file": "labels.tsv", "matched_by": {"sample": 7}, "respelt": {}}
    notes = {n["code"]: n for n in label_notes(s, labels, ["BRCA", "LUAD"])}
    text = notes["label_unknown_types_elsewhere"]["text"]
    assert "2 of the model's own training or validation samples (BRCAA 1, Breast 1)" in text


def test_a_group_of_unknown_types_only_is_counted() -> None:
    s = score_predictions(pd.Series(["BRCA", "LUAD"]), pd.Series(["Breast", "LUAD"]),
                          ["BRCA", "LUAD"], pd.Series(["model_own", "test"]))
    assert "model_own" not in s["by_split"] and s["n_unknown_type_by_group"]["model_own"] == 1
