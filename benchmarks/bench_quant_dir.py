"""Time and memory of the ``--quant-dir`` join on a folder of Salmon ``quant.sf`` files.

Writes nf-core's layout (``salmon/<sample>/quant.sf``) for a synthetic transcriptome the
size of GENCODE's (62,000 genes, 1-7 transcripts each: about 248,000 transcripts, named
``ENST...|ENSG...|...|`` as GENCODE's FASTA names them), then, each in a fresh subprocess:

- ``join``: :func:`genemoe.data.quant_dir.assemble_quant_dir` (what ``genemoe prepare
  --quant-dir`` runs first): wall seconds, seconds per sample, the child's peak RSS;
- ``baseline``: the least a careful script does for the same matrix — per file, pandas
  reads the two columns it needs (``Name``, ``NumReads``) as numbers, takes the gene from
  the name and sums by it; the samples are joined, rounded and written gzip-compressed
  (level 3, as the join writes).

The ratio join / baseline, measured in the same run, is the comparable number (these
machines are shared): the join also checks every value, counts every change and writes its
record. Goal: ratio <= 1.5.

Usage::

    python benchmarks/bench_quant_dir.py --quick --out bench_quant_dir.json   # 8 samples
    python benchmarks/bench_quant_dir.py --n-samples 48 --out q.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 1.5

CHILD_JOIN = """
import json, sys, time
from genemoe.data.quant_dir import assemble_quant_dir
t0 = time.perf_counter()
_, rec = assemble_quant_dir(sys.argv[1], sys.argv[2])
wall = time.perf_counter() - t0
hwm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"wall_s": wall, "genes": rec["genes"], "transcripts": rec["transcripts"],
                  "samples": len(rec["samples"]), "peak_rss_bytes": hwm}))
"""
CHILD_BASELINE = """
import json, sys, time
from pathlib import Path
import pandas as pd
t0 = time.perf_counter()
cols = {}
for f in sorted(Path(sys.argv[1]).glob("*/quant.sf")):
    df = pd.read_csv(f, sep="\\t", usecols=["Name", "NumReads"])
    gene = df["Name"].str.split("|", n=2).str[1].to_numpy()
    cols[f.parent.name] = df["NumReads"].groupby(gene, sort=False).sum()
matrix = pd.DataFrame(cols).round().astype("int64")
matrix.to_csv(Path(sys.argv[2]) / "baseline.tsv.gz", sep="\\t",
              compression={"method": "gzip", "compresslevel": 3})
wall = time.perf_counter() - t0
hwm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"wall_s": wall, "genes": matrix.shape[0], "peak_rss_bytes": hwm}))
"""


def write_salmon_folder(root: Path, n_samples: int, n_genes: int, seed: int = 0) -> int:
    """``root/S<i>/quant.sf`` for ``n_samples`` samples; returns the number of transcripts."""
    import numpy as np

    rng = np.random.default_rng(seed)
    per_gene = rng.integers(1, 8, n_genes)
    names = [f"ENST{g * 10 + t:011d}.1|ENSG{g:011d}.4|OTTHUMG00000000001.1|"
             f"OTTHUMT00000000001.1|G{g}-20{t}|G{g}|{1000 + t}|protein_coding|"
             for g, k in enumerate(per_gene) for t in range(k)]
    for s in range(n_samples):
        reads = rng.gamma(0.5, 40.0, len(names)).round(3)
        tpm = reads / reads.sum() * 1e6
        folder = root / f"S{s}"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "quant.sf", "w") as fh:
            fh.write("Name\tLength\tEffectiveLength\tTPM\tNumReads\n")
            fh.writelines(f"{n}\t1500\t1350.000\t{t:.6f}\t{r:.3f}\n"
                          for n, t, r in zip(names, tpm, reads, strict=True))
    return len(names)


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(n_samples: int, n_genes: int, tmp_dir: Path | None = None) -> dict:
    """Write the folder, time the join and the baseline; the JSON record."""
    with tempfile.TemporaryDirectory(dir=tmp_dir) as tmp:
        root = Path(tmp) / "salmon"
        t0 = time.perf_counter()
        n_tx = write_salmon_folder(root, n_samples, n_genes)
        written = time.perf_counter() - t0
        join = _child(CHILD_JOIN, str(root), str(Path(tmp) / "joined"))
        base = _child(CHILD_BASELINE, str(root), tmp)
    ratio = join["wall_s"] / base["wall_s"]
    return {"n_samples": n_samples, "n_genes": n_genes, "n_transcripts": n_tx,
            "write_s": written, "join": join, "baseline": base,
            "join_s_per_sample": join["wall_s"] / n_samples,
            "ratio_join_over_baseline": ratio, "goal_ratio": GOAL_RATIO,
            "meets_goal": ratio <= GOAL_RATIO}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8 samples (default 48)")
    ap.add_argument("--n-samples", type=int, default=None)
    ap.add_argument("--n-genes", type=int, default=62_000)
    ap.add_argument("--tmp-dir", type=Path, default=None, help="where the folder is written")
    ap.add_argument("--out", type=Path, default=Path("bench_quant_dir.json"))
    args = ap.parse_args(argv)
    n = args.n_samples or (8 if args.quick else 48)
    record = run(n, args.n_genes, args.tmp_dir)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"join {n} Salmon files ({record['n_transcripts']:,} transcripts -> "
          f"{record['join']['genes']:,} genes): {record['join']['wall_s']:.1f} s "
          f"({record['join_s_per_sample']:.2f} s per sample), baseline "
          f"{record['baseline']['wall_s']:.1f} s, ratio {record['ratio_join_over_baseline']:.2f} "
          f"(goal <= {GOAL_RATIO})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
