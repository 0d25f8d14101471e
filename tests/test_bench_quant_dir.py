"""benchmarks/bench_quant_dir.py runs end to end at a tiny size and its summary row reads it
(a smoke test: the timings themselves are the benchmark's, never asserted here)."""

from __future__ import annotations

import gzip
import json

import pandas as pd

from benchmark_scripts import load_script


def test_tiny_run_writes_its_record_and_the_join_matches_the_baseline(tmp_path):
    bench = load_script("bench_quant_dir")
    assert bench.main(["--n-samples", "2", "--n-genes", "40", "--tmp-dir", str(tmp_path),
                       "--out", str(tmp_path / "q.json")]) == 0
    rec = json.loads((tmp_path / "q.json").read_text())
    assert rec["join"]["genes"] == rec["baseline"]["genes"] == 40
    assert rec["join"]["samples"] == 2 and rec["n_transcripts"] == rec["join"]["transcripts"]
    assert rec["ratio_join_over_baseline"] > 0
    rows = load_script("run")._quant_dir(rec)
    assert rows[0][0] == f"join 2 Salmon quant.sf ({rec['n_transcripts']} transcripts)"


def test_the_baseline_sums_what_the_join_sums(tmp_path):
    bench = load_script("bench_quant_dir")
    bench.write_salmon_folder(tmp_path / "salmon", 3, 25, seed=4)
    from genemoe.data.quant_dir import assemble_quant_dir

    path, _ = assemble_quant_dir(tmp_path / "salmon", tmp_path / "j")
    ours = pd.read_csv(path, sep="\t", index_col=0)
    frames = []
    for s in ("S0", "S1", "S2"):
        df = pd.read_csv(tmp_path / "salmon" / s / "quant.sf", sep="\t")
        frames.append(df["NumReads"].groupby(df["Name"].str.split("|").str[1]).sum().rename(s))
    expected = pd.concat(frames, axis=1).round().astype("int64")
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index(), check_names=False)
    with gzip.open(path, "rt") as fh:
        assert "." not in fh.readlines()[1].split("\t", 1)[1]  # counts written as integers
