"""BLAS threads of the classical models' fits: the default against one, alone and under load.

Times one ``fit`` + ``predict`` of genemoe's classical models (``logreg``, ``svm_linear``,
``svm`` (RBF), ``coxnet``; created through ``genemoe.models.registry.create_model``) at
the bundle sizes that matter:

- ``pancan33``: the real ``pancan33_random100`` primary tumours (log2(x+1), standardised),
  the first 660 of them in a seeded order (a 3-fold CV's training part) x 100 genes; the
  seeded synthetic cohort of the same size stands in when ``--data-dir`` is absent (the
  JSON says which). ``coxnet`` always uses the synthetic cohort's survival.
- ``2000`` and ``20000`` genes x 600 samples: ``genemoe.data.synthetic`` (log-CPM,
  standardised; 33 types).

Each (size, model) is timed with the BLAS libraries' default threads and with
``threadpool_limits(1, user_api="blas")``, the two alternated over 2 rounds (``--full``:
3; the first swapped each round), both alone and beside a competing CPU-bound load the
script starts itself (one busy-loop process per core, killed after). Reported: median
seconds, ``ratio_default_over_1`` (above 1: one thread is faster) and the load's slow-down
of each setting, with the 1-minute load average beside each cell. The script sets
``GENEMOE_BLAS_THREADS=default`` so that genemoe's own one-thread limit leaves the choice
to it. Models are fitted with ``tune: false`` (one final fit; the SVMs' calibration folds
included): a tuned fit repeats the same fits over its grid, so the ratio carries over.
Each model is fitted once on a small bundle first (imports and first calls untimed).

Usage::

    python benchmarks/bench_threads.py --quick --out bench_threads.json   # the default
    python benchmarks/bench_threads.py --full --out bench_threads.json    # every cell
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

MODELS = ("logreg", "svm_linear", "svm", "coxnet")
SIZES = ("pancan33", "2000", "20000")
# Quick mode times liblinear (svm_linear) and coxnet (scikit-survival's own C++ solver)
# at pancan33 only: neither calls BLAS in its solver (ratio 0.87-1.19 at pancan33 and
# 2,000 genes here) and at 2,000 genes each takes ~7 s alone, ~25 s under load. The RBF
# SVM at 20,000 genes took over 400 s for one cell (libsvm's float64 kernel rows leave
# the cache, see bench_train): --full only.
QUICK_MODELS = {"pancan33": MODELS, "2000": ("logreg", "svm"), "20000": ("logreg",)}
N_SAMPLES = 600
N_PANCAN = 660
DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BUSY = "while True: pass"
PRIMARY = ("Primary Solid Tumor", "Primary Blood Derived Cancer - Peripheral Blood")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import cpu_model  # noqa: E402  (one CPU probe for every benchmark)


def _standardise(x: np.ndarray) -> np.ndarray:
    """Columns to mean 0, SD 1 (constant columns left at 0), float32."""
    sd = x.std(axis=0)
    return ((x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)).astype(np.float32)


def synthetic_bundle(n_samples: int, n_genes: int, seed: int = 0) -> dict[str, Any]:
    """Standardised log-CPM ``X (n_samples, n_genes)``, class indices, time, event."""
    from genemoe.data.synthetic import make_synthetic_cohort

    c = make_synthetic_cohort(n_samples=n_samples, n_genes=n_genes, seed=seed)
    counts = np.asarray(c.counts, np.float64)
    logx = np.log2(counts / counts.sum(axis=1, keepdims=True) * 1e6 + 1)
    _, y = np.unique(np.asarray(c.cancer_type), return_inverse=True)
    return {
        "X": _standardise(logx),
        "y": y.astype(np.int64),
        "time": np.asarray(c.time, np.float64),
        "event": np.asarray(c.event, bool),
        "gene_variance": logx.var(axis=0),
        "source": f"synthetic seed {seed}",
    }


def pancan_bundle(data_dir: Path, seed: int = 0) -> dict[str, Any] | None:
    """The real pancan33 primary tumours (660 x 100), or None when the files are absent."""
    import pandas as pd

    folder = data_dir / "pancan33_random100"
    if not (folder / "expression.tsv.gz").is_file():
        return None
    expr = pd.read_csv(folder / "expression.tsv.gz", sep="\t", index_col=0)
    samples = pd.read_csv(folder / "samples.tsv.gz", sep="\t", dtype=str).set_index("sample_id")
    primary = samples[samples["sample_type"].isin(PRIMARY)]  # sample types 01 and 03
    ids = expr.index.intersection(primary.index)
    ids = np.random.default_rng(seed).permutation(np.asarray(ids))[:N_PANCAN]
    logx = np.log2(np.clip(expr.loc[ids].to_numpy(np.float64), 0, None) + 1)
    _, y = np.unique(primary.loc[ids, "cancer_type"].to_numpy(), return_inverse=True)
    return {
        "X": _standardise(logx),
        "y": y.astype(np.int64),
        "gene_variance": logx.var(axis=0),
        "source": f"{folder} ({len(ids)} primary tumours, {np.unique(y).size} types)",
    }


def make_fit(name: str, b: dict[str, Any]) -> Callable[[], None]:
    """One ``fit`` + ``predict`` of model ``name`` on bundle ``b`` (``tune: false``)."""
    from genemoe.models.registry import create_model

    X = b["X"]
    if name == "coxnet":

        def run() -> None:
            m = create_model("coxnet", n_genes=X.shape[1], n_outputs=1, task="survival", tune=False)
            m.fit(X, time=b["time"], event=b["event"], gene_variance=b["gene_variance"])
            m.predict_risk(X)

        return run
    n_out = int(b["y"].max()) + 1

    def run_clf() -> None:
        m = create_model(name, n_genes=X.shape[1], n_outputs=n_out, task="classify", tune=False)
        m.fit(X, b["y"])
        m.predict_proba(X)

    return run_clf


@contextmanager
def busy_load(n: int) -> Iterator[list[int]]:
    """``n`` busy-loop processes (one per core) for the duration; killed after."""
    procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(n)]
    try:
        time.sleep(0.5)  # let the scheduler see them
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def time_pair(fn: Callable[[], None], reps: int) -> dict[str, Any]:
    """Median seconds of ``fn`` on default BLAS threads and on one, alternated per round.

    The first round runs the default first, the second one thread first, and so on.
    """
    from threadpoolctl import threadpool_limits

    settings: dict[str, Callable[[], Any]] = {
        "default": nullcontext,
        "1": lambda: threadpool_limits(1, user_api="blas"),
    }
    times: dict[str, list[float]] = {k: [] for k in settings}
    loads: list[float] = []
    for r in range(reps):
        order = list(settings) if r % 2 == 0 else list(settings)[::-1]
        for key in order:
            with settings[key]():
                t0 = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - t0)
        loads.append(os.getloadavg()[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "s_default": round(med["default"], 4),
        "s_1_thread": round(med["1"], 4),
        "ratio_default_over_1": round(med["default"] / med["1"], 3),
        "reps_default": [round(t, 4) for t in times["default"]],
        "reps_1_thread": [round(t, 4) for t in times["1"]],
        "load_average_1m": [round(x, 2) for x in loads],
    }


def warm_up(models: list[str]) -> None:
    """One fit of each model on a small bundle: imports and first-call costs leave the timings."""
    small = synthetic_bundle(200, 60)
    for name in models:
        make_fit(name, small)()


def bench(
    sizes: list[str], models: list[str], reps: int, data_dir: Path, *, quick: bool
) -> dict[str, Any]:
    """Every (size, model) cell, alone and under load; prints a line per cell."""
    cores = os.cpu_count() or 1
    cells: dict[str, Any] = {}
    warm_up(models)
    for size in sizes:
        syn = synthetic_bundle(
            N_PANCAN if size == "pancan33" else N_SAMPLES, 100 if size == "pancan33" else int(size)
        )
        real = pancan_bundle(data_dir) if size == "pancan33" else None
        for name in [m for m in models if not quick or m in QUICK_MODELS[size]]:
            b = real if real is not None and name != "coxnet" else syn
            fn = make_fit(name, b)
            cell: dict[str, Any] = {"data": b["source"], "shape": list(b["X"].shape)}
            cell["alone"] = time_pair(fn, reps)
            with busy_load(cores) as pids:
                cell["loaded"] = time_pair(fn, reps) | {"busy_processes": len(pids)}
            for key in ("default", "1_thread"):
                cell[f"load_slowdown_{key}"] = round(
                    cell["loaded"][f"s_{key}"] / cell["alone"][f"s_{key}"], 2
                )
            cells[f"{size}/{name}"] = cell
            a, ld = cell["alone"], cell["loaded"]
            print(
                f"{size:>8} {name:<10} alone {a['s_default']:.3g} s / {a['s_1_thread']:.3g} s "
                f"(x{a['ratio_default_over_1']:.2f}, load {a['load_average_1m'][-1]:.1f}); "
                f"busy {ld['s_default']:.3g} / {ld['s_1_thread']:.3g} s "
                f"(x{ld['ratio_default_over_1']:.2f}, load {ld['load_average_1m'][-1]:.1f})",
                flush=True,
            )
    return cells


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", default=True, help="2 rounds per cell (the default)"
    )
    ap.add_argument(
        "--full",
        dest="quick",
        action="store_false",
        help="3 rounds per cell; svm_linear and coxnet at every size",
    )
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=SIZES)
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR, help="holds pancan33_random100/")
    ap.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = ap.parse_args(argv)
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS, so threadpool_info lists it)
    import sklearn
    from threadpoolctl import threadpool_info

    # genemoe's classifiers limit BLAS to one thread themselves; "default" leaves the
    # choice to this script's own threadpool_limits, the same for every model.
    os.environ["GENEMOE_BLAS_THREADS"] = "default"
    t0 = time.perf_counter()
    env = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "blas": [
            {k: d.get(k) for k in ("prefix", "version", "num_threads", "threading_layer")}
            for d in threadpool_info()
            if d.get("user_api") == "blas"
        ],
        "env_threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "load_average_1m_start": os.getloadavg()[0],
    }
    reps = 2 if args.quick else 3
    res: dict[str, Any] = {
        "environment": env,
        "reps": reps,
        "quick": args.quick,
        "cells": bench(args.sizes, args.models, reps, args.data_dir, quick=args.quick),
    }
    env["load_average_1m_end"] = os.getloadavg()[0]
    res["seconds"] = round(time.perf_counter() - t0, 1)
    text = json.dumps(res, indent=2)
    if args.out is not None:
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    return res


if __name__ == "__main__":
    main()
