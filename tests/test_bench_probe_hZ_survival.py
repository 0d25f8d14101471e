"""``benchmarks/bench_survival.py``: ``--quick`` times each engine twice, alternated with
the first swapped, and keeps each round's ratio (one rep gave a ratio with no spread)."""

from __future__ import annotations

import json

from benchmark_scripts import load_script


def test_quick_has_two_alternated_reps_and_their_ratios(tmp_path, monkeypatch):
    bench = load_script("bench_survival")
    import genemoe.evaluate.survival as survival

    calls: list[str] = []
    real = survival.bootstrap_c_index

    def spy(*a, engine, **kw):
        calls.append(engine)
        return real(*a, engine=engine, **kw)

    monkeypatch.setattr(survival, "bootstrap_c_index", spy)
    res = bench.main(["--quick", "--sizes", "40", "--n-boot", "20",
                      "--out", str(tmp_path / "s.json")])
    assert calls == ["sksurv", "fast", "fast", "sksurv"]
    cell = res["sizes"]["40"]
    assert len(cell["ratio_reps"]) == 2 and cell["reps"] == 2
    assert json.loads((tmp_path / "s.json").read_text())["sizes"]["40"]["ratio_reps"]
    assert "(reps " in load_script("run")._survival(res)[0][1]
