"""A probe of the CLI's answers to an out-of-range value: ``genemoe ablation --pretrain-epochs 0``
(and ``--epochs 0``, ``--seed -1``, ``--val-fraction 0``, ``--study ""``, ``features
--max-missing 2``) got click's usage block and "Error: Invalid value ...", where every other
bad value is said in genemoe's own form: ``genemoe: error: ...`` and an indented fix line."""

from __future__ import annotations

import pytest

import genemoe.cli as cli

CASES = [
    (["ablation", "--data", "b", "--pretrain-epochs", "0"], "--pretrain-epochs"),
    (["ablation", "--data", "b", "--epochs", "0"], "--epochs"),
    (["benchmark", "--data", "b", "--epochs", "0"], "--epochs"),
    (["tune", "--data", "b", "--epochs", "0"], "--epochs"),
    (["pretrain", "--data", "b", "--epochs", "0"], "--epochs"),
    (["train", "--data", "b", "--epochs", "0"], "--epochs"),
    (["benchmark", "--data", "b", "--seed", "-1"], "--seed"),
    (["train", "--data", "b", "--seed", "4294967296"], "--seed"),
    (["prepare", "--expression", "x.tsv", "--val-fraction", "0"], "--val-fraction"),
    (["tune", "--data", "b", "--study", " "], "--study"),
    (["features", "--model", "r", "--data", "b", "--max-missing", "2"], "--max-missing"),
]


def said(monkeypatch, capsys, args: list[str]) -> tuple[int, str]:
    """Run ``genemoe ARGS --out o`` in this process: its exit status and its stderr."""
    monkeypatch.setattr(cli, "defer_interrupts_in_imports", lambda: None)  # pytest's signals
    monkeypatch.setattr("sys.argv", ["genemoe", *args, "--out", "o"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    return stop.value.code, capsys.readouterr().err


@pytest.mark.parametrize(("args", "flag"), CASES, ids=lambda a: " ".join(a) if isinstance(
    a, list) else a)
def test_an_out_of_range_value_is_said_in_genemoes_own_form(monkeypatch, capsys, tmp_path,
                                                            args, flag):
    monkeypatch.chdir(tmp_path)
    code, err = said(monkeypatch, capsys, args)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert lines[0].startswith("genemoe: error: ") and flag in lines[0], err
    assert "Usage:" not in err and "Error: Invalid value" not in err and "Traceback" not in err
    assert any(line.startswith("  fix: ") for line in lines[1:]), err
    assert max(map(len, lines)) <= 100, err
    assert not (tmp_path / "o").exists()  # refused before anything was written


def test_the_pinned_pieces_stay(monkeypatch, capsys, tmp_path):
    """tests/test_cli.py pins "Invalid value for '--seed'", "epochs=0" and the epochs fix."""
    monkeypatch.chdir(tmp_path)
    _, err = said(monkeypatch, capsys, ["train", "--data", "b", "--seed", "-1"])
    assert "Invalid value for '--seed'" in err and "fix: pass a whole number from 0" in err
    _, err = said(monkeypatch, capsys, ["train", "--data", "b", "--epochs", "0"])
    assert "epochs=0" in err and "fix: set epochs to a whole number, 1 or more" in err


def test_a_negative_seed_is_not_told_to_be_a_whole_number(monkeypatch, capsys, tmp_path):
    """``--seed -1`` got the generic "fix: give --seed a whole number" (it is one), and
    ``features --max-missing 2`` "fix: give --max-missing a number" (it is one)."""
    monkeypatch.chdir(tmp_path)
    _, err = said(monkeypatch, capsys, ["benchmark", "--data", "b", "--seed", "-1"])
    assert "give --seed a whole number" not in err
    _, err = said(monkeypatch, capsys, ["features", "--model", "r", "--data", "b",
                                        "--max-missing", "2"])
    assert "give --max-missing a number" not in err and "[0, 1]" in err


@pytest.mark.parametrize(("args", "said_instead"), [
    (["benchmark", "--data", "b", "--folds", "2.5"], "'2.5' is not a whole number"),
    (["ablation", "--data", "b", "--n-boot=many"], "'many' is not a whole number"),
    (["prepare", "--expression", "x.tsv", "--test-fraction", "a fifth"],
     "'a fifth' is not a number")])
def test_a_word_for_a_number_is_said_with_the_word(monkeypatch, capsys, tmp_path, args,
                                                   said_instead):
    """``benchmark --folds 2.5`` said "Input should be a valid integer, unable to parse string
    as an integer" (not which value), on a line of 104 characters."""
    monkeypatch.chdir(tmp_path)
    code, err = said(monkeypatch, capsys, args)
    assert code == 2 and said_instead in err and "Input should be" not in err, err
    assert max(map(len, err.splitlines())) <= 100 and "\n  fix: give --" in err, err


@pytest.mark.parametrize("args", [
    ["benchmark", "--data", "b", "--models", "logreg"],  # then `--out ""`
    ["prepare", "--expression", "x.tsv", "", "--out=x"]])
def test_an_empty_path_is_refused_not_read_as_the_working_folder(monkeypatch, capsys,
                                                                 tmp_path, args):
    """``benchmark --out ""`` ran the benchmark into the working folder (pathlib reads ""
    as "."): its cells/, protocol.json and splits.tsv were written there without a word."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "defer_interrupts_in_imports", lambda: None)
    (tmp_path / "b").mkdir()
    monkeypatch.setattr("sys.argv", ["genemoe", *args] + (["--out", ""] if "--out=x" not in
                                                          args else []))
    with pytest.raises(SystemExit) as stop:
        cli.main()
    err = capsys.readouterr().err
    flag = "--expression" if "--out=x" in args else "--out"
    assert stop.value.code == 2 and err.startswith(f"genemoe: error: {flag}: an empty path"), err
    assert f"fix: give {flag} a file or folder name" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # nothing written here
