"""``benchmarks/bench_image.py``: the genemoe model and plain timm are timed in alternated
rounds, the first swapped every round (the genemoe model always ran first, and the README
could not explain ratios above 1); each cell prints one line of at most 100 characters
(it printed the whole JSON record)."""

from __future__ import annotations

import json

from benchmark_scripts import load_script

bench = load_script("bench_image")


def test_the_two_steps_alternate_and_swap_who_goes_first():
    calls: list[str] = []
    steps = {"genemoe": lambda: calls.append("g"), "timm": lambda: calls.append("t")}
    rates = bench.alternated_rates(steps, 16, repeats=2, rounds=3)
    assert calls == ["g", "t"] + ["g", "g", "t", "t"] + ["t", "t", "g", "g"] + ["g", "g", "t", "t"]
    assert [len(v) for v in rates.values()] == [3, 3]
    assert all(v > 0 for vs in rates.values() for v in vs)


def test_each_cell_prints_one_short_line_and_the_json_keeps_the_rounds(tmp_path, monkeypatch,
                                                                        capsys):
    def fake_bench_one(name, size, **kw):
        return {"train_samples_per_s": 6.04321, "timm_train_samples_per_s": 6.95432,
                "ratio_vs_timm": 0.8712345, "ratio_rounds": [0.8, 0.8712345, 0.93],
                "rounds": kw["rounds"], "steps_per_round": kw["repeats"],
                "ig_seconds_per_sample": 2.2345678, "ig_steps": kw["ig_steps"]}

    monkeypatch.setattr(bench, "bench_one", fake_bench_one)
    monkeypatch.chdir(tmp_path)
    assert bench.main(["--names", "resnet50", "densenet169", "--sizes", "64", "224",
                       "--out", str(tmp_path / "image.json")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4
    assert max(len(line) for line in printed) <= 100, max(printed, key=len)
    assert "median ratio 0.87 (rounds 0.80-0.93)" in printed[0]
    data = json.loads((tmp_path / "image.json").read_text())
    assert data["backbones"]["resnet50"]["64"]["rounds"] == 3
    row = load_script("run")._image(data)[0][1]
    assert "(rounds 0.80-0.93)" in row
