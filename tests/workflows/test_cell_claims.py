"""Several workers on one benchmark directory: each cell is claimed, computed once, waited for."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

import genemoe.workflows.benchmark as bm
from genemoe.workflows.cell_claims import Holder, claim_path, claimed, holder_of


def _hold(cell, host: str, pid: int, since: float | None = None) -> None:
    since = time.time() if since is None else since
    claim_path(cell).write_text(json.dumps({"host": host, "pid": pid, "since": since}))


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_claim_is_this_process_s_for_the_block_and_gone_after(tmp_path):
    cell = tmp_path / "cells" / "fcn__r0_f0.json"
    with claimed(cell) as holder:
        assert holder is None and claim_path(cell).exists()
        mine = holder_of(cell)
        assert (mine.host, mine.pid) == (socket.gethostname(), __import__("os").getpid())
        other = subprocess.run(  # another process finds the cell held, by this one
            [sys.executable, "-c", "import sys; from pathlib import Path; "
             "from genemoe.workflows.cell_claims import claimed\n"
             "with claimed(Path(sys.argv[1])) as h: print(h.pid if h else 'mine')", str(cell)],
            capture_output=True, text=True, check=True).stdout.strip()
        assert other == str(mine.pid)
    assert not claim_path(cell).exists()
    with pytest.raises(RuntimeError), claimed(cell):
        raise RuntimeError("a failed cell")
    assert not claim_path(cell).exists()  # released on errors too


@pytest.mark.parametrize(("host", "alive"), [("here", True), ("here", False), ("elsewhere", True)])
def test_only_a_gone_holder_on_this_host_is_taken_over(tmp_path, host, alive):
    import os

    cell = tmp_path / "cells" / "fcn__r0_f0.json"
    cell.parent.mkdir()
    hostname = socket.gethostname() if host == "here" else "another-machine"
    pid = os.getppid() if alive else _dead_pid()
    _hold(cell, hostname, pid)
    with claimed(cell) as holder:
        if host == "here" and not alive:
            assert holder is None and holder_of(cell).pid == os.getpid()
        else:
            assert holder == Holder(hostname, pid, holder.since)
            assert holder_of(cell).pid == pid  # left as it was
    assert claim_path(cell).exists() == (holder is not None)


@pytest.fixture(scope="module")
def finished(synthetic_bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("claims") / "bench"
    bm.run_benchmark(synthetic_bundle(seed=1).path, task="classify", models=["logreg", "fcn"],
                     n_folds=2, epochs=2, out_dir=out)
    return synthetic_bundle(seed=1).path, out


def test_a_cell_another_worker_holds_is_waited_for_not_computed(finished, tmp_path, monkeypatch,
                                                                caplog):
    import os

    bundle, done = finished
    out = tmp_path / "bench"
    shutil.copytree(done, out)
    cell = out / "cells" / "fcn__r0_f1.json"
    kept = cell.read_text()
    cell.unlink()
    _hold(cell, socket.gethostname(), os.getppid())  # a live process: "another worker"
    monkeypatch.setattr(bm, "CLAIM_POLL_S", 0.05)
    caplog.set_level("INFO", logger="genemoe.workflows.benchmark")
    calls = []
    real = bm.fit_model
    monkeypatch.setattr(bm, "fit_model", lambda name, *a, **kw: (calls.append(name), real(name, *a, **kw))[1])

    def other_worker_finishes():
        time.sleep(1.0)
        cell.write_text(kept)
        claim_path(cell).unlink()

    t = threading.Thread(target=other_worker_finishes)
    t.start()
    res = bm.run_benchmark(bundle, task="classify", models=["logreg", "fcn"], n_folds=2, epochs=2,
                           out_dir=out)
    t.join()
    assert calls == [] and (res.n_computed, res.n_reused) == (0, 4)
    assert len(res.results) == 4
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting")]
    assert len(waits) == 1 and waits[0].startswith("waiting for 1 cell(s)")  # not per look
    assert str(claim_path(cell)) in waits[0]


def test_two_workers_on_one_directory_compute_each_cell_once(finished, tmp_path):
    """Two identical commands on one --out used to train the same cells side by side; the
    first to finish removed the checkpoint folder the other wrote to (FileNotFoundError)."""
    bundle, _ = finished
    cmd = [sys.executable, "-m", "genemoe.cli", "benchmark", "--data", str(bundle), "--out",
           str(tmp_path / "bench"), "--models", "logreg,fcn,mlp", "--folds", "2", "--epochs", "3",
           "--no-plots"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert not any("Traceback" in err for _, err in outs)
    trained = [sum(line.startswith("cell ") for line in err.splitlines()) for _, err in outs]
    assert sum(trained) == 6, (trained, outs)  # 3 models x 2 folds, each once
    assert not list((tmp_path / "bench" / "cells").glob("*.claim"))


@pytest.mark.parametrize("case", ["own pid", "pid reused since"])
def test_a_claim_whose_pid_now_names_another_process_is_taken_over(tmp_path, case):
    """After a restart (a container's, typically) process ids come round again: a claim left
    by a killed worker may name a live process that is not that worker."""
    import os

    cell = tmp_path / "cells" / "fcn__r0_f0.json"
    cell.parent.mkdir()
    if case == "own pid":
        _hold(cell, socket.gethostname(), os.getpid())
    else:  # the parent process is alive, but started long after this claim was made
        _hold(cell, socket.gethostname(), os.getppid(), since=1_000_000.0)
    with claimed(cell) as holder:
        assert holder is None


_HOLD_SCRIPT = ("import sys; from pathlib import Path; "
                "from genemoe.workflows.cell_claims import claimed\n"
                "with claimed(Path(sys.argv[1])) as h:\n"
                "    print('mine' if h is None else 'held', flush=True); sys.stdin.read()")


def test_of_two_workers_taking_over_one_stale_claim_only_one_gets_the_cell(tmp_path, monkeypatch):
    """Two workers that found the same stale claim used to both take it over: the later one
    removed the first's fresh claim and computed the cell a second time."""
    import genemoe.workflows.cell_claims as cc

    cell = tmp_path / "cells" / "fcn__r0_f0.json"
    cell.parent.mkdir()
    _hold(cell, socket.gethostname(), _dead_pid())
    first: list[subprocess.Popen] = []

    def judged_gone_meanwhile_taken(self) -> bool:  # this worker judged the claim stale ...
        if not first:  # ... and another worker takes it over before this one acts
            p = subprocess.Popen([sys.executable, "-c", _HOLD_SCRIPT, str(cell)], text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            first.append(p)
            assert p.stdout.readline().strip() == "mine"
        return False

    monkeypatch.setattr(cc.Holder, "is_alive", judged_gone_meanwhile_taken)
    try:
        with claimed(cell) as holder:
            assert holder is not None and holder.pid == first[0].pid  # left to the other
            assert holder_of(cell).pid == first[0].pid  # its claim not removed
        assert holder_of(cell).pid == first[0].pid
    finally:
        first[0].communicate("")
    assert not claim_path(cell).exists() and not list(cell.parent.glob("*.takeover"))


_LOCK_SCRIPT = ("import fcntl, os, sys\n"
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)\n"
                "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()")


def test_a_take_over_in_progress_is_waited_for_and_a_killed_workers_lock_goes_with_it(tmp_path):
    """The take-over used to be guarded by a marker file, which a worker killed in that
    instant left behind: it expired after a minute, and two workers arriving then could both
    remove it and both take the cell. The lock is now the kernel's: gone with its holder."""
    import os

    import genemoe.workflows.cell_claims as cc

    cell = tmp_path / "cells" / "fcn__r0_f0.json"
    cell.parent.mkdir()
    _hold(cell, socket.gethostname(), _dead_pid(), since=123.5)
    locker = subprocess.Popen([sys.executable, "-c", _LOCK_SCRIPT,
                               str(cell.parent / cc.TAKEOVER_LOCK)],
                              text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    got: list = []
    try:
        assert locker.stdout.readline().strip() == "locked"  # a take-over in progress
        worker = threading.Thread(target=lambda: got.append(_claim_once(cell)))
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and not got  # waits for it, does not take the cell
        locker.kill()  # killed mid take-over: its lock goes with it
        worker.join(10)
    finally:
        locker.kill()
        locker.communicate()
    assert got == [(None, os.getpid())]  # then this worker takes the stale claim over
    assert not claim_path(cell).exists()
    assert [p.name for p in cell.parent.iterdir()] == [cc.TAKEOVER_LOCK]  # nothing else left


def _claim_once(cell):
    with claimed(cell) as holder:
        return holder, holder_of(cell).pid
