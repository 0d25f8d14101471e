"""Memory and time of :func:`genemoe.data.read.read_expression` on a large text matrix.

Writes a synthetic genes × samples TSV of raw counts (like a GDC counts file), reads it
with ``read_expression`` in a fresh subprocess and reports the wall time, the child's
peak resident memory (``ru_maxrss`` from ``os.wait4``) and its ratio to the float32
matrix size. The goal is a ratio under 2.5 at the full size (11,000 × 60,000).

The matrix is written by another subprocess so that this process stays small: on
Linux a child's ``ru_maxrss`` starts at its parent's RSS (the memory image it was forked
from). The reading child also reports its own ``VmHWM`` (peak RSS of its image since
exec) and its RSS just before reading (the interpreter with numpy, pandas, pyarrow);
``ratio_net`` subtracts the latter, which matters at small sizes.

Usage::

    python benchmarks/bench_read.py --quick                    # 1,100 x 6,000
    python benchmarks/bench_read.py --n-samples 3000 --n-genes 20000 --out bench.json
    python benchmarks/bench_read.py --n-samples 1500 --n-genes 25000 --prepare  # + prepare

``--prepare`` also runs ``prepare_dataset`` on the file in a third subprocess (one cohort,
counts → log2 CPM, every step) and reports its peak RSS and the ratios to the matrix.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 2.5

_STATUS = """
import json, sys, time
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
"""  # a child's own memory figures, from /proc/self/status
CHILD_READ = _STATUS + """
from genemoe.data.read import read_expression
before = status("VmRSS")
t0 = time.perf_counter()
t = read_expression(sys.argv[1])
wall = time.perf_counter() - t0
print(json.dumps({"wall_s": wall, "shape": list(t.shape), "value_kind": t.value_kind,
                  "orientation": t.orientation, "rss_before_read": before, "vm_hwm": status("VmHWM")}))
"""
CHILD_PREPARE = _STATUS + """
from genemoe.data.prepare import PrepareConfig, prepare_dataset
before = status("VmRSS")
t0 = time.perf_counter()
b = prepare_dataset([sys.argv[1]], out_path=sys.argv[2], config=PrepareConfig(cancer_type="ACC"))
print(json.dumps({"wall_s": time.perf_counter() - t0, "shape": [b.n_samples, b.n_genes],
                  "rss_before_prepare": before, "vm_hwm": status("VmHWM")}))
"""
CHILD_WRITE = """
import sys
sys.path.insert(0, sys.argv[1])
from bench_read import write_matrix
write_matrix(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
"""


def write_matrix(path: str | Path, n_samples: int, n_genes: int, *, seed: int = 0,
                 genes_per_chunk: int = 2000) -> None:
    """Write a genes × samples TSV of counts: header ``\\t<barcodes>``, then ``ENSG...\\tcounts``."""
    import gzip

    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    samples = [f"TCGA-{i // 10000:02d}-{i % 10000:04d}-01A-11R-A29S-07" for i in range(n_samples)]
    opts = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as fh:
        fh.write(("\t" + "\t".join(samples) + "\n").encode())
        for g0 in range(0, n_genes, genes_per_chunk):
            g1 = min(n_genes, g0 + genes_per_chunk)
            # counts spanning 0 .. ~1e5, like RNA-seq (many small, a few large)
            vals = np.floor(rng.lognormal(3.0, 2.0, size=(n_samples, g1 - g0))).astype(np.int32)
            np.minimum(vals, 5_000_000, out=vals)
            cols = [pa.array([f"ENSG{g:011d}" for g in range(g0, g1)])] + [pa.array(v) for v in vals]
            table = pa.Table.from_arrays(cols, names=["gene"] + [f"s{i}" for i in range(n_samples)])
            pacsv.write_csv(table, fh, write_options=opts)


def run_child(code: str, *args: str) -> tuple[str, int]:
    """Run ``python -c code args``; return its stdout and its own peak RSS in bytes."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed with status {proc.returncode}")
    return out, int(usage.ru_maxrss) * 1024  # Linux reports KiB


def bench(n_samples: int, n_genes: int, tmp_dir: Path | None, *, gz: bool = False,
          prepare: bool = False) -> dict:
    """Write (in one subprocess), read (in another) and measure; with ``prepare`` also
    ``prepare_dataset`` in a third (counts → log2 CPM, one cohort, every step)."""
    with tempfile.TemporaryDirectory(dir=tmp_dir) as d:
        path = Path(d) / ("matrix.tsv.gz" if gz else "matrix.tsv")
        t0 = time.perf_counter()
        run_child(CHILD_WRITE, str(Path(__file__).resolve().parent), str(path), str(n_samples), str(n_genes))
        write_s = time.perf_counter() - t0
        file_bytes = path.stat().st_size
        t0 = time.perf_counter()
        out, peak = run_child(CHILD_READ, str(path))
        total_s = time.perf_counter() - t0
        prep = _prepare(path, Path(d) / "bundle", n_samples * n_genes * 4) if prepare else {}
    child = json.loads(out.strip().splitlines()[-1])
    if child["shape"] != [n_samples, n_genes]:
        raise SystemExit(f"read shape {child['shape']} != {[n_samples, n_genes]}")
    matrix_bytes = n_samples * n_genes * 4
    ratio = peak / matrix_bytes
    return {
        "n_samples": n_samples, "n_genes": n_genes, "gzip": gz, "file_bytes": file_bytes, "write_s": round(write_s, 2),
        "read_s": round(child["wall_s"], 2), "child_total_s": round(total_s, 2),
        "matrix_bytes": matrix_bytes, "peak_rss_bytes": peak, "vm_hwm_bytes": child["vm_hwm"],
        "rss_before_read_bytes": child["rss_before_read"], "ratio": round(ratio, 3),
        "ratio_net": round((child["vm_hwm"] - child["rss_before_read"]) / matrix_bytes, 3),
        "goal_ratio": GOAL_RATIO, "meets_goal": ratio < GOAL_RATIO,
        "value_kind": child["value_kind"], "orientation": child["orientation"], **prep,
    }


def _prepare(path: Path, out: Path, matrix_bytes: int) -> dict:
    """``prepare_dataset`` on ``path`` in a fresh subprocess: wall time, peak RSS, ratios."""
    out_text, peak = run_child(CHILD_PREPARE, str(path), str(out))
    child = json.loads(out_text.strip().splitlines()[-1])
    return {"prepare_s": round(child["wall_s"], 2), "prepare_peak_rss_bytes": peak,
            "prepare_ratio": round(peak / matrix_bytes, 3),
            "prepare_ratio_net": round((child["vm_hwm"] - child["rss_before_prepare"])
                                       / matrix_bytes, 3)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-samples", type=int, default=None, help="default 11,000")
    ap.add_argument("--n-genes", type=int, default=None, help="default 60,000")
    ap.add_argument("--quick", action="store_true",
                    help="1,100 samples x 6,000 genes (not with --n-samples / --n-genes)")
    ap.add_argument("--gzip", action="store_true", help="write the matrix gzipped (like GDC files)")
    ap.add_argument("--prepare", action="store_true",
                    help="also measure prepare_dataset on the matrix (peak RSS, its ratios)")
    ap.add_argument("--tmp-dir", type=Path, default=None, help="where to write the matrix file")
    ap.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    args = ap.parse_args(argv)
    sized = [f for f, v in (("--n-samples", args.n_samples), ("--n-genes", args.n_genes))
             if v is not None]
    if args.quick and sized:  # --quick fixes both sizes: refuse rather than ignore them
        ap.error(f"--quick ignores {' and '.join(sized)}: drop --quick to set the sizes")
    if args.quick:
        n_s, n_g = 1100, 6000
    else:
        n_s = 11000 if args.n_samples is None else args.n_samples
        n_g = 60000 if args.n_genes is None else args.n_genes
    res = bench(n_s, n_g, args.tmp_dir, gz=args.gzip, prepare=args.prepare)
    text = json.dumps(res, indent=2)
    print(text)
    if args.out is not None:  # after the children: the import would not count in their RSS
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    return res


if __name__ == "__main__":
    main()
