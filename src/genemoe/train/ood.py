"""A flag for unfamiliar samples: how far a sample's representation is from training.

The score is a class-conditional Mahalanobis distance (Lee et al., NeurIPS 2018) in the
space a model reasons in: ``forward_features`` of a neural model, the scaled input of a
classical one. The features of the training part are projected on their first
``n_components`` principal components (fitted on the training part), each class gets its
mean there, and one covariance of the residuals is shrunk towards a scaled identity
(Ledoit–Wolf, scikit-learn's ``LedoitWolf``), which keeps it invertible when features
outnumber samples. A sample's score is its distance to the nearest class mean (survival
models: to the one mean of all training samples); higher = less like training.

The threshold is the split-conformal quantile of the validation part's ``n`` scores: the
``ceil((n + 1) (1 - false_alarm))``-th smallest (Vovk et al. 2005; Bates et al., Ann.
Statist. 2023, "Testing for outliers with conformal p-values"), so a new sample drawn like
the validation ones is flagged with probability at most ``false_alarm`` (5 %): the
validation part was used neither for the features nor for the means. With fewer than
``1 / false_alarm - 1`` validation samples (19 at 5 %) no score guarantees it; the largest
validation score is the threshold then, and ``expected_false_alarm`` (``1 / (n + 1)``)
says what it gives. The plain 95th percentile it replaces flagged 16 % of the test
patients of an ACC + UVM bundle with 16 validation patients (docs/results.md). A training
sample scored again is *not* a new sample: where genes far outnumber training samples, the
principal components fit the training samples' own noise and their re-scored distances are
longer (``train_flagged``, recorded; ``predict`` says which samples the model was fitted
on). ``energy`` (Liu et
al., NeurIPS 2020: ``-logsumexp(logits)``) is the alternative for classifiers;
docs/results.md ("Calibration and unfamiliar samples") measures both.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import numpy as np

__all__ = ["FALSE_ALARM", "N_COMPONENTS", "model_features", "fit_ood", "ood_score",
           "energy_score"]

log = logging.getLogger(__name__)

FALSE_ALARM = 0.05  # share of validation samples flagged (the threshold's target)
N_COMPONENTS = 50  # principal components of the training features the distance uses
Method = Literal["mahalanobis", "energy"]


def model_features(model: Any, kind: str, X: np.ndarray, *, batch_size: int = 1024) -> np.ndarray:
    """The representation a model scores: ``(n, n_features)`` float64.

    Neural models (``kind == "torch"``): ``forward_features`` in eval mode, in batches,
    on the device the model is on; classical models: the scaled input ``X`` itself.
    """
    if kind != "torch":
        return np.asarray(X, np.float32)  # ~60k genes x thousands of samples: keep float32
    import torch

    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, X.shape[0], batch_size):
            xb = torch.as_tensor(np.asarray(X[i:i + batch_size], np.float32), device=dev)
            out.append(model.forward_features(xb).float().reshape(len(xb), -1).cpu().numpy())
    model.train(was_training)
    return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 0))


def _principal_axes(train: np.ndarray, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Centre ``(d,)`` and the first ``k`` principal axes ``(k, d)`` of ``train``.

    scikit-learn's PCA (``svd_solver="auto"``: randomized SVD for wide matrices, so tens of
    thousands of genes cost seconds, not an exact SVD's minutes).
    """
    from sklearn.decomposition import PCA

    pca = PCA(n_components=k, svd_solver="auto", random_state=seed).fit(train)
    return pca.mean_.astype(np.float64), pca.components_.astype(np.float64)


def energy_score(logits: np.ndarray) -> np.ndarray:
    """``-logsumexp(logits)`` ``(n,)``: higher = less like training (Liu et al. 2020)."""
    z = np.asarray(logits, np.float64)
    m = z.max(axis=1)
    return -(m + np.log(np.exp(z - m[:, None]).sum(axis=1)))


def _mahalanobis(stats: dict, feats: np.ndarray) -> np.ndarray:
    z = (np.asarray(feats) - stats["centre"]) @ stats["components"].T  # (n, k) float64
    best = np.full(z.shape[0], np.inf)
    for mu in stats["means"]:  # (k,)
        d = z - mu
        best = np.minimum(best, np.einsum("ij,jk,ik->i", d, stats["precision"], d))
    return np.sqrt(np.maximum(best, 0.0))


def ood_score(stats: dict, values: np.ndarray) -> np.ndarray:
    """Scores ``(n,)`` of features (``mahalanobis``) or logits (``energy``); higher = stranger."""
    if stats["method"] == "energy":
        return energy_score(values)
    return _mahalanobis(stats, values)


def _fit_mahalanobis(train: np.ndarray, labels: np.ndarray | None, n_components: int) -> dict:
    from sklearn.covariance import LedoitWolf

    k = int(max(1, min(n_components, train.shape[1], train.shape[0] - 1)))
    centre, axes = _principal_axes(train, k)
    z = (train - centre) @ axes.T  # (n_train, k)
    groups = np.zeros(len(z), int) if labels is None else np.asarray(labels)
    keep = [g for g in np.unique(groups) if (groups == g).sum() >= 2] or [groups[0]]
    means = np.stack([z[groups == g].mean(axis=0) for g in keep])
    resid = np.concatenate([z[groups == g] - m for g, m in zip(keep, means, strict=True)])
    cov = LedoitWolf(assume_centered=True).fit(resid)
    return {"centre": centre, "components": axes, "means": means,
            "precision": np.linalg.pinv(cov.covariance_), "n_components": k,
            "shrinkage": float(cov.shrinkage_)}


def _ordinal(k: int) -> str:
    """``1st``, ``2nd``, ``23rd``, ``96th``, ``111th``."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def fit_ood(train: np.ndarray, val: np.ndarray, *, labels: np.ndarray | None = None,
            method: Method = "mahalanobis", false_alarm: float = FALSE_ALARM,
            n_components: int = N_COMPONENTS, space: str = "") -> dict[str, Any]:
    """Fit the score on the training part and its threshold on the validation part.

    Parameters
    ----------
    train, val
        ``(n, n_features)`` features (``mahalanobis``) or ``(n, n_classes)`` logits
        (``energy``) of the training and validation parts.
    labels
        ``(n_train,)`` class of each training row (a mean per class), or None (one mean).
    method
        ``mahalanobis`` or ``energy``.
    false_alarm
        Largest share of new samples like the validation ones to flag (the conformal
        guarantee needs ``n_val >= 1 / false_alarm - 1``).
    n_components
        Principal components kept (at most the feature width and ``n_train - 1``).
    space
        Words for what the features are (recorded).

    Returns
    -------
    dict
        The statistics :func:`ood_score` needs, ``threshold``, ``threshold_rule`` (words),
        ``false_alarm`` (target), ``expected_false_alarm`` (what the rule gives a new sample
        drawn like the validation ones: ``(n + 1 - rank) / (n + 1)``), ``val_false_alarm``
        (share of validation samples above the threshold) and ``train_flagged`` (share of
        the training samples above it when scored again: in-sample, not a false-alarm
        rate; None for ``energy``).
    """
    if method == "energy":
        stats: dict[str, Any] = {"method": "energy"}
    else:
        stats = {"method": "mahalanobis", **_fit_mahalanobis(np.asarray(train), labels, n_components)}
    val_scores = np.sort(ood_score(stats, val))
    n = len(val_scores)
    rank = min(n, int(np.ceil((n + 1) * (1.0 - false_alarm) - 1e-9)))  # conformal order statistic
    threshold = float(val_scores[rank - 1]) if n else float("inf")
    in_sample = ood_score(stats, train) if method == "mahalanobis" else np.zeros(0)
    stats.update(threshold=threshold, false_alarm=float(false_alarm), space=space,
                 expected_false_alarm=(n + 1 - rank) / (n + 1) if n else 0.0,
                 val_false_alarm=float(np.mean(val_scores > threshold)) if n else 0.0,
                 train_flagged=float(np.mean(in_sample > threshold)) if len(in_sample) else None,
                 threshold_rule=f"split conformal: the {_ordinal(rank)} of {n} validation scores",
                 fitted_on="training part (features), validation part (threshold)")
    log.info("unfamiliar-sample score (%s, %s): threshold %.3g (%s)", method, space, threshold,
             stats["threshold_rule"])
    return stats
