"""Benchmark scripts write their JSON only where ``--out`` says, atomically: without it
``bench_pretrain_stream`` wrote ``bench_pretrain_stream.json`` into the working folder
(the repository, run from its root)."""

from __future__ import annotations

import json

from benchmark_scripts import load_script


def test_pretrain_stream_writes_nothing_into_the_working_folder_without_out(tmp_path,
                                                                          monkeypatch, capsys):
    bench = load_script("bench_pretrain_stream")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    huge = str(10**9)  # more than any disk: the run is skipped before writing a corpus
    assert bench.main(["--sizes", huge, huge, "--tmp-dir", str(tmp_path)]) == 0
    assert list(work.iterdir()) == []
    assert "skipped" in capsys.readouterr().out
    assert bench.main(["--sizes", huge, huge, "--tmp-dir", str(tmp_path),
                       "--out", str(tmp_path / "o" / "s.json")]) == 0
    assert "GiB" in json.loads((tmp_path / "o" / "s.json").read_text())["skipped"]
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["s.json"]  # no temporary left
