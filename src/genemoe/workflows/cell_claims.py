"""Claims on benchmark cells, so that several workers can share one ``--out`` directory.

Two ``genemoe benchmark`` commands started on the same directory (two terminals, two
machines on a shared disk) used to compute the same missing cells side by side, and the
first to finish removed the checkpoint folder the other was still writing to (a
``FileNotFoundError`` traceback). Now a worker claims a cell before computing it: it
creates ``cells/<cell>.claim`` exclusively (``O_CREAT | O_EXCL``, atomic on local disks
and NFS v3+), holding its host, process id and start time, and removes it when the cell
is written or the worker stops. A worker that finds a claim leaves that cell to its
holder and waits for it after its own cells.

A claim is stale when its holder is gone: on this host, when no process has its id any
more, or the process with that id started after the claim (the claim is then taken over,
with an info line); a claim from another host cannot be checked from here, so it is
waited for, and the waiting line names the claim file to delete if that machine's worker
is gone. A take-over happens under an exclusive lock on ``cells/.takeover.lock``
(``flock``; the kernel releases it when its holder exits or is killed, so a killed worker
leaves no lock behind), and the claim is read again under it before it is removed: of
several workers that find the same stale claim at once, one takes the cell and the others
find it held. (Two used to both take it over, the second removing the first's fresh claim,
and compute the cell twice; the marker file that then guarded the take-over had to expire
after a minute when its worker was killed, and two workers arriving at that instant could
both remove it.) On a file system without locks (an NFS mount without its lock service)
the take-over runs unguarded, as it did before.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from genemoe.errors import input_error

__all__ = ["Holder", "TAKEOVER_LOCK", "claim_path", "claimed", "holder_of",
           "process_start_time", "holding_out_dir", "FOLDER_CLAIM"]

log = logging.getLogger(__name__)

TAKEOVER_LOCK = ".takeover.lock"  # in cells/: held (flock) while a stale claim is replaced
FOLDER_CLAIM = ".genemoe"  # a train or pretrain --out folder's claim: .genemoe.claim
F = TypeVar("F", bound=Callable[..., Any])

try:
    import fcntl
except ImportError:  # not a POSIX system: take-overs run unguarded
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Holder:
    """The worker that holds a claim."""

    host: str
    pid: int
    since: float  # time.time() when claimed
    command: str | None = None  # a folder claim's (train, pretrain): named in the refusal

    def describe(self) -> str:
        """``pid 1234 on host-a``."""
        return f"pid {self.pid} on {self.host}"

    def is_alive(self) -> bool:
        """False only when the holder is certainly gone: on this host, no process has its id,
        the id is this process's own (a claim left by an earlier process that had it: this
        one holds no claim on a cell it is about to claim), or the process with that id
        started after the claim was made (the id was reused, as after a container restart)."""
        if self.host != socket.gethostname():
            return True  # cannot be checked from here
        if self.pid == os.getpid():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # a process of another user has that id
            pass
        started = process_start_time(self.pid)
        return started is None or started <= self.since + 1.0


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), from Linux's ``/proc``; None
    where that cannot be read (another system, or the process is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def claim_path(cell_path: Path) -> Path:
    """``cells/<cell>.claim`` beside ``cells/<cell>.json``."""
    return cell_path.with_suffix(".claim")


def holder_of(cell_path: Path) -> Holder | None:
    """Who holds ``cell_path``'s claim; None when nobody does (or the file is unreadable,
    as it is for the instant between its creation and its first write)."""
    try:
        raw = json.loads(claim_path(cell_path).read_text())
        return Holder(str(raw["host"]), int(raw["pid"]), float(raw["since"]), raw.get("command"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _create(path: Path, command: str | None = None) -> bool:
    """Create the claim file exclusively with this process as holder (and, for a folder, its
    command); False when it exists."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as fh:
        json.dump({"host": socket.gethostname(), "pid": os.getpid(), "since": time.time(),
                   **({"command": command} if command else {})}, fh)
    return True


@contextmanager
def _takeover_lock(directory: Path) -> Iterator[None]:
    """Hold ``directory/.takeover.lock`` exclusively for the block (waits for a take-over in
    progress; a take-over is a read, an unlink and a create, so the wait is short)."""
    fd = os.open(directory / TAKEOVER_LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    raise
                log.debug("no file locks on %s (%s): take-over unguarded", directory, exc)
        yield
    finally:
        os.close(fd)  # releases the lock


def _take_over(cell_path: Path, stale: Holder, command: str | None = None) -> bool:
    """Replace the stale claim of ``stale`` on ``cell_path`` by this process's own; False when
    another worker already has (see the module docstring)."""
    path = claim_path(cell_path)
    with _takeover_lock(path.parent):
        if holder_of(cell_path) != stale:  # taken over and claimed afresh since it was read
            return False
        log.info("%s: its holder (%s) is gone; taking the %s over", path.name,
                 stale.describe(), "folder" if command else "cell")
        path.unlink(missing_ok=True)
        return _create(path, command)


@contextmanager
def claimed(cell_path: Path, command: str | None = None) -> Iterator[Holder | None]:
    """Claim ``cell_path`` for this process for the ``with`` block (``command``: a folder
    claim's, recorded for the refusal of another).

    Yields None when this process holds the claim (compute the cell), else the other
    holder (leave the cell to it). A stale claim (its holder gone, see
    :meth:`Holder.is_alive`) is taken over. The claim is removed on leaving the block,
    also on errors and Ctrl-C.
    """
    path = claim_path(cell_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = _create(path, command)
    if not mine:
        holder = holder_of(cell_path)
        if holder is not None and not holder.is_alive():
            mine = _take_over(cell_path, holder, command)
    if not mine:
        yield holder_of(cell_path) or Holder("?", -1, time.time())
        return
    try:
        yield None
    finally:
        path.unlink(missing_ok=True)


def holding_out_dir(command: str) -> Callable[[F], F]:
    """Decorate a workflow whose keyword ``out_dir`` one process at a time may write: the
    folder is claimed (``OUT/.genemoe.claim``, as a benchmark cell is) for the call, and a
    second call on it while the first runs is refused, naming the holder. Two ``genemoe
    train`` commands into one --out both ran and both printed their result; the folder held
    only one of them. A stale claim (its holder gone) is taken over; the claim is removed on
    return, error or Ctrl-C, and a folder the claim alone made is removed with it. Under
    ``torchrun`` only rank 0 claims (every rank writes the same folder). A folder that cannot
    be made here is left to the workflow's own check, which says why."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            out = kwargs.get("out_dir")
            if not isinstance(out, str | os.PathLike) or int(os.environ.get("RANK", "0")) > 0:
                return fn(*args, **kwargs)  # not a path: the workflow says so
            out = Path(out)
            made = not out.exists()
            try:
                with contextlib.ExitStack() as stack:
                    try:
                        holder = stack.enter_context(claimed(out / FOLDER_CLAIM, command))
                    except OSError:
                        holder = None  # cannot be made here: the workflow's check says why
                    if holder is not None:
                        raise input_error(
                            f"another genemoe {holder.command or 'command'} "
                            f"({holder.describe()}) is writing into this folder", path=out,
                            where="--out",
                            fix="wait for it to finish, or choose another --out (if that "
                                f"process is gone, delete {claim_path(out / FOLDER_CLAIM)})")
                    return fn(*args, **kwargs)
            finally:
                if out.is_dir():  # a take-over's lock file (empty) was left in the folder
                    (out / TAKEOVER_LOCK).unlink(missing_ok=True)
                if made and out.is_dir() and not any(out.iterdir()):
                    out.rmdir()

        return run  # type: ignore[return-value]

    return wrap
