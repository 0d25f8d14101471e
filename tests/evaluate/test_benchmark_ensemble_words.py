"""summary.md says how each model's ensemble members differ, and which see fewer rows."""

from __future__ import annotations

from genemoe.evaluate.benchmark_protocol import ensemble_text, tuning_text


def test_deterministic_members_are_said_to_fit_a_share_of_the_training_part():
    """An outside probe: "Every model is an ensemble of 2 members" while logreg's members
    each fitted half the training part and the MLP's every row."""
    text = tuning_text({"tune": 0, "task": "classify", "ensemble": 2, "models": ["logreg", "mlp"]})
    assert ("`mlp`'s differ by seed, each fitted on every training row; `logreg`'s "
            "(deterministic: the same rows give the same fit) differ by inner folds, each "
            "fitted on 1/2 of the training part") in text
    assert ensemble_text(3, ["mlp", "rf"]) == (" Every model is an ensemble of 3 members, "
                                               "differing by seed, each fitted on every "
                                               "training row.")
    assert "`coxnet`'s (deterministic" in ensemble_text(3, ["coxnet"])
