"""Splits by patient: a patient's samples never sit on two sides; singletons unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genemoe.data.splits import (
    default_patient_ids,
    stratified_kfold,
    stratified_split,
    stratify_keys,
)

LABELS = np.array(["A"] * 13 + ["B"] * 8 + ["C"] * 4, dtype=object)
# assignments of the per-sample splitter before `groups` existed (seed 3): pinned so that
# grouping by singleton patients can never move an existing bundle's or benchmark's rows
BEFORE_SPLIT = ("tr tr te tr tr tr tr tr tr te tr va te va tr tr tr te te tr tr tr tr te tr")
BEFORE_FOLDS = "1222012100001020121121200"


def _short(split: np.ndarray) -> str:
    return " ".join(s[:2] for s in split)


def test_singleton_groups_give_todays_assignment():
    ids = [f"S{i}" for i in range(len(LABELS))]
    for groups in (None, ids):
        assert _short(stratified_split(LABELS, seed=3, groups=groups)) == BEFORE_SPLIT
        assert "".join(map(str, stratified_kfold(LABELS, n_folds=3, seed=3, groups=groups))) \
            == BEFORE_FOLDS


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_singletons_equal_per_sample_split_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    labels = stratify_keys([f"T{x}" for x in rng.integers(0, 7, 300)], rng.random(300) < 0.3)
    ids = np.arange(300).astype(str)
    assert (stratified_split(labels, seed=seed) == stratified_split(labels, seed=seed, groups=ids)).all()
    assert (stratified_kfold(labels, seed=seed) == stratified_kfold(labels, seed=seed, groups=ids)).all()


def _repeated_patients(n_patients: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    reps = rng.integers(1, 4, n_patients)  # 1-3 samples per patient
    patients = np.repeat([f"P{i}" for i in range(n_patients)], reps)
    types = np.repeat(rng.choice(["A", "B", "C", "D"], n_patients), reps)
    return types.astype(object), patients.astype(object)


def test_split_keeps_each_patient_on_one_side():
    labels, patients = _repeated_patients()
    split = stratified_split(labels, val_fraction=0.1, test_fraction=0.2, seed=0, groups=patients)
    per_patient = pd.Series(split).groupby(patients).nunique()
    assert (per_patient == 1).all()
    for t in "ABCD":  # stratification kept approximately (shares counted in samples)
        share = pd.Series(split[labels == t]).value_counts(normalize=True)
        assert abs(share.get("test", 0) - 0.2) < 0.06 and abs(share.get("val", 0) - 0.1) < 0.06
        assert share.get("train", 0) > 0


def test_kfold_keeps_each_patient_in_one_fold():
    labels, patients = _repeated_patients(seed=1)
    folds = stratified_kfold(labels, n_folds=4, seed=0, groups=patients)
    assert (pd.Series(folds).groupby(patients).nunique() == 1).all()
    sizes = np.bincount(folds, minlength=4)
    assert sizes.min() > 0.8 * len(labels) / 4


def test_group_takes_its_majority_label_and_keeps_a_training_group():
    labels = np.array(["A", "A", "B", "B", "B", "B"], dtype=object)
    groups = np.array(["p", "p", "p", "q", "r", "s"], dtype=object)  # p: A, A, B → A
    split = stratified_split(labels, val_fraction=0.3, test_fraction=0.3, seed=0, groups=groups)
    assert len(set(split[:3])) == 1 and split[0] == "train"  # class A's only group trains
    assert "train" in set(split[3:])


def test_default_patient_ids():
    ids = ["TCGA-OR-A5J1-01A-11R-A29S-07", "TCGA-OR-A5J1-06A", "sample_1", "x-y-z"]
    assert default_patient_ids(ids).tolist() == ["TCGA-OR-A5J1", "TCGA-OR-A5J1", "sample_1", "x-y-z"]


def test_one_fold_is_refused_with_advice_that_holds():
    """The fix said "or leave it out for one split": left out, --folds is 3, not one split."""
    from genemoe.errors import InputError

    with pytest.raises(InputError, match="must be at least 2") as err:
        stratified_kfold(["a", "b"] * 5, n_folds=1)
    assert "one split" not in str(err.value) and "3 is benchmark's and ablation's default" in str(err.value)
