"""The ``genemoe`` command line's group: several values after one flag, a stray word or
another tool's flag said with its fix, truncated files or exhausted memory said as user
errors (not click's bare "Aborted."), and no empty --out directory left by a failed command."""

from __future__ import annotations

import difflib
import lzma
import re
import typing
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import typer
from typer import BadParameter
from typer.core import TyperCommand, TyperGroup

from genemoe.cli_examples import write_example
from genemoe.cli_logging import error_text
from genemoe.errors import (
    GenemoeError,
    Interrupted,
    input_error,
    os_error_message,
    out_of_memory_message,
    stop_signal,
)
from genemoe.text_wrap import wrapped

__all__ = ["MULTI_VALUE_OPTIONS", "spread_multi_values", "stray_word_fix", "required_words",
           "subcommand_words", "OPTION_SYNONYMS", "GLOBAL_FLAGS", "unknown_option_fix", "new_out_dir",
           "given_value", "empty_path_option", "repeated_option", "CliGroup", "CliCommand",
           "SaidBadParameter", "plain_list_metavars", "close_flags", "fits",
           "missing_option_fix", "stray_words"]

# Options that take several values after one flag (`--expression a.tsv b.tsv`, a shell glob).
MULTI_VALUE_OPTIONS = {"prepare": ("--expression", "--labels", "--clinical"),
                       "predict": ("--labels",)}


def fits(text: str) -> str:
    """A usage error's lines (its ``fix:``) wrapped at 100 columns, each continuation indented
    4, in a pipe too: click prints them whole, and the fix for a word without its flag ran to
    150 characters (``genemoe export pc33``), ``ablation --config``'s to 150."""
    return wrapped(text, first_whole=False)


def spread_multi_values(args: list[str]) -> list[str]:
    """``prepare --expression a b --out o`` → ``prepare --expression a --expression b --out o``.

    After one of :data:`MULTI_VALUE_OPTIONS`, every following word that is not an option
    (does not start with ``-``) is another value of it; repeating the flag works as well.
    """
    out: list[str] = []
    command: str | None = None
    flag: str | None = None
    pending = False  # the word after the flag is its own first value
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        if command is None:
            command = arg if arg in MULTI_VALUE_OPTIONS else None
        elif arg.startswith("-"):
            name = arg.split("=", 1)[0]
            flag = name if name in MULTI_VALUE_OPTIONS[command] else None
            pending = flag is not None and "=" not in arg
        elif flag is not None and not pending:
            out.append(flag)
        else:
            pending = False
        out.append(arg)
    return out


# A command's main input where no flag of it is required (prepare reads --expression or --gdc-dir).
MAIN_INPUT = {"prepare": ("--expression FILE [FILE ...]",)}


def stray_word_fix(command: str, required: Sequence[str] = (),
                   listed: tuple[str, str] | None = None) -> str:
    """The fix for a word click found no place for (``Got unexpected extra argument``):
    inputs go after their flags (``genemoe prepare a.tsv`` means ``--expression a.tsv``).

    ``command``: its words after ``genemoe`` (``download tcga``); ``required``: its
    required parameters as typed (``--data DATA``), shown as the example; ``listed``: a
    comma-separated option given a value and the stray words (``--models logreg fcn``
    was told that a value with spaces needs quotes, and `"logreg fcn"` is no model)."""
    if listed is not None:  # (the stray words may be another flag's: said as a condition)
        flag, values = listed
        extra = values.split(" ", 1)[-1]
        return (f"fix: {flag} takes a comma-separated list: {flag} {values.replace(' ', ',')}"
                f" (if {extra} belong to {flag}); any other input goes after its flag")
    words = " ".join((*MAIN_INPUT.get(command.split()[-1], ()), *required))
    example = f", e.g. `genemoe {command} {words}`" if words else ""
    return (f"fix: every input goes after its flag{example};\n    a value with spaces needs "
            f"quotes (`genemoe {command} --help` lists the flags)")  # two lines: 100 columns


def missing_option_fix(command: str, required: Sequence[str], param) -> str:  # noqa: ANN001
    """The fix for a required option left out where no stray word stands for it (``genemoe
    train --data b``): add it, with the whole command as the example (it was told that every
    input goes after its flag and that a value with spaces needs quotes)."""
    opts = [o.lower() for o in getattr(param, "opts", ())]  # an argument: DIRECTORY
    flag = next((w for w in required if w.split()[0].lower() in opts),
                getattr(param, "name", "it"))
    words = " ".join((*MAIN_INPUT.get(command.split()[-1], ()), *required))
    return f"fix: add {flag}, e.g. `genemoe {command} {words}`"


def stray_words(args: Sequence[str], sub) -> list[str]:  # noqa: ANN001 (a click context)
    """The words of ``args`` (the group's, ``-v train --data b``) that no option of ``sub``'s
    command takes, read as click reads them without refusing what is missing."""
    command_words = subcommand_words(sub).split()
    rest = list(args)
    for word in command_words:  # words before the command are genemoe's own flags
        rest = rest[rest.index(word) + 1:] if word in rest else rest
    try:
        probe = sub.command.make_context(sub.info_name, spread_multi_values(
            [command_words[-1], *rest])[1:], parent=sub.parent, resilient_parsing=True)
    except Exception:  # noqa: BLE001 (anything else: say the stray-word fix, as before)
        return ["?"]
    return list(probe.args)


# Flags other tools use for what genemoe calls otherwise, with genemoe's candidates in order.
_INPUT = ("--expression", "--data", "--model")
OPTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("--input", "--in", "--file", "--files", "-i"), _INPUT),
    **dict.fromkeys(("--expr", "--counts", "--matrix", "--expressions"), ("--expression",)),
    **dict.fromkeys(("--output", "--outdir", "--out-dir", "--output-dir", "-o"), ("--out",)),
    **dict.fromkeys(("--bundle", "--dataset", "--bundle-dir"), ("--data",)),
    **dict.fromkeys(("--run", "--run-dir", "--checkpoint", "--model-dir"), ("--model",)),
    "--label": ("--labels",), "--survival": ("--clinical",),
    "--normalization": ("--normalisation",), "--n-trials": ("--trials",),
    **dict.fromkeys(("--gpu", "--cuda"), ("--device",)),
}


GLOBAL_FLAGS = ("-v", "--verbose", "-q", "--quiet")
"""genemoe's own flags, taken before the command only (``genemoe -v train``)."""


def unknown_option_fix(command: str, name: str, flags: Sequence[str]) -> str | None:
    """The fix for an option the command does not have (click's ``No such option``), where
    ``name`` is another tool's word for one of its ``flags`` (``--input`` → ``--expression``
    for predict) or genemoe's own ``-v``/``-q`` put after the command; ``None`` where genemoe
    knows no such word."""
    if name in GLOBAL_FLAGS and name not in flags:  # was "No such option: -v", no hint
        return (f"fix: {name} is genemoe's own flag and goes before the command: "
                f"genemoe {name} {command} ...")
    if name == "--config" and "--preset" in flags and name not in flags:  # ablation, benchmark
        return (f"fix: genemoe {command} takes a YAML as --preset PATH; unlike --config it is "
                "the whole preset: start the file with `extends: small` to change only what "
                "it names")
    target = next((f for f in OPTION_SYNONYMS.get(name, ()) if f in flags), None)
    if target is None:
        return None
    return (f"fix: genemoe {command} takes it as {target} (`genemoe {command} --help` "
            "lists the flags)")


def close_flags(name: str, possibilities: Sequence[str]) -> list[str]:
    """Click's "Possible options" for an unknown ``name`` kept where they resemble it as
    words, dashes aside, and never ``-h``/``--help``: ``--bogus`` was offered ``--out`` and
    ``benchmark --model`` ``--help`` beside ``--models`` (click compares with the dashes).

    Examples
    --------
    >>> close_flags("--model", ["--help", "--models"]), close_flags("--bogus", ["--out"])
    (['--models'], [])
    """
    bare = name.lstrip("-")
    return [p for p in possibilities if p not in ("-h", "--help")
            and difflib.SequenceMatcher(None, bare, p.lstrip("-")).ratio() >= 0.6]


def required_words(command) -> list[str]:  # noqa: ANN001 (a click command)
    """``["--data DATA", "--out OUT", "DIRECTORY"]``: the command's required parameters."""
    return [p.name.upper() if p.param_type_name == "argument" else f"{p.opts[0]} {p.name.upper()}"
            for p in command.params if p.required]


def subcommand_words(ctx) -> str:  # noqa: ANN001 (a click context)
    """``download tcga``: the context's command path below the program (however it was run)."""
    words = []
    while ctx.parent is not None:
        words.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(words))


def new_out_dir(args: Sequence[str]) -> Path | None:
    """The ``--out`` directory of ``args`` if it does not exist yet (the command would make
    it), else ``None``."""
    for i, arg in enumerate(args):
        value = (args[i + 1] if arg == "--out" and i + 1 < len(args)
                 else arg[6:] if arg.startswith("--out=") else None)
        if value:
            try:
                return None if Path(value).exists() else Path(value)
            except OSError:  # a name too long to ask about: the command says it (was a traceback)
                return None
    return None


def given_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value given last to the option named ``opts`` in ``args`` (``--folds 2.5`` or
    ``--folds=2.5``: ``"2.5"``); ``None`` where it is not given a value there."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if name in opts:
            found = value if eq else (args[i + 1] if i + 1 < len(args) else None)
    return found


def empty_path_option(args: Sequence[str], params: Sequence) -> str | None:
    """The first option of ``params`` (a click command's) taking a path that ``args`` give
    an empty value (``--out ""``, ``--out=``), else ``None``: pathlib reads "" as ``.``,
    and ``benchmark --out ""`` wrote its cells and protocol into the working folder."""
    def takes_path(param) -> bool:  # noqa: ANN001 (a click parameter)
        kind = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        return kind is Path or Path in getattr(kind, "__args__", ())  # list[Path] too

    paths = {o: max(p.opts, key=len) for p in params if takes_path(p) for o in p.opts}
    for i, arg in enumerate(args):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if name in paths and (value if eq else args[i + 1] if i + 1 < len(args)
                              else None) == "":
            return paths[name]
    return None


def repeated_option(args: Sequence[str], params: Sequence) -> str | None:
    """The error for the first option of ``params`` (a click command's) that takes one value
    and is given more than once in ``args`` (``--out a --out b`` took ``b`` without a word);
    ``None`` where none is. Flags and options that take several values may repeat."""
    takes_value = {o: p for p in params if getattr(p, "param_type_name", "") == "option"
                   and not (p.is_flag or p.count) for o in p.opts}
    given: dict[str, list[str]] = {}
    words = iter(args)
    for arg in words:
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if (param := takes_value.get(name)) is None:
            continue
        value = value if eq else next(words, "")  # (a value that looks like a flag is one)
        if not param.multiple:
            given.setdefault(max(param.opts, key=len), []).append(value)
    for flag, values in given.items():
        if len(values) > 1:
            param = takes_value[flag]
            listed = "comma-separated" in (getattr(param, "help", "") or "").lower()
            fix = (f"give {flag} once, its values comma-separated ({flag} "
                   f"{','.join(values)})" if listed else f"give {flag} once, with the value "
                   "you mean")
            return (f"{flag} was given {len(values)} times ({', '.join(values)}); it takes one "
                    f"value\nfix: {fix}")
    return None


class CliGroup(TyperGroup):
    """Typer's group, with several values after one flag of :data:`MULTI_VALUE_OPTIONS`,
    and a fix under click's "Got unexpected extra argument" (:func:`stray_word_fix`)."""

    def format_help(self, ctx, formatter):  # noqa: ANN001, ANN201 (click's signature)
        return super(TyperGroup, self).format_help(ctx, formatter)  # as CliCommand's

    def format_epilog(self, ctx, formatter):  # noqa: ANN001, ANN201 (click's signature)
        """An example at the foot (none was shown anywhere)."""
        super().format_epilog(ctx, formatter)
        write_example(subcommand_words(ctx), formatter)

    def format_commands(self, ctx, formatter):  # noqa: ANN001, ANN201 (click's signature)
        """Each command with its whole first paragraph, wrapped (click cut them at 45
        characters or a first full stop: "Latent-feature analysis (paper Fig.")."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                first = (cmd.help or cmd.short_help or "").split("\n\n")[0]
                rows.append((name, " ".join(first.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201 (click's signature)
        self._new_out, self._args = new_out_dir(args), list(args)
        return super().parse_args(ctx, spread_multi_values(list(args)))

    def invoke(self, ctx):  # noqa: ANN001, ANN201 (click's signature)
        """A command that fails leaves no empty --out directory of its own making behind; a
        Ctrl-C is said in one line (:class:`~genemoe.errors.Interrupted`)."""
        try:
            return self._invoke(ctx)
        except BaseException as exc:
            out = getattr(self, "_new_out", None)
            if out is not None and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
            if not isinstance(exc, GenemoeError) and (by := stop_signal(exc)):  # one line (130/143)
                command = (ctx.info_name if ctx.parent is not None  # `download tcga`: download
                           else getattr(ctx, "invoked_subcommand", None))  # (was "tcga")
                raise Interrupted(command, by) from None
            raise

    def _invoke(self, ctx):  # noqa: ANN001, ANN202 (click's signature)
        """A file that ends early anywhere is a user error, not click's bare "Aborted."; a
        word given without its flag is said with where it goes."""
        try:
            return super().invoke(ctx)
        except (EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile) as exc:
            raise GenemoeError(
                f"an input file is truncated or corrupt ({type(exc).__name__}: {exc})\n"
                "  fix: download or copy it again (`genemoe download tcga` resumes and checks "
                "sizes); run with -v to see which file was being read") from exc
        except (MemoryError, RuntimeError) as exc:  # out of memory: said, with a fix; others raise
            if (line := out_of_memory_message(exc)) is None:
                raise
            raise GenemoeError(line) from exc
        except OSError as exc:  # no space, no permission, no such folder: said, with a fix
            if (line := os_error_message(exc)) is None:
                raise
            raise GenemoeError(line) from exc
        except Exception as exc:  # typer's (vendored) click UsageError: its text, and a fix
            sub, message = getattr(exc, "ctx", None), getattr(exc, "message", None)
            if type(exc).__name__ == "MissingParameter" and sub is not None and sub is not ctx \
                    and not message:  # `genemoe export pc33`: click's box had no fix
                words, param = subcommand_words(sub), getattr(exc, "param", None)
                fix = stray_word_fix(words, required_words(sub.command))
                if param is not None and not stray_words(getattr(self, "_args", []), sub):
                    fix = missing_option_fix(words, required_words(sub.command), param)
                exc.message = "\n" + fits(fix)
                raise
            if sub is None or sub is ctx or not isinstance(message, str) or "fix:" in message:
                raise  # (a fix said by a group below: `download tcga x` got it twice)
            param = getattr(exc, "param", None)
            kind = getattr(getattr(param, "type_descriptor", None), "annotation", None)
            if type(exc).__name__ == "BadParameter" and kind in (int, float) \
                    and "fix:" not in message:  # `--tune abc`: no fix line
                flag, default = max(param.opts, key=len), param.default
                if default is None and (found := re.search(r"\[default: ([^]]+)]",
                                                           param.help or "")):
                    default = found.group(1)  # None = not given; its help shows the default
                eg = f", e.g. {flag} {default}" if default not in (None, 0, False) else ""
                number = "a whole number" if kind is int else "a number"
                given = given_value(getattr(self, "_args", ()), param.opts)  # (was "Input
                raise SaidBadParameter(str(input_error(  # should be a valid...")
                    message if given is None else f"{given!r} is not {number}",
                    where=f"Invalid value for '{flag}'", fix=f"give {flag} {number}{eg}"))) \
                    from exc  # genemoe's form, as an out-of-range value's (not click's usage)
            words = subcommand_words(sub)
            if message.startswith("Got unexpected extra argument"):
                exc.message = f"{message}\n" + fits(stray_word_fix(
                    words, required_words(sub.command), _listed(sub, message)))
            elif (name := getattr(exc, "option_name", None)) and (fix := unknown_option_fix(
                    words, name, [o for p in sub.command.params for o in p.opts])):
                exc.message, exc.possibilities = f"{message}\n{fits(fix)}", None
            elif name and getattr(exc, "possibilities", None):
                exc.possibilities = close_flags(name, exc.possibilities) or None
            raise


class SaidBadParameter(BadParameter):
    """A bad value said in genemoe's own form, ``genemoe: error: ...`` and an indented fix
    line (status 2), as an out-of-range value is (:func:`genemoe.cli_options.bad_value`):
    ``--folds two`` got click's usage block and ``Error: Invalid value ...``, ``--folds 0``
    genemoe's line. A click error still, so click's runner and ``standalone_mode`` see
    status 2 and the text."""

    def show(self, file=None) -> None:  # noqa: ANN001 (click's signature)
        """Print :attr:`message` as :func:`genemoe.cli.main` prints an input error."""
        typer.echo(error_text("genemoe: error:", "red", self.message), file=file,
                   err=file is None)


def _listed(ctx, message: str) -> tuple[str, str] | None:  # noqa: ANN001 (a click context)
    """``("--models", "logreg fcn")`` where a comma-separated option was given a value
    and the stray words of ``message`` (click's ``Got unexpected extra argument(s) (fcn)``)
    came after it; None otherwise."""
    extra = message[message.rfind("(") + 1:message.rfind(")")] if "(" in message else ""
    for p in ctx.command.params:
        value = ctx.params.get(p.name)
        if extra and isinstance(value, str) and "comma-separated" in (getattr(p, "help", "")
                                                                     or "").lower():
            return max(p.opts, key=len), f"{value} {extra}"
    return None


def plain_list_metavars(command: str, params: Sequence) -> None:
    """Give each option that takes a list a metavar a researcher reads, ``<path>...`` where
    several values may follow one flag (:data:`MULTI_VALUE_OPTIONS`), else ``<path>`` (the
    flag repeated): typer showed its Python type, ``--expression <list[Path]>``.

    Parameters
    ----------
    command
        The command's name (``prepare``), to look up its multi-value options.
    params
        The command's click parameters; an option with a metavar of its own is left as is.
    """
    several = MULTI_VALUE_OPTIONS.get(command, ())
    for p in params:
        kind = getattr(p, "type_descriptor", None)
        if p.metavar is not None or kind is None or not kind.is_list:
            continue
        item = (typing.get_args(kind.annotation) or (str,))[0]
        label = "path" if isinstance(item, type) and issubclass(item, Path) else getattr(
            item, "__name__", "value")
        p.metavar = f"<{label}>" + ("..." if set(p.opts) & set(several) else "")


class CliCommand(TyperCommand):
    """Typer's command, whose help is click's plain text: it wraps long option names and
    paths where Rich's option table cut them (``--protein-codin…``, ``*.rna_seq.augmen…``),
    and shows a flag as a flag (Rich's table gave ``--verbose -v <bool>``, and ``-v true``
    then failed as an unknown command)."""

    def format_help(self, ctx, formatter):  # noqa: ANN001, ANN201 (click's signature)
        plain_list_metavars(self.name or "", self.params)  # not <list[Path]>
        return super(TyperCommand, self).format_help(ctx, formatter)  # click's text

    def format_epilog(self, ctx, formatter):  # noqa: ANN001, ANN201 (click's signature)
        """An example at the foot (none was shown anywhere)."""
        super().format_epilog(ctx, formatter)
        write_example(subcommand_words(ctx), formatter)

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201 (click's signature)
        """Refuse an option that takes one value given twice (:func:`repeated_option`) and
        a path given as "" (:func:`empty_path_option`); ``-h`` still shows the help."""
        if not set(args) & set(ctx.help_option_names):
            if error := repeated_option(args, self.params):
                ctx.fail(fits(error))
            if flag := empty_path_option(args, self.params):
                raise input_error('an empty path, which reads as the working folder (".")',
                                  where=flag, fix=f"give {flag} a file or folder name (. "
                                  "is the working folder)")
        return super().parse_args(ctx, args)
