"""Follow-ups on benchmarks/ from a probe: module length, device_check's JSON written
atomically, its default output folder ignored by git, bench_read's --quick refusing sizes
it would ignore."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _load(name: str, alias: str):
    spec = importlib.util.spec_from_file_location(alias, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(alias, None)
    return module


def test_benchmark_modules_stay_under_600_lines():
    long = {p.name: n for p in BENCH.glob("*.py")
            if (n := len(p.read_text().splitlines())) >= 600}
    assert not long, f"modules over the 600-line limit: {long}"


def test_device_check_rewrites_its_json_by_replacing_it(tmp_path):
    dc = _load("device_check", "device_check_probe_hAA")
    path = tmp_path / "device_check.json"
    result: dict = {"mode": "cpu"}
    dc._run_stage(result, "first", lambda: {"x": 1}, path)
    inode = path.stat().st_ino
    dc._run_stage(result, "second", lambda: {"y": 2}, path)
    # a new file renamed over the old one (not the old one truncated and rewritten), so a
    # run killed mid-write leaves the previous whole JSON
    assert path.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["device_check.json"]
    back = json.loads(path.read_text())
    assert back["first"]["x"] == 1 and back["second"]["y"] == 2


def test_device_check_default_out_folder_is_git_ignored():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (or no git): nothing to ignore")
    proc = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q",
                           "device_check_out/device_check.json"], check=False)
    assert proc.returncode == 0, "device_check_out/ (device_check.sh's default) is not ignored"


@pytest.fixture()
def bench_read(monkeypatch):
    module = _load("bench_read", "bench_read_probe_hAA")
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(module, "bench", lambda n_s, n_g, *a, **k: calls.append((n_s, n_g))
                        or {"n_samples": n_s, "n_genes": n_g})
    return module, calls


def test_bench_read_quick_refuses_sizes_it_would_ignore(bench_read, capsys):
    module, calls = bench_read
    for sizes in (["--n-samples", "3000"], ["--n-genes", "20", "--n-samples", "30"]):
        with pytest.raises(SystemExit) as exc:
            module.main(["--quick", *sizes])
        assert exc.value.code == 2 and calls == []
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert "--quick ignores --n-samples" in err and "drop --quick" in err
        assert len(err.replace("pytest", "bench_read.py")) <= 100


def test_bench_read_sizes_without_quick(bench_read):
    module, calls = bench_read
    module.main(["--quick"])
    module.main(["--n-samples", "50", "--n-genes", "20"])
    module.main(["--n-genes", "20"])
    assert calls == [(1100, 6000), (50, 20), (11000, 20)]
