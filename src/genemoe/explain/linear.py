"""Exact attributions of the classical linear models: coefficient x (x - reference).

``coxnet``, ``coxph`` (survival: the risk, a linear predictor, on principal components
too, which are linear in the genes), ``logreg`` (classification: the class's multinomial
logit, the decision function; with two classes each class's log-odds against the other, so
the second class's attributions are ``coef_`` times the difference) and ``svm_linear`` (the
class's one-vs-rest margin over the fitted temperature: the logits its probabilities are
the softmax of) score a sample with an affine function of its scaled expression,
``f(x) = w . x + c``. Its attribution from a reference ``r`` is
``w_g (x_g - r_g)`` for each gene, and the attributions add up to ``f(x) - f(r)`` exactly:
no path, no sampling. Gradient methods cannot run on them (scikit-learn, no autograd), so
``genemoe explain`` refused them, though a linear model is the one case with an exact answer.

``w`` is read off the fitted model itself, not from its options: ``f(r + e_g) - f(r)`` for
each gene ``g`` (blocks of unit steps), which holds for every affine ``f`` whatever its
inner gene selection, scaling or projection. Completeness is then checked per sample; a
model that is not affine fails it and is refused. Random forests and the RBF SVM are not
linear and stay refused.

An ensemble (``train --ensemble K``) of them is explained as neural ensembles are: the mean
of each member's attributions of its own output. Each member's output is affine (a
classifier's: its logit over its calibration temperature), so their mean is affine too and
its attributions are exact; the predicted class stays the ensemble's (mean probability).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import nn

from genemoe.errors import input_error
from genemoe.models.base import ModelOutput

__all__ = ["LINEAR_MODELS", "LinearScore", "is_linear_payload", "linear_attributions",
           "linear_weights", "weight_text", "weight_record", "weighted_keep", "selected_count",
           "fitted_weight_text", "member_attributions"]

LINEAR_MODELS = ("coxnet", "coxph", "logreg", "svm_linear")
_BLOCK = 512  # unit steps scored at once: (512, n_genes) float64
_RTOL = 1e-6  # completeness an affine score meets (float64 rounding)
_ZERO = 1e-9  # a coefficient below this share of the largest is rounding, not a coefficient


class LinearScore(nn.Module):
    """A classical linear model's score as a module the explanation pipeline can call.

    ``forward`` returns ``(B, n_outputs)``: the class logits (``logreg``'s decision
    function; classes the training rows lacked at ``-inf``) or ``(B, 1)`` the risk
    (``predict_risk``, before the run's risk scale). No gradients: it is attributed by
    :func:`linear_attributions`.
    """

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self.estimator = payload["estimator"]
        self.task = payload["task"]
        self.model_name = payload["model_name"]
        self.n_genes = len(payload["gene_ids"])
        self.n_outputs = int(payload["n_outputs"])
        members = getattr(self.estimator, "members", None)  # an EnsembleEstimator's
        temps = getattr(self.estimator, "temperatures", None) or [1.0] * len(members or [0])
        self.parts = list(zip(members, temps, strict=True)) if members else [(self.estimator, 1.0)]
        self.n_members = len(self.parts)

    def score(self, X: np.ndarray) -> np.ndarray:
        """Scores ``(n, n_outputs)`` float64 of scaled rows ``X (n, n_genes)``."""
        X = np.asarray(X, np.float64)
        if self.task == "survival":  # an ensemble's: the mean of its members' (affine)
            return np.asarray(self.estimator.predict_risk(X), np.float64).reshape(-1, 1)
        return np.mean([self._logits(m, X) / t for m, t in self.parts], axis=0)

    def _logits(self, member: Any, X: np.ndarray) -> np.ndarray:
        """One fitted classifier's logits ``(n, n_outputs)`` of float64 rows ``X``."""
        inner = member.estimator_
        svm = getattr(inner, "svm_", None)  # svm_linear: LinearSVC margins / its temperature
        z = np.asarray((svm or inner).decision_function(X), np.float64)
        if z.ndim == 1:  # two classes: each one's log-odds against the other (sklearn's z is
            z = np.stack([-z, z], axis=1)  # the second's; -z/2, z/2 halved coef_)
        if svm is not None:  # the logits its probabilities are the softmax of
            z = z / float(inner.temperature_)
        out = np.full((X.shape[0], self.n_outputs), -np.inf)
        out[:, inner.classes_] = z
        return out

    def forward(self, x: torch.Tensor) -> ModelOutput:  # (B, n_genes) -> (B, n_outputs)
        X = x.detach().cpu().numpy()
        if self.n_members > 1 and self.task == "classify":  # the ensemble's own prediction
            with np.errstate(divide="ignore"):
                out = np.log(np.asarray(self.estimator.predict_proba(np.asarray(X, np.float64))))
            return ModelOutput(out=torch.from_numpy(out), aux_losses={}, stats={})
        return ModelOutput(out=torch.from_numpy(self.score(X)), aux_losses={}, stats={})


def is_linear_payload(payload: dict[str, Any]) -> bool:
    """Whether a model file holds one of :data:`LINEAR_MODELS`, or an ensemble of them (a
    survival one averages affine risks; a classification one is explained per member, each
    by its decision function)."""
    est = payload.get("estimator")
    members = getattr(est, "members", None) or [est]
    inners = [getattr(m, "estimator_", None) for m in members]
    return (payload.get("kind") == "sklearn" and payload.get("model_name") in LINEAR_MODELS
            and (payload["task"] == "survival" or all(
                hasattr(getattr(i, "svm_", i), "decision_function") for i in inners)))


def linear_weights(model: LinearScore, reference: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Each gene's coefficient of each target output: ``(n_targets, n_genes)``.

    ``f(r + e_g) - f(r)`` in blocks of :data:`_BLOCK` genes; ``targets`` are output columns.
    """
    n = model.n_genes
    base = model.score(reference[None, :])[0, targets]
    w = np.empty((len(targets), n))
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        steps = np.repeat(reference[None, :].astype(np.float64), stop - start, axis=0)
        steps[np.arange(stop - start), np.arange(start, stop)] += 1.0
        w[:, start:stop] = (model.score(steps)[:, targets] - base).T
    # a unit step from a reference far from 0 leaves float rounding (~1e-16) where the
    # coefficient is 0: coxnet's 18,862 unselected genes were ranked as drivers under
    # --baseline zeros; below 1e-9 of the largest coefficient is taken as 0
    w[np.abs(w) <= _ZERO * np.abs(w).max(axis=1, keepdims=True)] = 0.0
    return w


def linear_attributions(model: LinearScore, X: np.ndarray, *, target: np.ndarray | None,
                        reference: np.ndarray,
                        weighted: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``w_g (x_g - r_g)`` of each sample's target output (the risk for survival).

    Parameters
    ----------
    model
        The linear model.
    X
        Scaled rows ``(n, n_genes)``.
    target
        The output column per sample ``(n,)`` (classification), or None (the risk).
    reference
        The reference ``(n_genes,)`` in scaled space (the training mean: zero).
    weighted
        Where given, gains ``(columns, has_weight)``: the model's output columns (the risk;
        the classes it scores) and ``(n_columns, n_genes)`` bool, the genes with a
        coefficient in each (:func:`weighted_keep`, :func:`weight_record`); no extra pass,
        the unit steps score every output at once.

    Returns
    -------
    tuple
        ``attributions (n, n_genes)`` float32 and the completeness delta ``(n,)``
        (``Σ attributions - (f(x) - f(r))``: float64 rounding only).

    Raises
    ------
    InputError
        When the model's score is not affine in the genes (completeness fails).
    """
    X = np.asarray(X, np.float64)
    cols = np.zeros(len(X), np.int64) if target is None else np.asarray(target, np.int64)
    scored = np.flatnonzero(np.isfinite(model.score(reference[None, :])[0]))  # (classes the
    used = np.union1d(scored, cols)  # training rows lacked score -inf: no coefficients)
    w = linear_weights(model, reference, used)  # (n_used, n_genes)
    if weighted is not None:
        weighted.append((scored, w[np.searchsorted(used, scored)] != 0))
    rows = np.searchsorted(used, cols)
    attr = w[rows] * (X - reference[None, :])
    f_x = model.score(X)[np.arange(len(X)), cols]
    f_r = model.score(reference[None, :])[0, cols]
    delta = attr.sum(1) - (f_x - f_r)
    scale = np.maximum(np.abs(f_x - f_r), 1e-12)
    if (np.abs(delta) > _RTOL * np.maximum(scale, 1.0)).any():
        raise input_error(f"{model.model_name}'s score is not linear in the genes (its exact "
                          f"attributions miss by up to {np.abs(delta / scale).max():.2%})",
                          where="--model", fix="explain a neural model of the same task")
    return attr.astype(np.float32), delta


def selected_count(payload: dict[str, Any]) -> int | None:
    """How many genes a classical model selected for its fit (Coxnet's and CoxPH's most
    variable ``n_top_genes``: ``params.fitted.n_selected_genes``), None where none is
    recorded (every gene)."""
    fitted = ((payload.get("config") or {}).get("params") or {}).get("fitted") or {}
    n = fitted.get("n_selected_genes")
    return int(n) if isinstance(n, int | np.integer) and not isinstance(n, bool) else None


def weight_text(n_weighted: int, n_genes: int, n_selected: int | None = None) -> str:
    """``6 genes carry weight (of 2,000 selected; 19,076 in the model)``: how many genes a
    linear model's output depends on (a Coxnet using 6 genes said so only in config.yaml's
    ``n_nonzero``, while explain ranked all 19,076 and predict counted the missing ones
    among 19,076). For train, explain, predict and the report alike."""
    of = (f"of {n_selected:,} selected; {n_genes:,} in the model"
          if n_selected is not None and n_selected < n_genes else f"of the model's {n_genes:,}")
    if n_weighted == 0:
        return f"no gene carries weight ({of}): the model scores every sample alike"
    return f"{n_weighted:,} gene{'s carry' if n_weighted != 1 else ' carries'} weight ({of})"


def fitted_weight_text(params: dict[str, Any]) -> str | None:
    """:func:`weight_text` of a classical model's ``get_params()`` (config.yaml's
    ``params``) whose fit counts its genes with weight (Coxnet's ``fitted.n_nonzero``, of
    its ``n_selected_genes``), for train's summary; None for other models."""
    fitted = params.get("fitted") or {}
    if fitted.get("n_nonzero") is None or not params.get("n_genes"):
        return None
    selected = fitted.get("n_selected_genes")
    return weight_text(int(fitted["n_nonzero"]), int(params["n_genes"]),
                       None if selected is None else int(selected))


def weight_record(columns_weight: tuple[np.ndarray, np.ndarray],
                  payload: dict[str, Any]) -> dict[str, Any]:
    """convergence.json's ``weight``: ``n_with_weight`` (a coefficient in any output),
    ``n_model_genes``, ``n_selected`` (None: every gene) and ``text`` (:func:`weight_text`);
    ``columns_weight``: what :func:`linear_attributions` gave ``weighted``."""
    _, has = columns_weight
    n, selected = has.shape[1], selected_count(payload)
    n_with = int(has.any(0).sum())
    return {"n_with_weight": n_with, "n_model_genes": int(n), "n_selected": selected,
            "text": weight_text(n_with, int(n), selected)}


def weighted_keep(keep: np.ndarray | dict[str, np.ndarray] | None,
                  columns_weight: tuple[np.ndarray, np.ndarray], *,
                  target: np.ndarray | None,
                  groups: np.ndarray) -> dict[str, np.ndarray]:
    """The genes to rank in each group: those with a coefficient in the output its samples
    were attributed (``target``, one column per sample; None: the risk), within ``keep``
    (:func:`~genemoe.explain.rankings.gene_keep_masks`). A gene without weight has an
    attribution of exactly 0: a Coxnet's 19,070 of them were ranked 7 on in an arbitrary
    order."""
    columns, has = columns_weight
    groups = np.asarray(groups, dtype=object)
    cols = np.zeros(len(groups), np.int64) if target is None else np.asarray(target, np.int64)
    row = {int(c): i for i, c in enumerate(columns)}
    out = {}
    for g in sorted(set(groups.tolist())):
        picked = [row[c] for c in np.unique(cols[groups == g]).tolist() if c in row]
        mask = has[picked].any(0) if picked else np.zeros(has.shape[1], bool)
        own = keep.get(g) if isinstance(keep, dict) else keep
        out[g] = mask if own is None else mask & np.asarray(own, bool)
    return out


def member_attributions(model: LinearScore, X: np.ndarray, *, target: np.ndarray | None,
                        reference: np.ndarray) -> list[np.ndarray]:
    """An ensemble's members' own exact attributions, one ``(n, n_genes)`` float32 each.

    Member ``m``'s is ``w_m (x - r)`` of its own output (a classifier's: its logit over its
    calibration temperature, so their mean is :func:`linear_attributions`' of the
    ensemble). The ensemble was attributed in one pass: its members' were not kept, and their
    agreement (:mod:`~genemoe.explain.members`) was not recorded. ``[]`` for one model.

    Parameters
    ----------
    model
        The linear model (an ensemble: ``n_members > 1``).
    X, target, reference
        As :func:`linear_attributions`.

    Returns
    -------
    list of numpy.ndarray
        One array per member, in the ensemble's order.
    """
    if getattr(model, "n_members", 1) < 2:
        return []
    out = []
    for member, temperature in model.parts:
        one = copy.copy(model)  # the same module around one member
        one.estimator, one.parts, one.n_members = member, [(member, 1.0)], 1
        attr, _ = linear_attributions(one, X, target=target, reference=reference)
        out.append(attr / np.float32(temperature))
    return out
