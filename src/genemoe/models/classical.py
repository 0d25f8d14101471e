"""Classical baselines (scikit-learn, scikit-survival) behind one small interface.

Every model here is created through the registry,
``create_model(name, n_genes=..., n_outputs=..., task=..., **config)``, and follows:

``fit(X, y=None, *, time=None, event=None, X_val=None, y_val=None) -> self``
    ``X`` ``(n_samples, n_genes)`` float32, already scaled on the training split.
    Classification needs ``y`` ``(n_samples,)`` class indices in ``0 .. n_outputs - 1``;
    survival needs ``time`` ``(n_samples,)`` (days) and ``event`` ``(n_samples,)`` bool.
    ``X_val`` / ``y_val`` are only used by ``coxnet`` (to choose its penalty; for survival
    ``y_val`` is the pair ``(time_val, event_val)``); the other models ignore them.
``predict_proba(X) -> (n_samples, n_outputs)`` (classify)
    Columns are the class indices ``0 .. n_outputs - 1``, also for classes absent from
    the training labels (their column is 0). Rows sum to 1.
``predict(X) -> (n_samples,)`` (classify)
    ``argmax`` of ``predict_proba``, so the two always agree.
``predict_risk(X) -> (n_samples,)`` (survival)
    Linear predictor (log-hazard): higher = worse, as everywhere in genemoe.
``get_params() -> dict``
    Model name, task, sizes, resolved options and what fitting chose (JSON-ready).

Models and why they look like this
----------------------------------
``svm``, ``svm_linear``
    scikit-learn 1.9 deprecates ``SVC(probability=True)``; its replacement,
    ``CalibratedClassifierCV(SVC(), ensemble=False)``, calibrates cross-validated decision
    values (temperature scaling where scikit-learn has it, which keeps the SVM's own class
    ranking; Platt sigmoids otherwise), then fits one SVM on all rows. It needs at least 2
    training samples per class.
``rf``, ``logreg``
    Random forest (balanced subsamples) and multinomial L2 logistic regression.
``coxnet``
    Elastic-net Cox (``l1_ratio`` 0.5) on the ``n_top_genes`` most variable *training*
    genes. The penalty is chosen along the regularisation path by K-fold Harrell's C on
    the training rows, or on ``X_val`` when validation follow-up is given; never on test
    rows.
``coxph``
    Ridge-penalised Cox. With p >> n an unpenalised (or even ridge) Cox model on 20,000
    genes is ill-posed and slow, so it sees only the ``n_top_genes`` (default 50) most
    variable training genes, optionally reduced further to ``n_components`` principal
    components fitted on the training rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from genemoe.errors import input_error
from genemoe.models.registry import register_model

__all__ = ["SklearnClassifier", "CoxnetModel", "CoxPHModel", "top_variance_genes"]

log = logging.getLogger(__name__)

Task = Literal["classify", "survival"]
Cfg = dict[str, Any]  # a model's resolved options
Make = Callable[[Cfg, np.ndarray], Any]  # (options, y_train) -> unfitted sklearn estimator
Val = tuple[np.ndarray, np.ndarray, np.ndarray] | None  # (Z_val, time_val, event_val)

# Options of each model and their defaults (a preset or the user overrides them).
SVM_DEFAULTS: dict[str, Any] = {
    "C": 1.0,  # inverse regularisation strength
    "gamma": "scale",  # RBF width: 1 / (n_genes * X.var())
    "class_weight": "balanced",  # counter the skew between large and rare tumour types
    "calibration_folds": 5,  # folds for Platt scaling (as libsvm's probability=True)
    "seed": 0,
}
SVM_LINEAR_DEFAULTS: dict[str, Any] = {
    "C": 1.0,
    "class_weight": "balanced",
    "max_iter": 5000,  # liblinear iterations; 1000 often stops short on 20k genes
    "calibration_folds": 3,
    "seed": 0,
}
RF_DEFAULTS: dict[str, Any] = {
    "n_estimators": 500,
    "max_features": "sqrt",  # genes tried per split
    "min_samples_leaf": 1,
    "class_weight": "balanced_subsample",
    "n_jobs": 2,  # CPU workers
    "seed": 0,
}
LOGREG_DEFAULTS: dict[str, Any] = {
    "C": 1.0,  # inverse L2 strength
    "class_weight": None,
    "max_iter": 5000,  # lbfgs iterations; 100 (sklearn's default) is too few here
    "seed": 0,
}
COXNET_DEFAULTS: dict[str, Any] = {
    "n_top_genes": 2000,  # most variable training genes kept (None: all)
    "l1_ratio": 0.5,  # elastic-net mixing: 1 = lasso, -> 0 = ridge
    "n_alphas": 30,  # length of the regularisation path
    "alpha_min_ratio": 0.01,  # smallest / largest penalty on the path
    "n_folds": 5,  # internal CV folds choosing the penalty
    "max_iter": 100_000,
    "seed": 0,
}
COXPH_DEFAULTS: dict[str, Any] = {
    "n_top_genes": 50,  # most variable training genes kept (None: all)
    "n_components": None,  # PCA components of those genes (None: use genes directly)
    "alpha": 1.0,  # ridge penalty
    "ties": "efron",  # tied event times: "efron" or "breslow"
    "n_iter": 100,
    "seed": 0,
}


# --------------------------------------------------------------------------- shared helpers
def _resolve(name: str, defaults: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` updated with ``config``; unknown keys are an error naming the choices."""
    unknown = sorted(set(config) - set(defaults))
    if unknown:
        raise input_error(
            f"unknown option(s) {', '.join(unknown)} for model {name!r}",
            where="model config",
            fix=f"valid options: {', '.join(sorted(defaults))}",
        )
    return {**defaults, **config}


def _check_task(name: str, task: str, expected: Task, n_outputs: int) -> None:
    if task != expected:
        raise input_error(
            f"model {name!r} does not support task {task!r}",
            where="--model",
            fix=f"use it for {expected!r}",
        )
    if expected == "survival" and n_outputs != 1:
        raise input_error(
            f"survival models have one output (risk), got n_outputs={n_outputs}", where="n_outputs"
        )
    if expected == "classify" and n_outputs < 2:
        raise input_error(
            f"classification needs n_outputs >= 2 classes, got {n_outputs}", where="n_outputs"
        )


def _check_X(X: np.ndarray, n_genes: int, name: str = "X") -> np.ndarray:
    """``X`` as a finite float32 ``(n_samples, n_genes)`` array."""
    arr = np.asarray(X, dtype=np.float32)
    if arr.ndim != 2:
        raise input_error(
            f"{name} must be 2-D (samples x genes), got shape {arr.shape}", where=name
        )
    if arr.shape[1] != n_genes:
        raise input_error(
            f"{name} has {arr.shape[1]} genes but the model was created for {n_genes}",
            where=name,
            fix="use the gene list (and order) the model was created with",
        )
    if arr.shape[0] == 0:
        raise input_error(f"{name} has no samples", where=name)
    if not np.all(np.isfinite(arr)):
        raise input_error(
            f"{name} contains NaN or infinite values",
            where=name,
            fix="impute or drop them before fitting",
        )
    return arr


def _check_labels(y: Any, n: int, n_outputs: int, name: str = "y") -> np.ndarray:
    if y is None:
        raise input_error(f"classification needs labels {name}", where=name)
    arr = np.asarray(y)
    if arr.shape != (n,):
        raise input_error(f"{name} must have shape ({n},), got {arr.shape}", where=name)
    if not np.issubdtype(arr.dtype, np.integer):
        raise input_error(f"{name} must hold integer class indices, got {arr.dtype}", where=name)
    bad = np.flatnonzero((arr < 0) | (arr >= n_outputs))
    if bad.size:
        raise input_error(
            f"label {arr[bad[0]]} at position {bad[0]} is outside 0..{n_outputs - 1}", where=name
        )
    return arr.astype(np.int64)


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


def top_variance_genes(X_train: np.ndarray, n_top: int | None) -> np.ndarray:
    """Indices of the ``n_top`` highest-variance columns of the *training* rows.

    Parameters
    ----------
    X_train
        ``(n_train, n_genes)`` training expression only: selecting on more rows leaks.
    n_top
        How many genes to keep; None or ``>= n_genes`` keeps all.

    Returns
    -------
    np.ndarray
        ``(n_kept,)`` int64 column indices, ascending (ties broken by lower index).
    """
    n_genes = X_train.shape[1]
    if n_top is None or n_top >= n_genes:
        return np.arange(n_genes)
    if n_top < 1:
        raise input_error(f"n_top_genes must be >= 1, got {n_top}", where="n_top_genes")
    var = np.asarray(X_train, dtype=np.float64).var(axis=0)
    return np.sort(np.argsort(-var, kind="stable")[:n_top])


def _survival_array(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    from sksurv.util import Surv

    return Surv.from_arrays(event, time)


def _c_index(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Harrell's C (scikit-survival's, risk = higher is worse); NaN where undefined.

    The models layer does not import ``genemoe.evaluate`` (layers import only the ones
    before them), so penalty selection scores with scikit-survival directly.
    """
    from sksurv.metrics import concordance_index_censored

    try:
        return float(concordance_index_censored(event, time, np.asarray(risk, np.float64))[0])
    except (ValueError, ZeroDivisionError):  # all censored / no comparable pair
        return float("nan")


# --------------------------------------------------------------------------- classifiers
class SklearnClassifier:
    """A scikit-learn classifier with genemoe's interface (see the module docstring).

    Parameters
    ----------
    name
        Registered model name.
    make
        ``make(config, y_train) -> estimator``: a fresh unfitted scikit-learn classifier
        (it may look at the labels, e.g. to choose calibration folds).
    n_genes, n_outputs
        Input width and number of classes.
    config
        Resolved options.
    """

    task: Task = "classify"

    def __init__(self, name: str, make: Make, *, n_genes: int, n_outputs: int, config: Cfg):
        self.name, self.make = name, make
        self.n_genes, self.n_outputs, self.config = n_genes, n_outputs, config
        self.estimator_: Any = None

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray | None = None,
        *,
        time: Any = None,
        event: Any = None,
        X_val: Any = None,
        y_val: Any = None,
    ) -> SklearnClassifier:
        """Fit on ``X`` ``(n, n_genes)`` and class indices ``y`` ``(n,)``; validation unused."""
        X = _check_X(X, self.n_genes)
        y = _check_labels(y, X.shape[0], self.n_outputs)
        if np.unique(y).size < 2:
            raise input_error(
                f"only one class ({y[0]}) in the training labels",
                where="y",
                fix="classification needs at least two classes",
            )
        self.estimator_ = self.make(self.config, y).fit(X, y)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n_samples, n_outputs)``; unseen classes get 0."""
        if self.estimator_ is None:
            raise RuntimeError(f"{self.name}: call fit() before predict_proba()")
        X = _check_X(X, self.n_genes)
        out = np.zeros((X.shape[0], self.n_outputs))
        out[:, self.estimator_.classes_] = self.estimator_.predict_proba(X)
        return out / out.sum(axis=1, keepdims=True)  # float32 solvers leave ~1e-7 slack

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class indices ``(n_samples,)``."""
        return self.predict_proba(X).argmax(axis=1)

    def get_params(self) -> dict[str, Any]:
        """Name, task, sizes, options and the classes seen in training."""
        seen = None if self.estimator_ is None else self.estimator_.classes_.tolist()
        return _params(self, self.n_outputs, {"classes_seen": seen})


def _params(model: Any, n_outputs: int, fitted: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": model.name,
        "task": model.task,
        "n_genes": model.n_genes,
        "n_outputs": n_outputs,
        "config": dict(model.config),
        "fitted": fitted,
    }


def _calibrated(estimator: Any, y: np.ndarray, n_folds: int, seed: int) -> Any:
    """Platt-scaled ``estimator`` with ``min(n_folds, smallest class)`` stratified folds."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold

    labels, counts = np.unique(y, return_counts=True)
    k = min(n_folds, int(counts.min()))
    if k < 2:
        raise input_error(
            f"class {labels[counts.argmin()]} has 1 training sample; SVM "
            "probability calibration needs at least 2 per class",
            where="y",
            fix="drop classes with a single sample, or use 'logreg' or 'rf'",
        )
    cv = StratifiedKFold(k, shuffle=True, random_state=seed)
    return CalibratedClassifierCV(estimator, method=_calibration_method(), cv=cv, ensemble=False)


def _calibration_method() -> str:
    """``temperature`` where scikit-learn has it (>= 1.8), else ``sigmoid`` (Platt).

    Temperature scaling rescales all decision values by one factor, so the predicted class
    stays the SVM's own; per-class sigmoids (one-vs-rest Platt) can reorder classes, which
    cost ≈ 0.05-0.09 macro-F1 on the 33-type pancan33 set (docs/results.md).
    """
    import sklearn

    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    return "temperature" if (major, minor) >= (1, 8) else "sigmoid"


def _make_svm(c: Cfg, y: np.ndarray) -> Any:
    from sklearn.svm import SVC

    svc = SVC(C=c["C"], gamma=c["gamma"], class_weight=c["class_weight"], random_state=c["seed"])
    return _calibrated(svc, y, c["calibration_folds"], c["seed"])


def _make_svm_linear(c: Cfg, y: np.ndarray) -> Any:
    from sklearn.svm import LinearSVC

    svc = LinearSVC(
        C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"], random_state=c["seed"]
    )
    return _calibrated(svc, y, c["calibration_folds"], c["seed"])


def _make_rf(c: Cfg, y: np.ndarray) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    keys = ("n_estimators", "max_features", "min_samples_leaf", "class_weight", "n_jobs")
    return RandomForestClassifier(**{k: c[k] for k in keys}, random_state=c["seed"])


def _make_logreg(c: Cfg, y: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    # lbfgs fits the multinomial loss for > 2 classes; the default penalty is L2.
    return LogisticRegression(
        C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"], random_state=c["seed"]
    )


def _classifier_factory(name: str, defaults: Cfg, make: Make) -> Callable[..., SklearnClassifier]:
    """The registry factory ``(*, n_genes, n_outputs, task, **config)`` of classifier ``name``."""

    def factory(*, n_genes: int, n_outputs: int, task: str, **config: Any) -> SklearnClassifier:
        _check_task(name, task, "classify", n_outputs)
        cfg = _resolve(name, defaults, config)
        return SklearnClassifier(name, make, n_genes=n_genes, n_outputs=n_outputs, config=cfg)

    factory.__name__ = factory.__qualname__ = name
    return factory


for _name, _defaults, _make, _description in [
    ("svm", SVM_DEFAULTS, _make_svm, "RBF support vector machine, Platt-calibrated probabilities"),
    (
        "svm_linear",
        SVM_LINEAR_DEFAULTS,
        _make_svm_linear,
        "linear SVM (LinearSVC), Platt-calibrated probabilities",
    ),
    ("rf", RF_DEFAULTS, _make_rf, "random forest with balanced subsamples"),
    ("logreg", LOGREG_DEFAULTS, _make_logreg, "multinomial L2 logistic regression"),
]:
    register_model(_name, kind="sklearn", tasks=("classify",), description=_description)(
        _classifier_factory(_name, _defaults, _make)
    )


# --------------------------------------------------------------------------- survival
class _SurvivalModel:
    """Gene selection on training rows + a scikit-survival Cox model (one subclass each).

    Subclasses implement ``_fit_estimator(Z, time, event, val)`` and ``_risk(Z)`` on the
    selected (and possibly transformed) features ``Z``.
    """

    task: Task = "survival"

    def __init__(self, name: str, *, n_genes: int, config: Cfg) -> None:
        self.name, self.n_genes, self.config = name, n_genes, config
        self.selected_genes_: np.ndarray | None = None
        self.estimator_: Any = None

    def fit(
        self,
        X: np.ndarray,
        y: Any = None,
        *,
        time: Any = None,
        event: Any = None,
        X_val: Any = None,
        y_val: Any = None,
    ) -> _SurvivalModel:
        """Fit on ``X`` ``(n, n_genes)``, ``time`` and ``event`` ``(n,)``; ``y`` is unused.

        ``y_val`` is ``(time_val, event_val)`` for the rows of ``X_val``.
        """
        X = _check_X(X, self.n_genes)
        t, e = _check_follow_up(time, event, X.shape[0])
        val = None
        if X_val is not None and y_val is not None:
            Xv = _check_X(X_val, self.n_genes, "X_val")
            if not (isinstance(y_val, tuple | list) and len(y_val) == 2):
                raise input_error(
                    "for survival, y_val must be (time_val, event_val)", where="y_val"
                )
            tv, ev = _check_follow_up(*y_val, Xv.shape[0], where="y_val")
            val = (Xv, tv, ev)
        self.selected_genes_ = top_variance_genes(X, self.config["n_top_genes"])
        Z = self._fit_transform(X[:, self.selected_genes_])
        if val is not None:
            val = (self._transform(val[0][:, self.selected_genes_]), val[1], val[2])
        self._fit_estimator(Z, t, e, val)
        return self

    def predict_risk(self, X: np.ndarray) -> np.ndarray:
        """Risk (log-hazard, higher = worse) ``(n_samples,)``."""
        if self.estimator_ is None:
            raise RuntimeError(f"{self.name}: call fit() before predict_risk()")
        X = _check_X(X, self.n_genes)
        return np.asarray(self._risk(self._transform(X[:, self.selected_genes_])), np.float64)

    def get_params(self) -> dict[str, Any]:
        """Name, task, sizes, options and what fitting chose."""
        return _params(self, 1, self._fitted_info())

    # hooks -------------------------------------------------------------------------
    def _fit_transform(self, X_sel: np.ndarray) -> np.ndarray:
        return X_sel.astype(np.float64)

    def _transform(self, X_sel: np.ndarray) -> np.ndarray:
        return X_sel.astype(np.float64)

    def _fitted_info(self) -> dict[str, Any]:
        n = None if self.selected_genes_ is None else int(self.selected_genes_.size)
        return {"n_selected_genes": n}

    def _fit_estimator(self, Z: np.ndarray, time: np.ndarray, event: np.ndarray, val: Val) -> None:
        raise NotImplementedError

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class CoxnetModel(_SurvivalModel):
    """Elastic-net Cox with the penalty chosen on training folds (or validation rows)."""

    alpha_: float | None = None

    def _new_coxnet(self, alphas: np.ndarray | None = None) -> Any:
        from sksurv.linear_model import CoxnetSurvivalAnalysis

        c = self.config
        return CoxnetSurvivalAnalysis(
            l1_ratio=c["l1_ratio"],
            n_alphas=c["n_alphas"],
            alpha_min_ratio=c["alpha_min_ratio"],
            alphas=alphas,
            max_iter=c["max_iter"],
        )

    def _fit_estimator(self, Z: np.ndarray, time: np.ndarray, event: np.ndarray, val: Val) -> None:
        self.estimator_ = self._new_coxnet().fit(Z, _survival_array(time, event))
        alphas = self.estimator_.alphas_
        scores, source = None, "training folds"
        if val is not None:
            Zv, tv, ev = val
            scores = np.array(
                [[_c_index(tv, ev, self.estimator_.predict(Zv, alpha=a)) for a in alphas]]
            )
            source = "validation rows"
            if not np.isfinite(scores).any():
                log.warning("coxnet: validation rows have no comparable pair; using CV")
                scores, source = None, "training folds"
        if scores is None:
            scores = self._cv_scores(Z, time, event, alphas)
        if np.isfinite(scores).any():
            mean = np.nanmean(scores, axis=0)
            # First maximum along the descending path = the sparsest of the best penalties.
            best = int(np.argmax(np.nan_to_num(mean, nan=-np.inf)))
        else:
            log.warning("coxnet: penalty could not be scored; using the smallest one")
            mean, best = np.full(alphas.size, np.nan), alphas.size - 1
        self.alpha_, self.cv_scores_ = float(alphas[best]), mean
        log.info("coxnet: alpha %.4g chosen (C-index %.3f on %s)", self.alpha_, mean[best], source)

    def _cv_scores(
        self, Z: np.ndarray, time: np.ndarray, event: np.ndarray, alphas: np.ndarray
    ) -> np.ndarray:
        """Harrell's C ``(n_folds, n_alphas)`` on held-out training folds (NaN: fold failed)."""
        from sklearn.model_selection import StratifiedKFold

        k = min(self.config["n_folds"], int(event.sum()))
        if k < 2:
            return np.full((1, alphas.size), np.nan)
        folds = StratifiedKFold(k, shuffle=True, random_state=self.config["seed"])
        scores = np.full((k, alphas.size), np.nan)
        for i, (tr, te) in enumerate(folds.split(Z, event)):
            try:
                est = self._new_coxnet(alphas).fit(Z[tr], _survival_array(time[tr], event[tr]))
            except (ArithmeticError, ValueError) as exc:
                log.warning("coxnet: CV fold %d failed (%s)", i, exc)
                continue
            scores[i] = [_c_index(time[te], event[te], est.predict(Z[te], alpha=a)) for a in alphas]
            log.info(
                "coxnet: CV fold %d/%d done (best C-index %.3f)", i + 1, k, np.nanmax(scores[i])
            )
        return scores

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(Z, alpha=self.alpha_)

    def _fitted_info(self) -> dict[str, Any]:
        info = super()._fitted_info()
        if self.estimator_ is not None:
            best = int(np.argmin(np.abs(self.estimator_.alphas_ - self.alpha_)))
            info.update(
                alpha=self.alpha_, n_nonzero=int(np.count_nonzero(self.estimator_.coef_[:, best]))
            )
        return info


class CoxPHModel(_SurvivalModel):
    """Ridge Cox on a few training-selected genes, optionally their principal components."""

    pca_: Any = None

    def _fit_transform(self, X_sel: np.ndarray) -> np.ndarray:
        n_comp = self.config["n_components"]
        if n_comp is None:
            self.pca_ = None
            return X_sel.astype(np.float64)
        from sklearn.decomposition import PCA

        if not 1 <= n_comp <= min(X_sel.shape):
            raise input_error(
                f"n_components must be in 1..{min(X_sel.shape)}, got {n_comp}", where="n_components"
            )
        self.pca_ = PCA(n_components=n_comp, random_state=self.config["seed"])
        return self.pca_.fit_transform(X_sel.astype(np.float64))

    def _transform(self, X_sel: np.ndarray) -> np.ndarray:
        X_sel = X_sel.astype(np.float64)
        return X_sel if self.pca_ is None else self.pca_.transform(X_sel)

    def _fit_estimator(self, Z: np.ndarray, time: np.ndarray, event: np.ndarray, val: Val) -> None:
        from sksurv.linear_model import CoxPHSurvivalAnalysis

        c = self.config
        self.estimator_ = CoxPHSurvivalAnalysis(
            alpha=c["alpha"], ties=c["ties"], n_iter=c["n_iter"]
        )
        self.estimator_.fit(Z, _survival_array(time, event))

    def _risk(self, Z: np.ndarray) -> np.ndarray:
        return self.estimator_.predict(Z)

    def _fitted_info(self) -> dict[str, Any]:
        info = super()._fitted_info()
        info["n_features"] = None if self.estimator_ is None else int(self.estimator_.coef_.size)
        return info


def _survival_factory(name: str, cls: type[_SurvivalModel], defaults: Cfg) -> Callable[..., Any]:
    """The registry factory ``(*, n_genes, n_outputs=1, task, **config)`` of ``name``."""

    def factory(*, n_genes: int, n_outputs: int = 1, task: str, **config: Any) -> Any:
        _check_task(name, task, "survival", n_outputs)
        return cls(name, n_genes=n_genes, config=_resolve(name, defaults, config))

    factory.__name__ = factory.__qualname__ = name
    return factory


register_model(
    "coxnet",
    kind="sklearn",
    tasks=("survival",),
    description="elastic-net Cox (scikit-survival), penalty by training CV",
)(_survival_factory("coxnet", CoxnetModel, COXNET_DEFAULTS))
register_model(
    "coxph",
    kind="sklearn",
    tasks=("survival",),
    description="ridge Cox (scikit-survival) on top-variance genes or PCs",
)(_survival_factory("coxph", CoxPHModel, COXPH_DEFAULTS))
