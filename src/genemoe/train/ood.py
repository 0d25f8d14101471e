"""A flag for unfamiliar samples: how far a sample's representation is from training.

The score is a class-conditional Mahalanobis distance (Lee et al., NeurIPS 2018) in the
space a model reasons in: ``forward_features`` of a neural model, the scaled input of a
classical one. The features of the training part are projected on their first
``n_components`` principal components (fitted on the training part), each class gets its
mean there, and one covariance of the residuals is shrunk towards a scaled identity
(Ledoit–Wolf, scikit-learn's ``LedoitWolf``), which keeps it invertible when features
outnumber samples. A sample's score is its distance to the nearest class mean (survival
models: to the one mean of all training samples); higher = less like training.

The threshold is the ``1 - false_alarm`` quantile of the validation part's scores, so
about ``false_alarm`` (5 %) of samples like the validation ones are flagged: the
validation part was used neither for the features nor for the means. ``energy`` (Liu et
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
        Target share of validation samples above the threshold.
    n_components
        Principal components kept (at most the feature width and ``n_train - 1``).
    space
        Words for what the features are (recorded).

    Returns
    -------
    dict
        The statistics :func:`ood_score` needs, ``threshold``, ``false_alarm`` (target) and
        ``val_false_alarm`` (observed share of validation samples flagged).
    """
    if method == "energy":
        stats: dict[str, Any] = {"method": "energy"}
    else:
        stats = {"method": "mahalanobis", **_fit_mahalanobis(np.asarray(train), labels, n_components)}
    val_scores = ood_score(stats, val)
    threshold = float(np.quantile(val_scores, 1.0 - false_alarm)) if len(val_scores) else float("inf")
    stats.update(threshold=threshold, false_alarm=float(false_alarm), space=space,
                 val_false_alarm=float(np.mean(val_scores > threshold)) if len(val_scores) else 0.0,
                 fitted_on="training part (features), validation part (threshold)")
    log.info("unfamiliar-sample score (%s, %s): threshold %.3g flags %.1f%% of validation",
             method, space, threshold, 100 * stats["val_false_alarm"])
    return stats
