"""Seeded, stratified train/validation/test splits and k-fold assignments.

Splits are saved as sample IDs (the bundle's ``obs["split"]`` and ``folds.tsv``), so a
bundle can be re-split without touching its matrix, and every model sees the same rows.

Both splitters take ``groups`` (a patient id per sample): every group goes whole to one
side, so two samples of one patient never sit on both sides of a split. A group is
stratified by its majority key. With every group a single sample (``groups=None``) the
assignment is exactly the per-sample one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from genemoe.errors import input_error

__all__ = ["stratified_split", "stratified_kfold", "stratify_keys", "default_patient_ids",
           "split_warnings"]


def stratify_keys(labels: Sequence[str], event: np.ndarray | None = None) -> np.ndarray:
    """Stratification keys: the label, or ``label|event`` when events are given.

    Parameters
    ----------
    labels
        ``(n_samples,)`` class per sample.
    event
        Optional ``(n_samples,)`` bool (survival: stratify by type *and* event).
    """
    labels = np.asarray(labels, dtype=object)
    if event is None:
        return labels
    return np.array([f"{lab}|{int(bool(e))}" for lab, e in zip(labels, event, strict=True)],
                    dtype=object)


def default_patient_ids(sample_ids: Sequence[str]) -> np.ndarray:
    """The patient of each sample when no table says: a TCGA-style barcode's patient
    (:func:`genemoe.data.tcga.parse_barcode`, the first 12 characters of a TCGA barcode,
    ``TCGA-OR-A5J1``), otherwise the sample id itself.

    Returns
    -------
    np.ndarray
        ``(n_samples,)`` object array of patient ids.
    """
    from genemoe.data.tcga import parse_barcode
    from genemoe.errors import InputError

    out = []
    for s in map(str, sample_ids):
        try:
            out.append(parse_barcode(s).patient_id)
        except InputError:
            out.append(s)
    return np.asarray(out, dtype=object)


def _group_units(keys: np.ndarray, groups: Sequence[str] | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups in order of first appearance: ``(codes (n_samples,), key per group, size per group)``.

    A group's key is its most frequent sample key (ties: the first in sorted order); a
    missing group id makes the sample its own group.
    """
    n = len(keys)
    if groups is None:
        return np.arange(n), keys, np.ones(n, dtype=np.int64)
    g = pd.Series(np.asarray(groups, dtype=object))
    if len(g) != n:
        raise ValueError(f"groups has {len(g)} entries for {n} samples")
    g = g.where(g.notna(), pd.Series([f"\0sample{i}" for i in range(n)], dtype=object))
    codes, _ = pd.factorize(g.astype(str), sort=False)
    df = pd.DataFrame({"g": codes, "k": keys.astype(str), "key": keys})
    counts = df.groupby(["g", "k"], sort=True).size().rename("n").reset_index()
    top = counts.sort_values(["g", "n", "k"], ascending=[True, False, True]).drop_duplicates("g")
    first_key = df.drop_duplicates("k").set_index("k")["key"]
    group_keys = first_key.loc[top["k"]].to_numpy(dtype=object)  # top is sorted by g = 0..G-1
    return codes, group_keys, np.bincount(codes).astype(np.int64)


def stratified_split(
    labels: Sequence[str],
    *,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
    groups: Sequence[str] | None = None,
) -> np.ndarray:
    """Assign every sample to ``train``, ``val`` or ``test``, stratified by ``labels``.

    Each class is shuffled (seeded) and cut so its validation and test shares are as
    close as possible to the requested fractions, while keeping at least one training
    sample per class; a class too small for all three parts keeps its samples in
    training first, then test, then validation. With ``groups``, the units shuffled and
    cut are the groups (stratified by their majority label; shares counted in samples).

    Parameters
    ----------
    labels
        ``(n_samples,)`` stratification key per sample (class, or class|event).
    val_fraction, test_fraction
        Shares of each class (0 allowed; sum < 1).
    seed
        Seed of the shuffle.
    groups
        Optional ``(n_samples,)`` group (patient) id per sample; a group never spans two
        parts. None: every sample is its own group (the same assignment as singletons).

    Returns
    -------
    np.ndarray
        ``(n_samples,)`` object array of ``"train"``/``"val"``/``"test"``.
    """
    check_split_options(val_fraction, test_fraction)
    codes, gkeys, sizes = _group_units(np.asarray(labels, dtype=object), groups)
    rng = np.random.default_rng(seed)
    out = np.empty(len(gkeys), dtype=object)
    for key in sorted(set(gkeys.tolist()), key=str):
        idx = np.flatnonzero(gkeys == key)
        idx = idx[rng.permutation(len(idx))]
        n = int(sizes[idx].sum())
        n_test = int(round(n * test_fraction))
        n_val = int(round(n * val_fraction))
        # keep at least one training sample; give up validation before test
        while n_test + n_val > n - 1 and (n_val > 0 or n_test > 0):
            if n_val > 0:
                n_val -= 1
            else:
                n_test -= 1
        _cut(idx, sizes, n_test, n_val, out)
    return out[codes]


def _cut(idx: np.ndarray, sizes: np.ndarray, n_test: int, n_val: int, out: np.ndarray) -> None:
    """Deal shuffled groups ``idx`` to test until it holds about ``n_test`` samples, then
    validation (``n_val``), the rest to training (at least one group). Singletons: the
    first ``n_test`` to test, the next ``n_val`` to validation."""
    got = {"test": 0, "val": 0, "train": 0}
    for j, g in enumerate(idx):
        half = sizes[g] / 2
        train_only = j == len(idx) - 1 and got["train"] == 0  # the last group, none in training
        if not train_only and got["test"] + half <= n_test:
            part = "test"
        elif not train_only and got["val"] + half <= n_val:
            part = "val"
        else:
            part = "train"
        out[g] = part
        got[part] += int(sizes[g])


def check_split_options(val_fraction: float, test_fraction: float, n_folds: int | None = None) -> None:
    """Refuse fractions outside [0, 1) or summing to 1 or more, and fewer than 2 folds
    (``prepare`` checks them before reading: they were said after the expression was read)."""
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise input_error(
            f"invalid split fractions val={val_fraction}, test={test_fraction}"
            + (f" (together {val_fraction + test_fraction:g}: nothing left to train on)"
               if 0 <= val_fraction < 1 and 0 <= test_fraction < 1 else ""),
            where="--val-fraction/--test-fraction",
            fix="each below 1 and the two summing below 1, e.g. --val-fraction 0.1 "
                "--test-fraction 0.2",
        )
    if n_folds is not None and n_folds < 2:
        raise input_error(f"must be at least 2, got {n_folds}", where="--folds",
                          fix="pass --folds 5 (or leave it out for no folds)")


def stratified_kfold(labels: Sequence[str], *, n_folds: int = 5, seed: int = 0,
                     groups: Sequence[str] | None = None) -> np.ndarray:
    """Assign every sample to one of ``n_folds`` folds, stratified by ``labels``.

    Each class is shuffled (seeded) and dealt round-robin; the classes, in sorted order,
    are dealt one after another, each starting at the fold after the one where the last
    ended (the first at fold 0), so fold sizes differ by at most one per class and by at
    most one in all. Only the order within a class is random: a class smaller than
    ``n_folds`` fills a run of consecutive folds fixed by the sizes of the classes sorted
    before it, so the small classes of several labels (survival's ``type|1`` events) can
    miss the same folds (gdc6 with 40 folds: folds 3-8 held no event). With ``groups``
    (``(n_samples,)`` patient ids), whole groups are dealt, stratified by their majority
    label (fold sizes then differ by about one group per class); None: every sample its
    own group.

    Returns
    -------
    np.ndarray
        ``(n_samples,)`` int64 fold index in ``[0, n_folds)``.
    """
    if n_folds < 2:
        raise input_error(f"must be at least 2, got {n_folds}", where="--folds",
                          fix="pass --folds 2 or more (3 is benchmark's and ablation's default)")
    codes, gkeys, _ = _group_units(np.asarray(labels, dtype=object), groups)
    if n_folds > len(gkeys):  # some folds would be empty
        raise input_error(f"{n_folds} folds for {len(gkeys)} patients: some folds would be empty",
                          where="--folds", fix=f"pass --folds {min(len(gkeys), 10)} or fewer")
    rng = np.random.default_rng(seed)
    folds = np.empty(len(gkeys), dtype=np.int64)
    offset = 0
    for key in sorted(set(gkeys.tolist()), key=str):
        idx = np.flatnonzero(gkeys == key)
        idx = idx[rng.permutation(len(idx))]
        folds[idx] = (np.arange(len(idx)) + offset) % n_folds
        offset = (offset + len(idx)) % n_folds  # balance totals across classes
    return folds[codes]


def split_warnings(split: np.ndarray, folds: np.ndarray | None, *, fractions: dict[str, float],
                   event: np.ndarray | None = None, endpoint: str = "OS") -> list[str]:
    """What a bundle's split cannot serve: a validation or test part left empty although its
    fraction is above 0 (too few samples per class), and with survival (``event``
    ``(n_samples,)``, False where unknown) no event at all, or a non-empty validation/test
    part or fold without one. ``split`` ``(n_samples,)`` train/val/test; ``folds`` or None."""
    out = [f"the {p} split is empty (--{p}-fraction {f:g} of too few samples "
           "per class): training selects and calibrates on validation, so prepare more samples "
           "or raise the fraction" for p, f in fractions.items() if f > 0 and not (split == p).any()]
    if event is None:
        return out
    if not event.any():
        return [*out, f"the bundle has survival times but no {endpoint} event: no survival model "
                      "can be fitted"]
    parts = {f"{p} split": split == p for p in ("val", "test")}
    if folds is not None:
        parts.update({f"fold {i}": folds == i for i in range(int(folds.max()) + 1)})
    return out + [f"the {name} holds {int(rows.sum()):,} sample{'s' if rows.sum() != 1 else ''} "
                  f"and no {endpoint} event: a survival "
                  "model cannot be selected or scored on it (prepare more samples with events, "
                  "or change --seed / the split fractions)"
                  for name, rows in parts.items() if rows.any() and not event[rows].any()]
