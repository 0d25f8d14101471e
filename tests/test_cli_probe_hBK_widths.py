"""A first-contact probe of the command line (helper hBK): what a user reads in a pipe or a
log file after a Ctrl-C or a usage error fits in 100 columns, its meaning kept whole.

Old behaviour: click and ``genemoe.cli.main`` printed these lines whole where stderr is not a
terminal: the interruption's line ran to 163 characters, the fix for a word without its flag
to 150, ``ablation --config``'s fix to 150.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

WIDTH = 100


def _said(text: str) -> str:
    """The text with its line breaks and indents read as single spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize(("by", "status"), [("Ctrl-C", 130), ("SIGTERM", 143)])
def test_the_interruption_line_fits_100_columns_in_a_pipe(monkeypatch, capsys, by, status):
    """``genemoe tune`` stopped in a pipe said "genemoe: interrupted (Ctrl-C). run the same
    `genemoe tune` command again (the same --out): the study keeps ..." on one 163-character
    line; now wrapped, every word kept, the status still 130 (143 for SIGTERM)."""
    import genemoe.cli as cli
    from genemoe.errors import Interrupted

    def stopped() -> None:
        raise Interrupted("tune", by=by)

    monkeypatch.setattr(cli, "app", stopped)
    with pytest.raises(SystemExit) as ended:
        cli.main()
    err = capsys.readouterr().err
    assert ended.value.code == status
    assert max(len(line) for line in err.splitlines()) <= WIDTH, err
    assert _said(err) == _said(f"genemoe: {Interrupted('tune', by=by)}"), err
    assert "the study keeps its finished trials and runs the interrupted ones again" in _said(err)


@pytest.mark.parametrize(("args", "says"), [
    (["export", "pc33"], "fix: every input goes after its flag, e.g. `genemoe export "
     "--data DATA --out OUT`; a value with spaces needs quotes (`genemoe export --help` lists "
     "the flags)"),
    (["explain", "--model", "r", "--data", "b", "--out", "e", "stray"],
     "e.g. `genemoe explain --model MODEL --data DATA --out OUT`"),
    (["ablation", "--config", "x.yaml", "--data", "b", "--out", "o"],
     "fix: genemoe ablation takes a YAML as --preset PATH; unlike --config it is the whole "
     "preset: start the file with `extends: small` to change only what it names"),
])
def test_a_usage_errors_fix_fits_100_columns(tmp_path, monkeypatch, args, says):
    """A word for a missing option, a stray word and another command's flag: click printed
    the fix line whole (about 150 characters each); now each line fits, status 2."""
    from genemoe.cli import app

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert max(len(line) for line in r.output.splitlines()) <= WIDTH, r.output
    assert says in _said(r.output), r.output
