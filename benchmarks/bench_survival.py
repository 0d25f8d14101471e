"""Time of one bootstrap of Harrell's C: scikit-survival vs genemoe's vectorised count.

:func:`genemoe.evaluate.survival.bootstrap_c_index` recomputes Harrell's C on ``n_boot``
resamples (1,000 by default) for every benchmark cell and every cancer type. Its
``engine="sksurv"`` calls ``sksurv.metrics.concordance_index_censored`` on each resample;
``engine="fast"`` (the default) uses the hand-written O(n log² n) pair count that the
module keeps only because of this measurement. For each cohort size this script times one
bootstrap with each engine, alternating them ``--reps`` times in this one process (the
first of the pair swapped every round), and reports the median seconds, the ratio sksurv /
fast of the medians (the comparable number on a shared machine), each round's ratio
(``ratio_reps``: the spread) and the largest difference between the two intervals (should
be ≤ 1e-12).

The cohort is synthetic and tied like real follow-up: exponential survival times rounded
up to 10 days, about 40 % censored, risks rounded to 0.1. Timing only, so everything runs
in this process (no peak-memory measurement).

Usage::

    python benchmarks/bench_survival.py --quick --out /tmp/surv.json   # n = 120, 1000; 2 reps
    python benchmarks/bench_survival.py --sizes 120 1000 5000 --reps 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ENGINES = ("sksurv", "fast")


def cohort(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(time, event, risk)``, each ``(n,)``, with tied times and tied risks."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    t_event = rng.exponential(1000 * np.exp(-risk))
    t_cens = rng.exponential(1500, n)
    time_ = np.ceil(np.minimum(t_event, t_cens) / 10) * 10
    return time_, t_event <= t_cens, np.round(risk + rng.normal(size=n), 1)


def bench_size(n: int, n_boot: int, reps: int) -> dict:
    """Median seconds of one ``bootstrap_c_index`` per engine, alternated ``reps`` times."""
    from genemoe.evaluate.survival import bootstrap_c_index

    t, e, r = cohort(n)
    seconds: dict[str, list[float]] = {k: [] for k in ENGINES}
    intervals: dict[str, tuple[float, float]] = {}
    for i in range(reps):
        for engine in ENGINES if i % 2 == 0 else ENGINES[::-1]:
            t0 = time.perf_counter()
            intervals[engine] = bootstrap_c_index(t, e, r, n_boot=n_boot, seed=0, engine=engine)
            seconds[engine].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in seconds.items()}
    return {
        "n": n,
        "n_events": int(e.sum()),
        "n_boot": n_boot,
        "reps": reps,
        "seconds": {k: [round(s, 4) for s in v] for k, v in seconds.items()},
        "sksurv_s": round(med["sksurv"], 4),
        "fast_s": round(med["fast"], 4),
        "ratio_sksurv_over_fast": round(med["sksurv"] / med["fast"], 2),
        "ratio_reps": [round(a / b, 2) for a, b in zip(seconds["sksurv"], seconds["fast"],
                                                       strict=True)],
        "interval": list(intervals["fast"]),
        "max_abs_interval_diff": float(
            np.max(np.abs(np.subtract(intervals["fast"], intervals["sksurv"])))
        ),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[120, 1000], help="cohort sizes")
    ap.add_argument("--n-boot", type=int, default=1000, help="resamples per bootstrap")
    ap.add_argument("--reps", type=int, default=3, help="timed bootstraps per engine and size")
    ap.add_argument("--quick", action="store_true", help="two reps per engine and size")
    ap.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = ap.parse_args(argv)
    import sksurv

    reps = 2 if args.quick else args.reps
    res = {
        "sizes": {str(n): bench_size(n, args.n_boot, reps) for n in args.sizes},
        "sksurv_version": sksurv.__version__,
        "python": sys.version.split()[0],
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_average_1m": os.getloadavg()[0],
    }
    text = json.dumps(res, indent=2)
    print(text)
    if args.out is not None:
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    return res


if __name__ == "__main__":
    main()
