"""benchmarks/bench_read.py measures reading, and with --prepare preparing, in subprocesses."""

from __future__ import annotations

from benchmark_scripts import load_script


def test_bench_read_reports_read_and_prepare_memory_ratios(tmp_path):
    bench = load_script("bench_read")
    res = bench.bench(60, 400, tmp_path, prepare=True)
    assert res["n_samples"] == 60 and res["ratio"] > 0 and res["read_s"] >= 0
    assert res["prepare_peak_rss_bytes"] > 0 and res["prepare_ratio"] > res["prepare_ratio_net"]
