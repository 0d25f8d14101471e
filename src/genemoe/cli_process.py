"""Process-wide set-up for the ``genemoe`` command line only (library code never calls it)."""

from __future__ import annotations

import os
import re
import signal
import sys
from types import FrameType

from genemoe.errors import Terminated

__all__ = ["training_process", "tuning_process", "progress_bars", "defer_interrupts_in_imports"]


def training_process() -> None:
    """Set up a process that trains: freed memory kept by glibc for reuse.

    Training allocates and frees the same large buffers each step (weight gradients,
    gathered rows); glibc otherwise returns them and page-faults them in again every step
    (``benchmarks/bench_moe.py``: a k = 2 MoE training step 1.2-1.8 x faster with them
    kept). The process's resident memory then stays near its peak.
    ``GENEMOE_RETAIN_MEMORY=0`` opts out.
    """
    from genemoe.models.dispatch import retain_freed_memory

    if os.environ.get("GENEMOE_RETAIN_MEMORY", "1") != "0":
        retain_freed_memory()


def tuning_process() -> None:
    """Set up a process that runs Optuna studies: Optuna's own INFO lines off.

    Optuna logs every finished trial with its parameters at full precision (``Trial 3
    finished with value: 0.7853488805101709 and parameters: {...}``), one long line per
    trial; genemoe's tuning logs one short, rounded line per trial instead. Optuna's
    warnings still show, except its "Trial N failed ... KeyboardInterrupt()" with a
    traceback at Ctrl-C and the "Trial N failed with value None." after it (the command
    says it was interrupted, in one line).
    """
    import logging

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for handler in logging.getLogger("optuna").handlers:  # its records come from sub-loggers
        if _not_a_ctrl_c not in handler.filters:
            handler.addFilter(_not_a_ctrl_c)


class _CtrlCFilter:
    """A log filter: False for a record carrying a KeyboardInterrupt, and for Optuna's
    "Trial N failed with value None." that follows it for the same trial."""

    def __init__(self) -> None:
        self.interrupted: set[str] = set()

    def filter(self, record: object) -> bool:
        msg = str(getattr(record, "msg", ""))
        exc = (getattr(record, "exc_info", None) or (None, None))[1]
        trial = re.match(r"Trial (\d+) failed with ", msg)
        if isinstance(exc, KeyboardInterrupt) or "KeyboardInterrupt" in msg:
            if trial:
                self.interrupted.add(trial.group(1))
            return False
        return not (trial and msg.startswith(f"Trial {trial.group(1)} failed with value")
                    and trial.group(1) in self.interrupted)


_not_a_ctrl_c = _CtrlCFilter()


def progress_bars(wanted: bool) -> bool:
    """Draw progress bars only when asked for and stderr is a terminal.

    A bar redraws itself with carriage returns; written to a file or a pipe (``nohup``,
    ``| tee``, CI logs) every redraw stays, and a long benchmark's log grows to tens of
    megabytes of bar frames. genemoe's log lines say what happens there instead.
    """
    return bool(wanted) and sys.stderr.isatty()


_OWN = os.path.dirname(os.path.abspath(__file__))


def _in_import(frame: FrameType | None) -> bool:
    """Whether another package's module body is running (being imported) under ``frame``."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "<module>" and not code.co_filename.startswith(_OWN) and (
                frame.f_back is not None and frame.f_back.f_code.co_filename.startswith(
                    "<frozen importlib")):
            return True
        frame = frame.f_back
    return False


_held: list[int] = []  # a signal that landed inside an import, raised once it is done


def _stop(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM: an interrupt now, or, inside an import, once the import is done."""
    if _in_import(frame):
        if signum not in _held:
            _held.append(signum)
        signal.setitimer(signal.ITIMER_REAL, 0.05)  # look again in 50 ms
        return
    _held.clear()
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _held:
        _stop(_held[0], frame)


def defer_interrupts_in_imports() -> None:
    """Hold a Ctrl-C (or SIGTERM) that lands inside another package's import until it has
    finished; stop at a SIGTERM as at a Ctrl-C.

    genemoe imports its heavy modules (torch, scipy, sklearn) when a command needs them. A
    KeyboardInterrupt raised halfway through one leaves it half-initialised in the
    interpreter: the demo interrupted 0.8 s after its start died 8 s later of a
    RecursionError (numpy's ``__getattr__`` importing ``numpy.dtypes`` over and over) and a
    traceback, instead of the one-line "interrupted". Elsewhere (genemoe's own modules
    included) Ctrl-C acts at once, as before. Unix only (a timer signal re-checks); a SIGINT the parent ignores (a
    background job of a script) stays ignored.

    SIGTERM (``kill``, a batch scheduler's pre-emption, torchrun stopping its workers after
    one failed) killed the process where it stood: status 143, no line, a checkpoint write
    possibly cut. It raises :class:`Terminated` now, which every command handles as a Ctrl-C
    (files finished or removed, one line saying how to resume), said as SIGTERM, status 143.
    """
    if not hasattr(signal, "setitimer"):
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _stop)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _stop)
