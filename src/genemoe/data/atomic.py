"""Atomic writes: a temporary sibling renamed over the final path, with the permissions
``open()`` would have given (0o666/0o777 less the process umask).

Moved out of :mod:`genemoe.data.bundle` (which re-exports them). The umask is read without
changing it: ``os.umask(0)`` then ``os.umask(mask)`` (as before) left the process umask at
0 for a moment on every write, so a thread creating a file in that moment got 0o666/0o777.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_dir", "atomic_file", "atomic_write_text", "process_umask"]


@contextmanager
def atomic_dir(final_path: Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``final_path`` on success.

    The temporary directory is a sibling (same filesystem), so the final rename is
    atomic. On error it is removed and ``final_path`` is left as it was.
    """
    final_path = Path(final_path)
    final_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final_path.name}.tmp-", dir=final_path.parent))
    try:
        yield tmp
        os.chmod(tmp, _umask_mode(0o777))
        for f in tmp.rglob("*"):
            os.chmod(f, _umask_mode(0o777 if f.is_dir() else 0o666))
        old = None
        if final_path.exists():
            old = final_path.with_name(f".{final_path.name}.old-{os.getpid()}")
            os.replace(final_path, old)
        os.replace(tmp, final_path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def process_umask() -> int:
    """The process umask, read without setting it: from ``/proc/self/status`` (Linux 4.7+,
    always current), else the value :func:`os.umask` gave at first use (read once)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _umask_at_first_use()


@functools.cache
def _umask_at_first_use() -> int:
    mask = os.umask(0o022)  # the one read where /proc is absent: set and put back once
    os.umask(mask)
    return mask


def _umask_mode(base: int) -> int:
    """``base`` (0o666 files, 0o777 directories) less the process umask, as open() does.

    Temporary files and directories are created owner-only; without this, atomically
    written outputs would stay unreadable to collaborators after the rename.
    """
    return base & ~process_umask()


@contextmanager
def atomic_file(path: Path | str, *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary sibling path that replaces ``path`` when the block succeeds.

    Write the whole file to the yielded path; on success it gets the usual permissions
    and is renamed over ``path`` (atomic on one filesystem); on error it is removed and
    ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:  # named the temporary file (`/proc/.x.h5ad.esuqspl4.h5ad`)
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _umask_mode(0o666))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file + rename)."""
    with atomic_file(path) as tmp:
        tmp.write_text(text)
