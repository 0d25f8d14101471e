"""Classification metrics against hand-computed numbers and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from genemoe.errors import InputError
from genemoe.evaluate.metrics import classification_metrics

KEYS = {
    "accuracy",
    "macro_precision",
    "macro_recall",
    "macro_f1",
    "n_classes_in_macro",
    "n_classes",
    "weighted_f1",
    "per_class",
    "confusion_matrix",
    "n",
}


def test_hand_computed_example():
    # 4 classes; "d" is in neither y_true nor y_pred, "c" is true once but never predicted.
    # By hand: a: P=1, R=1/2, F1=2/3; b: P=1/3, R=1, F1=1/2; c: P=R=F1=0.
    # macro over {a, b, c}: P=4/9, R=1/2, F1=7/18; weighted F1 = (2*2/3 + 1/2 + 0)/4 = 11/24.
    # scikit-learn 1.9 precision_recall_fscore_support(labels=[0, 1, 2], average="macro",
    # zero_division=0) gives the same numbers.
    res = classification_metrics([0, 0, 1, 2], [0, 1, 1, 1], class_names=["a", "b", "c", "d"])
    assert set(res) == KEYS
    assert res["accuracy"] == pytest.approx(0.5)
    assert res["macro_precision"] == pytest.approx(4 / 9)
    assert res["macro_recall"] == pytest.approx(0.5)
    assert res["macro_f1"] == pytest.approx(7 / 18)
    assert (res["n_classes_in_macro"], res["n_classes"]) == (3, 4)  # a, b, c of a-d
    assert res["weighted_f1"] == pytest.approx(11 / 24)
    assert res["per_class"]["d"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0,
                                     "predicted": 0}
    assert res["per_class"]["a"]["support"] == 2
    assert res["confusion_matrix"] == [[1, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    assert res["n"] == 4


def test_predicted_but_absent_class_stays_in_macro():
    # Class 2 never occurs in y_true but is predicted: precision 0 pulls the macro mean down.
    res = classification_metrics([0, 0, 1, 1], [0, 2, 1, 1], class_names=["a", "b", "c"])
    assert res["per_class"]["c"]["support"] == 0
    # P: a=1, b=1, c=0 -> 2/3 (sklearn with labels=[0, 1, 2] agrees)
    assert res["macro_precision"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_sklearn_random(seed):
    rng = np.random.default_rng(seed)
    n_classes, n = 8, 300
    y_true = rng.integers(0, 6, n)  # classes 6, 7 absent from y_true
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, 7, n))  # 7 never predicted
    logits = rng.normal(size=(n, n_classes)) + 2 * np.eye(n_classes)[y_true]
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    names = [f"t{i}" for i in range(n_classes)]
    res = classification_metrics(y_true, y_pred, class_names=names, probs=probs)

    present = np.union1d(y_true, y_pred)
    p, r, f, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=present, average="macro", zero_division=0
    )
    assert res["macro_precision"] == pytest.approx(p)
    assert res["macro_recall"] == pytest.approx(r)
    assert res["macro_f1"] == pytest.approx(f)
    assert res["weighted_f1"] == pytest.approx(
        skm.f1_score(y_true, y_pred, average="weighted", zero_division=0)
    )
    assert res["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    all_labels = list(range(n_classes))
    pc, rc, fc, sc = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=all_labels, zero_division=0
    )
    for i, name in enumerate(names):
        assert res["per_class"][name]["precision"] == pytest.approx(pc[i])
        assert res["per_class"][name]["recall"] == pytest.approx(rc[i])
        assert res["per_class"][name]["f1"] == pytest.approx(fc[i])
        assert res["per_class"][name]["support"] == sc[i]
    assert (
        res["confusion_matrix"] == skm.confusion_matrix(y_true, y_pred, labels=all_labels).tolist()
    )
    assert res["log_loss"] == pytest.approx(skm.log_loss(y_true, probs, labels=all_labels))
    assert res["top3_accuracy"] == pytest.approx(
        skm.top_k_accuracy_score(y_true, probs, k=3, labels=all_labels)
    )


def test_perfect_predictions_and_two_class_top3():
    y = np.array([0, 1, 1, 0])
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]])
    res = classification_metrics(y, y, class_names=["x", "y"], probs=probs)
    assert res["accuracy"] == res["macro_f1"] == res["weighted_f1"] == 1.0
    assert res["top3_accuracy"] == 1.0  # k is capped at the number of classes
    assert res["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.8, 0.6, 0.7])))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "names", "probs", "match"),
    [
        ([0, 1], [0], ["a", "b"], None, "y_true has 2 samples but y_pred has 1"),
        ([0, 2], [0, 1], ["a", "b"], None, "outside 0..1"),
        ([0, -1], [0, 1], ["a", "b"], None, "outside 0..1"),
        ([0.5, 1], [0, 1], ["a", "b"], None, "integer class indices"),
        ([0, 1], [0, 1], ["a", "a"], None, "duplicates"),
        ([], [], ["a", "b"], None, "no samples"),
        ([0, 1], [0, 1], ["a", "b"], np.ones((2, 3)) / 3, r"shape \(2, 2\)"),
        ([0, 1], [0, 1], ["a", "b"], np.array([[2.0, 1.0], [0.5, 0.5]]), "do not sum to 1"),
        ([0, 1], [0, 1], ["a", "b"], np.array([[1.5, -0.5], [0.5, 0.5]]), "negative"),
        ([0, 1], [0, 1], ["a", "b"], np.array([[np.nan, 1], [0.5, 0.5]]), "NaN"),
    ],
)
def test_input_checks(y_true, y_pred, names, probs, match):
    with pytest.raises(InputError, match=match):
        classification_metrics(y_true, y_pred, class_names=names, probs=probs)
