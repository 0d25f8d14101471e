"""The ``genemoe`` command line's group: several values after one flag, and truncated files
or exhausted memory said as user errors (not click's bare "Aborted.")."""

from __future__ import annotations

import lzma
import zipfile
import zlib

from typer.core import TyperGroup

from genemoe.errors import GenemoeError, out_of_memory_message

__all__ = ["MULTI_VALUE_OPTIONS", "spread_multi_values", "CliGroup"]

# Options that take several values after one flag (`--expression a.tsv b.tsv`, a shell glob).
MULTI_VALUE_OPTIONS = {"prepare": ("--expression", "--labels", "--clinical")}


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


class CliGroup(TyperGroup):
    """Typer's group, with several values after one flag of :data:`MULTI_VALUE_OPTIONS`."""

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201 (click's signature)
        return super().parse_args(ctx, spread_multi_values(list(args)))

    def invoke(self, ctx):  # noqa: ANN001, ANN201 (click's signature)
        """A file that ends early anywhere is a user error, not click's bare "Aborted."."""
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
