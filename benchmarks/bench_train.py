"""Training and inference throughput of every neural model family against scikit-learn.

Measures, on one seeded synthetic 33-class data set (``synthetic_data``) per gene count:

1. ``neural``: for ``fcn``, ``mlp``, ``moe`` and ``genemoe`` at the ``small`` preset,
   training samples/s (batch 64: forward, cross-entropy + 0.01 x the auxiliary losses,
   backward, fused Adam step) and inference samples/s (batch 512, ``eval()`` and
   ``torch.no_grad()``), each configuration in its own subprocess so that its peak
   resident memory is its own (``VmHWM``).
2. ``sklearn``: fit and predict samples/s of ``SVC`` (RBF; the options of genemoe's ``svm``
   without its temperature calibration, which refits the SVC several times) and
   ``LogisticRegression`` (genemoe's ``logreg`` options) on the same data, and the ratios
   model / SVM and model / logistic regression.
3. ``flops``: achieved GFLOP/s of a dense ``nn.Linear(G, 256)`` forward + weight gradient
   at batch 64 (``4 * 64 * G * 256`` FLOPs: the input needs no gradient, as in a model's
   first layer) against a large ``torch.mm`` (4096 x 4096, ``2 * 4096**3`` FLOPs), measured
   before and after the linear layers; the ratio says how close to this machine's limit
   the first layer runs. The linear layer is also timed on one thread (``gflops_1_thread``):
   on a busy machine a second OpenMP thread can make small kernels slower, not faster.
4. ``thread_variants``: ``genemoe`` again with ``OMP_NUM_THREADS=1`` and with
   ``OMP_WAIT_POLICY=PASSIVE`` (skipped when ``--threads`` is given), and their
   throughput over the default's.

Every timing is the median over at least ``--reps`` calls and at least ``--min-time``
seconds (2 s quick, 5 s full). Each neural child also times a 2048 x 2048 matmul just
before its configuration (``probe_gflops``): on a shared machine it shows how much CPU the
configuration got. Compare numbers as ratios within one run, never across runs.

Usage::

    python benchmarks/bench_train.py --quick --out bench_train.json   # 5k and 25k genes
    python benchmarks/bench_train.py --out bench_train.json           # 5k, 10k, 25k, 60k
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAMILIES = ("fcn", "mlp", "moe", "genemoe")
SIZES_FULL = (5_000, 10_000, 25_000, 60_000)
SIZES_QUICK = (5_000, 25_000)
N_CLASSES = 33
TRAIN_BATCH = 64
INFER_BATCH = 512
LINEAR_OUT = 256
# Threading alternatives timed for one family against torch's default (all cores, OpenMP
# threads spinning while they wait): on a machine shared with other jobs they can win.
VARIANT_MODEL = "genemoe"
THREAD_VARIANTS = {
    "1_thread": {"OMP_NUM_THREADS": "1"},
    "passive_wait": {"OMP_WAIT_POLICY": "PASSIVE"},
}
MM_SIZE = 4096


# --------------------------------------------------------------------------- helpers


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (``platform.processor()`` elsewhere)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def vm_hwm() -> int:
    """Peak resident memory of this process image since ``exec``, in bytes (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) * 1024
    return 0


def median_seconds(
    fn: Callable[[], Any], reps: int, warmup: int = 1, *, min_time: float = 0.0, max_reps: int = 200
) -> float:
    """Median wall seconds of ``fn()`` after ``warmup`` calls.

    Timed calls: at least ``reps``, and more (up to ``max_reps``) until ``min_time`` seconds
    have passed, so fast configurations get enough samples to ride out a shared machine.
    """
    for _ in range(warmup):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < reps or (time.perf_counter() - start < min_time and len(times) < max_reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def synthetic_data(n_samples: int, n_genes: int, *, seed: int = 0):
    """A seeded 33-class problem ``(X (n_samples, n_genes) float32, y (n_samples,) int64)``.

    Each class has a centroid that differs from zero on ~10 % of the genes; samples are the
    centroid plus unit Gaussian noise, so the values are roughly standardised.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_CLASSES, n_samples)
    informative = rng.random(n_genes) < 0.1
    centroids = rng.standard_normal((N_CLASSES, n_genes), dtype=np.float32) * informative
    X = centroids[y] + rng.standard_normal((n_samples, n_genes), dtype=np.float32)
    return X.astype(np.float32, copy=False), y.astype(np.int64)


def mm_gflops(n: int, reps: int) -> float:
    """GFLOP/s of ``torch.mm`` on two ``(n, n)`` float32 matrices (median of ``reps``)."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n**3 / median_seconds(lambda: torch.mm(a, b), reps) / 1e9


# --------------------------------------------------------------------------- children


def child_neural(
    name: str, n_genes: int, *, reps: int, min_time: float, seed: int
) -> dict[str, Any]:
    """Training and inference samples/s of one family at one gene count (own process)."""
    import torch

    from genemoe.config_presets import load_preset, model_config
    from genemoe.models.registry import create_model

    torch.manual_seed(seed)
    probe = mm_gflops(2048, 3)
    X, y = synthetic_data(max(INFER_BATCH, 15 * TRAIN_BATCH), n_genes, seed=seed)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    cfg = model_config(load_preset("small"), name)
    model = create_model(name, n_genes=n_genes, n_outputs=N_CLASSES, task="classify", **cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    n_batches = X.shape[0] // TRAIN_BATCH
    step_no = [0]

    def train_step() -> None:
        i = step_no[0] % n_batches * TRAIN_BATCH
        step_no[0] += 1
        opt.zero_grad(set_to_none=False)
        res = model(X[i : i + TRAIN_BATCH])  # (64, n_genes) -> ModelOutput, out (64, 33)
        loss = torch.nn.functional.cross_entropy(res.out, y[i : i + TRAIN_BATCH])
        if res.aux_losses:
            loss = loss + 0.01 * sum(res.aux_losses.values())
        loss.backward()
        opt.step()

    model.train()
    # the first step allocates Adam's state: two warm-up steps
    train_s = median_seconds(train_step, reps, warmup=2, min_time=min_time)
    model.eval()
    xb = X[:INFER_BATCH]  # (512, n_genes)

    def infer() -> None:
        with torch.no_grad():
            model(xb)

    infer_s = median_seconds(infer, reps, min_time=min_time)
    return {
        "model": name,
        "n_genes": n_genes,
        "config": cfg,
        "n_params": sum(p.numel() for p in model.parameters()),
        "train_batch": TRAIN_BATCH,
        "infer_batch": INFER_BATCH,
        "min_reps": reps,
        "min_time_s": min_time,
        "train_steps_timed": step_no[0] - 2,
        "train_s_per_step": train_s,
        "train_samples_per_s": TRAIN_BATCH / train_s,
        "infer_s_per_batch": infer_s,
        "infer_samples_per_s": INFER_BATCH / infer_s,
        "probe_gflops": probe,
        "threads": torch.get_num_threads(),
        "vm_hwm": vm_hwm(),
    }


def child_sklearn(n_genes: int, *, n_fit: int, n_predict: int, seed: int) -> dict[str, Any]:
    """Fit and predict samples/s of an RBF SVC and a logistic regression (own process)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    X, y = synthetic_data(n_fit + n_predict, n_genes, seed=seed)
    X_fit, y_fit, X_new = X[:n_fit], y[:n_fit], X[n_fit:]
    estimators = {
        "svm": SVC(C=1.0, kernel="rbf", gamma="scale", class_weight="balanced", random_state=seed),
        "logreg": LogisticRegression(C=1.0, max_iter=5000, random_state=seed),
    }
    out: dict[str, Any] = {"n_genes": n_genes, "n_fit": n_fit, "n_predict": n_predict}
    for key, est in estimators.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            est.fit(X_fit, y_fit)
            fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        est.predict(X_new)
        predict_s = time.perf_counter() - t0
        out[key] = {
            "fit_s": fit_s,
            "fit_samples_per_s": n_fit / fit_s,
            "predict_s": predict_s,
            "predict_samples_per_s": n_predict / predict_s,
        }
    out["svm"]["n_support"] = int(estimators["svm"].n_support_.sum())
    out["logreg"]["n_iter"] = int(max(estimators["logreg"].n_iter_))
    out["vm_hwm"] = vm_hwm()
    return out


def child_flops(sizes: list[int], *, reps: int) -> dict[str, Any]:
    """GFLOP/s of ``nn.Linear(G, 256)`` forward + weight gradient vs a large ``torch.mm``."""
    import torch

    env = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    mm_before = mm_gflops(MM_SIZE, reps)
    linear = {}
    n_threads = torch.get_num_threads()
    for g in sizes:
        layer = torch.nn.Linear(g, LINEAR_OUT)
        x = torch.randn(TRAIN_BATCH, g)  # (64, G), no gradient (a model's input)
        flop = 4 * TRAIN_BATCH * g * LINEAR_OUT

        def step(layer: torch.nn.Linear = layer, x: torch.Tensor = x) -> None:
            layer.zero_grad(set_to_none=False)
            layer(x).sum().backward()

        sec = median_seconds(step, max(reps, 5), warmup=2, min_time=1.0)
        # the same on one thread: on a busy machine a second OpenMP thread can cost time
        torch.set_num_threads(1)
        sec_1 = median_seconds(step, max(reps, 5), warmup=2, min_time=1.0)
        torch.set_num_threads(n_threads)
        linear[str(g)] = {
            "seconds": sec,
            "gflops": flop / sec / 1e9,
            "gflops_1_thread": flop / sec_1 / 1e9,
        }
    mm_after = mm_gflops(MM_SIZE, reps)
    mm = statistics.mean([mm_before, mm_after])
    for v in linear.values():
        v["ratio_to_mm"] = v["gflops"] / mm
        v["ratio_1_thread_to_mm"] = v["gflops_1_thread"] / mm
    return {
        "environment": env,
        "batch": TRAIN_BATCH,
        "out_features": LINEAR_OUT,
        "mm_size": MM_SIZE,
        "mm_gflops_before": mm_before,
        "mm_gflops_after": mm_after,
        "mm_gflops": mm,
        "linear": linear,
        "vm_hwm": vm_hwm(),
    }


def child_main(args: argparse.Namespace) -> None:
    """Run one child measurement and print its JSON as the last stdout line."""
    if args.child == "neural":
        res = child_neural(
            args.model, args.n_genes, reps=args.reps, min_time=args.min_time, seed=args.seed
        )
    elif args.child == "sklearn":
        res = child_sklearn(
            args.n_genes, n_fit=args.n_fit, n_predict=args.n_predict, seed=args.seed
        )
    else:
        res = child_flops(args.sizes, reps=args.reps)
    print(json.dumps(res))


# --------------------------------------------------------------------------- parent


def run_child(
    *child_args: str,
    timeout: float | None = None,
    threads: int | None = None,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run this script as ``--child ...`` in a fresh process; its JSON plus ``peak_rss_bytes``.

    ``peak_rss_bytes`` is the child's ``VmHWM`` (peak resident memory since ``exec``), so it
    is the configuration's own. ``threads`` sets ``OMP_NUM_THREADS`` (torch, BLAS) for it;
    ``env_extra`` adds environment variables.
    """
    env = dict(os.environ)
    if threads:
        for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[key] = str(threads)
    env.update(env_extra or {})
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", *child_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout} s"}
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"error": f"exit status {proc.returncode}", "stderr_tail": err[-2000:]}
    res = json.loads(out.strip().splitlines()[-1])
    res["peak_rss_bytes"] = res.pop("vm_hwm", None)
    res["child_wall_s"] = wall
    return res


def add_ratios(result: dict[str, Any]) -> None:
    """Add model / SVM and model / logistic-regression throughput ratios per size."""
    for size, sk in result["sklearn"].items():
        if "error" in sk:
            continue
        for name in FAMILIES:
            nn = result["neural"].get(size, {}).get(name, {})
            if "error" in nn or not nn:
                continue
            nn["ratios"] = {
                "train_over_svm_fit": nn["train_samples_per_s"] / sk["svm"]["fit_samples_per_s"],
                "infer_over_svm_predict": nn["infer_samples_per_s"]
                / sk["svm"]["predict_samples_per_s"],
                "train_over_logreg_fit": nn["train_samples_per_s"]
                / sk["logreg"]["fit_samples_per_s"],
                "infer_over_logreg_predict": nn["infer_samples_per_s"]
                / sk["logreg"]["predict_samples_per_s"],
                # neural epochs over the SVM's n_fit samples that take as long as one SVC fit
                "epochs_per_svm_fit": sk["svm"]["fit_s"] * nn["train_samples_per_s"] / sk["n_fit"],
            }


def add_thread_ratios(result: dict[str, Any]) -> None:
    """Throughput of each threading variant over the default's, per size."""
    for size, variants in result["thread_variants"].items():
        base = result["neural"].get(size, {}).get(VARIANT_MODEL, {})
        if "error" in base or not base:
            continue
        for r in variants.values():
            if "error" not in r:
                r["train_over_default"] = r["train_samples_per_s"] / base["train_samples_per_s"]
                r["infer_over_default"] = r["infer_samples_per_s"] / base["infer_samples_per_s"]


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of the results."""
    lines = [
        f"{'genes':>7} {'model':<8} {'train/s':>9} {'infer/s':>9} {'peak MiB':>9} "
        f"{'tr/svm':>7} {'inf/svm':>8} {'probe GF/s':>10}"
    ]
    for size, fams in result["neural"].items():
        for name, r in fams.items():
            if "error" in r:
                lines.append(f"{size:>7} {name:<8} FAILED: {r['error']}")
                continue
            rt = r.get("ratios", {})
            lines.append(
                f"{size:>7} {name:<8} {r['train_samples_per_s']:>9.1f} {r['infer_samples_per_s']:>9.1f} "
                f"{r['peak_rss_bytes'] / 2**20:>9.0f} {rt.get('train_over_svm_fit', float('nan')):>7.2f} "
                f"{rt.get('infer_over_svm_predict', float('nan')):>8.2f} {r['probe_gflops']:>10.1f}"
            )
        sk = result["sklearn"].get(size, {})
        if "error" in sk:
            lines.append(f"{size:>7} sklearn  FAILED: {sk['error']}")
        elif sk:
            for key in ("svm", "logreg"):
                lines.append(
                    f"{size:>7} {key:<8} {sk[key]['fit_samples_per_s']:>9.1f} "
                    f"{sk[key]['predict_samples_per_s']:>9.1f} {sk['peak_rss_bytes'] / 2**20:>9.0f}"
                    f"   (fit on {sk['n_fit']}, predict {sk['n_predict']})"
                )
    for size, variants in result.get("thread_variants", {}).items():
        for variant, r in variants.items():
            if "error" in r:
                lines.append(f"{size:>7} {VARIANT_MODEL} {variant}: FAILED: {r['error']}")
            elif "train_over_default" in r:
                lines.append(
                    f"{size:>7} {VARIANT_MODEL} {variant}: train {r['train_samples_per_s']:.1f}/s "
                    f"({r['train_over_default']:.2f} x default), infer "
                    f"{r['infer_samples_per_s']:.1f}/s ({r['infer_over_default']:.2f} x default)"
                )
    fl = result.get("flops", {})
    if "linear" in fl:
        lines.append(
            f"torch.mm {MM_SIZE}: {fl['mm_gflops_before']:.1f} GFLOP/s before, "
            f"{fl['mm_gflops_after']:.1f} after"
        )
        for g, v in fl["linear"].items():
            lines.append(
                f"  Linear({g}, {LINEAR_OUT}) fwd+wgrad b{TRAIN_BATCH}: "
                f"{v['gflops']:.1f} GFLOP/s = {v['ratio_to_mm']:.2f} x mm "
                f"({v['gflops_1_thread']:.1f} GFLOP/s on 1 thread)"
            )
    elif fl:
        lines.append(f"flops FAILED: {fl.get('error')}")
    return "\n".join(lines)


def bench(
    sizes: list[int],
    *,
    reps: int,
    min_time: float,
    n_fit: int,
    n_predict: int,
    seed: int,
    timeout: float,
    threads: int | None = None,
) -> dict[str, Any]:
    """All configurations, each in its own subprocess; failures are recorded, not raised."""
    result: dict[str, Any] = {
        "environment": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m_start": os.getloadavg()[0],
            "threads_requested": threads,
        },
        "min_reps": reps,
        "min_time_s": min_time,
        "sizes": sizes,
        "families": list(FAMILIES),
        "preset": "small",
        "n_classes": N_CLASSES,
        "neural": {},
        "sklearn": {},
        "thread_variants": {},
    }
    t_start = time.perf_counter()
    common = ["--seed", str(seed), "--min-time", str(min_time)]

    def run(*child_args: str, env_extra: dict[str, str] | None = None) -> dict[str, Any]:
        return run_child(*child_args, timeout=timeout, threads=threads, env_extra=env_extra)

    result["flops"] = run("flops", "--sizes", *map(str, sizes), "--reps", "3")
    result["environment"].update(result["flops"].get("environment", {}))
    for g in sizes:
        result["neural"][str(g)] = {}
        for name in FAMILIES:
            res = run("neural", "--model", name, "--n-genes", str(g), "--reps", str(reps), *common)
            result["neural"][str(g)][name] = res
            print(
                f"  {name} @ {g} genes: "
                + (
                    res.get("error")
                    or f"train {res['train_samples_per_s']:.1f}/s, infer {res['infer_samples_per_s']:.1f}/s"
                ),
                file=sys.stderr,
                flush=True,
            )
        if threads is None:  # the default threading against its alternatives, same run
            result["thread_variants"][str(g)] = {
                variant: run(
                    "neural",
                    "--model",
                    VARIANT_MODEL,
                    "--n-genes",
                    str(g),
                    "--reps",
                    str(reps),
                    *common,
                    env_extra=extra,
                )
                for variant, extra in THREAD_VARIANTS.items()
            }
        result["sklearn"][str(g)] = run(
            "sklearn",
            "--n-genes",
            str(g),
            "--n-fit",
            str(n_fit),
            "--n-predict",
            str(n_predict),
            *common,
        )
    add_ratios(result)
    add_thread_ratios(result)
    result["environment"]["load_average_1m_end"] = os.getloadavg()[0]
    result["seconds"] = time.perf_counter() - t_start
    result["failures"] = [
        f"neural {g} {n}" for g, f in result["neural"].items() for n, r in f.items() if "error" in r
    ]
    result["failures"] += [f"sklearn {g}" for g, r in result["sklearn"].items() if "error" in r]
    result["failures"] += [
        f"thread variant {g} {v}"
        for g, vs in result["thread_variants"].items()
        for v, r in vs.items()
        if "error" in r
    ]
    result["failures"] += ["flops"] if "error" in result["flops"] else []
    return result


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="5k and 25k genes, fewer repetitions, SVM/logreg on 330 samples",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="gene counts")
    parser.add_argument("--reps", type=int, default=None, help="least timed steps per measurement")
    parser.add_argument(
        "--min-time", type=float, default=None, help="least seconds per measurement (more steps)"
    )
    parser.add_argument("--n-fit", type=int, default=None, help="samples the sklearn models fit")
    parser.add_argument("--n-predict", type=int, default=None, help="samples they predict")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per child")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads per child (OMP_NUM_THREADS); default: torch's default",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--child", choices=["neural", "sklearn", "flops"], help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=FAMILIES, help=argparse.SUPPRESS)
    parser.add_argument("--n-genes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.reps = args.reps or 3
        args.min_time = args.min_time or 0.0
        child_main(args)
        return None
    sizes = args.sizes or list(SIZES_QUICK if args.quick else SIZES_FULL)
    result = bench(
        sizes,
        reps=args.reps or (4 if args.quick else 10),
        min_time=args.min_time if args.min_time is not None else (2.0 if args.quick else 5.0),
        n_fit=args.n_fit or (330 if args.quick else 990),
        n_predict=args.n_predict or (330 if args.quick else 990),
        seed=args.seed,
        timeout=args.timeout,
        threads=args.threads,
    )
    result["quick"] = args.quick
    print(format_table(result))
    if args.out is not None:
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(args.out, json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
