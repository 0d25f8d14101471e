"""The classical classifiers fit and predict with one BLAS thread (``GENEMOE_BLAS_THREADS``).

Two OpenBLAS threads on a machine shared with other processes spin-wait for a partner
that another process holds: ``benchmarks/bench_threads.py`` measured ``logreg`` fits 26-60 x
slower than on one thread on 2 shared cores. These tests check that the limit is in force
inside ``fit`` and ``predict_proba``, that the opt-out works, and that the limited fit
gives the unlimited one's probabilities on this small problem (on the real pancan33 a
tuned logreg's moved by up to 1e-5, the same C and labels: the thread count changes the
order of BLAS sums).
"""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from genemoe.errors import InputError
from genemoe.models.registry import create_model


def _blas_threads() -> list[int]:
    return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(4), 15)
    X = rng.standard_normal((60, 30)).astype(np.float32) + y[:, None] * 0.5
    return X, y


def _spy(model, seen: dict[str, list[int]]) -> None:
    """Record the BLAS thread counts in force when the estimator is fitted and asked."""
    make = model.spec.make

    def spying_make(cfg, X, y, final):
        est = make(cfg, X, y, final)
        fit, proba = est.fit, est.predict_proba

        def fit_(*a, **k):
            seen.setdefault("fit", []).extend(_blas_threads())
            return fit(*a, **k)

        def proba_(*a, **k):
            seen.setdefault("predict", []).extend(_blas_threads())
            return proba(*a, **k)

        est.fit, est.predict_proba = fit_, proba_
        return est

    model.spec = type(model.spec)(**{**model.spec.__dict__, "make": spying_make})


@pytest.mark.parametrize("name", ["logreg", "svm", "svm_linear"])
def test_fit_and_predict_run_on_one_blas_thread(name: str, monkeypatch) -> None:
    monkeypatch.delenv("GENEMOE_BLAS_THREADS", raising=False)
    X, y = _data()
    with threadpool_limits(2, user_api="blas"):  # as on a 2-core machine by default
        assert _blas_threads() and set(_blas_threads()) == {2}
        m = create_model(name, n_genes=30, n_outputs=4, task="classify", tune=False)
        seen: dict[str, list[int]] = {}
        _spy(m, seen)
        m.fit(X, y)
        m.predict_proba(X)
        assert set(_blas_threads()) == {2}  # the caller's setting is back afterwards
    assert set(seen["fit"]) == {1}
    assert set(seen["predict"]) == {1}


def test_opt_out_leaves_the_libraries_setting(monkeypatch) -> None:
    monkeypatch.setenv("GENEMOE_BLAS_THREADS", "default")
    X, y = _data()
    with threadpool_limits(2, user_api="blas"):
        m = create_model("logreg", n_genes=30, n_outputs=4, task="classify", tune=False)
        seen: dict[str, list[int]] = {}
        _spy(m, seen)
        m.fit(X, y)
    assert set(seen["fit"]) == {2}


def test_a_thread_count_that_is_not_one_is_refused_clearly(monkeypatch) -> None:
    monkeypatch.setenv("GENEMOE_BLAS_THREADS", "two")
    X, y = _data()
    m = create_model("logreg", n_genes=30, n_outputs=4, task="classify", tune=False)
    with pytest.raises(InputError, match="(?s)GENEMOE_BLAS_THREADS.*positive integer"):
        m.fit(X, y)


@pytest.mark.parametrize("name", ["logreg", "svm"])
def test_limited_fit_matches_the_unlimited_one(name: str, monkeypatch) -> None:
    X, y = _data(1)
    probs = {}
    for value in ("1", "default"):
        monkeypatch.setenv("GENEMOE_BLAS_THREADS", value)
        with threadpool_limits(2, user_api="blas"):
            m = create_model(name, n_genes=30, n_outputs=4, task="classify")  # tuned: 3-fold CV
            probs[value] = m.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(probs["1"], probs["default"], rtol=0, atol=1e-10)
