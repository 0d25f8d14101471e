"""Run every genemoe benchmark, each in its own subprocess, and summarise them.

Runs ``bench_read``, ``bench_prepare``, ``bench_moe``, ``bench_train``, ``bench_image``,
``bench_survival``, ``bench_pretrain_stream`` and ``bench_quant_dir`` (quick variants
by default, so ``make bench`` takes a few minutes on 2 cores; ``--full`` runs the issue
sizes, including a read of an 11,000 x 60,000 text matrix, ~2 GB on disk). Each script
writes ``DIR/<name>.json`` and its output to ``DIR/<name>.log``; a script that fails or
times out is reported and the others still run. ``DIR/summary.json`` holds each script's
status, seconds and headline numbers; the same numbers are printed as a table.

The exit status is 1 if any benchmark failed, else 0 (a skipped one, e.g. ``bench_prepare``
without the shared data folder, is not a failure).

Usage::

    python benchmarks/run.py --out bench_out             # quick (make bench)
    python benchmarks/run.py --full --out bench_full     # the issue sizes (an hour or more)
    python benchmarks/run.py --only train prepare        # a subset
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NAMES = (
    "read", "prepare", "moe", "train", "image", "survival", "pretrain_stream", "quant_dir",
    "threads",
)
LINE = 100  # the longest line printed for people


def commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """The command line of each benchmark (without ``--out``)."""
    quick = [] if args.full else ["--quick"]
    threads = ["--threads", str(args.threads)] if args.threads else []
    cmds = {
        "read": ["bench_read.py", *quick]
        + (["--tmp-dir", str(args.tmp_dir)] if args.tmp_dir else []),
        "prepare": ["bench_prepare.py"]
        + (["--data-dir", str(args.data_dir)] if args.data_dir else []),
        "moe": ["bench_moe.py", *quick, *threads],
        "train": ["bench_train.py", *quick, *threads],
        "image": ["bench_image.py", *quick, *threads],
        "survival": ["bench_survival.py", *quick],
        "pretrain_stream": ["bench_pretrain_stream.py", *quick, *threads]
        + (["--tmp-dir", str(args.tmp_dir)] if args.tmp_dir else []),
        "quant_dir": ["bench_quant_dir.py", *quick]
        + (["--tmp-dir", str(args.tmp_dir)] if args.tmp_dir else []),
        "threads": ["bench_threads.py", "--full" if args.full else "--quick"],  # quick default
    }
    return {k: [sys.executable, str(HERE / v[0]), *v[1:]] for k, v in cmds.items()}


def read_result(json_path: Path) -> tuple[dict | None, str | None]:
    """A benchmark's JSON, or ``None`` and why it cannot be used (absent, cut short, not a dict)."""
    if not json_path.is_file():
        return None, None
    try:
        data = json.loads(json_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{json_path} is not readable JSON ({type(exc).__name__}: {exc})"
    if not isinstance(data, dict):
        return None, f"{json_path} holds a {type(data).__name__}, not a JSON object"
    return data, None


def _run_group(cmd: list[str], log: Any, timeout: float | None) -> int | None:
    """Run ``cmd`` in its own process group; its exit status, or ``None`` if it timed out.

    On a timeout (or an interrupt) the whole group is killed: a benchmark's own children
    (``bench_train``'s configurations, ``bench_read``'s reader) would otherwise go on
    using the cores while the next benchmark is timed.
    """
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if proc.returncode is None:  # timed out or interrupted; the leader is not reaped yet
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_one(name: str, cmd: list[str], out_dir: Path, timeout: float | None) -> dict[str, Any]:
    """Run one benchmark; its status, seconds and parsed JSON (``None`` if it wrote none)."""
    json_path, log_path = out_dir / f"{name}.json", out_dir / f"{name}.log"
    json_path.unlink(missing_ok=True)
    shown = " ".join(Path(c).name if i < 2 else c for i, c in enumerate(cmd))
    print(textwrap.shorten(f"[{name}] {shown}", LINE, placeholder=" ..."), flush=True)
    t0 = time.perf_counter()
    with log_path.open("w") as log:
        rc = _run_group([*cmd, "--out", str(json_path)], log, timeout)
    status = "timed out" if rc is None else "ok" if rc == 0 else "failed"
    seconds = time.perf_counter() - t0
    data, unreadable = read_result(json_path)
    if status == "ok" and data is None:
        status = "failed"  # exited 0 but wrote nothing usable
    if status == "ok" and "skipped" in data:
        status = "skipped"
    if status == "ok" and data.get("failures"):
        status = "partial"
    res = {
        "status": status,
        "returncode": rc,
        "seconds": round(seconds, 1),
        "json": str(json_path) if data is not None else None,
        "log": str(log_path),
    }
    if unreadable:
        res["error"] = unreadable
    if status in ("failed", "timed out"):
        res["log_tail"] = log_path.read_text(errors="replace")[-1500:]
    print(f"[{name}] {status} in {seconds:.0f} s" + (f": {unreadable}" if unreadable else ""),
          flush=True)
    return res | {"data": data}


# --------------------------------------------------------------------------- headlines


def _read(d: dict) -> list[tuple[str, str]]:
    return [
        (f"read {d['n_samples']:,} x {d['n_genes']:,} TSV", f"{d['read_s']:.1f} s"),
        (
            "  peak RSS / float32 matrix",
            f"{d['ratio']:.2f} (net of interpreter "
            f"{d['ratio_net']:.2f}; goal < {d['goal_ratio']} at full size)",
        ),
    ]


def _prepare(d: dict) -> list[tuple[str, str]]:
    p, r = d["prepare"], d["read"]
    verdict = "met" if d["meets_goal"] else "NOT met"
    return [
        (
            f"prepare {d['n_cohorts']} GDC cohorts",
            f"{p['child_wall_s']:.1f} s process "
            f"({p['prepare_s']:.1f} s in prepare_dataset); "
            f"goal < {d['goal_seconds']:.0f} s {verdict}",
        ),
        (
            "  read only, same files",
            f"{r['read_s']:.1f} s; prepare / read = {d['ratio_prepare_over_read']:.2f}",
        ),
        (
            "  result",
            f"{d['n_samples']} samples x {d['n_genes']:,} genes, "
            f"{d['n_with_survival']} with survival; peak RSS {p['peak_rss_bytes'] / 2**20:.0f} MiB",
        ),
        (
            "  slowest steps",
            ", ".join(
                f"{k} {v:.1f} s" for k, v in sorted(p["steps_s"].items(), key=lambda kv: -kv[1])[:3]
            ),
        ),
    ]


def _moe(d: dict) -> list[tuple[str, str]]:
    return [tuple(row) for row in d["headlines"]]  # bench_moe states its own goals


def _train(d: dict) -> list[tuple[str, str]]:
    rows = []
    for size, fams in d["neural"].items():
        sk = d["sklearn"].get(size, {})
        parts = []
        for name, r in fams.items():
            if "error" in r:
                parts.append(f"{name} FAILED")
                continue
            ratio = r.get("ratios", {})
            parts.append(
                f"{name} {r['train_samples_per_s']:.0f}/{r['infer_samples_per_s']:.0f}"
                + (
                    f" ({ratio['train_over_svm_fit']:.2f}x/"
                    f"{ratio['infer_over_svm_predict']:.2f}x svm)"
                    if ratio
                    else ""
                )
            )
        rows.append((f"train/infer samples/s @{int(size) // 1000}k", "; ".join(parts)))
        if "svm" in sk:
            rows.append(
                (
                    "  sklearn fit/predict samples/s",
                    f"svm {sk['svm']['fit_samples_per_s']:.0f}/"
                    f"{sk['svm']['predict_samples_per_s']:.0f}, logreg "
                    f"{sk['logreg']['fit_samples_per_s']:.0f}/"
                    f"{sk['logreg']['predict_samples_per_s']:.0f}"
                    f" (n_fit {sk['n_fit']})",
                )
            )
    for size, variants in d.get("thread_variants", {}).items():
        parts = [
            f"{v} {r['train_over_default']:.2f}x/{r['infer_over_default']:.2f}x"
            for v, r in variants.items()
            if "train_over_default" in r
        ]
        if parts:
            rows.append((f"  genemoe threads vs default @{int(size) // 1000}k", ", ".join(parts)))
    fl = d.get("flops", {})
    if "linear" in fl:
        rows.append(
            (
                f"torch.mm {fl['mm_size']} GFLOP/s",
                f"{fl['mm_gflops']:.1f} "
                f"(before {fl['mm_gflops_before']:.1f}, after {fl['mm_gflops_after']:.1f})",
            )
        )
        rows.append(
            (
                "  Linear(G,256) b64 / mm",
                ", ".join(
                    f"{int(g) // 1000}k {v['gflops']:.1f} GF/s = {v['ratio_to_mm']:.2f}"
                    f" (1 thread {v.get('gflops_1_thread', float('nan')):.1f})"
                    for g, v in fl["linear"].items()
                ),
            )
        )
    return rows


def _image_cell(r: dict, goal: float) -> str:
    if "error" in r:
        return f"FAILED: {r['error']}"
    rounds = r.get("ratio_rounds") or []
    spread = f" (rounds {min(rounds):.2f}-{max(rounds):.2f})" if len(rounds) > 1 else ""
    return (f"{r['train_samples_per_s']:.1f} = {r['ratio_vs_timm']:.2f} x plain timm{spread} "
            f"(goal >= {goal}); IG {r['ig_seconds_per_sample']:.2f} s/sample")


def _image(d: dict) -> list[tuple[str, str]]:
    return [(f"{name} @{size} train samples/s", _image_cell(r, d["goal_ratio"]))
            for name, sizes in d["backbones"].items() for size, r in sizes.items()]


def _quant_dir(d: dict) -> list[tuple[str, str]]:
    verdict = "met" if d["meets_goal"] else "NOT met"
    spread = d.get("ratio_reps") or []
    rounds = f" (rounds {min(spread):.2f}-{max(spread):.2f})" if len(spread) > 1 else ""
    return [(f"join {d['n_samples']} Salmon quant.sf ({d['n_transcripts']:,} transcripts)",
             f"{d['join']['wall_s']:.1f} s ({d['join_s_per_sample']:.2f} s per sample); "
             f"/ baseline {d['ratio_join_over_baseline']:.2f}{rounds}, "
             f"goal <= {d['goal_ratio']} {verdict}")]


def _survival_cell(r: dict) -> str:
    reps = r.get("ratio_reps") or []
    spread = f" (reps {min(reps):.1f}-{max(reps):.1f})" if len(reps) > 1 else ""
    return (f"sksurv {r['sksurv_s']:.2f} s / fast {r['fast_s']:.2f} s = "
            f"{r['ratio_sksurv_over_fast']:.1f}x{spread} "
            f"(interval diff {r['max_abs_interval_diff']:.1g})")


def _survival(d: dict) -> list[tuple[str, str]]:
    return [(f"bootstrap C-index n={n} ({r['n_boot']} resamples)", _survival_cell(r))
            for n, r in d["sizes"].items()]


def _pretrain_stream(d: dict) -> list[tuple[str, str]]:
    s, runs, (small, big) = d["summary"], d["runs"], d["sizes"]
    growth = s["rss_growth_mib_per_gib_of_matrix"]
    rows = [(
        f"pretrain peak RSS {small:,} -> {big:,} x 20k",
        ", ".join(f"{m} {runs[f'{m}@{small}']['peak_rss_mib']:.0f} -> "
                  f"{runs[f'{m}@{big}']['peak_rss_mib']:.0f} MiB" for m in growth)
        + "; growth / matrix growth " + ", ".join(f"{m} {g:.2f}" for m, g in growth.items())
        + f" (flat {'met' if s['rss_flat_in_n'] else 'NOT met'})",
    ), (
        f"  samples/s, data wait @{big:,}",
        ", ".join(f"{k} {v['samples_per_s']:.0f} ({100 * v['data_wait_fraction']:.0f}%)"
                  for k, v in s["overlap_at_largest"].items()),
    )]
    proj = s.get("projection_200_epochs_hours", {})
    if proj:
        rows.append(("  200 epochs, small preset, streamed",
                     ", ".join(f"{k} {v:.0f} h" for k, v in proj.items())))
    return rows


def _threads(d: dict) -> list[tuple[str, str]]:
    """Per cell: how many times faster one BLAS thread fit than the default, alone and beside
    busy processes."""
    rows = []
    for cell, r in d["cells"].items():
        if "alone" not in r:
            rows.append((f"1 BLAS thread: {cell}", str(r.get("error", "not run"))))
            continue
        busy = r.get("loaded", {}).get("ratio_default_over_1")
        rows.append((f"1 BLAS thread: {cell}",
                     f"{r['alone']['ratio_default_over_1']:.2f}x faster alone"
                     + (f", {busy:.2f}x beside busy cores" if busy is not None else "")))
    return rows


HEADLINES: dict[str, Callable[[dict], list[tuple[str, str]]]] = {
    "read": _read,
    "prepare": _prepare,
    "moe": _moe,
    "train": _train,
    "image": _image,
    "survival": _survival,
    "pretrain_stream": _pretrain_stream,
    "quant_dir": _quant_dir,
    "threads": _threads,
}


def headlines(name: str, data: dict | None) -> list[tuple[str, str]]:
    """The summary rows of one benchmark's JSON (an error row if they cannot be made)."""
    if not data:
        return []
    if "skipped" in data:
        return [(name, f"skipped: {data['skipped']}")]
    try:
        return HEADLINES[name](data)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        return [(name, f"(no summary: {type(exc).__name__}: {exc})")]


def environment() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average_1m_start": os.getloadavg()[0],
    }


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary sibling and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def table_lines(rows: list[tuple[str, str]], width: int = LINE) -> list[str]:
    """``what  value`` rows, values wrapped so that no line is longer than ``width``."""
    key_w = min(max((len(a) for a, _ in rows), default=10), width // 2)
    lines = []
    for what, value in rows:
        wrapped = textwrap.wrap(value, width - key_w - 2) or [""]
        if len(what) > key_w:  # a long name gets a line of its own
            lines.append(textwrap.shorten(what, width, placeholder=" ..."))
            wrapped = [f"{'':<{key_w}}  {w}" for w in wrapped]
        else:
            wrapped = [f"{what if i == 0 else '':<{key_w}}  {w}" for i, w in enumerate(wrapped)]
        lines += wrapped
    return lines


def report_lines(summary: dict[str, Any], results: dict[str, dict[str, Any]],
                 rows: list[tuple[str, str]], out: Path) -> list[str]:
    """The terminal report: machine, each benchmark's status, the headlines, the total."""
    env = summary["environment"]
    rule = "-" * LINE
    name_w = max(len(n) for n in NAMES)
    lines = [
        textwrap.shorten(f"genemoe benchmarks ({summary['mode']}) on {env['cpu']}, "
                         f"{env['cores']} cores", LINE, placeholder=" ..."),
        f"load average {env['load_average_1m_start']:.1f} -> {env['load_average_1m_end']:.1f}",
        rule,
        *(f"{name:<{name_w}} {r['status']:<9} {r['seconds']:>6.0f} s  {Path(r['log']).name}"
          for name, r in results.items()),
        rule,
        *table_lines(rows),
        rule,
    ]
    failed = f"; FAILED: {', '.join(summary['failed'])}" if summary["failed"] else ""
    lines += textwrap.wrap(f"total {summary['seconds']:.0f} s; results in {out}/{failed}", LINE)
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("bench_out"), help="output folder")
    ap.add_argument(
        "--full",
        action="store_true",
        help="the issue sizes (11,000 x 60,000 read: ~2 GB of text; an hour or more on 2 cores)",
    )
    ap.add_argument("--only", nargs="+", choices=NAMES, default=None, help="run only these")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch threads for moe, train, image and pretrain_stream")
    ap.add_argument("--data-dir", type=Path, default=None, help="shared data folder (prepare)")
    ap.add_argument("--tmp-dir", type=Path, default=None,
                    help="where read, pretrain_stream and quant_dir write their files")
    ap.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per benchmark (default: 1200 quick, none with --full)",
    )
    args = ap.parse_args(argv)
    timeout = args.timeout or (None if args.full else 1200)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    env = environment()
    results = {
        name: run_one(name, cmd, args.out, timeout)
        for name, cmd in commands(args).items()
        if not args.only or name in args.only
    }
    env["load_average_1m_end"] = os.getloadavg()[0]
    rows = [row for name, r in results.items() for row in headlines(name, r["data"])]
    summary = {
        "mode": "full" if args.full else "quick",
        "environment": env,
        "seconds": round(time.perf_counter() - t0, 1),
        "benchmarks": {
            k: {kk: vv for kk, vv in r.items() if kk != "data"} for k, r in results.items()
        },
        "headlines": [{"what": a, "value": b} for a, b in rows],
        "failed": [
            k for k, r in results.items() if r["status"] in ("failed", "timed out", "partial")
        ],
    }
    atomic_write_text(args.out / "summary.json", json.dumps(summary, indent=2) + "\n")
    print("\n" + "\n".join(report_lines(summary, results, rows, args.out)))
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
