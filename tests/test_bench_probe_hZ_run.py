"""``benchmarks/run.py``: a broken or cut-short JSON is a failed benchmark, not a traceback
that ends the run; a timed-out benchmark's own children are killed with it; the printed
report keeps every line within 100 characters."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from benchmark_scripts import load_script

run = load_script("run")


def _script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "fake_bench.py"
    head = "import sys, json, subprocess, time\nout = sys.argv[sys.argv.index('--out') + 1]\n"
    path.write_text(head + body)
    return [sys.executable, str(path)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_cut_short_json_is_a_failure_not_a_traceback(tmp_path):
    cmd = _script(tmp_path, "open(out, 'w').write('{\"read_s\": 1.')\n")
    res = run.run_one("read", cmd, tmp_path, timeout=60)
    assert res["status"] == "failed"
    assert res["data"] is None
    assert "read.json" in res["error"] and "JSON" in res["error"]


def test_a_json_that_is_not_an_object_is_a_failure(tmp_path):
    cmd = _script(tmp_path, "open(out, 'w').write('[1, 2]')\n")
    res = run.run_one("read", cmd, tmp_path, timeout=60)
    assert res["status"] == "failed"


def test_a_timeout_kills_the_benchmarks_own_children(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    cmd = _script(tmp_path, (
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n"
    ))
    pid = None
    try:
        res = run.run_one("train", cmd, tmp_path, timeout=3)
        pid = int(pid_file.read_text())
        assert res["status"] == "timed out"
        for _ in range(50):  # the kill is sent before run_one returns; give /proc a moment
            if not _alive(pid):
                break
            time.sleep(0.1)
        assert not _alive(pid), "the timed-out benchmark's child still runs"
    finally:
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_the_report_keeps_lines_within_100_characters(tmp_path, monkeypatch, capsys):
    long_value = ", ".join(f"model{i} {1000 + i}/{20000 + i} (0.47x/36.00x svm)" for i in range(8))
    payload = {"headlines": [["train/infer samples/s @25k", long_value],
                             ["a headline name that is itself far too long " * 3, "1.0"]]}
    cmd = _script(tmp_path, f"open(out, 'w').write({json.dumps(json.dumps(payload))})\n")
    monkeypatch.setattr(run, "commands", lambda args: {"moe": cmd})
    monkeypatch.chdir(tmp_path)
    assert run.main(["--out", str(tmp_path / "o"), "--only", "moe"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in printed) <= 100, max(printed, key=len)
    text = " ".join(" ".join(printed).split())
    assert "model7 1007/20007" in text  # wrapped, not cut
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["headlines"][0]["value"] == long_value
