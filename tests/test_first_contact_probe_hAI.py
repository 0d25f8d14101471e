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


def _run(*args: str) -> str:
    """``genemoe ARGS`` in-process: its stdout (status 0 asserted)."""
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, (r.output, r.exception)
    return r.stdout


def test_prepare_train_explain_and_benchmark_end_with_their_next_step(
        tmp_path, monkeypatch, clean_logging):
    """prepare, train, explain and benchmark named what they wrote and stopped: a researcher
    who just installed genemoe was not told what to run on it."""
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    monkeypatch.chdir(tmp_path)
    files = write_synthetic_files(make_synthetic_cohort(n_samples=90, n_genes=50, n_types=3,
                                                        seed=4), tmp_path / "in")
    prepared = _run("prepare", "--expression", files["counts"], "--labels", files["labels"],
                    "--out", "my bundle").splitlines()
    assert prepared[-2:] == [
        "  next: genemoe train --data 'my bundle' --out RUN",
        "        genemoe benchmark --data 'my bundle' --out BENCH (every model on the same folds)"]
    trained = _run("train", "--data", "my bundle", "--out", "run", "--model", "logreg",
                   "--no-progress").splitlines()
    assert trained[-2:] == [
        "  next: genemoe predict --model run --expression FILE --out calls.tsv",
        "        genemoe report run (one HTML page of this run)"]
    explained = _run("explain", "--model", "run", "--data", "my bundle", "--out", "ex",
                     "--max-samples-per-class", "2", "--no-progress").splitlines()
    assert explained[-1] == "  next: genemoe report ex (one HTML page of the rankings)"
    benched = _run("benchmark", "--data", "my bundle", "--out", "bm", "--models", "logreg",
                   "--folds", "2", "--no-plots", "--no-progress").splitlines()
    assert benched[-1] == "  next: genemoe report bm (one HTML page of the table and figures)"
    assert all(len(line) <= 100 for line in prepared + trained + explained + benched)


def test_pretrain_next_step_names_its_bundle_and_run(tmp_path, monkeypatch):
    from genemoe.cli_inputs import next_step

    monkeypatch.chdir(tmp_path)
    assert next_step("pretrain", tmp_path / "pre", tmp_path / "b").splitlines() == [
        "  next: genemoe train --data b --pretrained pre --out RUN",
        "        genemoe features --model pre --data b --out FEATURES"]


@pytest.mark.parametrize(("command", "flag"), [("train", "--seed"), ("tune", "--seed"),
                                               ("pretrain", "--seed"), ("demo", "--seed"),
                                               ("models", "--task")])
def test_help_says_what_a_flag_is_for_in_words(command, flag):
    """``--seed`` was helped by the one word "Seed.", ``models --task`` named no task."""
    from click import Context
    from typer.main import get_command

    cmd = get_command(app).commands[command]
    param = next(p for p in cmd.params if flag in p.opts)
    words = (param.help or "").split()
    assert len(words) >= 4, (flag, param.help)
    if flag == "--task":
        assert "classify" in param.help and "survival" in param.help
    assert param.get_help_record(Context(cmd)) is not None


def test_run_table_says_what_its_ece_column_is():
    """train's table had an ``ECE`` column that no line explained (predict spells it out)."""
    from genemoe.report.terminal import run_table

    split = {"n": 100, "accuracy": 0.86, "macro_f1": 0.84}
    with_ece = run_table({"val": {**split, "ece": 0.075}, "test": {**split, "ece": 0.064}},
                         task="classify", title="logreg · classify")
    assert "ECE: expected calibration error" in with_ece, with_ece
    assert max(map(len, with_ece.splitlines())) <= 100
    without = run_table({"val": split, "test": split}, task="classify", title="logreg")
    assert "ECE" not in without and "95% CI: accuracy's (Wilson)" in without, without


@pytest.mark.parametrize(("args", "offered", "not_offered"), [
    (["train", "--data", "b", "--out", "o", "--bogus"], None, "--out"),
    (["benchmark", "--data", "b", "--out", "o", "--model", "logreg"], "--models", "--help"),
    (["train", "--data", "b", "--out", "o", "--epoch", "2"], "--epochs", None),
])
def test_unknown_flag_is_offered_only_flags_that_resemble_it(args, offered, not_offered):
    """``--bogus`` was offered ``(Possible options: --out)`` and ``benchmark --model``
    ``--help`` beside ``--models``: click compared the names with their dashes."""
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    line = next(s for s in r.output.splitlines() if "No such option" in s)
    if offered:
        assert f"(Possible options: {offered})" in line, line
    else:
        assert "Possible options" not in line, line
    if not_offered:
        assert not_offered not in line, line
