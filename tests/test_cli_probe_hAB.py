"""A probe of the CLI's answer to a word given to a number option (``benchmark --folds two``,
``--folds 2.5``, ``train --epochs ten``): it got click's usage block and "Error: Invalid value
for '--folds': ..." under "Usage: genemoe benchmark [OPTIONS]", where an out-of-range number
(``--epochs 0``) is said in genemoe's own form: ``genemoe: error: ...`` and an indented fix
line, status 2. And ``export --help`` did not say what the var columns it writes are."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import genemoe.cli as cli

CASES = [
    (["benchmark", "--data", "b", "--folds", "two"], "--folds", "'two' is not a whole number"),
    (["benchmark", "--data", "b", "--folds", "2.5"], "--folds", "'2.5' is not a whole number"),
    (["train", "--data", "b", "--epochs", "ten"], "--epochs", "'ten' is not a whole number"),
    (["prepare", "--expression", "x.tsv", "--test-fraction=a fifth"], "--test-fraction",
     "'a fifth' is not a number"),
]


def said(monkeypatch, capsys, args: list[str]) -> tuple[int, str, str]:
    """Run ``genemoe ARGS --out o`` in this process: its status, stdout and stderr."""
    monkeypatch.setattr(cli, "defer_interrupts_in_imports", lambda: None)  # pytest's signals
    monkeypatch.setattr("sys.argv", ["genemoe", *args, "--out", "o"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    out = capsys.readouterr()
    return stop.value.code, out.out, out.err


@pytest.mark.parametrize(("args", "flag", "problem"), CASES,
                         ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_a_word_for_a_number_is_said_in_genemoes_own_form(monkeypatch, capsys, tmp_path,
                                                          args, flag, problem):
    monkeypatch.chdir(tmp_path)
    code, out, err = said(monkeypatch, capsys, args)
    lines = err.strip().splitlines()
    assert code == 2 and out == "", err
    assert lines[0] == f"genemoe: error: Invalid value for '{flag}': {problem}", err
    assert lines[1].startswith(f"  fix: give {flag} a "), err
    assert len(lines) == 2 and max(map(len, lines)) <= 100, err
    assert "Usage:" not in err and "Error: Invalid value" not in err and "Try '" not in err
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_the_same_form_as_an_out_of_range_number(monkeypatch, capsys, tmp_path):
    """``--folds two`` and ``--epochs 0``: one form, the first line's prefix alike."""
    monkeypatch.chdir(tmp_path)
    _, _, word = said(monkeypatch, capsys, ["train", "--data", "b", "--epochs", "ten"])
    _, _, zero = said(monkeypatch, capsys, ["train", "--data", "b", "--epochs", "0"])
    for err in (word, zero):
        assert err.startswith("genemoe: error: Invalid value for '--epochs': ")
        assert "\n  fix: " in err


def test_clicks_runner_still_sees_status_2_and_the_text(tmp_path):
    """Click's test runner (no :func:`genemoe.cli.main` around it) gets the same."""
    res = CliRunner().invoke(cli.app, ["benchmark", "--data", str(tmp_path), "--out",
                                       str(tmp_path / "o"), "--folds", "two"])
    assert res.exit_code == 2, res.output
    assert "genemoe: error: Invalid value for '--folds': 'two' is not a whole number" in res.output
    assert "Usage:" not in res.output and not (tmp_path / "o").exists()


def test_export_help_names_each_var_column_it_writes(synthetic_bundle):
    """``export --help`` said "X, obs, var" and named no var column: train_mean, train_std,
    train_min, train_max and keep (which genes models train on) were nowhere described."""
    from genemoe.data.anndata_io import bundle_to_anndata
    from genemoe.data.bundle import load_bundle

    res = CliRunner().invoke(cli.app, ["export", "--help"], env={"COLUMNS": "100"})
    text = " ".join(res.output.split())
    assert res.exit_code == 0 and max(map(len, res.output.splitlines())) <= 100
    var = bundle_to_anndata(load_bundle(synthetic_bundle())).var
    for column in var.columns:
        assert column in text, column
    assert "train_mean, train_std (ddof 0), train_min, train_max: each gene's statistics over " \
           "the training split" in text
    assert "keep: True for the genes prepare's gene filter kept" in text
