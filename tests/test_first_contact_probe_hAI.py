"""First contact with genemoe's terminal output (helper hAI): --help in a researcher's words,
and each command's closing lines naming what it wrote and the next step."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from genemoe.cli import app

COMMANDS = ("prepare", "train", "tune", "predict", "demo", "export", "models", "pretrain",
            "explain", "benchmark", "report", "ablation", "features")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_python_type_names(command):
    """typer showed a list option's value as its Python type, ``--expression <list[Path]>``."""
    r = CliRunner().invoke(app, [command, "--help"])
    assert r.exit_code == 0, r.output
    assert "list[" not in r.output and "Path]" not in r.output, r.output


def test_help_shows_several_values_after_one_flag_as_path_dots():
    prepare = CliRunner().invoke(app, ["prepare", "--help"]).output
    for flag in ("--expression", "--labels", "--clinical"):
        assert f"{flag} <path>..." in prepare, prepare
    pretrain = CliRunner().invoke(app, ["pretrain", "--help"]).output  # the flag repeated
    assert "--data <path> " in pretrain and "<path>..." not in pretrain, pretrain
