"""Classical survival baselines (scikit-survival): ``coxnet`` and ``coxph``, tuned on validation.

Created through the registry (``create_model("coxnet", n_genes=..., n_outputs=1,
task="survival", **config)``); the interface:

``fit(X, y=None, *, time, event, X_val=None, y_val=None, gene_variance=None, selection=None) -> self``
    ``X`` ``(n_samples, n_genes)`` float32 (usually z-scored per gene on the training
    split), ``time`` ``(n_samples,)`` days, ``event`` ``(n_samples,)`` bool. ``y_val`` is
    ``(time_val, event_val)`` for the rows of ``X_val``; they choose the hyper-parameters,
    else an inner stratified K-fold of the training rows does (by Harrell's C). The final
    model is fitted on the training rows only.

    ``selection`` ``(criterion, score)``: what the validation rows choose by, as the neural
    models choose their epoch (``train: survival_selection``; the trainer passes its own
    validation metric, :func:`genemoe.train.fit.selection_metric`): ``score(risk_val) ->
    float``, higher is better, on the linear predictor of the rows of ``X_val``. None:
    Harrell's C (``"c_index"``). The inner CV always scores by Harrell's C.

    ``gene_variance`` ``(n_genes,)``: each gene's variance on the *unscaled* training
    log-expression (the per-gene scaler's std squared). Both models keep the most variable
    training genes; on z-scored ``X`` every gene has variance 1, so they rank on
    ``gene_variance``. Without it, ``X``'s own column variances are used, and a ``X`` that
    looks standardised is an input error (the ranking would be arbitrary).
``predict_risk(X) -> (n_samples,)``
    Linear predictor (log-hazard): higher = worse, as everywhere in genemoe.
``get_params() -> dict``
    Options and, under ``fitted``: ``chosen``, ``selection`` (``"validation"``, ``"inner
    CV, k folds"``), ``criterion`` (``"c_index"``, or the name given with ``selection``),
    ``score`` and ``grid_scores`` (the criterion's value at every grid point).

Models
------
``coxnet``
    Elastic-net Cox on the ``n_top_genes`` most variable training genes; ``l1_ratio``
    from :data:`COXNET_GRID` x the penalty ``alpha`` along each ratio's regularisation
    path. With ``tune: false`` only ``alpha`` is chosen (on the path of the configured
    ratio).
``coxph``
    Ridge-penalised Cox. With p >> n an unpenalised (or even ridge) Cox model on 20,000
    genes is ill-posed and slow, so it sees only the ``n_top_genes`` most variable
    training genes, optionally reduced to ``n_components`` principal components fitted on
    the training rows; ``alpha`` x ``n_top_genes`` from :data:`COXPH_GRID`.

The gene ranking is computed once on all training rows and shared by the inner-CV folds.
The grid rules (``tune``, ``grid``, explicit options fixing a key, ties) are in
:mod:`genemoe.models.classical_common`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from genemoe.errors import input_error
from genemoe.models.classical_common import (
    TUNING_DEFAULTS,
    Cfg,
    Grid,
    Task,
    best_index,
    check_task,
    check_X,
    gene_order,
    grid_points,
    params_record,
    resolve_grid,
    resolve_options,
    tuning_record,
)
from genemoe.models.registry import register_model

__all__ = ["CoxnetModel", "CoxPHModel", "COXNET_GRID", "COXPH_GRID"]

log = logging.getLogger(__name__)

COXNET_DEFAULTS: Cfg = {
    "n_top_genes": 2000,  # most variable training genes kept (None: all)
    "l1_ratio": 0.5,  # elastic-net mixing: 1 = lasso, -> 0 = ridge
    "n_alphas": 30,  # length of the regularisation path
    "alpha_min_ratio": 0.01,  # smallest / largest penalty on the path
    "n_folds": 5,  # inner CV folds choosing the penalty when no validation rows
    "max_iter": 100_000,
    "seed": 0,
    **TUNING_DEFAULTS,
}
COXNET_GRID: Grid = {"l1_ratio": [0.9, 0.5, 0.1]}  # sparsest first; alpha: along each path
COXPH_DEFAULTS: Cfg = {
    "n_top_genes": 50,  # most variable training genes kept (None: all)
    "n_components": None,  # PCA components of those genes (None: use genes directly)
    "alpha": 1.0,  # ridge penalty
    "ties": "efron",  # tied event times: "efron" or "breslow"
    "n_iter": 100,
    "n_folds": 5,  # inner CV folds choosing the grid point when no validation rows
    "seed": 0,
    **TUNING_DEFAULTS,
}
# Fewest genes and the strongest penalty first (ties keep the simpler model).
COXPH_GRID: Grid = {"n_top_genes": [20, 50, 100], "alpha": [100.0, 10.0, 1.0, 0.1]}

Val = tuple[np.ndarray, np.ndarray, np.ndarray]  # (X_val, time_val, event_val)
Score = Callable[[np.ndarray], float]  # risk of the evaluated rows -> criterion (higher: better)
# (fit rows of the training data or None = all of them, X_eval, score of X_eval's risk)
Split = tuple[np.ndarray | None, np.ndarray, Score]


def _check_follow_up(
    time: Any, event: Any, n: int, where: str = "time"
) -> tuple[np.ndarray, np.ndarray]:
    """``time`` float64 and ``event`` bool, both ``(n,)``; at least one event."""
    if time is None or event is None:
        raise input_error("survival models need time and event", where=where)
    t = np.asarray(time, dtype=np.float64)
    e = np.asarray(event)
    if t.shape != (n,) or e.shape != (n,):
        raise input_error(
            f"time and event must have shape ({n},), got {t.shape} and {e.shape}", where=where
        )
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise input_error("time must be finite and non-negative", where=where)
    if e.dtype != bool and not np.all(np.isin(e, (0, 1))):
        raise input_error("event must be boolean (True = event) or 0/1", where=where)
    e = e.astype(bool)
    if not e.any():
        raise input_error(
            "all samples are censored",
            where=where,
            fix="survival models need at least one observed event",
        )
    return t, e


def _survival_array(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    from sksurv.util import Surv

    return Surv.from_arrays(event, time)


def _c_index(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Harrell's C (scikit-survival's, risk = higher is worse); NaN where undefined.

    The models layer does not import ``genemoe.evaluate`` (layers import only the ones
    before them), so selection scores with scikit-survival directly.
    """
    from sksurv.metrics import concordance_index_censored

    try:
        return float(concordance_index_censored(event, time, np.asarray(risk, np.float64))[0])
    except (ValueError, ZeroDivisionError):  # all censored / no comparable pair
        return float("nan")


def _harrell_on(time: np.ndarray, event: np.ndarray) -> Score:
    """Harrell's C of a risk on the rows of ``time`` and ``event``."""
    return lambda risk: _c_index(time, event, risk)


def _inner_folds(event: np.ndarray, n_folds: int, seed: int) -> list[np.ndarray]:
    """Training-row indices of each held-out fold, stratified by event (k <= n_events)."""
    from sklearn.model_selection import StratifiedKFold

    k = min(n_folds, int(event.sum()), int((~event).sum()) or n_folds)
    if k < 2:
        return []
    folds = StratifiedKFold(k, shuffle=True, random_state=seed)
    return [te for _, te in folds.split(np.zeros(event.size), event)]


def _top(order: np.ndarray, n_top: int | None) -> np.ndarray:
    """The first ``n_top`` of ``order`` (None: all), ascending."""
    if n_top is not None and n_top < 1:
        raise input_error(f"n_top_genes must be >= 1, got {n_top}", where="n_top_genes")
    return np.sort(order if n_top is None else order[:n_top])


# --------------------------------------------------------------------------- base
class _SurvivalModel:
    """Training-row gene ranking, validation or inner-CV splits, and the interface.

    Subclasses implement ``_fit_tuned(X, time, event, splits)`` (choose and fit; set
    ``selected_genes_``, ``estimator_`` and ``tuning_``), ``_risk(X_sel)`` and
    ``_n_top_values()`` (every ``n_top_genes`` the fit may use).
    """

    task: Task = "survival"

    def __init__(self, name: str, *, n_genes: int, config: Cfg, grid: Grid) -> None:
        self.name, self.n_genes, self.config, self.grid = name, n_genes, config, grid
        self.selected_genes_: np.ndarray | None = None
        self.estimator_: Any = None
        self.tuning_: Cfg = {}
        self.criterion_ = "c_index"

    def fit(
        self,
        X: np.ndarray,
        y: Any = None,
        *,
        time: Any = None,
        event: Any = None,
        X_val: Any = None,
        y_val: Any = None,
        gene_variance: np.ndarray | None = None,
        selection: tuple[str, Score] | None = None,
    ) -> _SurvivalModel:
        """Fit on ``X`` ``(n, n_genes)``, ``time`` and ``event`` ``(n,)``; ``y`` is unused.

        ``y_val`` is ``(time_val, event_val)`` for the rows of ``X_val``;
        ``gene_variance`` ``(n_genes,)`` the unscaled training variance of each gene;
        ``selection`` ``(criterion, score)`` what the validation rows choose by (None:
        Harrell's C).
        """
        X = check_X(X, self.n_genes)
        t, e = _check_follow_up(time, event, X.shape[0])
        val = self._check_val(X_val, y_val)
        needs_rank = any(n is not None and n < self.n_genes for n in self._n_top_values())
        self.gene_order_ = gene_order(X, gene_variance) if needs_rank else np.arange(self.n_genes)
        splits: list[Split] = []
        self.criterion_ = "c_index"
        if val is not None:
            name, score = selection or ("c_index", _harrell_on(val[1], val[2]))
            if np.isfinite(_c_index(val[1], val[2], np.arange(val[1].size))):
                splits, self.selection_, self.criterion_ = [(None, val[0], score)], "validation", name
            else:
                log.warning("%s: validation rows have no comparable pair; using CV", self.name)
        if not splits:
            if selection is not None and selection[0] != "c_index":
                log.warning("%s: inner CV chooses by Harrell's C, not %s", self.name, selection[0])
            folds = _inner_folds(e, self.config["n_folds"], self.config["seed"])
            rows = np.arange(X.shape[0])
            splits = [(np.setdiff1d(rows, f), X[f], _harrell_on(t[f], e[f])) for f in folds]
            self.selection_ = f"inner CV, {len(folds)} folds"
        self._fit_tuned(X, t, e, splits)
        return self

    def _check_val(self, X_val: Any, y_val: Any) -> Val | None:
        if X_val is None or y_val is None:
            return None
        Xv = check_X(X_val, self.n_genes, "X_val")
        if not (isinstance(y_val, tuple | list) and len(y_val) == 2):
            raise input_error("for survival, y_val must be (time_val, event_val)", where="y_val")
        tv, ev = _check_follow_up(*y_val, Xv.shape[0], where="y_val")
        return Xv, tv, ev

    def predict_risk(self, X: np.ndarray) -> np.ndarray:
        """Risk (log-hazard, higher = worse) ``(n_samples,)``."""
        if self.estimator_ is None:
            raise RuntimeError(f"{self.name}: call fit() before predict_risk()")
        X = check_X(X, self.n_genes)
        return np.asarray(self._risk(X[:, self.selected_genes_].astype(np.float64)), np.float64)

    def get_params(self) -> dict[str, Any]:
        """Name, task, sizes, options and what fitting chose."""
        n = None if self.selected_genes_ is None else int(self.selected_genes_.size)
        return params_record(
            self, 1, {"n_selected_genes": n, **self._fitted_info(), **self.tuning_}
        )

    def _record(self, points: list[Cfg], scores: np.ndarray, best: int | None) -> None:
        self.tuning_ = {**tuning_record(points, scores, best, self.selection_),
                        "criterion": self.criterion_}
        if best is not None:
            log.info(
                "%s: chose %s (%s %.3f, %s)",
                self.name,
                self.tuning_["chosen"],
                self.criterion_,
                scores[best],
                self.selection_,
            )

    # hooks -------------------------------------------------------------------------
    def _n_top_values(self) -> list[int | None]:
        raise NotImplementedError

    def _fit_tuned(
        self, X: np.ndarray, time: np.ndarray, event: np.ndarray, splits: list[Split]
    ) -> None:
        raise NotImplementedError

    def _risk(self, X_sel: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _fitted_info(self) -> Cfg:
        return {}


# --------------------------------------------------------------------------- coxnet
class CoxnetModel(_SurvivalModel):
    """Elastic-net Cox: ``l1_ratio`` from the grid x ``alpha`` along its path."""

    alpha_: float | None = None
    l1_ratio_: float | None = None

    def _n_top_values(self) -> list[int | None]:
        return [self.config["n_top_genes"]]

    def _new_coxnet(self, l1_ratio: float, alphas: np.ndarray | None = None) -> Any:
        from sksurv.linear_model import CoxnetSurvivalAnalysis

        c = self.config
        return CoxnetSurvivalAnalysis(
            l1_ratio=l1_ratio,
            n_alphas=c["n_alphas"],
            alpha_min_ratio=c["alpha_min_ratio"],
            alphas=alphas,
            max_iter=c["max_iter"],
        )

    def _fit_tuned(
        self, X: np.ndarray, time: np.ndarray, event: np.ndarray, splits: list[Split]
    ) -> None:
        self.selected_genes_ = _top(self.gene_order_, self.config["n_top_genes"])
        Z = X[:, self.selected_genes_].astype(np.float64)
        ratios = self.grid.get("l1_ratio", [self.config["l1_ratio"]])
        fits, points, scores = [], [], []
        for l1 in ratios:
            full = self._new_coxnet(l1).fit(Z, _survival_array(time, event))
            fits.append(full)
            s = self._path_scores(full, Z, time, event, splits)
            points += [{"l1_ratio": l1, "alpha": float(a)} for a in full.alphas_]
            scores.append(s)
        flat = np.concatenate(scores)
        best = best_index(flat)  # first max: highest ratio, then the sparsest alpha on it
        if best is None:
            log.warning("coxnet: penalty could not be scored; using the smallest one")
            i_ratio = 0
            self.alpha_ = float(fits[0].alphas_[-1])
        else:
            i_ratio = int(np.searchsorted(np.cumsum([s.size for s in scores]), best, "right"))
            self.alpha_ = points[best]["alpha"]
        self.l1_ratio_, self.estimator_ = float(ratios[i_ratio]), fits[i_ratio]
        self._record(points, flat, best)

    def _path_scores(
        self, full: Any, Z: np.ndarray, time: np.ndarray, event: np.ndarray, splits: list[Split]
    ) -> np.ndarray:
        """Mean criterion ``(n_alphas,)`` over ``splits`` (NaN: no split could score)."""
        alphas = full.alphas_
        scores = np.full((max(len(splits), 1), alphas.size), np.nan)
        for i, (rows, Xe, score) in enumerate(splits):
            Ze = Xe[:, self.selected_genes_].astype(np.float64)
            est = full
            if rows is not None:
                try:
                    est = self._new_coxnet(full.l1_ratio, alphas).fit(
                        Z[rows], _survival_array(time[rows], event[rows])
                    )
                except (ArithmeticError, ValueError) as exc:
                    log.warning("coxnet: CV fold %d failed (%s)", i, exc)
                    continue
            scores[i] = [score(est.predict(Ze, alpha=a)) for a in alphas]
        if not np.isfinite(scores).any():
            return scores[0]
        return np.nanmean(scores, axis=0)

    def _risk(self, X_sel: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(X_sel, alpha=self.alpha_)

    def _fitted_info(self) -> Cfg:
        if self.estimator_ is None:
            return {}
        best = int(np.argmin(np.abs(self.estimator_.alphas_ - self.alpha_)))
        return {
            "alpha": self.alpha_,
            "l1_ratio": self.l1_ratio_,
            "n_nonzero": int(np.count_nonzero(self.estimator_.coef_[:, best])),
        }


# --------------------------------------------------------------------------- coxph
class CoxPHModel(_SurvivalModel):
    """Ridge Cox on a few training-selected genes (or their PCs); alpha x n_top_genes."""

    pca_: Any = None

    def _n_top_values(self) -> list[int | None]:
        return list(self.grid.get("n_top_genes", [self.config["n_top_genes"]]))

    def _fit_one(self, c: Cfg, Z: np.ndarray, time: np.ndarray, event: np.ndarray) -> tuple:
        """``(pca or None, fitted CoxPHSurvivalAnalysis)`` on selected genes ``Z``."""
        from sksurv.linear_model import CoxPHSurvivalAnalysis

        pca, n_comp = None, c["n_components"]
        if n_comp is not None:
            from sklearn.decomposition import PCA

            if not 1 <= n_comp <= min(Z.shape):
                raise input_error(
                    f"n_components must be in 1..{min(Z.shape)}, got {n_comp}",
                    where="n_components",
                )
            pca = PCA(n_components=n_comp, random_state=c["seed"])
            Z = pca.fit_transform(Z)
        est = CoxPHSurvivalAnalysis(alpha=c["alpha"], ties=c["ties"], n_iter=c["n_iter"])
        return pca, est.fit(Z, _survival_array(time, event))

    def _score(
        self, c: Cfg, X: np.ndarray, time: np.ndarray, event: np.ndarray, splits: list[Split]
    ) -> float:
        """Mean criterion of options ``c`` over ``splits`` (NaN: none could score)."""
        sel = _top(self.gene_order_, c["n_top_genes"])
        Z = X[:, sel].astype(np.float64)
        out = []
        for rows, Xe, score in splits:
            r = slice(None) if rows is None else rows
            try:
                pca, est = self._fit_one(c, Z[r], time[r], event[r])
            except (ArithmeticError, ValueError) as exc:  # InputError is a ValueError
                log.warning("coxph: %s failed (%s)", {k: c[k] for k in self.grid}, exc)
                continue
            Ze = Xe[:, sel].astype(np.float64)
            out.append(score(est.predict(Ze if pca is None else pca.transform(Ze))))
        return float(np.nanmean(out)) if np.isfinite(out).any() else float("nan")

    def _fit_tuned(
        self, X: np.ndarray, time: np.ndarray, event: np.ndarray, splits: list[Split]
    ) -> None:
        points = grid_points(self.grid) if self.grid else []
        scores = np.array(
            [self._score({**self.config, **p}, X, time, event, splits) for p in points]
        )
        best = best_index(scores) if points else None
        c = {**self.config, **({} if best is None else points[best])}
        self.selected_genes_ = _top(self.gene_order_, c["n_top_genes"])
        self.pca_, self.estimator_ = self._fit_one(
            c, X[:, self.selected_genes_].astype(np.float64), time, event
        )
        if points:
            self._record(points, scores, best)
        else:
            self.tuning_ = tuning_record([], np.array([]), None, "not tuned")

    def _risk(self, X_sel: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(X_sel if self.pca_ is None else self.pca_.transform(X_sel))

    def _fitted_info(self) -> Cfg:
        return {"n_features": None if self.estimator_ is None else int(self.estimator_.coef_.size)}


# --------------------------------------------------------------------------- registration
def _survival_factory(
    name: str, cls: type[_SurvivalModel], defaults: Cfg, grid: Grid
) -> Callable[..., Any]:
    """The registry factory ``(*, n_genes, n_outputs=1, task, **config)`` of ``name``."""

    def factory(*, n_genes: int, n_outputs: int = 1, task: str, **config: Any) -> Any:
        check_task(name, task, "survival", n_outputs)
        cfg = resolve_options(name, defaults, config)
        return cls(
            name, n_genes=n_genes, config=cfg, grid=resolve_grid(name, grid, cfg, set(config))
        )

    factory.__name__ = factory.__qualname__ = name
    return factory


register_model(
    "coxnet",
    kind="sklearn",
    tasks=("survival",),
    description="elastic-net Cox (scikit-survival), l1_ratio and penalty tuned on validation",
    defaults=COXNET_DEFAULTS,
    grid=COXNET_GRID,
)(_survival_factory("coxnet", CoxnetModel, COXNET_DEFAULTS, COXNET_GRID))
register_model(
    "coxph",
    kind="sklearn",
    tasks=("survival",),
    description="ridge Cox (scikit-survival) on top-variance genes or PCs, tuned on validation",
    defaults=COXPH_DEFAULTS,
    grid=COXPH_GRID,
)(_survival_factory("coxph", CoxPHModel, COXPH_DEFAULTS, COXPH_GRID))
