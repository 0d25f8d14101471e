"""Classical classifiers (scikit-learn) behind one small interface, tuned on validation.

Every model here is created through the registry,
``create_model(name, n_genes=..., n_outputs=..., task=..., **config)``, and follows:

``fit(X, y=None, *, time=None, event=None, X_val=None, y_val=None, gene_variance=None)``
    ``X`` ``(n_samples, n_genes)`` float32, already scaled on the training split; ``y``
    ``(n_samples,)`` class indices in ``0 .. n_outputs - 1``. ``X_val`` / ``y_val`` choose
    the hyper-parameters (see below); the final model is fitted on the training rows only.
    Fit and predict run with one BLAS thread (``GENEMOE_BLAS_THREADS`` changes it; see
    :func:`genemoe.models.classical_common.blas_thread_limit`).
``predict_proba(X) -> (n_samples, n_outputs)``
    Columns are the class indices ``0 .. n_outputs - 1``, also for classes absent from
    the training labels (their column is 0). Rows sum to 1.
``predict(X) -> (n_samples,)``
    ``argmax`` of ``predict_proba``, so the two always agree.
``get_params() -> dict``
    Model name, task, sizes, resolved options and, under ``fitted``: ``chosen`` (the
    selected values), ``selection`` (``"validation"``, ``"inner CV, k folds"`` or
    ``"not tuned"``) and ``grid_scores`` (macro-F1 of every grid point), JSON-ready.

Tuning
------
Each model searches its ``*_GRID`` (declared next to its ``*_DEFAULTS`` and registered with
it as ``grid``; the rules, the ``tune`` / ``grid`` options and how an explicit option
fixes a key are in :mod:`genemoe.models.classical_common`). Classifiers select by
macro-F1 on the validation rows, or, without them, by the mean over ``n_folds`` stratified
folds of the training rows. Ties go to the first (most regularised) grid point. SVMs
are scored on their plain ``predict``; only the chosen configuration is calibrated.

Models
------
``svm``, ``svm_linear``
    scikit-learn 1.9 deprecates ``SVC(probability=True)``; per-class Platt sigmoids
    reorder classes (≈ 0.05-0.09 macro-F1 on the 33-type pancan33 set, docs/results.md).
    Both SVMs keep their own class and calibrate on out-of-fold decision values of the
    training rows, then fit one SVM on all rows (:mod:`genemoe.models.svm_calibration`):
    ``svm_linear`` scales its one-vs-rest margins by one temperature; an RBF ``SVC``'s
    one-vs-rest scores are vote counts, which a temperature cannot calibrate, so ``svm``
    calibrates the confidence of its votes' class (top-label calibration). A class with a
    single training sample is allowed. The RBF width is ``gamma_scale`` times
    scikit-learn's ``"scale"`` (``1 / (n_genes * X.var())``); a numeric ``gamma`` is used
    as it is and fixes ``gamma_scale`` too.
``rf``
    Random forest (balanced subsamples). Genes tried per split: ``max_features_factor``
    times ``sqrt(n_genes)``; an explicit ``max_features`` fixes the factor too. Grid
    points are scored with ``tune_n_estimators`` trees, the final forest has
    ``n_estimators``.
``logreg``
    Multinomial L2 logistic regression.

The survival models (``coxnet``, ``coxph``) live in
:mod:`genemoe.models.classical_survival`; importing this module registers them too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from genemoe.errors import input_error
from genemoe.models.classical_common import (
    TUNING_DEFAULTS,
    Cfg,
    Grid,
    Task,
    best_index,
    blas_thread_limit,
    check_task,
    check_X,
    grid_points,
    kept_warning_filters,
    params_record,
    resolve_grid,
    resolve_options,
    top_variance_genes,
    tuning_record,
)
from genemoe.models.classical_survival import CoxnetModel, CoxPHModel
from genemoe.models.registry import register_model
from genemoe.models.svm_calibration import TemperatureSVC, TopLabelSVC, calibration_folds

__all__ = [
    "SklearnClassifier",
    "CoxnetModel",
    "CoxPHModel",
    "top_variance_genes",
    "SVM_GRID",
    "SVM_LINEAR_GRID",
    "RF_GRID",
    "LOGREG_GRID",
]

log = logging.getLogger(__name__)

# Options of each model and their defaults (a preset or the user overrides them), and the
# grid each is tuned over (most regularised value first: ties keep it).
SVM_DEFAULTS: Cfg = {
    "C": 1.0,  # inverse regularisation strength
    "gamma": "scale",  # RBF width base: "scale" = 1 / (n_genes * X.var()), or a number
    "gamma_scale": 1.0,  # multiplies a "scale"/"auto" gamma (the grid searches it)
    "class_weight": "balanced",  # counter the skew between large and rare tumour types
    "calibration_folds": 5,  # folds for the probability calibration of the chosen SVM
    "n_folds": 3,  # inner CV folds choosing the grid point when no validation rows
    "seed": 0,
    **TUNING_DEFAULTS,
}
SVM_GRID: Grid = {"C": [0.1, 1.0, 10.0, 100.0], "gamma_scale": [0.1, 0.3, 1.0, 3.0]}
SVM_LINEAR_DEFAULTS: Cfg = {
    "C": 1.0,
    "class_weight": "balanced",
    "max_iter": 5000,  # liblinear iterations; 1000 often stops short on 20k genes
    "calibration_folds": 3,
    "n_folds": 3,
    "seed": 0,
    **TUNING_DEFAULTS,
}
SVM_LINEAR_GRID: Grid = {"C": [1e-3, 1e-2, 0.1, 1.0]}
RF_DEFAULTS: Cfg = {
    "n_estimators": 500,
    "tune_n_estimators": 100,  # trees of the forests scoring the grid (final: n_estimators)
    "max_features": "sqrt",  # genes tried per split: "sqrt", "log2" or a number (sklearn's)
    "max_features_factor": 1.0,  # multiplies a "sqrt"/"log2" max_features (the grid searches it)
    "min_samples_leaf": 1,
    "class_weight": "balanced_subsample",
    "n_jobs": 2,  # CPU workers
    "n_folds": 3,
    "seed": 0,
    **TUNING_DEFAULTS,
}
# Larger leaves first (smoother). Genes per split as multiples of sqrt(n_genes), the
# default first: on 100 genes {10, 5, 20} = {"sqrt", 0.05, 0.2} of n_genes; on 20k genes
# {141, 71, 283} where 0.2 (4,000 genes a split) costs ~30x "sqrt" a forest. Díaz-Uriarte &
# Alvarez de Andrés (BMC Bioinf. 2006) tuned mtry the same way on expression data.
RF_GRID: Grid = {"min_samples_leaf": [5, 3, 1], "max_features_factor": [1.0, 0.5, 2.0]}
LOGREG_DEFAULTS: Cfg = {
    "C": 1.0,  # inverse L2 strength
    "class_weight": None,
    "max_iter": 5000,  # lbfgs iterations; 100 (sklearn's default) is too few here
    "n_folds": 3,
    "seed": 0,
    **TUNING_DEFAULTS,
}
LOGREG_GRID: Grid = {"C": [1e-3, 1e-2, 0.1, 1.0, 10.0]}

# (cfg, X_fit, y_fit, final) -> unfitted estimator; final=False: a grid-scoring fit
# (SVMs uncalibrated, forests of tune_n_estimators trees).
Make = Callable[[Cfg, np.ndarray, np.ndarray, bool], Any]
Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_fit, y_fit, X_eval, y_eval


@dataclass(frozen=True)
class _Spec:
    """What distinguishes one classifier: defaults, grid, estimator builder."""

    name: str
    defaults: Cfg
    grid: Grid
    make: Make
    description: str
    score: Callable[..., np.ndarray] | None = None  # the grid's scorer (None: _score_generic)
    randomized: bool = False  # its fit depends on its seed (ensembles: K seeds, all rows)


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


# --------------------------------------------------------------------------- the model
class SklearnClassifier:
    """A tuned scikit-learn classifier with genemoe's interface (see the module docstring).

    Parameters
    ----------
    spec
        The model's defaults, grid and estimator builder.
    n_genes, n_outputs
        Input width and number of classes.
    config
        Resolved options.
    grid
        The grid ``fit`` searches (already resolved; empty: not tuned).
    """

    task: Task = "classify"

    def __init__(self, spec: _Spec, *, n_genes: int, n_outputs: int, config: Cfg, grid: Grid):
        self.spec, self.name = spec, spec.name
        self.n_genes, self.n_outputs, self.config, self.grid = n_genes, n_outputs, config, grid
        self.estimator_: Any = None
        self.tuning_: Cfg = {}

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray | None = None,
        *,
        time: Any = None,
        event: Any = None,
        X_val: Any = None,
        y_val: Any = None,
        gene_variance: Any = None,
    ) -> SklearnClassifier:
        """Tune on ``X_val``/``y_val`` (else inner CV), then fit on ``X`` ``(n, n_genes)``.

        ``time``, ``event`` and ``gene_variance`` (the survival models') are ignored.
        """
        X = check_X(X, self.n_genes)
        y = _check_labels(y, X.shape[0], self.n_outputs)
        if np.unique(y).size < 2:
            raise input_error(
                f"only one class ({y[0]}) in the training labels",
                where="y",
                fix="classification needs at least two classes",
            )
        val = None
        if X_val is not None and y_val is not None:
            Xv = check_X(X_val, self.n_genes, "X_val")
            val = (Xv, _check_labels(y_val, Xv.shape[0], self.n_outputs, "y_val"))
        with blas_thread_limit():  # one BLAS thread unless GENEMOE_BLAS_THREADS says
            chosen = self._tune(X, y, val)
            cfg = {**self.config, **chosen}
            with kept_warning_filters():  # the forest's worker threads (kept_warning_filters)
                self.estimator_ = self.spec.make(cfg, X, y, True).fit(X, y)  # training rows
        return self

    def _tune(self, X: np.ndarray, y: np.ndarray, val: tuple | None) -> Cfg:
        """Score every grid point, record them, return the chosen values."""
        if not self.grid:
            self.tuning_ = tuning_record([], np.array([]), None, "not tuned")
            return {}
        points = grid_points(self.grid)
        if val is not None:
            splits, selection = [(X, y, *val)], "validation"
        else:
            splits = _inner_folds(X, y, self.config["n_folds"], self.config["seed"])
            selection = f"inner CV, {len(splits)} folds"
        scorer = self.spec.score or _score_generic
        scores = scorer(self.spec.make, self.config, points, splits)
        best = best_index(scores)
        if best is None:
            log.warning("%s: no grid point could be scored; using the configured values", self.name)
            chosen = {}
        else:
            chosen = points[best]
            log.info("%s: chose %s (macro-F1 %.3f, %s)", self.name, chosen, scores[best], selection)
        self.tuning_ = tuning_record(points, scores, best, selection)
        return chosen

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n_samples, n_outputs)``; unseen classes get 0."""
        if self.estimator_ is None:
            raise RuntimeError(f"{self.name}: call fit() before predict_proba()")
        X = check_X(X, self.n_genes)
        out = np.zeros((X.shape[0], self.n_outputs))
        with kept_warning_filters(), blas_thread_limit():
            out[:, self.estimator_.classes_] = self.estimator_.predict_proba(X)
        return out / out.sum(axis=1, keepdims=True)  # float32 solvers leave ~1e-7 slack

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class indices ``(n_samples,)``."""
        return self.predict_proba(X).argmax(axis=1)

    def get_params(self) -> dict[str, Any]:
        """Name, task, sizes, options, the classes seen and what tuning chose."""
        seen = None if self.estimator_ is None else self.estimator_.classes_.tolist()
        extra = {"classes_seen": seen, **self.tuning_}
        if hasattr(self.estimator_, "record_"):
            extra["calibration"] = self.estimator_.record_
        return params_record(self, self.n_outputs, extra)


# --------------------------------------------------------------------------- tuning
def _inner_folds(X: np.ndarray, y: np.ndarray, n_folds: int, seed: int) -> list[Split]:
    """Stratified ``min(n_folds, smallest class)`` (at least 2) folds of the training rows."""
    from sklearn.model_selection import StratifiedKFold

    k = max(2, min(n_folds, int(np.bincount(y)[np.unique(y)].min())))
    folds = StratifiedKFold(k, shuffle=True, random_state=seed)
    return [(X[a], y[a], X[b], y[b]) for a, b in folds.split(X, y)]


def _macro_f1(y_true: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, pred, average="macro", zero_division=0))


def _score_generic(make: Make, cfg: Cfg, points: list[Cfg], splits: list[Split]) -> np.ndarray:
    """Mean macro-F1 ``(n_points,)`` over ``splits`` of uncalibrated estimators."""
    scores = np.full((len(points), len(splits)), np.nan)
    for i, point in enumerate(points):
        for j, (Xf, yf, Xe, ye) in enumerate(splits):
            try:
                with kept_warning_filters():  # the forest's worker threads
                    est = make({**cfg, **point}, Xf, yf, False).fit(Xf, yf)
                with kept_warning_filters():
                    pred = est.predict(Xe)
            except (ArithmeticError, ValueError) as exc:
                log.warning("grid point %s failed (%s)", point, exc)
                continue
            scores[i, j] = _macro_f1(ye, pred)
    return np.nanmean(scores, axis=1) if np.isfinite(scores).any() else scores[:, 0]


def _score_svm_rbf(make: Make, cfg: Cfg, points: list[Cfg], splits: list[Split]) -> np.ndarray:
    """:func:`_score_generic` for the RBF SVM, with squared distances computed once a split.

    ``SVC(kernel="precomputed")`` on ``exp(-gamma * D)`` is the same model as
    ``SVC(gamma=gamma)``; computing ``D`` once makes the gamma axis nearly free.
    """
    from sklearn.metrics.pairwise import euclidean_distances
    from sklearn.svm import SVC

    scores = np.full((len(points), len(splits)), np.nan)
    for j, (Xf, yf, Xe, ye) in enumerate(splits):
        Xf64, Xe64 = Xf.astype(np.float64), Xe.astype(np.float64)
        d_fit = euclidean_distances(Xf64, squared=True)
        d_eval = euclidean_distances(Xe64, Xf64, squared=True)
        for i, point in enumerate(points):
            c = {**cfg, **point}
            gamma = _rbf_gamma(c, Xf)
            svc = SVC(
                C=c["C"],
                kernel="precomputed",
                class_weight=c["class_weight"],
                random_state=c["seed"],
            ).fit(np.exp(-gamma * d_fit), yf)
            scores[i, j] = _macro_f1(ye, svc.predict(np.exp(-gamma * d_eval)))
    return np.nanmean(scores, axis=1)


# --------------------------------------------------------------------------- estimators
def _rbf_gamma(c: Cfg, X: np.ndarray) -> float:
    """Absolute RBF gamma: ``gamma_scale`` x ("scale" | "auto"), or a numeric ``gamma``."""
    gamma = c["gamma"]
    if gamma == "scale":
        var = float(np.asarray(X, np.float64).var())
        return c["gamma_scale"] / (X.shape[1] * var) if var > 0 else c["gamma_scale"]
    if gamma == "auto":
        return c["gamma_scale"] / X.shape[1]
    if isinstance(gamma, int | float) and gamma > 0:
        return float(gamma)
    raise input_error(
        f"gamma must be 'scale', 'auto' or a positive number, got {gamma!r}", where="svm.gamma"
    )


def _make_svm(c: Cfg, X: np.ndarray, y: np.ndarray, final: bool) -> Any:
    from sklearn.svm import SVC

    svc = SVC(
        C=c["C"], gamma=_rbf_gamma(c, X), class_weight=c["class_weight"], random_state=c["seed"]
    )
    if not final:
        return svc
    return TopLabelSVC(svc, calibration_folds(y, c["calibration_folds"]), c["seed"])


def _make_svm_linear(c: Cfg, X: np.ndarray, y: np.ndarray, final: bool) -> Any:
    from sklearn.svm import LinearSVC

    svc = LinearSVC(
        C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"], random_state=c["seed"]
    )
    if not final:
        return svc
    return TemperatureSVC(svc, calibration_folds(y, c["calibration_folds"]), c["seed"])


def _make_rf(c: Cfg, X: np.ndarray, y: np.ndarray, final: bool) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    keys = ("min_samples_leaf", "class_weight", "n_jobs")
    # Scoring a grid point (final=False) needs a ranking, not the last 0.01 of F1.
    n_trees = c["n_estimators"] if final else c["tune_n_estimators"] or c["n_estimators"]
    return RandomForestClassifier(
        n_estimators=n_trees,
        max_features=_rf_max_features(c, X.shape[1]),
        **{k: c[k] for k in keys},
        random_state=c["seed"],
    )


def _rf_max_features(c: Cfg, n_genes: int) -> int | float:
    """Genes tried per split: ``max_features_factor`` x sqrt / log2 of ``n_genes``, or a
    numeric ``max_features`` as it is (scikit-learn's int = count, float = fraction)."""
    base = c["max_features"]
    if base in ("sqrt", "log2"):
        size = np.sqrt(n_genes) if base == "sqrt" else np.log2(max(n_genes, 2))
        return int(min(n_genes, max(1, round(c["max_features_factor"] * size))))
    if isinstance(base, int | float) and base > 0:
        return base
    raise input_error(
        f"max_features must be 'sqrt', 'log2' or a positive number, got {base!r}",
        where="rf.max_features",
    )


def _make_logreg(c: Cfg, X: np.ndarray, y: np.ndarray, final: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    # lbfgs fits the multinomial loss for > 2 classes; the default penalty is L2.
    return LogisticRegression(
        C=c["C"], class_weight=c["class_weight"], max_iter=c["max_iter"], random_state=c["seed"]
    )


# --------------------------------------------------------------------------- registration
def _classifier_factory(spec: _Spec) -> Callable[..., SklearnClassifier]:
    """The registry factory ``(*, n_genes, n_outputs, task, **config)`` of ``spec``."""

    def factory(*, n_genes: int, n_outputs: int, task: str, **config: Any) -> SklearnClassifier:
        check_task(spec.name, task, "classify", n_outputs)
        cfg = resolve_options(spec.name, spec.defaults, config)
        explicit = set(config)  # a numeric gamma / max_features also fixes its multiplier
        explicit |= {"gamma_scale"} if "gamma" in config else set()
        explicit |= {"max_features_factor"} if "max_features" in config else set()
        grid = resolve_grid(spec.name, spec.grid, cfg, explicit)
        return SklearnClassifier(spec, n_genes=n_genes, n_outputs=n_outputs, config=cfg, grid=grid)

    factory.__name__ = factory.__qualname__ = spec.name
    return factory


_TUNED = "tuned on validation"
for _spec in [
    _Spec(
        "svm",
        SVM_DEFAULTS,
        SVM_GRID,
        _make_svm,
        f"RBF support vector machine, top-label calibrated probabilities, {_TUNED}",
        score=_score_svm_rbf,
    ),
    _Spec(
        "svm_linear",
        SVM_LINEAR_DEFAULTS,
        SVM_LINEAR_GRID,
        _make_svm_linear,
        f"linear SVM (LinearSVC), temperature-scaled probabilities, {_TUNED}",
    ),
    _Spec(
        "rf", RF_DEFAULTS, RF_GRID, _make_rf, f"random forest with balanced subsamples, {_TUNED}",
        randomized=True,
    ),
    _Spec(
        "logreg",
        LOGREG_DEFAULTS,
        LOGREG_GRID,
        _make_logreg,
        f"multinomial L2 logistic regression, {_TUNED}",
    ),
]:
    register_model(_spec.name, kind="sklearn", tasks=("classify",), description=_spec.description,
                   randomized=_spec.randomized, defaults=_spec.defaults,
                   grid=_spec.grid)(_classifier_factory(_spec))
