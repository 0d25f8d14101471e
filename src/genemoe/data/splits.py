"""Seeded, stratified train/validation/test splits and k-fold assignments.

Splits are saved as sample IDs (the bundle's ``obs["split"]`` and ``folds.tsv``), so a
bundle can be re-split without touching its matrix, and every model sees the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genemoe.errors import input_error

__all__ = ["stratified_split", "stratified_kfold", "stratify_keys"]


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


def stratified_split(
    labels: Sequence[str],
    *,
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> np.ndarray:
    """Assign every sample to ``train``, ``val`` or ``test``, stratified by ``labels``.

    Each class is shuffled (seeded) and cut so its validation and test shares are as
    close as possible to the requested fractions, while keeping at least one training
    sample per class; a class too small for all three parts keeps its samples in
    training first, then test, then validation.

    Parameters
    ----------
    labels
        ``(n_samples,)`` stratification key per sample (class, or class|event).
    val_fraction, test_fraction
        Shares of each class (0 allowed; sum < 1).
    seed
        Seed of the shuffle.

    Returns
    -------
    np.ndarray
        ``(n_samples,)`` object array of ``"train"``/``"val"``/``"test"``.
    """
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise input_error(
            f"invalid split fractions val={val_fraction}, test={test_fraction}",
            where="--val-fraction/--test-fraction", fix="use fractions in [0, 1) summing below 1",
        )
    labels = np.asarray(labels, dtype=object)
    rng = np.random.default_rng(seed)
    out = np.empty(len(labels), dtype=object)
    for key in sorted(set(labels.tolist()), key=str):
        idx = np.flatnonzero(labels == key)
        idx = idx[rng.permutation(len(idx))]
        n = len(idx)
        n_test = int(round(n * test_fraction))
        n_val = int(round(n * val_fraction))
        # keep at least one training sample; give up validation before test
        while n_test + n_val > n - 1 and (n_val > 0 or n_test > 0):
            if n_val > 0:
                n_val -= 1
            else:
                n_test -= 1
        out[idx[:n_test]] = "test"
        out[idx[n_test:n_test + n_val]] = "val"
        out[idx[n_test + n_val:]] = "train"
    return out


def stratified_kfold(labels: Sequence[str], *, n_folds: int = 5, seed: int = 0) -> np.ndarray:
    """Assign every sample to one of ``n_folds`` folds, stratified by ``labels``.

    Each class is shuffled (seeded) and dealt round-robin from a random starting fold, so
    fold sizes differ by at most one per class.

    Returns
    -------
    np.ndarray
        ``(n_samples,)`` int64 fold index in ``[0, n_folds)``.
    """
    if n_folds < 2:
        raise input_error(f"--folds must be at least 2, got {n_folds}", where="--folds",
                          fix="pass --folds 3 (or more), or leave it out for one split")
    labels = np.asarray(labels, dtype=object)
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=np.int64)
    offset = 0
    for key in sorted(set(labels.tolist()), key=str):
        idx = np.flatnonzero(labels == key)
        idx = idx[rng.permutation(len(idx))]
        folds[idx] = (np.arange(len(idx)) + offset) % n_folds
        offset = (offset + len(idx)) % n_folds  # balance totals across classes
    return folds
