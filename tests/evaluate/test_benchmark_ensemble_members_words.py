"""summary.md's and the terminal header's words on the ensemble members' scheme: under
``--ensemble-members folds`` every model's members differ by inner folds (equal footing);
under ``auto`` the deterministic models' handicap stays said, with the option that ends it."""

from __future__ import annotations

from genemoe.evaluate.benchmark_protocol import ensemble_text, fold_members_text, tuning_text

PROTOCOL = {"tune": 0, "task": "classify", "ensemble": 3, "models": ["logreg", "mlp", "rf"]}


def test_summary_says_every_model_s_members_differ_by_inner_folds_under_folds():
    """Old behaviour: there was no such scheme; summary.md always said the seeded members
    fitted every training row."""
    text = tuning_text({**PROTOCOL, "ensemble_members": "folds"})
    assert ("Every model is an ensemble of 3 members: every model's members differ by inner "
            "folds, each fitted on 2/3 of the training part (`--ensemble-members folds`: every "
            "model on equal footing; the seeded models' members differ by seed too).") in text
    assert "handicap" not in text and "every training row" not in text
    assert "seed too" not in ensemble_text(2, ["logreg", "svm"], "folds")  # none seeded


def test_auto_keeps_the_handicap_sentence_and_names_the_option_that_ends_it():
    text = tuning_text(PROTOCOL)  # an older protocol.json: no ensemble_members, auto
    assert text == tuning_text({**PROTOCOL, "ensemble_members": "auto"})
    assert ("`mlp`, `rf`'s differ by seed, each fitted on every training row; `logreg`'s "
            "(deterministic: the same rows give the same fit) differ by inner folds, each "
            "fitted on 2/3 of the training part, a handicap against the seeded members "
            "(`--ensemble-members folds` puts every model on equal footing: each member "
            "fitted on 2/3).") in text
    # no handicap where every model is seeded (or none is): as before
    assert ensemble_text(3, ["mlp", "rf"]) == (" Every model is an ensemble of 3 members, "
                                               "differing by seed, each fitted on every "
                                               "training row.")
    assert "--ensemble-members" not in ensemble_text(3, ["logreg"])


def test_the_terminal_header_says_the_scheme():
    assert fold_members_text(["logreg", "fcn"], 2) == ("logreg: members fit on 1/2 of the "
                                                       "training part, a handicap")
    assert fold_members_text(["fcn"], 2) == ""
    assert fold_members_text(["logreg", "fcn"], 3, "folds") == (
        "every model's members fit on 2/3 of the training part")


def test_no_handicap_is_said_where_no_model_differs_by_seed():
    """Old behaviour: a benchmark of deterministic models only (logreg and an SVM) said their
    inner-fold members were "a handicap against the seeded members", of which there were
    none, in summary.md and on the terminal."""
    text = ensemble_text(3, ["logreg", "svm"])
    assert "handicap" not in text and "seeded members" not in text
    assert text.endswith("each fitted on 2/3 of the training part (no model here differs by "
                         "seed: every one on the same footing).")
    assert fold_members_text(["logreg", "svm"], 3) == ("logreg, svm: members fit on 2/3 of "
                                                       "the training part")
