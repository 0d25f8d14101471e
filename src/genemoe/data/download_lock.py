"""One download at a time into a folder: a lock file, ``OUT/.download.lock``.

Two downloads into one ``--out`` wrote the same ``<name>.part``: the second took the first's
live file for one "an earlier run left" and resumed it, the first then failed on the
vanished ``.part`` with a "check the path" fix, and both rewrote ``manifest.json`` from their
own copies. The lock is an ``fcntl.flock`` taken without waiting; a second run is refused at
once, naming the folder, the pid holding it and the fix. The file is removed when the run
ends; the lock goes with the process (the kernel drops it on exit, a crash or kill
included), so a lock file left behind blocks nothing. Where ``fcntl`` is missing (Windows)
no lock is taken.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from genemoe.data.download_errors import DownloadError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "DownloadBusyError", "download_lock"]

LOCK_NAME = ".download.lock"


class DownloadBusyError(DownloadError):
    """Another download is writing to the folder (it holds ``OUT/.download.lock``)."""


def _holder(fh: IO[str]) -> str:
    """The pid the holder wrote into the lock file, said as ``" (pid N)"`` ("" if none)."""
    fh.seek(0)
    pid = fh.read(32).strip()
    return f" (pid {pid})" if pid.isdigit() else ""


@contextmanager
def download_lock(out_dir: Path, *, command: str = "genemoe download tcga") -> Iterator[None]:
    """Hold ``out_dir/.download.lock`` for the ``with`` block, or refuse at once.

    Parameters
    ----------
    out_dir
        The download's folder (it exists).
    command
        The user's command, for the fix.

    Raises
    ------
    DownloadBusyError
        Another process holds the lock: one line naming the folder and the pid, and a fix.
    """
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = Path(out_dir) / LOCK_NAME
    fh = _acquire(path, out_dir, command)
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield
    finally:
        path.unlink(missing_ok=True)  # while still held: a run that opened it retries
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def _acquire(path: Path, out_dir: Path, command: str) -> IO[str]:
    """The lock file at ``path``, opened and locked (a file removed by the run that held it
    after it was opened here is opened again: its lock guards nothing any more)."""
    while True:
        fh = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fh)
            fh.close()
            raise DownloadBusyError(
                f"another download is writing to {out_dir}{holder}; two at once would "
                "write the same partial files\n"
                f"  fix: wait for it to finish, then run `{command}` again (files already "
                "here are not fetched again), or give another --out") from None
        try:
            same = os.fstat(fh.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fh
        fh.close()
