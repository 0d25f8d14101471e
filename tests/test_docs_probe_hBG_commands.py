"""Every ``genemoe <command> --flag`` written in README.md and docs/*.md is one the command
accepts, so a renamed or removed flag breaks CI instead of a new user's first command.

The commands come from the typer app itself (click's parameter objects, no subprocess per
flag): code blocks (with ``\\`` continuations joined, ``#`` comments dropped, ``&&``/``;``/``|``
split) and inline backtick spans that start with ``genemoe <command>``. A line that runs the
CLI as ``python -m genemoe.cli`` (torchrun) counts too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from genemoe.cli import app
from genemoe.config_presets import list_presets
from genemoe.models.registry import list_models

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
HELP_FLAGS = {"--help", "-h"}


def _commands() -> dict[tuple[str, ...], set[str]]:
    """Each command path (``("download", "tcga")``) and the flags it accepts."""
    out: dict[tuple[str, ...], set[str]] = {}

    def walk(cmd, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
            return
        flags = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")}
        out[path] = flags | HELP_FLAGS

    walk(typer.main.get_command(app), ())
    return out


COMMANDS = _commands()
GROUPS = {path[:-1] for path in COMMANDS if len(path) > 1}


def _shell_lines(text: str) -> list[tuple[int, str]]:
    """Code-block lines (continuations joined, comments dropped) and inline code spans,
    each with the README line number it starts on."""
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    in_block, pending, start = False, "", 0
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            body = re.sub(r"(^|\s)#.*$", "", line).rstrip()
            if not pending:
                start = number
            if body.endswith("\\"):
                pending += body[:-1] + " "
                continue
            out.append((start, pending + body))
            pending = ""
        else:
            out.extend((number, span) for span in re.findall(r"`(genemoe [^`]+)`", line))
    return out


def _invocations(path: Path) -> list[tuple[int, tuple[str, ...], list[str]]]:
    """``(line, command path, words after it)`` for each genemoe command line in a file."""
    found = []
    for number, line in _shell_lines(path.read_text()):
        for part in re.split(r"&&|\|\||;|\|", line):
            words = part.split()
            for i, word in enumerate(words):
                if word in ("genemoe", "genemoe.cli") and (i == 0 or word == "genemoe.cli"
                                                            or words[i - 1] in ("uv", "run")):
                    rest = words[i + 1:]
                    if not rest or not re.fullmatch(r"[a-z][a-z-]*", rest[0]):
                        break  # `genemoe` alone, `genemoe --version`, prose
                    command = (rest[0],)
                    if command in GROUPS and len(rest) > 1:
                        command = (rest[0], rest[1])
                    found.append((number, command, rest[len(command):]))
                    break
    return found


CASES = [(p, n, c, r) for p in DOCS for (n, c, r) in _invocations(p)]


def test_the_docs_name_commands_at_all() -> None:
    """The parser finds the README's command lines (a broken parser would pass vacuously)."""
    readme = [c for c in CASES if c[0].name == "README.md"]
    assert len(readme) >= 30
    assert {c[2][0] for c in readme} >= {"prepare", "train", "predict", "tune", "benchmark",
                                         "explain", "pretrain", "ablation", "features"}


@pytest.mark.parametrize(("path", "line", "command", "rest"), CASES,
                         ids=[f"{p.name}:{n}" for p, n, _, _ in CASES])
def test_documented_command_and_flags_exist(path: Path, line: int, command: tuple[str, ...],
                                            rest: list[str]) -> None:
    where = f"{path.name} line {line}: genemoe {' '.join(command)}"
    assert command in COMMANDS, f"{where}: no such command (known: {sorted(COMMANDS)})"
    accepted = COMMANDS[command]
    flags = [w.split("=", 1)[0] for w in rest if re.fullmatch(r"--?[a-zA-Z][\w-]*(=.*)?", w)]
    unknown = [f for f in flags if f not in accepted]
    assert not unknown, f"{where}: {unknown} not accepted (it takes {sorted(accepted)})"


# Flags whose value is a name the code must know (predict/explain/features --model is a run).
NAMED_VALUES = {
    "--task": lambda: {"classify", "survival"},
    "--preset": lambda: set(list_presets()),
    "--model": lambda: set(list_models()),
    "--models": lambda: set(list_models()),
}
NAME_COMMANDS = {("train",), ("tune",), ("pretrain",), ("benchmark",), ("ablation",),
                 ("models",)}


@pytest.mark.parametrize(("path", "line", "command", "rest"),
                         [c for c in CASES if c[2] in NAME_COMMANDS],
                         ids=[f"{p.name}:{n}" for p, n, c, _ in CASES if c in NAME_COMMANDS])
def test_documented_model_task_and_preset_names_exist(path: Path, line: int,
                                                      command: tuple[str, ...],
                                                      rest: list[str]) -> None:
    where = f"{path.name} line {line}: genemoe {' '.join(command)}"
    for flag, value in zip(rest, [*rest[1:], ""], strict=False):
        name, _, inline = flag.partition("=")
        if name not in NAMED_VALUES:
            continue
        value = inline or value
        if not value or value.startswith("-") or not re.fullmatch(r"[a-z0-9_,]+", value):
            continue  # a placeholder (MODEL, $M, "...") is not checked
        known = NAMED_VALUES[name]()
        wrong = [v for v in value.split(",") if v and v not in known]
        assert not wrong, f"{where}: {name} {wrong} unknown (known: {sorted(known)})"
