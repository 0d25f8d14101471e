"""User-facing errors.

Every error genemoe raises for bad input is an :class:`InputError` whose message names
the file, the row or column at fault, and how to fix it. The CLI prints the message
without a traceback and exits with status 2.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["GenemoeError", "InputError", "NotBuiltError", "Interrupted", "Terminated",
           "was_interrupted", "stop_signal",
           "MEMORY_FIX", "input_error", "RESUMING", "resume_line",
           "out_of_memory_message", "os_error_message"]


class GenemoeError(Exception):
    """Base class of the errors genemoe reports to users."""


class InputError(GenemoeError, ValueError):
    """Bad input: the message names the file, the row/column and the fix.

    Built by :func:`input_error`, it keeps its parts (``problem``, ``path``, ``where``,
    ``fix``) so a caller whose user has other options can give its own fix
    (:meth:`with_fix`) without cutting the message text.
    """

    problem: str | None = None
    path: Path | str | None = None
    where: str | None = None
    fix: str | None = None

    def with_fix(self, fix: str, *, problem: str | None = None) -> InputError:
        """The same error with another fix (and, given, another problem text); the
        original is its ``__cause__`` when raised ``from`` it."""
        return input_error(problem or self.problem or str(self), path=self.path,
                           where=self.where, fix=fix)


class NotBuiltError(GenemoeError):
    """A command whose capability is not built yet (names the missing capability)."""


class Terminated(KeyboardInterrupt):
    """A SIGTERM, raised where a Ctrl-C would be (the command line installs the handler):
    the same clean stop, said as SIGTERM."""


class Interrupted(GenemoeError):
    """The user stopped the command (Ctrl-C, or SIGTERM); said in one line, exit status 130
    (143 for SIGTERM, as the shell reports a process it killed)."""

    def __init__(self, command: str | None = None, by: str = "Ctrl-C") -> None:
        word = "interrupted" if by == "Ctrl-C" else "stopped"
        super().__init__(f"{word} ({by}). {resume_line(command)}")
        self.command, self.by = command, by
        self.status = 143 if by == "SIGTERM" else 130

    def __reduce__(self) -> tuple:
        """Rebuilt from its command and signal: ``copy``/``pickle`` passed the message back
        as the command, so a copy read "interrupted (Ctrl-C). `genemoe stopped (SIGTERM)...``
        with status 130 for a SIGTERM's 143."""
        return (type(self), (self.command, self.by))


RESUMING = ("train", "pretrain", "tune", "benchmark", "ablation")
"""Commands that resume from their --out when run again (checkpoints, studies, cells)."""


def resume_line(command: str | None) -> str:
    """What running ``command`` again does after a Ctrl-C (every resuming command listed
    when the command is unknown; the line used to list them all whichever command ran)."""
    if command == "tune":  # "resumes from the last trial saved": a study keeps every
        #   finished trial and runs the interrupted one again, with its own values
        return ("run the same `genemoe tune` command again (the same --out): the study keeps "
                "its finished trials and runs the interrupted ones again.")
    if command in RESUMING:
        saved = {"train": "epoch", "pretrain": "epoch"}.get(command, "cell")
        return (f"run the same `genemoe {command}` command again (the same --out): it resumes "
                f"from the last {saved} saved, or starts afresh if none was.")  # "where it
        #   stopped" was said of a run stopped before its first checkpoint
    if command == "download":
        return "run the same `genemoe download` command again: it resumes its partial file (.part)."
    if command == "demo":  # it replaces its own runs and studies: "to finish" promised more
        return ("`genemoe demo` writes each file whole; run again (the same --out), it starts "
                "afresh, replacing its own runs and studies.")
    if command is not None:
        return (f"`genemoe {command}` writes each file whole, so no file is half-written: run "
                "it again to finish.")
    return ("train, pretrain, tune, benchmark and ablation resume where they stopped when run "
            "again with the same --out; download resumes its partial file (.part).")


def was_interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is, or was raised while handling, a Ctrl-C or SIGTERM (a
    checkpoint's writer interrupted mid-file raises its own RuntimeError from the
    KeyboardInterrupt)."""
    return stop_signal(exc) is not None


def stop_signal(exc: BaseException) -> str | None:
    """``"SIGTERM"`` or ``"Ctrl-C"`` when ``exc`` is, or was raised while handling, a
    :class:`Terminated` or another KeyboardInterrupt (the whole chain is read: a tuning
    study re-raises a SIGTERM as its own KeyboardInterrupt); ``None`` otherwise."""
    seen, found = set(), None
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, Terminated):
            return "SIGTERM"
        if isinstance(exc, KeyboardInterrupt):
            found = "Ctrl-C"
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return found


def input_error(
    problem: str,
    *,
    path: Path | str | None = None,
    where: str | None = None,
    fix: str | None = None,
) -> InputError:
    """Build an :class:`InputError` with a uniform message.

    Parameters
    ----------
    problem
        What is wrong, e.g. ``"non-numeric value 'abc'"``.
    path
        The file at fault.
    where
        Row / column / sample at fault, e.g. ``"row 12 (gene ENSG...), column 'TCGA-..'"``.
    fix
        What the user should do.

    Returns
    -------
    InputError
        Raise it: ``raise input_error(...)``.
    """
    parts = []
    if path is not None:
        parts.append(f"{path}:")
    if where:
        parts.append(f"{where}:")
    parts.append(problem)
    msg = " ".join(parts)
    if fix:
        msg += f"\n  fix: {fix}"
    err = InputError(msg)
    err.problem, err.path, err.where, err.fix = problem, path, where, fix
    return err


_OOM_MARKERS = ("can't allocate memory", "not enough memory", "out of memory")
# What to change when a command needs more memory than the machine has.
MEMORY_FIX = ("fewer genes (prepare --protein-coding-only or --min-variance), a smaller model "
              "or batch (--config), or fewer processes at once")


def nearest_names(unknown: list[str], known: Iterable[str]) -> str:
    """`` (did you mean hidden?)`` for misspelt names: each one's closest known name
    (``difflib``), ``name: did you mean ...`` when there are several; empty without one."""
    import difflib

    known = sorted(known)
    near = {u: m[0] for u in unknown if (m := difflib.get_close_matches(u, known, n=1))}
    if not near:
        return ""
    if len(unknown) == 1:
        return f" (did you mean {next(iter(near.values()))}?)"
    return " (" + "; ".join(f"{u}: did you mean {m}?" for u, m in near.items()) + ")"


def out_of_memory_message(exc: BaseException) -> str | None:
    """The message for a user whose command ran out of memory (what failed, then the fix, as
    :func:`input_error` words it); None when ``exc`` is another error.

    Recognises Python's/numpy's ``MemoryError`` and torch's allocator failures
    (``DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes``, CUDA's
    ``OutOfMemoryError``); a process the kernel kills for memory cannot say anything.
    """
    text = str(exc).strip()
    if not isinstance(exc, MemoryError) and not (
            isinstance(exc, RuntimeError) and any(m in text.lower() for m in _OOM_MARKERS)):
        return None
    asked = re.search(r"allocate (\d+) bytes", text)
    what = (f"an allocation of {int(asked.group(1)) / 1e9:.1f} GB failed" if asked
            else text.splitlines()[0][:160] if text else "an allocation failed")
    return f"out of memory: {what}\n  fix: {MEMORY_FIX}"


_OS_FIXES = {
    errno.ENOSPC: "free disk space, or write to another disk",
    errno.EDQUOT: "free space within your quota, or write to another disk",
    errno.EFBIG: "the file is larger than this file system allows (FAT32: 4 GB each): write "
                 "to a disk formatted otherwise (ext4, NTFS, APFS, exFAT)",
    errno.EACCES: "choose a folder you can write to, or check the file's permissions",
    errno.EPERM: "choose a folder you can write to, or check the file's permissions",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.ENOENT: "check the path: its folder must exist and be writable",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EEXIST: "a file of that name stands where a folder is needed: choose another path",
    errno.EISDIR: "the path is a folder where a file is expected: name a file",
    errno.ENAMETOOLONG: "a file or folder name (one part of the path) may hold at most 255 "
                        "bytes: use a shorter name",
}


def os_error_message(exc: BaseException) -> str | None:
    """The message for a command stopped by the file system (no space, no permission, a
    missing or read-only folder), naming the path and the fix as :func:`input_error` words
    it; None for other errors (an input file's absence is said where it is read)."""
    if not isinstance(exc, OSError) or exc.errno not in _OS_FIXES:
        return None
    path = exc.filename if exc.filename is not None else "a file"
    if len(str(path)) > 120:  # a name too long for the file system: its start and end
        path = f"{str(path)[:50]}…{str(path)[-30:]}"
    if re.fullmatch(r"\..+\.tmp", Path(str(path)).name):  # an atomic write's temporary
        path = f"{Path(str(path)).parent}/ (writing a result there)"
    return f"{path}: {exc.strerror or exc}\n  fix: {_OS_FIXES[exc.errno]}"
