"""The terminal side of logging, for the ``genemoe`` command line only.

:func:`setup_logging` is called by the CLI (:mod:`genemoe.cli`) and nowhere else: library
modules only log. By default a user sees one line per preparation step, the downloads,
the demo's and predict's own steps, one line per benchmark cell and per trial of ``genemoe
tune``, every warning (``warning:``, yellow) and error (``error:``, red); ``-v`` adds every
module's INFO and the DEBUG counters behind each step, each line naming its logger; ``-q``
keeps warnings and errors only, in a command's printed summary too (:func:`say`). Lines go
through ``tqdm.write`` so progress bars (tqdm, the one convention here) stay whole. Python
warnings (scikit-learn's ``ConvergenceWarning``…) become one ``warning:`` line each.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

import typer

__all__ = ["NARRATING_LOGGERS", "TerminalHandler", "error_text", "say", "setup_logging",
           "show_version", "wrap_for_terminal"]

# Loggers whose INFO lines a user sees without -v: one line per preparation step, the
# downloads, the demo's and predict's own steps, one line per benchmark cell (model,
# repeat, fold, score, seconds) and per `genemoe tune` trial (value, best, seconds): a long
# run's progress, also in a log file, where no bar is drawn; train's own lines (tuned options
# said). Every other module's INFO (per-epoch losses, per-trial values, file-format
# detection) and the counters behind each step (DEBUG) show with -v. Warnings and errors
# always show.
NARRATING_LOGGERS = ("genemoe.data.prepare", "genemoe.data.download", "genemoe.data.gdc_portal",
                     "genemoe.workflows.demo", "genemoe.workflows.predict",
                     "genemoe.workflows.benchmark", "genemoe.workflows.tune",
                     "genemoe.workflows.train", "genemoe.train.finetune",
                     "genemoe.explain.cost", "genemoe.workflows.ablation")
_STYLE = {logging.WARNING: ("warning: ", "yellow"), logging.ERROR: ("error: ", "red"),
          logging.CRITICAL: ("error: ", "red"), logging.DEBUG: ("", "bright_black")}


class TerminalHandler(logging.Handler):
    """Log records as short lines on stderr, written through tqdm so progress bars survive.

    ``warning:`` / ``error:`` prefixes, in yellow / red where stderr is a terminal (and
    ``NO_COLOR`` is unset); with ``verbose`` each line names its logger.
    """

    def __init__(self, *, verbose: bool = False, quiet: bool = False) -> None:
        super().__init__(logging.DEBUG if verbose else logging.INFO)
        self.verbose, self.quiet = verbose, quiet

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or self.verbose:
            return True
        return not self.quiet and record.levelno >= logging.INFO and record.name.startswith(
            NARRATING_LOGGERS)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            prefix, colour = _STYLE.get(record.levelno, ("", None))
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            if self.verbose:
                text = f"{record.name}: {text}"
            stream = sys.stderr
            tty = stream.isatty()
            colour_ok = colour and tty and not os.environ.get("NO_COLOR")
            text = prefix + text
            if tty and not record.exc_info:  # a log file keeps one record per line
                text = wrap_for_terminal(text)
            line = typer.style(text, fg=colour) if colour_ok else text
            tqdm.write(line, file=stream)
        except Exception:  # noqa: BLE001 (logging's contract: never raise from emit)
            self.handleError(record)


def wrap_for_terminal(text: str, width: int | None = None) -> str:
    """``text``'s lines longer than ``width`` (the terminal's, at most 100) wrapped at spaces,
    each continuation 4 deeper than its line; paths and words longer than the width stay
    whole. A warning of 160 characters ran past the window's edge.

    Examples
    --------
    >>> print(wrap_for_terminal("warning: " + "word " * 5, width=20))
    warning: word word
        word word word
    """
    import shutil

    from genemoe.text_wrap import wrapped  # the summaries' wrapping: one rule for both

    width = width or min(100, shutil.get_terminal_size((100, 24)).columns)
    return wrapped(text, width, first_whole=False)


def error_text(prefix: str, colour: str, message: str, *, wrap: bool = False) -> str:
    """``genemoe: error: <message>`` as the CLI prints it on stderr: the prefix bold in
    ``colour``, and on a terminal each line wrapped at its width (:func:`wrap_for_terminal`;
    a ``fix:`` line of 190 characters ran past the window's edge); a pipe or log file gets it
    whole unless ``wrap`` (the interruption's line: 163 characters in a pipe, read by a person
    at the terminal that pressed Ctrl-C, or in a scheduler's log)."""
    text = f"{prefix} {message}"
    if wrap or sys.stderr.isatty():
        text = wrap_for_terminal(text)
    return typer.style(prefix, fg=colour, bold=True) + text[len(prefix):]


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Python warnings (scikit-learn's ConvergenceWarning…) as one ``warning:`` line."""
    where = f"{Path(filename).parent.name}/{Path(filename).name}:{lineno}"
    logging.getLogger("py.warnings").warning("%s: %s (%s)", category.__name__, message, where)


_QUIET = {"on": False}  # set by setup_logging, read by say


def say(text: str) -> None:
    """Print a command's summary on stdout; under ``-q`` only its ``warning:`` lines."""
    if _QUIET["on"]:
        kept, indent = [], None  # a warning's wrapped lines (4 deeper, as predict wraps) go with it
        for line in text.splitlines():
            depth = len(line) - len(line.lstrip())
            if line.lstrip().startswith(("warning:", "error:")):
                kept.append(line)
                indent = depth
            elif indent is not None and depth >= indent + 4 and line.strip():
                kept.append(line)
            else:
                indent = None
        if not kept:
            return
        text = "\n".join(kept)
    typer.echo(text)


def setup_logging(*, verbose: bool = False, quiet: bool = False) -> None:
    """The one place handlers are configured: a :class:`TerminalHandler` on the root logger.

    ``-v`` and ``-q`` together are a usage error (status 2): ``-v`` won, every DEBUG line
    shown, and ``-q`` was ignored without a word.
    """
    if verbose and quiet:
        raise typer.BadParameter("-v (every message) and -q (warnings only) contradict each "
                                 "other\nfix: give one of them, or neither (one line per step)",
                                 param_hint="'-v' / '-q'")
    _QUIET["on"] = quiet
    root = logging.getLogger()
    for h in [h for h in root.handlers if isinstance(h, TerminalHandler)]:
        root.removeHandler(h)
    root.addHandler(TerminalHandler(verbose=verbose, quiet=quiet))
    root.setLevel(logging.WARNING)
    logging.getLogger("genemoe").setLevel(logging.DEBUG if verbose else logging.INFO)
    warnings.showwarning = _show_warning


def show_version(wanted: bool) -> None:
    """``genemoe --version``: genemoe's version and the torch and Python it runs on."""
    if wanted:
        import platform

        import torch

        from genemoe import __version__

        typer.echo(f"genemoe {__version__} (torch {torch.__version__}, "
                   f"Python {platform.python_version()})")
        raise typer.Exit()
