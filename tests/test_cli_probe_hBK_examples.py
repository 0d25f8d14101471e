"""A first-contact probe of the command line (helper hBK): every ``--help`` ends with an
example, and every example parses against the command's own options.

Old behaviour: no help text (``genemoe --help`` nor any command's) showed an example.
"""

from __future__ import annotations

import shlex

import pytest
import typer
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.cli_examples import EXAMPLES

COMMANDS = ["", "prepare", "train", "tune", "predict", "demo", "export", "models", "pretrain",
            "explain", "benchmark", "report", "ablation", "features", "download", "download tcga"]


def _example_args(line: str) -> list[str]:
    """The words after ``genemoe`` of an example line."""
    return shlex.split(line)[1:]


@pytest.mark.parametrize("columns", [60, 120])
@pytest.mark.parametrize("words", COMMANDS)
def test_every_help_ends_with_an_example(words, columns):
    """``genemoe train --help`` listed its options and no example of a whole command; an
    example too long for the help's width goes on with `` \\``."""
    r = CliRunner().invoke(app, [*words.split(), "--help"], terminal_width=columns)
    assert r.exit_code == 0, r.output
    foot = r.output.split("Example")[-1]
    assert "Example" in r.output and "genemoe " in foot, r.output
    assert max(len(line) for line in r.output.splitlines()) <= columns, r.output


@pytest.mark.parametrize("line", [line for lines in EXAMPLES.values() for line in lines])
def test_every_example_parses_against_its_commands_options(line):
    """An example names only options its command has, with a value of the right kind, and
    every required one (a misspelt or stale flag in an example fails here)."""
    command = typer.main.get_command(app)  # (typer's own vendored click: no isinstance)
    args = _example_args(line)
    ctx = command.context_class(command, info_name="genemoe")
    while hasattr(command, "get_command"):  # a group: its subcommand's name comes next
        name = args.pop(0)
        command = command.get_command(ctx, name)
        assert command is not None, line
        ctx = command.context_class(command, info_name=name, parent=ctx)
    ctx = command.make_context(ctx.info_name, args, parent=ctx.parent)  # raises on a bad flag
    assert ctx.args == [], line
