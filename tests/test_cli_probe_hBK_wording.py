"""A first-contact probe of the command line (helper hBK): an option several commands take
is explained the same way in each.

Old behaviour: demo's --tune said "(a classical model's first: its own grid; 0: the small
preset as it is, ...)" where benchmark's said "a classical model's trial 0 is its own grid
search"; train's --pretrained said "Pre-trained run to start from." where ablation's named
the `genemoe pretrain` run.
"""

from __future__ import annotations

import pytest
import typer


def _help(command: str, flag: str) -> str:
    from genemoe.cli import app

    group = typer.main.get_command(app)
    params = group.commands[command].params
    return " ".join(next(p for p in params if flag in p.opts).help.split())


@pytest.mark.parametrize(("flag", "commands", "said"), [
    ("--tune", ("demo", "benchmark"), "(as many for every model; a classical model's trial 0 "
     "is its own grid search); 0 = presets / the classical models' own small grids."),
    ("--pretrained", ("train", "ablation"), "`genemoe pretrain` run"),
])
def test_an_option_is_explained_alike_in_every_command(flag, commands, said):
    for command in commands:
        assert said in _help(command, flag), (command, _help(command, flag))
