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
record. The two alternate ``--reps`` times (the first of each pair swaps every round); the
record keeps every round's seconds and ratio and judges the goal on the median ratio.
Goal: ratio <= 1.5.

Usage::

    python benchmarks/bench_quant_dir.py --quick --out /tmp/q.json   # 8 samples, 2 rounds
    python benchmarks/bench_quant_dir.py --n-samples 48 --reps 3 --out /tmp/q.json
"""

from __future__ import annotations

import argparse
import json
import statistics
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


def _child(code: str, *args: str, label: str = "child") -> dict:
    """Run ``python -c code args``; its last stdout line as JSON (its stderr if it fails)."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench_quant_dir: the {label} failed with status {out.returncode}:\n"
                         f"{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rounds(root: Path, tmp: Path, reps: int) -> tuple[list[dict], list[dict]]:
    """The join and the baseline ``reps`` times each, alternated, the first swapped each round."""
    joins: list[dict] = []
    bases: list[dict] = []
    for i in range(reps):
        order = ("join", "baseline") if i % 2 == 0 else ("baseline", "join")
        for which in order:
            if which == "join":
                joins.append(_child(CHILD_JOIN, str(root), str(tmp / f"joined{i}"), label="join"))
            else:
                bases.append(_child(CHILD_BASELINE, str(root), str(tmp), label="baseline"))
    return joins, bases


def run(n_samples: int, n_genes: int, tmp_dir: Path | None = None, reps: int = 1) -> dict:
    """Write the folder, time the join and the baseline ``reps`` times; the JSON record.

    ``join`` and ``baseline`` hold the first round's record with ``wall_s`` the median of
    the rounds; ``ratio_join_over_baseline`` is the median of the rounds' ratios.
    """
    if reps < 1:
        raise SystemExit(f"bench_quant_dir: --reps must be 1 or more, not {reps}")
    with tempfile.TemporaryDirectory(dir=tmp_dir) as tmp:
        root = Path(tmp) / "salmon"
        t0 = time.perf_counter()
        n_tx = write_salmon_folder(root, n_samples, n_genes)
        written = time.perf_counter() - t0
        joins, bases = _rounds(root, Path(tmp), reps)
    join_s, base_s = [j["wall_s"] for j in joins], [b["wall_s"] for b in bases]
    ratios = [j / b for j, b in zip(join_s, base_s, strict=True)]
    ratio = statistics.median(ratios)
    join = joins[0] | {"wall_s": statistics.median(join_s)}
    base = bases[0] | {"wall_s": statistics.median(base_s)}
    return {"n_samples": n_samples, "n_genes": n_genes, "n_transcripts": n_tx,
            "write_s": written, "reps": reps, "join": join, "baseline": base,
            "join_wall_s_reps": join_s, "baseline_wall_s_reps": base_s,
            "join_peak_rss_bytes_max": max(j["peak_rss_bytes"] for j in joins),
            "join_s_per_sample": join["wall_s"] / n_samples,
            "ratio_join_over_baseline": ratio, "ratio_reps": ratios,
            "goal_ratio": GOAL_RATIO, "meets_goal": ratio <= GOAL_RATIO}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8 samples (default 48)")
    ap.add_argument("--n-samples", type=int, default=None)
    ap.add_argument("--n-genes", type=int, default=62_000)
    ap.add_argument("--tmp-dir", type=Path, default=None, help="where the folder is written")
    ap.add_argument("--reps", type=int, default=None,
                    help="rounds of join and baseline, alternated (default 3; quick 2)")
    ap.add_argument("--out", type=Path, default=None, help="write the record as JSON here")
    args = ap.parse_args(argv)
    n = args.n_samples or (8 if args.quick else 48)
    reps = args.reps or (2 if args.quick else 3)
    record = run(n, args.n_genes, args.tmp_dir, reps=reps)
    if args.out is not None:
        from genemoe.data.atomic import atomic_write_text

        atomic_write_text(args.out, json.dumps(record, indent=1) + "\n")
    for line in summary_lines(record):
        print(line)
    return 0


def summary_lines(record: dict) -> list[str]:
    """The record for people: medians over the rounds, the spread of the ratio."""
    ratios = record["ratio_reps"]
    verdict = "met" if record["meets_goal"] else "NOT met"
    return [
        f"join {record['n_samples']} Salmon files ({record['n_transcripts']:,} transcripts -> "
        f"{record['join']['genes']:,} genes), median of {record['reps']} rounds:",
        f"  join {record['join']['wall_s']:.1f} s ({record['join_s_per_sample']:.2f} s per "
        f"sample), baseline {record['baseline']['wall_s']:.1f} s",
        f"  ratio {record['ratio_join_over_baseline']:.2f} (rounds {min(ratios):.2f}-"
        f"{max(ratios):.2f}); goal <= {record['goal_ratio']} {verdict}",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
