"""Classification metrics: plain numpy functions of label and probability arrays.

Labels are class *indices* ``0 .. n_classes - 1`` into ``class_names``; ``probs`` columns
follow the same order. Nothing here knows about models or files.

Which classes enter the macro averages
--------------------------------------
A test split rarely holds every one of the 33 TCGA types. A class that is neither in
``y_true`` nor in ``y_pred`` says nothing about the model, so it is left out of the macro
averages (it still appears in ``per_class`` with zeros and ``support`` 0). A class that is
absent from ``y_true`` but *predicted* is a real mistake and stays in: its precision is 0
and it pulls the macro averages down. This equals scikit-learn's
``precision_recall_fscore_support(y_true, y_pred, labels=present, average="macro",
zero_division=0)`` with ``present`` the union of the labels in ``y_true`` and ``y_pred``
(scikit-learn's default ``labels=None`` makes the same choice). How many classes the macro
averages ran over is recorded beside them, ``n_classes_in_macro`` of ``n_classes`` (a
pan-cancer test fold of 33 types often holds 31): a macro-F1 over 31 types is not one over 33.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genemoe.errors import input_error
from genemoe.reliability import expected_calibration_error, reliability_bins

__all__ = ["classification_metrics", "bootstrap_macro_f1", "confusion_matrix", "log_loss",
           "top_k_accuracy", "macro_count_text",
           "expected_calibration_error", "reliability_table", "ECE_BINS"]

ECE_BINS = 15  # equal-width confidence bins of the ECE and the reliability table (Guo et al. 2017)

_PROB_SUM_TOL = 1e-3  # rows of ``probs`` must sum to 1 within this (float32 softmax outputs)


def _check_labels(y: np.ndarray | Sequence[int], n_classes: int, name: str) -> np.ndarray:
    """``y`` as a 1-D int64 array of class indices in ``[0, n_classes)``."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise input_error(f"{name} must be 1-D, got shape {arr.shape}", where=name)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not (
            np.issubdtype(arr.dtype, np.floating)
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        ):
            raise input_error(
                f"{name} must hold integer class indices, got dtype {arr.dtype}",
                where=name,
                fix="map class names to indices 0..n_classes-1",
            )
    arr = arr.astype(np.int64)
    bad = np.flatnonzero((arr < 0) | (arr >= n_classes))
    if bad.size:
        raise input_error(
            f"{bad.size} label(s) outside 0..{n_classes - 1}, e.g. {arr[bad[0]]} at position "
            f"{bad[0]}",
            where=name,
            fix="pass class_names covering every class index",
        )
    return arr


def _check_probs(probs: np.ndarray, n: int, n_classes: int) -> np.ndarray:
    """``probs`` as a float64 ``(n, n_classes)`` array of non-negative rows summing to 1."""
    p = np.asarray(probs, dtype=np.float64)
    if p.shape != (n, n_classes):
        raise input_error(
            f"probs must have shape ({n}, {n_classes}), got {p.shape}",
            where="probs",
            fix="one row per sample, one column per class name",
        )
    if not np.all(np.isfinite(p)):
        raise input_error("probs contains NaN or infinite values", where="probs")
    if np.any(p < 0):
        raise input_error(
            "probs contains negative values",
            where="probs",
            fix="pass softmax probabilities, not logits",
        )
    row_sum = p.sum(axis=1)
    bad = np.flatnonzero(np.abs(row_sum - 1.0) > _PROB_SUM_TOL)
    if bad.size:
        raise input_error(
            f"{bad.size} row(s) of probs do not sum to 1, e.g. row {bad[0]} sums "
            f"to {row_sum[bad[0]]:.4f}",
            where="probs",
            fix="pass softmax probabilities, not logits",
        )
    return p


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts ``(n_classes, n_classes)``: rows are true classes, columns predicted classes.

    Parameters
    ----------
    y_true, y_pred
        ``(n_samples,)`` class indices in ``[0, n_classes)`` (checked by the caller).
    n_classes
        Number of classes.
    """
    flat = np.asarray(y_true, np.int64) * n_classes + np.asarray(y_pred, np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def log_loss(y_true: np.ndarray, probs: np.ndarray, *, eps: float = 1e-15) -> float:
    """Mean negative log-likelihood of the true class.

    Parameters
    ----------
    y_true
        ``(n_samples,)`` class indices.
    probs
        ``(n_samples, n_classes)`` probabilities; clipped to ``[eps, 1]`` so a confident
        mistake costs ``-log(eps)`` (about 34.5) instead of infinity.
    """
    p_true = np.asarray(probs, np.float64)[np.arange(len(y_true)), y_true]
    return float(-np.mean(np.log(np.clip(p_true, eps, 1.0))))


def top_k_accuracy(y_true: np.ndarray, probs: np.ndarray, *, k: int = 3) -> float:
    """Share of samples whose true class is among the ``k`` most probable classes.

    Parameters
    ----------
    y_true
        ``(n_samples,)`` class indices.
    probs
        ``(n_samples, n_classes)`` probabilities. With ``k >= n_classes`` the result is 1.
        A class tied with the k-th largest probability counts as inside the top k.
    """
    p = np.asarray(probs, np.float64)
    k = min(k, p.shape[1])
    kth = -np.partition(-p, k - 1, axis=1)[:, k - 1]  # k-th largest probability per row
    return float(np.mean(p[np.arange(len(y_true)), y_true] >= kth))


def reliability_table(y_true: np.ndarray, probs: np.ndarray, *, n_bins: int = ECE_BINS) -> list[dict]:
    """Per confidence bin: its range, mean confidence, accuracy and count (a reliability diagram).

    Parameters
    ----------
    y_true
        ``(n_samples,)`` class indices.
    probs
        ``(n_samples, n_classes)`` probabilities; the top-class probability is binned in
        ``n_bins`` equal-width bins of ``[0, 1]`` (see
        :func:`~genemoe.reliability.reliability_bins`).

    Returns
    -------
    list of dict
        One ``{"lo", "hi", "confidence", "accuracy", "count"}`` per non-empty bin; a
        perfectly calibrated model has ``accuracy == confidence`` in every bin.
    """
    edges, conf, acc, counts = reliability_bins(y_true, probs, n_bins=n_bins)
    return [{"lo": float(edges[b]), "hi": float(edges[b + 1]), "confidence": float(conf[b]),
             "accuracy": float(acc[b]), "count": int(counts[b])}
            for b in range(n_bins) if counts[b] > 0]


def _per_class_scores(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 and support per class from a confusion matrix (0 where undefined)."""
    tp = np.diag(cm).astype(np.float64)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return precision, recall, f1, support


def _check_inputs(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    class_names: Sequence[str],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Class names as strings and both label arrays as int64, checked against each other."""
    names = [str(c) for c in class_names]
    if not names:
        raise input_error("class_names is empty", where="class_names")
    if len(set(names)) != len(names):
        raise input_error("class_names has duplicates", where="class_names")
    n_classes = len(names)
    yt = _check_labels(y_true, n_classes, "y_true")
    yp = _check_labels(y_pred, n_classes, "y_pred")
    if yt.shape != yp.shape:
        raise input_error(
            f"y_true has {yt.size} samples but y_pred has {yp.size}",
            where="y_pred",
            fix="pass one prediction per sample",
        )
    if yt.size == 0:
        raise input_error("no samples to evaluate", where="y_true")
    return names, yt, yp


def classification_metrics(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    *,
    class_names: Sequence[str],
    probs: np.ndarray | None = None,
) -> dict:
    """Accuracy, macro/weighted scores, per-class scores and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred
        ``(n_samples,)`` integer class indices into ``class_names``.
    class_names
        Names of the ``n_classes`` classes, in index order.
    probs
        Optional ``(n_samples, n_classes)`` predicted probabilities (rows sum to 1); adds
        ``log_loss``, ``top3_accuracy``, ``ece`` (expected calibration error, 15 bins),
        ``mean_confidence`` and ``reliability`` (:func:`reliability_table`).

    Returns
    -------
    dict
        ``accuracy``, ``macro_precision``, ``macro_recall``, ``macro_f1`` (means over the
        classes present in ``y_true`` or ``y_pred``, see the module docstring; how many:
        ``n_classes_in_macro`` of ``n_classes``),
        ``weighted_f1`` (F1 weighted by support), ``per_class`` (``{name: {"precision",
        "recall", "f1", "support"}}`` for every class), ``confusion_matrix`` (list of lists,
        rows true, columns predicted, in ``class_names`` order), ``n``; with ``probs`` also
        ``log_loss``, ``top3_accuracy``, ``ece``, ``mean_confidence`` and ``reliability``.
        Plain Python numbers, ready for JSON.
    """
    names, yt, yp = _check_inputs(y_true, y_pred, class_names)
    n_classes = len(names)
    cm = confusion_matrix(yt, yp, n_classes)
    precision, recall, f1, support = _per_class_scores(cm)
    present = (support > 0) | (cm.sum(axis=0) > 0)
    out: dict = {
        "accuracy": float(np.mean(yt == yp)),
        "macro_precision": float(precision[present].mean()),
        "macro_recall": float(recall[present].mean()),
        "macro_f1": float(f1[present].mean()),
        "n_classes_in_macro": int(present.sum()),  # the classes the macro means ran over
        "n_classes": int(n_classes),
        "weighted_f1": float(np.sum(f1 * support) / support.sum()),
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
                "predicted": int(cm[:, i].sum()),  # absent but predicted: in the macro mean
            }
            for i, name in enumerate(names)
        },
        "confusion_matrix": cm.tolist(),
        "n": int(yt.size),
    }
    if probs is not None:
        p = _check_probs(probs, yt.size, n_classes)
        out["log_loss"] = log_loss(yt, p)
        out["top3_accuracy"] = top_k_accuracy(yt, p, k=3)
        out["ece"] = expected_calibration_error(yt, p, n_bins=ECE_BINS)
        out["mean_confidence"] = float(p.max(axis=1).mean())
        out["reliability"] = reliability_table(yt, p, n_bins=ECE_BINS)
    return out


def _clusters(groups: Sequence[object] | np.ndarray | None, n: int, where: str
              ) -> list[np.ndarray] | None:
    """Each cluster's sample indices (in order of first appearance), None without ``groups``."""
    if groups is None:
        return None
    codes = np.asarray(groups, dtype=object)
    if codes.shape != (n,):
        raise input_error(f"groups must be (n,) like the labels ({n}), got {codes.shape}",
                          where=where, fix="pass one group (patient) per sample")
    _, first, inverse = np.unique(codes.astype(str), return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))  # by first appearance
    inverse = rank[inverse.reshape(-1)]
    order = np.argsort(inverse, kind="stable")
    return np.split(order, np.cumsum(np.bincount(inverse))[:-1])


def _draw(rng: np.random.Generator, n: int, members: list[np.ndarray] | None) -> np.ndarray:
    """One resample's indices: ``n`` samples with replacement, or (with ``members``) as many
    clusters with replacement, each with all its samples (a cluster bootstrap)."""
    if members is None:
        return rng.integers(0, n, n)
    return np.concatenate([members[j] for j in rng.integers(0, len(members), len(members))])


def bootstrap_macro_f1(y_true: np.ndarray | Sequence[int], y_pred: np.ndarray | Sequence[int],
                       *, classes: Sequence[int] | None = None,
                       groups: Sequence[object] | np.ndarray | None = None, n_boot: int = 1000,
                       seed: int = 0, alpha: float = 0.05) -> tuple[float, float] | None:
    """Percentile bootstrap interval of macro-F1.

    By default macro-F1 as :func:`classification_metrics` defines it: the mean over the
    classes present in each resample's true or predicted labels. With ``classes`` the mean
    is over that fixed set in every resample (scikit-learn's ``f1_score(labels=classes,
    average="macro", zero_division=np.nan)``): a class predicted but outside the set is a
    false call (it lowers its true class's recall), never a class of its own, so one stray
    call cannot halve the macro-F1 of a one-type cohort, and resampling does not change
    which types are averaged. A class of the set with neither a true nor a predicted
    sample in a resample (F1 undefined) is left out of that resample's mean.

    With ``groups`` (each sample's patient) it is a cluster bootstrap: patients are drawn
    with replacement, each with all its samples, so a patient's several samples count as
    one draw (resampled one by one they narrow the interval as if independent).

    Parameters
    ----------
    y_true, y_pred
        ``(n_samples,)`` integer class indices.
    classes
        ``(n_classes_averaged,)`` class indices to average over (e.g. the types among the
        labels); None: the classes present in each resample.
    groups
        ``(n_samples,)`` each sample's cluster (patient); None: every sample its own (the
        resamples exactly as before clusters were taken).
    n_boot, seed, alpha
        Resamples (with replacement, same size), their seed, and ``1 - alpha`` coverage.

    Returns
    -------
    (lo, hi) or None
        None for fewer than 2 samples or clusters (or no resample with a class of
        ``classes``).
    """
    t, p = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
    if t.shape != p.shape or t.ndim != 1:
        raise input_error(f"y_true and y_pred must be (n,) alike, got {t.shape} and {p.shape}",
                          where="bootstrap_macro_f1")
    members = _clusters(groups, len(t), "bootstrap_macro_f1")
    if len(t) < 2 or (members is not None and len(members) < 2):
        return None
    fixed = None if classes is None else np.unique(np.asarray(classes, np.int64))
    if fixed is not None and (not fixed.size or fixed.min() < 0):
        raise input_error(f"classes must be non-negative class indices, got {list(fixed)}",
                          where="bootstrap_macro_f1", fix="pass the indices to average over")
    k = int(max(t.max(), p.max(), -1 if fixed is None else fixed.max())) + 1
    rng = np.random.default_rng(seed)
    values = np.empty(n_boot)
    for b in range(n_boot):
        i = _draw(rng, len(t), members)
        tb, pb = t[i], p[i]
        support, predicted = np.bincount(tb, minlength=k), np.bincount(pb, minlength=k)
        tp = np.bincount(tb[tb == pb], minlength=k)
        present = (support + predicted) > 0
        if fixed is not None:  # the set's classes seen in this resample
            present = np.isin(np.arange(k), fixed) & present
        values[b] = (np.mean(2 * tp[present] / (support + predicted)[present])
                     if present.any() else np.nan)  # none of ``classes`` drawn
    if np.isnan(values).all():
        return None
    lo, hi = np.nanquantile(values, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def macro_count_text(n_in_macro: Sequence[int], n_classes: int) -> str:
    """How many of ``n_classes`` classes the macro averages of some folds ran over
    (``n_classes_in_macro`` per fold), for a table or caption: ``"33 of 33 types in every
    fold"``, ``"31–33 of 33 types"``; "" where no fold is given.

    Examples
    --------
    >>> macro_count_text([31, 33, 32], 33)
    '31–33 of 33 types'
    >>> macro_count_text([33], 33)
    '33 of 33 types'
    """
    counts = [int(n) for n in n_in_macro]
    if not counts:
        return ""
    lo, hi = min(counts), max(counts)
    if lo == hi:
        return f"{lo} of {n_classes} types" + (" in every fold" if len(counts) > 1 else "")
    return f"{lo}–{hi} of {n_classes} types"
