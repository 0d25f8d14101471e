"""Per-gene scaling fitted on the training split only and applied everywhere after.

The statistics live in the bundle's ``var`` (``train_mean``, ``train_std``, ``train_min``,
``train_max``) and travel in every checkpoint, so prediction scales new samples exactly
as training did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["Scaler", "fit_scaler"]

ScaleMethod = Literal["standard", "minmax", "none"]


@dataclass
class Scaler:
    """Per-gene affine scaling ``(x - shift) / scale``, then optional clipping.

    Attributes
    ----------
    shift, scale
        ``(n_genes,)`` float32 arrays.
    method
        ``"standard"`` (z-score), ``"minmax"`` (to [-1, 1], as the Gene-MOE paper) or ``"none"``.
    clip
        Values are clipped to ``[-clip, clip]`` after scaling (None: no clipping).
    """

    shift: np.ndarray
    scale: np.ndarray
    method: ScaleMethod = "standard"
    clip: float | None = 10.0

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Scale ``X`` ``(n_samples, n_genes)`` → float32 of the same shape."""
        out = (np.asarray(X, dtype=np.float32) - self.shift) / self.scale
        if self.clip is not None:
            np.clip(out, -self.clip, self.clip, out=out)
        return out

    def to_dict(self) -> dict:
        return {"shift": self.shift.tolist(), "scale": self.scale.tolist(),
                "method": self.method, "clip": self.clip}

    @classmethod
    def from_dict(cls, d: dict) -> Scaler:
        return cls(np.asarray(d["shift"], np.float32), np.asarray(d["scale"], np.float32),
                   d.get("method", "standard"), d.get("clip", 10.0))


def fit_scaler(X_train: np.ndarray, *, method: ScaleMethod = "standard",
               clip: float | None = 10.0, eps: float = 1e-6) -> Scaler:
    """Fit per-gene scaling on training rows ``X_train`` ``(n_train, n_genes)``.

    Constant genes get scale 1 (they map to 0 instead of dividing by zero).
    """
    X = np.asarray(X_train, dtype=np.float64)
    n_genes = X.shape[1]
    if method == "standard":
        shift, scale = X.mean(0), X.std(0)
    elif method == "minmax":
        lo, hi = X.min(0), X.max(0)
        shift, scale = (hi + lo) / 2, (hi - lo) / 2
    elif method == "none":
        shift, scale = np.zeros(n_genes), np.ones(n_genes)
    else:
        raise ValueError(f"unknown scaling method {method!r}")
    scale = np.where(scale < eps, 1.0, scale)
    return Scaler(shift.astype(np.float32), scale.astype(np.float32), method,
                  clip if method != "minmax" else None)
