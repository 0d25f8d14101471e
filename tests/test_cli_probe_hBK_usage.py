"""A first-contact probe of the command line (helper hBK): usage errors' fix lines.

Old behaviour: ``genemoe train --data b`` (--out left out, nothing stray) was told "every
input goes after its flag ...; a value with spaces needs quotes", the fix for a word given
without its flag; ``genemoe download tcga x`` and ``download tcga --output x`` printed their
fix line twice (once by each group).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


def _run(*args: str) -> tuple[int, str]:
    from genemoe.cli import app

    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


@pytest.mark.parametrize(("args", "fix"), [
    (["train", "--data", "b"], "fix: add --out OUT, e.g. `genemoe train --data DATA --out OUT`"),
    (["-v", "explain", "--model", "r", "--out", "o"],
     "fix: add --data DATA, e.g. `genemoe explain --model MODEL --data DATA --out OUT`"),
    (["prepare", "--expression", "a.tsv", "b.tsv"],
     "fix: add --out OUT, e.g. `genemoe prepare --expression FILE [FILE ...] --out OUT`"),
    (["report"], "fix: add DIRECTORY, e.g. `genemoe report DIRECTORY`"),
])
def test_a_left_out_option_is_told_to_add_it(args, fix):
    code, out = _run(*args)
    assert code == 2 and "Traceback" not in out, out
    assert fix in out and "a value with spaces" not in out, out


def test_a_word_without_its_flag_still_gets_the_stray_word_fix():
    code, out = _run("export", "pc33")
    assert code == 2 and "Missing option '--data'" in out
    assert "fix: every input goes after its flag, e.g. `genemoe export --data DATA --out OUT`" in out


@pytest.mark.parametrize("args", [["download", "tcga", "x"], ["download", "tcga", "--output", "x"]])
def test_a_subcommands_fix_is_said_once(args):
    code, out = _run(*args)
    assert code == 2 and out.count("fix:") == 1, out
