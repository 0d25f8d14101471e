"""Probabilities for the SVMs, calibrated on out-of-fold training rows, keeping their class.

:class:`TopLabelSVC` (the RBF ``svm``) and :class:`TemperatureSVC` (``svm_linear``) fit
their calibration on out-of-fold decision values of the training rows (stratified K-fold,
the SVM refitted per fold), then one SVM on all rows. A class with a single training
sample is allowed (K is at least 2; the fold whose fitting part lacks a class gives its
held rows no margin for it: such a row counts as a wrong prediction for the top-label
fit and is left out of the temperature fit), so the inner folds of ``--tune-cv`` on
pancan33 (CHOL: 4 tumours) can calibrate; scikit-learn's ``CalibratedClassifierCV``
refuses them.

Why
---
scikit-learn's one-vs-rest scores of an ``SVC`` are pairwise vote counts plus a tie-break
under 1/3 (``sklearn.utils.multiclass``'s ovr decision function): on 33 tumour types the
winner's score is 32.3, the next 31.3, and so on, whatever the margins. Temperature
scaling of those scores (``CalibratedClassifierCV(method="temperature")``, what the SVM
used before) therefore gives every tumour about the same confidence: on one pancan33 split
at four (C, gamma) pairs mean confidence 0.52-0.65 against accuracy 0.84-0.89; ECE 0.19 in
the tuned benchmark, 0.27 as ensembles of 3. Scaling the mean pairwise
margins instead calibrates, but its argmax is not the votes' class and costs 1-3 points of
accuracy.

What
----
Top-label calibration (Gupta & Ramdas, "Top-label calibration and multiclass-to-binary
reductions", ICLR 2022): the predicted class stays the SVM's own (the argmax of its
one-vs-rest scores, as before), and only the probability of that class is calibrated, as a
binary problem "is the SVM right?":

- ``p_top`` = Platt sigmoid of the predicted class's *smallest* one-vs-one margin (its margin
  against its strongest competitor), fitted on out-of-fold predictions of the training rows
  (stratified K-fold, the SVM refitted per fold) against whether each was right;
- the other classes share ``1 - p_top`` in proportion to a softmax of their mean one-vs-one
  margins, its temperature fitted on the same out-of-fold rows by log-likelihood;
- where a share would reach ``p_top`` (possible only when ``p_top < 1/2``), ``p_top`` is
  raised just above it, so that the predicted class stays the largest.

The final SVM is fitted once on all training rows (as ``ensemble=False`` did). The feature
(smallest margin, against mean margin and both) was chosen on pancan33's training split of
the bundle's default split only, by 3-fold CV inside it (test and validation parts never
read): ECE 0.046-0.064 (smallest) against 0.070-0.081 (mean) and 0.22-0.38 (temperature on
the votes) at four (C, gamma) pairs, accuracy unchanged (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genemoe.reliability import fit_temperature

__all__ = ["TopLabelSVC", "TemperatureSVC", "pairwise_margins", "calibration_folds"]

SVM_T_BOUNDS = (float(np.exp(-5.0)), float(np.exp(5.0)))  # the SVMs' temperature search range


def pairwise_margins(decision: np.ndarray, n_classes: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class margins and the votes' class from one-vs-one decision values.

    Parameters
    ----------
    decision
        ``(n_samples, n_classes * (n_classes - 1) / 2)``: an ``SVC``'s ``decision_function``
        with ``decision_function_shape="ovo"`` (pairs ``(i, j)``, ``i < j``, in
        ``np.triu_indices`` order; positive favours ``i``; with two classes one column
        favouring the second, as scikit-learn gives it).
    n_classes
        Number of classes.

    Returns
    -------
    mean, smallest, top
        ``(n_samples, n_classes)`` mean and smallest signed margin of each class against
        the others; ``(n_samples,)`` the predicted class index: most pairwise votes, ties
        broken by the summed margins (scikit-learn's one-vs-rest decision function).
    """
    d = np.asarray(decision, dtype=np.float64).reshape(len(decision), -1)
    if n_classes == 2:  # a binary SVC's decision value favours the second class
        d = -d
    i, j = np.triu_indices(n_classes, 1)
    n = d.shape[0]
    total, votes = np.zeros((n, n_classes)), np.zeros((n, n_classes))
    smallest = np.full((n, n_classes), np.inf)
    for c, (a, b) in enumerate(zip(i, j, strict=True)):
        total[:, a] += d[:, c]
        total[:, b] -= d[:, c]
        votes[:, a] += d[:, c] >= 0
        votes[:, b] += d[:, c] < 0
        smallest[:, a] = np.minimum(smallest[:, a], d[:, c])
        smallest[:, b] = np.minimum(smallest[:, b], -d[:, c])
    ovr = votes + total / (3 * (np.abs(total) + 1))
    return total / (n_classes - 1), smallest, ovr.argmax(axis=1)


class TopLabelSVC:
    """An RBF ``SVC`` whose predicted class is its votes' and whose confidence is calibrated.

    Parameters
    ----------
    svc
        An unfitted ``sklearn.svm.SVC`` (its ``decision_function_shape`` is set to ``"ovo"``).
    n_folds
        Stratified folds for the out-of-fold predictions (at most the smallest class).
    seed
        Seed of the fold assignment.
    """

    def __init__(self, svc: Any, n_folds: int, seed: int) -> None:
        self.svc, self.n_folds, self.seed = svc, n_folds, seed
        self.classes_: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> TopLabelSVC:
        """Fit the calibration on out-of-fold rows, then the SVM on all of ``X`` ``(n, g)``."""
        from sklearn.base import clone

        self.classes_, codes = np.unique(y, return_inverse=True)
        k = len(self.classes_)
        mean, smallest = np.full((len(y), k), -np.inf), np.full((len(y), k), -np.inf)
        top = np.zeros(len(y), dtype=int)
        for fit_rows, held, seen in _folds(X, codes, self.n_folds, self.seed):
            part = clone(self.svc).set_params(decision_function_shape="ovo")
            part.fit(X[fit_rows], codes[fit_rows])
            m, low, t = pairwise_margins(part.decision_function(X[held]), len(seen))
            mean[np.ix_(held, seen)], smallest[np.ix_(held, seen)] = m, low
            top[held] = seen[t]
        rows = np.arange(len(y))
        self.temperature_ = _fit_temperature(mean, codes)
        self.platt_ = _fit_platt(smallest[rows, top], top == codes)  # top: always seen
        self.svm_ = clone(self.svc).set_params(decision_function_shape="ovo").fit(X, codes)
        self.record_ = {"method": "top-label (Gupta & Ramdas 2022): Platt on the predicted "
                                  "class's smallest pairwise margin; the rest by a "
                                  "temperature softmax of mean pairwise margins",
                        "out_of_fold_rows": len(y), "folds": self.n_folds,
                        "out_of_fold_accuracy": round(float((top == codes).mean()), 4),
                        "platt": [round(float(v), 4) for v in self.platt_],
                        "temperature": round(float(self.temperature_), 4)}
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities ``(n_samples, n_classes)``; the argmax is the SVM's votes' class."""
        if self.classes_ is None:
            raise RuntimeError("call fit() before predict_proba()")
        k = len(self.classes_)
        mean, smallest, top = pairwise_margins(self.svm_.decision_function(X), k)
        rows = np.arange(len(top))
        a, b = self.platt_
        p_top = 1.0 / (1.0 + np.exp(-(a * smallest[rows, top] + b)))
        z = mean / self.temperature_
        rest = np.exp(z - z.max(axis=1, keepdims=True))
        rest[rows, top] = 0.0
        rest /= np.maximum(rest.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        share = rest.max(axis=1)
        floor = (share + 1e-6) / (1.0 + share + 1e-6)  # (1 - floor) * share < floor
        p_top = np.maximum(p_top, floor)
        out = rest * (1.0 - p_top)[:, None]
        out[rows, top] = p_top
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The SVM's own classes ``(n_samples,)`` (labels as given to ``fit``)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class TemperatureSVC:
    """A linear SVM whose one-vs-rest margins are scaled by one temperature (its class kept).

    ``softmax(decision / T)``, ``T`` fitted by log-likelihood on out-of-fold decision values
    of the training rows (as ``CalibratedClassifierCV(method="temperature",
    ensemble=False)``, which refuses a class with a single training sample).

    Parameters
    ----------
    svc
        An unfitted ``sklearn.svm.LinearSVC`` (or any classifier with ``decision_function``).
    n_folds, seed
        Stratified folds for the out-of-fold decision values, and their seed.
    """

    method = "temperature"

    def __init__(self, svc: Any, n_folds: int, seed: int) -> None:
        self.svc, self.n_folds, self.seed = svc, n_folds, seed
        self.classes_: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> TemperatureSVC:
        """Fit ``T`` on out-of-fold rows, then the SVM on all of ``X`` ``(n, g)``."""
        from sklearn.base import clone

        self.classes_, codes = np.unique(y, return_inverse=True)
        decision = np.full((len(y), len(self.classes_)), -np.inf)
        for fit_rows, held, seen in _folds(X, codes, self.n_folds, self.seed):
            part = clone(self.svc).fit(X[fit_rows], codes[fit_rows])
            decision[np.ix_(held, seen)] = _ovr(part.decision_function(X[held]))
        self.temperature_ = _fit_temperature(decision, codes)
        self.svm_ = clone(self.svc).fit(X, codes)
        self.record_ = {"method": "temperature on out-of-fold one-vs-rest margins",
                        "out_of_fold_rows": len(y), "folds": self.n_folds,
                        "temperature": round(float(self.temperature_), 4)}
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``softmax(decision / T)`` ``(n_samples, n_classes)``."""
        if self.classes_ is None:
            raise RuntimeError("call fit() before predict_proba()")
        z = _ovr(self.svm_.decision_function(X)) / self.temperature_
        p = np.exp(z - z.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The SVM's own classes ``(n_samples,)`` (labels as given to ``fit``)."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def calibration_folds(y: np.ndarray, n_folds: int) -> int:
    """Folds for the out-of-fold calibration: ``n_folds``, at most the smallest class's
    count, at least 2 (a class with one sample is then missing from one fitting part)."""
    return max(2, min(n_folds, int(np.bincount(np.unique(y, return_inverse=True)[1]).min())))


def _folds(X: np.ndarray, codes: np.ndarray, n_folds: int, seed: int
           ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(fit_rows, held_rows, classes seen in fit_rows)`` of a stratified K-fold."""
    import warnings

    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # "least populated class has only 1 member": intended
        warnings.filterwarnings("ignore", "The least populated class", UserWarning)
        splits = list(folds.split(X, codes))
    return [(a, b, np.unique(codes[a])) for a, b in splits]


def _ovr(decision: np.ndarray) -> np.ndarray:
    """One-vs-rest margins ``(n, k)``; a binary classifier's one column as ``[-d, d]``."""
    d = np.asarray(decision, dtype=np.float64)
    return np.column_stack([-d, d]) if d.ndim == 1 else d


def _fit_temperature(margins: np.ndarray, codes: np.ndarray) -> float:
    """Temperature ``T`` minimising the log-loss of ``softmax(margins / T)`` (maximum
    likelihood, ``T`` in [e^-5, e^5]) over the rows whose true class has a margin (``-inf``:
    absent from the fitting part)."""
    keep = np.isfinite(margins[np.arange(len(codes)), codes])
    return fit_temperature(margins[keep], codes[keep], bounds=SVM_T_BOUNDS, prior_sd=None)


def _fit_platt(score: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of ``P(right) = sigmoid(a * score + b)`` (near-unpenalised
    logistic regression); a constant rate where the out-of-fold rows are all right or all
    wrong."""
    rate = float(np.clip(right.mean(), 1e-3, 1 - 1e-3))
    if right.all() or not right.any():
        return 0.0, float(np.log(rate / (1 - rate)))
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000).fit(score[:, None], right)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])
