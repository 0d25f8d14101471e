"""Which process runs a trial, and whether that process is gone.

A trial records the process that runs it as it starts (:data:`PROCESS`: this machine, the
process id and its start time; written by :class:`~genemoe.train.study_budget.ProgressMark`).
A worker opening the study, or between its trials, can then tell at once that a running
trial's process was killed (SIGKILL, the out-of-memory killer): it ran on this machine and
no process of that id and start time runs now (:func:`process_gone`). Before this, such a
trial was taken for killed only once its progress marks were stale, and run again only once
its heartbeat was (:data:`~genemoe.train.study_budget.GRACE_S`, ten minutes): between the
two a worker filled the budget without it.

A trial run on another machine, or in another container (another process-id namespace),
cannot be checked so: it is never called gone here, and its heartbeat decides (Optuna's
stale-trial check, generous for a reason: a busy database, a loaded machine or a suspended
laptop delays a live trial's marks, clocks of two machines differ, and a live trial failed
by another worker would crash its own worker when it next reports).
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path
from typing import Any

__all__ = ["PROCESS", "process_gone", "this_process"]

PROCESS = "process"  # user attribute: the process running the trial (see this_process)


def _read(path: str) -> str:
    """The text of a small system file; ``""`` where it is missing (not Linux)."""
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


@functools.lru_cache(maxsize=1)
def this_machine() -> str:
    """This machine and process-id namespace: the host name, the kernel's boot id and the
    pid namespace (Linux; elsewhere the host name). Process ids compare within it only."""
    try:
        ns = os.readlink("/proc/self/ns/pid")
    except OSError:
        ns = ""
    return "|".join([socket.gethostname(), _read("/proc/sys/kernel/random/boot_id"), ns])


def _stat(pid: int) -> tuple[str, str] | None:
    """Process ``pid``'s state letter and start time (clock ticks since boot) from
    ``/proc``; None where it cannot be read (no such process, or not Linux)."""
    text = _read(f"/proc/{pid}/stat")
    if not text or ")" not in text:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (fields[0], fields[19]) if len(fields) > 19 else None


def this_process() -> dict[str, Any]:
    """What :data:`PROCESS` holds for this process: ``machine``, ``pid``, ``start``."""
    stat = _stat(os.getpid())
    return {"machine": this_machine(), "pid": os.getpid(), "start": stat[1] if stat else ""}


def process_gone(record: Any) -> bool:
    """Whether the process ``record`` (:func:`this_process`'s) is known to have ended: it ran
    on this machine and no process of its id runs now, or one of another start time (the id
    taken again), or a zombie. False where it cannot be known (another machine, no record,
    not a POSIX system) or it runs (this process included)."""
    if not isinstance(record, dict) or record.get("machine") != this_machine():
        return False
    pid = int(record.get("pid") or 0)
    if pid <= 0 or pid == os.getpid() or os.name != "posix":  # os.kill(pid, 0) ends it on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process of that id: it runs
        pass
    stat = _stat(pid)
    if stat is None:
        return Path("/proc/self/stat").exists()  # Linux: it ended since; elsewhere: unknown
    state, start = stat
    return state in ("Z", "X") or (bool(record.get("start")) and start != record.get("start"))
