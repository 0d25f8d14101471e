"""Streaming pre-training (issue 15.2): throughput, data wait and peak RSS, stream vs in memory.

Writes synthetic TCGA-like corpora as bundles (``genemoe.data.synthetic_corpus``: chunked,
never in memory) at two sizes, then runs ``genemoe pretrain`` (one epoch of the larger)
(``pretrain_run``, the ``small`` preset's model and objective at batch 256) on each, in a
fresh subprocess per configuration so that each peak RSS is its own:

* ``memory`` (``--no-stream``: the training matrix loaded and scaled) and ``stream``
  (``--stream``: rows read from ``X.npy`` per batch, one read-ahead thread) at both sizes:
  samples/s, share of the epoch spent waiting for data, peak RSS; the growth of peak RSS
  between the sizes over the growth of the float32 training matrix (about 0 when memory is
  flat in the number of samples, >= 1 when the matrix is held). The smaller corpus runs
  as many epochs as make the same number of steps (the heap grows over the first few
  dozen steps whatever the data), so the number of samples is the only difference;
  Streaming monitors the same number of validation rows at both sizes (``stream_val_rows``:
  500, or 8 % of the smaller corpus), so what grows with ``n`` is only the training matrix;
* at the larger size, the ways to overlap reading with compute: none (``stream_prefetch 0``:
  read when needed), the thread (the default), DataLoader worker processes;
* the projected time for the paper's 200 epochs over 100,000 x 20,000 (80 % training rows)
  and over the paper's ~10,000 x 25,182 (the measured samples/s scaled by 20,000 / 25,182
  genes: the first and last layers dominate), at the median samples/s of the streamed runs
  at the larger size (the ``small`` preset's model: the paper's widths are not measured).

Quick (``make bench``): 2,500 and 20,000 samples x 20,000 genes (0.2 and 1.6 GB, 8 and 62
steps an epoch; at 10,000 the matrix grew by less than the ±100 MiB run-to-run spread of
peak RSS allows the 10 % criterion to resolve). ``--full``: 20,000 and 100,000 x 20,000 (1.6 and 8 GB on disk; 62 and
312 steps; in memory only where the matrix fits in a quarter of the available memory).
The corpora go to ``--tmp-dir`` (default: the system's) and are removed at the end.

Usage::

    python benchmarks/bench_pretrain_stream.py --quick --out /tmp/stream.json
    python benchmarks/bench_pretrain_stream.py --out full.json --tmp-dir /big/disk
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from genemoe.train.memory import available_memory

N_GENES = 20_000
BATCH = 256
PAPER_EPOCHS = 200
TARGETS = {"tcga_100k_x_20k": (100_000, 20_000), "paper_10k_x_25182": (10_000, 25_182)}
TRAIN_SHARE = 0.8  # the corpora's training split (val 0.1, test 0.1)


# ----------------------------------------------------------------------------- children


def child_write(spec: dict[str, Any]) -> dict[str, Any]:
    from genemoe.data.synthetic_corpus import write_synthetic_corpus

    t0 = time.perf_counter()
    write_synthetic_corpus(spec["path"], n_samples=spec["n_samples"], n_genes=spec["n_genes"],
                           seed=spec["n_samples"])
    return {"write_s": time.perf_counter() - t0, "peak_rss_mib": _peak_mib()}


def child_pretrain(spec: dict[str, Any]) -> dict[str, Any]:
    import yaml

    from genemoe.workflows.pretrain import pretrain_run

    work = Path(spec["work"])
    cfg = work / "config.yaml"
    section = {"epochs": spec["epochs"], "batch_size": BATCH, "stream_workers": spec["workers"],
               "stream_prefetch": spec["prefetch"], "checkpoint_every": 1,
               "stream_val_rows": spec["val_rows"]}
    if spec.get("threads"):
        section["num_threads"] = spec["threads"]
    cfg.write_text(yaml.safe_dump({"pretrain": section}))
    t0 = time.perf_counter()
    res = pretrain_run([spec["corpus"]], out_dir=work / "run", preset="small", config_path=cfg,
                       device="cpu", progress=False, stream=spec["stream"])
    wall = time.perf_counter() - t0
    rec = res.history[-1]
    out = {k: rec[k] for k in rec if k.startswith(("throughput/", "memory/"))}
    import torch

    return out | {"stream": rec["stream"], "epoch_s": rec["seconds"], "wall_s": wall,
                  "torch_threads": torch.get_num_threads(),
                  "setup_s": wall - sum(r["seconds"] for r in res.history), "n_train": res.summary["n_train"],
                  "epochs": spec["epochs"], "steps": spec["epochs"] * -(-res.summary["n_train"] // BATCH),
                  "rss_peak_mib_by_epoch": [r["memory/rss_peak_mib"] for r in res.history],
                  "peak_rss_mib": _peak_mib(),
                  "workers_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its JSON (or the error)."""
    cmd = [sys.executable, __file__, "--child", kind, json.dumps(spec)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": proc.stderr[-1500:]}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    shown = ", ".join(f"{k} {round(v, 3) if isinstance(v, float) else v}" for k, v in res.items())
    line = f"  {kind} {spec.get('label', '')}: {time.perf_counter() - t0:.0f} s; {shown}"
    print(textwrap.fill(line, 100, subsequent_indent="    "), flush=True)
    return res


# ----------------------------------------------------------------------------- parent


def configurations(sizes: list[int], corpora: dict[int, str], work: Path,
                   threads: int | None, variants: bool = True,
                   small_epochs: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(label, spec) of each pre-training run: memory and stream at each size (memory only
    where it fits), then the overlap variants at the largest size."""
    out = []
    avail = available_memory()
    big = max(sizes)
    for n in sizes:
        fits = n * TRAIN_SHARE * N_GENES * 4 * 3 < 0.5 * avail
        modes = [("stream", True, 0, 4)] + ([("memory", False, 0, 4)] if fits else [])
        if n == big and variants:
            modes += [("stream_no_prefetch", True, 0, 0), ("stream_2_workers", True, 2, 2)]
        epochs = max(1, round(big / n)) if small_epochs is None or n == big else small_epochs
        for name, stream, workers, prefetch in modes:
            label = f"{name}@{n}"
            out.append((label, {"label": label, "corpus": corpora[n], "stream": stream,
                                "workers": workers, "prefetch": prefetch, "threads": threads,
                                "val_rows": min(500, int(0.08 * min(sizes))), "epochs": epochs,
                                "work": str(work / label)}))
    return out


def summarise(runs: dict[str, dict[str, Any]], sizes: list[int]) -> dict[str, Any]:
    """Ratios within this run: RSS growth per matrix growth, overlap, projections."""
    small, big = min(sizes), max(sizes)
    grow_gib = (big - small) * TRAIN_SHARE * N_GENES * 4 / 2**30
    out: dict[str, Any] = {"rss_growth_mib_per_gib_of_matrix": {}}
    for mode in ("stream", "memory"):
        a, b = runs.get(f"{mode}@{small}", {}), runs.get(f"{mode}@{big}", {})
        if "peak_rss_mib" in a and "peak_rss_mib" in b:
            out["rss_growth_mib_per_gib_of_matrix"][mode] = (
                (b["peak_rss_mib"] - a["peak_rss_mib"]) / grow_gib / 1024)
    growth = out["rss_growth_mib_per_gib_of_matrix"]
    out["rss_flat_in_n"] = growth.get("stream", 9.9) < 0.1  # < 10 % of the matrix growth
    overlap = {k.split("@")[0]: {"samples_per_s": r["throughput/samples_per_s"],
                                 "data_wait_fraction": r["throughput/data_wait_fraction"]}
               for k, r in runs.items() if k.endswith(f"@{big}") and "error" not in r}
    out["overlap_at_largest"] = overlap
    best = runs.get(f"stream@{big}", {})
    out["reading_hidden"] = "error" not in best and best.get("throughput/data_wait_fraction", 1) < 0.1
    rates = [v["samples_per_s"] for k, v in overlap.items() if k.startswith("stream")]
    sps = statistics.median(rates) if rates else None  # the streamed runs: compute-bound alike
    if sps:
        out["projection_200_epochs_hours"] = {
            name: PAPER_EPOCHS * n * TRAIN_SHARE / (sps * N_GENES / g) / 3600
            for name, (n, g) in TARGETS.items()}
        out["projection_samples_per_s"] = sps
    if f"memory@{big}" in runs and sps and "error" not in runs[f"memory@{big}"]:
        out["stream_over_memory_samples_per_s"] = sps / runs[f"memory@{big}"]["throughput/samples_per_s"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="2,500 and 20,000 samples (else 20k, 100k)")
    ap.add_argument("--sizes", type=int, nargs=2, default=None, help="two corpus sizes (samples)")
    ap.add_argument("--tmp-dir", type=Path, default=None, help="where the corpora are written")
    ap.add_argument("--threads", type=int, default=None, help="torch threads in each run")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    ap.add_argument("--keep", action="store_true", help="keep the corpora and runs")
    ap.add_argument("--small-epochs", type=int, default=None,
                    help="epochs on the smaller corpus (default: as many steps as the larger's)")
    ap.add_argument("--skip-variants", action="store_true",
                    help="no overlap variants (no prefetch, DataLoader workers) at the larger size")
    ap.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    ap.add_argument("--child", nargs=2, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        kind, spec = args.child
        fn = child_write if kind == "write" else child_pretrain
        print(json.dumps(fn(json.loads(spec))))
        return 0
    sizes = sorted(args.sizes or ([2_500, 20_000] if args.quick else [20_000, 100_000]))
    need = sum(sizes) * N_GENES * 4
    root = Path(tempfile.mkdtemp(prefix="genemoe_stream_", dir=args.tmp_dir))
    free = shutil.disk_usage(root).free
    result: dict[str, Any] = {
        "mode": "quick" if args.quick else "full", "sizes": sizes, "n_genes": N_GENES,
        "batch_size": BATCH, "preset": "small",
        "environment": {"cores": os.cpu_count(), "load_average_1m_start": os.getloadavg()[0],
                        "available_memory_gib": available_memory() / 2**30,
                        "disk_free_gib": free / 2**30, "tmp_dir": str(root)}}
    try:
        if need * 1.1 > free:
            result["skipped"] = (f"the corpora need {need / 2**30:.1f} GiB; "
                                 f"{free / 2**30:.1f} free in {root}")
            return _write(args.out, result)
        corpora, writes = {}, {}
        for n in sizes:
            corpora[n] = str(root / f"corpus_{n}")
            writes[n] = run_child("write", {"label": n, "path": corpora[n], "n_samples": n,
                                            "n_genes": N_GENES}, args.timeout)
        result["write"] = writes
        runs = {}
        for label, spec in configurations(sizes, corpora, root, args.threads,
                                          not args.skip_variants, args.small_epochs):
            Path(spec["work"]).mkdir(parents=True)
            runs[label] = run_child("pretrain", spec, args.timeout)
        result["runs"] = runs
        result["failures"] = [k for k, r in runs.items() if "error" in r]
        result["summary"] = summarise(runs, sizes)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        result["environment"]["load_average_1m_end"] = os.getloadavg()[0]
    return _write(args.out, result)


def _write(path: Path | None, result: dict[str, Any]) -> int:
    """Write ``result`` to ``path`` (atomically; nowhere without ``--out``); print its summary."""
    if path is not None:
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(result, indent=2) + "\n")
    print(json.dumps(result.get("summary", result), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
