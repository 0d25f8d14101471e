"""Helpers shared by the classical baselines (``classical`` and ``classical_survival``).

Input checks at the edge, option resolution, the hyper-parameter grids every classical
model is tuned over, and gene selection by training variance. Not a public module: the
names users need are re-exported by :mod:`genemoe.models.classical`.

Hyper-parameter grids
---------------------
Each model declares a module-level ``*_GRID`` dict next to its defaults (and registers it as
``grid``, which the tuner reads where no search space is declared). ``fit`` scores
every point of the grid (the product of its lists, first key outermost) on the validation
rows when given, else by an inner stratified K-fold of the training rows, and keeps the
best. Ties go to the *first* point in that order; grids list the most regularised /
simplest value first, so a tie keeps the more regularised setting. Options:

``tune`` (default True)
    False: use the configured values, score nothing.
``grid``
    A user override ``{option: [values, ...]}``, merged over the model's own grid.
A user's explicit option that is also a grid key (``create_model("svm", C=10)``) fixes
it: the key leaves the grid. Giving the same key both ways is an error.
"""

from __future__ import annotations

import itertools
import logging
import os
import warnings
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Literal

import numpy as np

from genemoe.errors import input_error

log = logging.getLogger(__name__)

Task = Literal["classify", "survival"]
Cfg = dict[str, Any]  # a model's resolved options
Grid = dict[str, list[Any]]
TUNING_DEFAULTS: Cfg = {"tune": True, "grid": None}
_NOT_TUNABLE = {"tune", "grid", "seed"}
# X is taken to be z-scored already when at least STANDARDISED_FRACTION of its genes have
# the median variance to within STANDARDISED_RTOL (relative): clipping (z-scores cut at
# +-10) changes a few genes' variance, ddof=1 scaling moves them all to (n-1)/n; unscaled
# log-expression spreads its variances over orders of magnitude.
STANDARDISED_RTOL = 1e-3
STANDARDISED_FRACTION = 0.5


def resolve_options(name: str, defaults: Cfg, config: Cfg) -> Cfg:
    """``defaults`` updated with ``config``; unknown keys are an error naming the choices."""
    unknown = sorted(set(config) - set(defaults))
    if unknown:
        raise input_error(
            f"unknown option(s) {', '.join(unknown)} for model {name!r}",
            where="model config",
            fix=f"valid options: {', '.join(sorted(defaults))}",
        )
    return {**defaults, **config}


def resolve_grid(name: str, grid: Grid, cfg: Cfg, explicit: Iterable[str]) -> Grid:
    """The grid ``fit`` searches: the model's ``grid``, the user's override, fixed keys removed.

    Parameters
    ----------
    name
        Model name (for messages).
    grid
        The model's own grid (module-level ``*_GRID``).
    cfg
        Resolved options (``tune`` and ``grid`` among them).
    explicit
        Option names the caller set explicitly: each one that is a grid key is fixed.

    Returns
    -------
    dict
        ``{option: [values]}``, empty when ``tune`` is False or every key is fixed.
    """
    if not cfg["tune"]:
        return {}
    user = cfg["grid"] or {}
    if not isinstance(user, dict):
        raise input_error(
            f"grid must be a mapping option -> list of values, got {user!r}", where=f"{name}.grid"
        )
    tunable = sorted(set(cfg) - _NOT_TUNABLE)
    for key, values in user.items():
        if key not in tunable:
            raise input_error(
                f"grid key {key!r} is not an option of model {name!r}",
                where=f"{name}.grid",
                fix=f"tunable options: {', '.join(tunable)}",
            )
        if not isinstance(values, list | tuple) or len(values) == 0:
            raise input_error(
                f"grid[{key!r}] must be a non-empty list, got {values!r}", where=f"{name}.grid"
            )
    explicit = set(explicit)
    clash = sorted(explicit & set(user))
    if clash:
        raise input_error(
            f"option(s) {', '.join(clash)} given both as a value and in grid",
            where=f"{name} config",
            fix="give each option one way only",
        )
    merged = {k: list(v) for k, v in {**grid, **user}.items()}
    return {k: v for k, v in merged.items() if k not in explicit}


def grid_points(grid: Grid) -> list[Cfg]:
    """Every combination of ``grid`` (first key outermost); ``[{}]`` for an empty grid."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]


def best_index(scores: np.ndarray) -> int | None:
    """Index of the first maximum of ``scores`` (NaN ignored); None when all are NaN."""
    scores = np.asarray(scores, np.float64)
    if not np.isfinite(scores).any():
        return None
    return int(np.argmax(np.nan_to_num(scores, nan=-np.inf)))


def grid_record(points: list[Cfg], scores: np.ndarray) -> list[Cfg]:
    """JSON-ready ``[{**point, "score": s}]`` (NaN -> None)."""
    return [
        {**_jsonable(p), "score": None if not np.isfinite(s) else round(float(s), 6)}
        for p, s in zip(points, scores, strict=True)
    ]


def tuning_record(points: list[Cfg], scores: np.ndarray, best: int | None, selection: str) -> Cfg:
    """``fitted`` entries of ``get_params()``: ``chosen``, ``selection``, ``score`` (of the
    chosen point) and ``grid_scores`` (every point), JSON-ready."""
    record = grid_record(points, scores)
    return {
        "chosen": {} if best is None else {k: v for k, v in record[best].items() if k != "score"},
        "selection": selection,
        "score": None if best is None else record[best]["score"],
        "grid_scores": record,
    }


def _jsonable(d: Cfg) -> Cfg:
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in d.items()}


def check_task(name: str, task: str, expected: Task, n_outputs: int) -> None:
    """Refuse a task the model does not do, or an output width that does not fit it."""
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


def check_X(X: np.ndarray, n_genes: int, name: str = "X") -> np.ndarray:
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


def params_record(model: Any, n_outputs: int, fitted: Cfg) -> Cfg:
    """``get_params()`` of a classical model: name, task, sizes, options, what fit chose."""
    return {
        "model": model.name,
        "task": model.task,
        "n_genes": model.n_genes,
        "n_outputs": n_outputs,
        "config": dict(model.config),
        "fitted": fitted,
    }


def top_variance_genes(
    X_train: np.ndarray, n_top: int | None, *, gene_variance: np.ndarray | None = None
) -> np.ndarray:
    """Indices of the ``n_top`` highest-variance genes of the *training* rows.

    Parameters
    ----------
    X_train
        ``(n_train, n_genes)`` training expression only: selecting on more rows leaks.
    n_top
        How many genes to keep; None or ``>= n_genes`` keeps all.
    gene_variance
        ``(n_genes,)`` variance of each gene's *unscaled* training expression. Ranks the
        genes when given; needed when ``X_train`` is already z-scored per gene (then every
        column has variance 1 and ranking on it is arbitrary).

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
    return np.sort(gene_order(X_train, gene_variance)[:n_top])


def gene_order(X_train: np.ndarray, gene_variance: np.ndarray | None = None) -> np.ndarray:
    """All gene indices ``(n_genes,)``, most variable first (stable: ties by lower index).

    Raises an input error when ``gene_variance`` is None and ``X_train`` looks standardised
    (most column variances equal, see :data:`STANDARDISED_FRACTION`).
    """
    n_genes = X_train.shape[1]
    if gene_variance is not None:
        var = np.asarray(gene_variance, dtype=np.float64)
        if var.shape != (n_genes,) or not np.all(np.isfinite(var)) or np.any(var < 0):
            raise input_error(
                f"gene_variance must be ({n_genes},) finite and >= 0, got shape {var.shape}",
                where="gene_variance",
                fix="pass the per-gene variance of the unscaled training log-expression",
            )
    else:
        var = np.asarray(X_train, dtype=np.float64).var(axis=0)
        med = float(np.median(var))
        same = np.abs(var - med) <= STANDARDISED_RTOL * max(med, 1e-12)
        if n_genes > 1 and same.mean() >= STANDARDISED_FRACTION:
            raise input_error(
                "X looks standardised (every gene has the same variance), so choosing the "
                "most variable genes on it is arbitrary",
                where="gene_variance",
                fix="pass fit(..., gene_variance=...) with each gene's variance on the "
                "unscaled training log-expression (the per-gene scaler's std squared)",
            )
    return np.argsort(-var, kind="stable")


def kept_warning_filters() -> AbstractContextManager:
    """A context in which a scikit-learn call that runs threads cannot change the caller's
    warning filters.

    scikit-learn's joblib workers each enter :class:`warnings.catch_warnings` and reset the
    filters (``sklearn.utils.parallel``); that is not thread-safe before Python 3.14, and two
    workers finishing out of order leave the process with a worker's list, sometimes empty.
    Every later parallel call then warns once per task ("`sklearn.utils.parallel.delayed`
    should be used with ..."): 95,577 such lines in one tuned pancan33 benchmark log.
    ``catch_warnings`` entered in the calling thread puts the caller's own list back on exit.
    """
    return warnings.catch_warnings()


BLAS_THREADS_ENV = "GENEMOE_BLAS_THREADS"


def blas_thread_limit() -> AbstractContextManager:
    """A context limiting the BLAS libraries (OpenBLAS, MKL) to ``GENEMOE_BLAS_THREADS`` threads.

    Unset: one thread. ``default``: the libraries' own setting (all cores, or
    ``OPENBLAS_NUM_THREADS``). A positive integer: that many. The classical classifiers fit
    and predict inside it. Measured (``benchmarks/bench_threads.py``, 2 shared cores, load
    3-6): one thread fitted ``logreg`` 60 x faster on pancan33's 660 x 100, 26 x at 2,000
    genes and 2.9 x at 20,000, alone and beside a busy process per core (two OpenBLAS
    threads spin-wait for a partner another process holds); a tuned ``logreg`` on pancan33
    took 1.8 s against 23 s. The SVMs were 0.95-1.7 x. The thread count changes the order of
    BLAS sums: the tuned pancan33 ``logreg`` chose the same ``C`` and labels on one thread
    and on two, with probabilities up to 1e-5 apart (each count repeats its own result
    exactly). One thread also makes a fit independent of the machine's core count.
    """
    # scipy.linalg loads scipy's own OpenBLAS now: a limit set before a library loads does
    # not reach it, and scikit-learn's solvers would load it inside the context.
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

    value = os.environ.get(BLAS_THREADS_ENV, "1").strip()
    if value == "default":
        return nullcontext()
    if not value.isdigit() or int(value) < 1:
        raise input_error(
            f"{value!r} is not a thread count",
            where=f"environment variable {BLAS_THREADS_ENV}",
            fix="give a positive integer (1, the default, suits shared machines) or 'default'",
        )
    return threadpool_limits(int(value), user_api="blas")
