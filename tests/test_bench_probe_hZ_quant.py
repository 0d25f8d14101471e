"""``benchmarks/bench_quant_dir.py``: a failing child says why (its stderr), not a bare
``CalledProcessError``; the join and the baseline alternate over rounds and the record keeps
each round's ratio (one pair of timings on a shared machine was the whole verdict); without
``--out`` nothing is written into the working folder."""

from __future__ import annotations

import json
import statistics

import pytest

from benchmark_scripts import load_script

bench = load_script("bench_quant_dir")


def test_a_failing_child_names_itself_and_shows_its_error():
    with pytest.raises(SystemExit) as err:
        bench._child("raise ValueError('no quant.sf under salmon/S0')")
    assert "failed with status 1" in str(err.value)
    assert "no quant.sf under salmon/S0" in str(err.value)


def test_rounds_alternate_and_the_ratio_is_their_median(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert bench.main(["--n-samples", "2", "--n-genes", "30", "--reps", "3",
                       "--tmp-dir", str(tmp_path)]) == 0
    assert not list(tmp_path.glob("*.json"))  # no --out: nothing written here
    printed = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in printed) <= 100
    assert "median of 3 rounds" in printed[0]
    assert bench.main(["--n-samples", "2", "--n-genes", "30", "--reps", "3",
                       "--tmp-dir", str(tmp_path), "--out", str(tmp_path / "q.json")]) == 0
    rec = json.loads((tmp_path / "q.json").read_text())
    assert rec["reps"] == 3 and len(rec["ratio_reps"]) == 3
    assert rec["ratio_join_over_baseline"] == statistics.median(rec["ratio_reps"])
    assert rec["join"]["wall_s"] == statistics.median(rec["join_wall_s_reps"])
    row = load_script("run")._quant_dir(rec)[0][1]
    assert "rounds" in row
