"""The CLI as a user runs it: a subprocess, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from stop_helpers import interrupted_group


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "genemoe.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    cohort = make_synthetic_cohort(n_samples=200, n_genes=150, n_types=5, seed=2)
    return write_synthetic_files(cohort, tmp_path_factory.mktemp("cli"))


def test_prepare_writes_bundle_and_reports_drops(files, tmp_path):
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--clinical", files["clinical"], "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    s = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert f"samples: {s['n_samples']}" in r.stdout and s["n_cancer_types"] == 5
    assert "log2cpm" in json.dumps(s)  # counts without annotation → log2 CPM
    r = run_cli("export", "--data", tmp_path / "b", "--out", tmp_path / "b.h5ad")
    assert r.returncode == 0, r.stderr
    import anndata

    ad = anndata.read_h5ad(tmp_path / "b.h5ad")
    assert ad.shape == (s["n_samples"], s["n_genes"]) and "cancer_type" in ad.obs


def test_prepare_summary_counts_one_dropped_sample_in_the_singular(shared_data, tmp_path):
    """pancan33 drops one 'Additional - New Primary' sample: it read "dropped 1 samples"."""
    d = shared_data / "pancan33_random100"
    r = run_cli("prepare", "--expression", d / "expression.tsv.gz", "--labels",
                d / "samples.tsv.gz", "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    assert "dropped 1 sample: Additional - New Primary (05)" in r.stdout
    assert "dropped 72 samples: Solid Tissue Normal (11)" in r.stdout


def test_bad_input_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("\tTCGA-OR-A5J1-01A\tTCGA-OR-A5J2-01A\nENSG00000000003\t1\tabc\n")
    r = run_cli("prepare", "--expression", bad, "--out", tmp_path / "o")
    assert r.returncode == 2
    assert "bad.tsv" in r.stderr and "abc" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("prepare", "--expression", tmp_path / "missing.tsv", "--out", tmp_path / "o")
    assert r.returncode == 2 and "missing.tsv" in r.stderr


@pytest.mark.parametrize(("args", "example"), [
    (["prepare", "cohort.tsv", "--out", "b"], "`genemoe prepare --expression FILE [FILE ...] --out OUT`"),
    (["train", "--data", "b", "--out", "r", "classify"], "`genemoe train --data DATA --out OUT`"),
    (["report", "r", "again"], "`genemoe report DIRECTORY`"),
    (["download", "tcga", "ACC"], "(`genemoe download tcga --help` lists the flags)"),
])
def test_a_word_without_its_flag_is_said_with_the_fix(tmp_path, args, example):
    """``genemoe prepare cohort.tsv --out b`` said only "Got unexpected extra argument(s)
    (cohort.tsv)", with no word of where the file goes."""
    r = run_cli(*args, cwd=tmp_path)
    err = " ".join(line.strip("│ ") for line in r.stderr.splitlines())  # typer's panel, unwrapped
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"unexpected extra argument(s) ({args[-1] if args[0] != 'prepare' else args[1]})" in err
    assert "fix: every input goes after its flag" in err and example in err


def test_a_missing_option_is_said_with_the_fix(tmp_path):
    """``genemoe export pc33`` (positional, as report takes it) said only "Missing option
    '--data'." in click's box."""
    r = run_cli("export", "pc33", cwd=tmp_path)
    err = " ".join(line.strip("│ ") for line in r.stderr.splitlines())
    assert r.returncode == 2 and "Missing option '--data'" in err
    assert "fix: every input goes after its flag, e.g. `genemoe export --data DATA --out OUT`" in err


@pytest.mark.parametrize(("args", "fix"), [
    (["predict", "--model", "r", "--input", "x.tsv", "--out", "p.csv"], "takes it as --expression"),
    (["train", "--bundle", "b", "--out", "r"], "genemoe train takes it as --data"),
    (["explain", "--run", "r", "--data", "b", "--out", "e"], "takes it as --model"),
    (["prepare", "--expression", "x.tsv", "-o", "b"], "genemoe prepare takes it as --out"),
])
def test_another_tools_flag_is_said_with_genemoes(tmp_path, args, fix):
    """``genemoe predict --input x.tsv`` said "No such option: --input (Possible options:
    --out)": the one flag it offered was the wrong one."""
    from genemoe.cli_args import OPTION_SYNONYMS

    r = run_cli(*args, cwd=tmp_path)
    err = " ".join(line.strip("│ ") for line in r.stderr.splitlines())
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"No such option: {next(a for a in args if a in OPTION_SYNONYMS)}" in err
    assert fix in err and "Possible options" not in err


def test_config_given_to_ablation_points_to_preset_and_its_extends():
    """An outside probe: `genemoe ablation --config tiny.yaml` said click's bare "No such
    option: --config" (ablation and benchmark take a YAML as --preset, a whole preset)."""
    from genemoe.cli_args import unknown_option_fix

    assert unknown_option_fix("ablation", "--config", ["--data", "--preset", "--out"]) == (
        "fix: genemoe ablation takes a YAML as --preset PATH; unlike --config it is the whole "
        "preset: start the file with `extends: small` to change only what it names")
    assert unknown_option_fix("train", "--config", ["--preset", "--config"]) is None


@pytest.mark.parametrize("flag", ["-v", "--quiet"])
def test_genemoes_own_flag_after_the_command_is_said_where_it_goes(tmp_path, flag):
    """``genemoe train -v ...`` said "No such option: -v" and nothing else: -v/-q are
    genemoe's own flags, taken before the command."""
    r = run_cli("train", flag, "--data", "b", "--out", "r", cwd=tmp_path)
    err = " ".join(line.strip("│ ") for line in r.stderr.splitlines())
    assert r.returncode == 2 and f"No such option: {flag}" in err, r.stderr
    assert f"goes before the command: genemoe {flag} train" in err


def test_a_bad_training_value_exits_2_with_its_fix(files, tmp_path):
    """``genemoe train --epochs 0`` ended in a traceback."""
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    r = run_cli("train", "--data", tmp_path / "b", "--model", "mlp", "--epochs", "0",
                "--out", tmp_path / "r")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "epochs=0" in r.stderr and "fix: set epochs to a whole number, 1 or more" in r.stderr


def test_survival_on_a_bundle_without_it_is_said_and_leaves_no_run(files, tmp_path):
    """``genemoe train --task survival`` on a bundle prepared without --clinical said "the
    train split has no usable samples" (fix: other split fractions) and left an empty run
    directory; benchmark and tune did the same."""
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    for cmd in (["train", "--model", "coxnet"], ["benchmark", "--models", "coxnet"],
                ["tune", "--model", "coxnet", "--trials", "1"]):
        out = tmp_path / f"out_{cmd[0]}"
        r = run_cli(*cmd, "--data", tmp_path / "b", "--task", "survival", "--out", out)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "the bundle has no survival times" in r.stderr
        assert "fix: re-prepare with --clinical" in r.stderr
        assert not out.exists(), cmd  # no empty directory of the refused command's making
    (tmp_path / "mine").mkdir()  # a directory the user made stays, even if the command fails
    r = run_cli("train", "--data", tmp_path / "b", "--task", "survival", "--out", tmp_path / "mine")
    assert r.returncode == 2 and (tmp_path / "mine").is_dir()


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="needs a machine without CUDA")
def test_benchmark_refuses_a_missing_gpu_before_writing(files, tmp_path):
    """``genemoe benchmark --device cuda`` without a GPU wrote the protocol and fold splits,
    then failed in the first neural cell with a RuntimeError traceback."""
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    r = run_cli("benchmark", "--data", tmp_path / "b", "--models", "logreg,fcn", "--folds", "2",
                "--device", "cuda", "--out", tmp_path / "bm")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "sees no CUDA GPU" in r.stderr and not (tmp_path / "bm").exists()


def test_no_plots_says_an_earlier_runs_figures_are_left(files, tmp_path):
    """--no-plots into a benchmark folder left the earlier run's PNGs beside the new
    results.csv without a word."""
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    (tmp_path / "bm" / "plots").mkdir(parents=True)
    (tmp_path / "bm" / "plots" / "macro_f1.png").write_bytes(b"old")
    r = run_cli("benchmark", "--data", tmp_path / "b", "--models", "logreg", "--folds", "2",
                "--no-plots", "--out", tmp_path / "bm")
    assert r.returncode == 0, r.stderr
    assert "holds an earlier run's figures" in r.stdout


def test_an_unwritable_out_is_said_with_its_fix(files, tmp_path):
    """``genemoe train --out`` under a file (or an unwritable folder) ended in a
    NotADirectoryError / FileNotFoundError traceback; so did predict's atomic write."""
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    (tmp_path / "afile").write_text("x")
    r = run_cli("train", "--data", tmp_path / "b", "--model", "logreg",
                "--out", tmp_path / "afile" / "run")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "afile" in r.stderr and "fix: a " in r.stderr and "choose another path" in r.stderr
    r = run_cli("train", "--data", tmp_path / "b", "--model", "logreg", "--out", tmp_path / "r")
    assert r.returncode == 0, r.stderr
    r = run_cli("predict", "--model", tmp_path / "r", "--expression", files["counts"],
                "--out", tmp_path / "afile" / "p.csv")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "afile is not a folder this user can write to" in r.stderr  # before the scoring


def test_a_name_too_long_for_the_file_system_is_one_error(tmp_path):
    """A path part over 255 bytes: an 83-line OSError traceback (exit 1) from every command."""
    long = "x" * 300
    for args in (("train", "--data", tmp_path / long, "--model", "logreg", "--out", tmp_path / "r"),
                 ("prepare", "--expression", tmp_path / "e.tsv", "--out", tmp_path / long)):
        r = run_cli(*args)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "File name too long" in r.stderr and "at most 255 bytes" in r.stderr
        assert "x" * 60 not in r.stderr  # the name shortened in the message


def test_features_with_a_missing_run_exits_2_naming_it(tmp_path):
    r = run_cli("features", "--model", tmp_path / "no_run", "--data", tmp_path / "b",
                "--out", tmp_path / "f")
    assert r.returncode == 2
    assert "no_run: no such folder" in r.stderr and "genemoe pretrain" in r.stderr
    assert "Traceback" not in r.stderr


def test_models_lists_registered_models():
    r = run_cli("models")
    assert r.returncode == 0, r.stderr
    names = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    assert {"genemoe", "moe", "fcn", "mlp", "svm", "rf", "logreg", "coxnet", "coxph"} <= names
    assert r.stdout.split()[:4] == ["name", "kind", "tasks", "what"]  # the columns were unnamed
    assert "not a --model: train --ensemble K" in " ".join(r.stdout.split())  # wrapped at 100


def test_models_describes_a_two_task_model_for_both_tasks():
    """vaecox classifies too: its line said only "Cox-nnet style head" (no class output)."""
    from genemoe.models.registry import get_spec

    spec = get_spec("vaecox")
    assert "classify" in spec.tasks
    assert "class" in spec.description and "risk" in spec.description


# --------------------------------------------------------------------------- terminal output
def _invoke(*args: str):
    from typer.testing import CliRunner

    from genemoe.cli import app

    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r


def test_prepare_prints_one_human_line_per_step_and_the_counters_with_v(files, tmp_path,
                                                                        clean_logging):
    from genemoe.data.prep_text import step_line, wrapped

    args = ["prepare", "--expression", files["counts"], "--labels", files["labels"],
            "--clinical", files["clinical"]]
    r = _invoke(*args, "--out", tmp_path / "b")
    steps = json.loads((tmp_path / "b" / "record.json").read_text())["steps"]
    lines = r.stderr.splitlines()
    assert len(steps) >= 8
    n_lines = 0
    for s in steps:  # each step: exactly one human line (wrapped at 100 into several, ae287b4)
        human = wrapped(step_line(s["step"], {k: v for k, v in s.items() if k != "step"}))
        assert "\n".join(lines).count(human) == 1, (human, lines)
        n_lines += len(human.splitlines())
    assert "genes × " in r.stderr and "raw counts" in r.stderr
    assert "{'" not in r.stderr and "'n_ids'" not in r.stderr  # no counter dict by default
    assert len(lines) <= n_lines + 3, lines  # nothing else chats (file-format detection: -v)
    r = _invoke("-v", *args, "--out", tmp_path / "b2")
    assert "'n_ids'" in r.stderr and "genemoe.data.read" in r.stderr  # counters and details


def test_train_prints_a_compact_table_with_rounded_numbers(files, tmp_path, clean_logging):
    import re

    _invoke("prepare", "--expression", files["counts"], "--labels", files["labels"],
            "--clinical", files["clinical"], "--out", tmp_path / "b")
    r = _invoke("train", "--data", tmp_path / "b", "--task", "survival", "--model", "coxnet",
                "--out", tmp_path / "run")
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())["test"]
    lo, hi = m["c_index_ci"]
    row = next(line for line in r.stdout.splitlines() if line.strip().startswith("test"))
    assert f"{m['c_index']:.3f}" in row and f"[{lo:.3f}, {hi:.3f}]" in row
    assert "log-rank p" in r.stdout and "─" in r.stdout  # a table: header rule, one row per split
    assert not re.search(r"\d\.\d{5,}", r.stdout), r.stdout  # no 0.5014307773617926


def test_warnings_stand_out_and_only_narrating_info_shows(capsys, clean_logging):
    import logging
    import warnings

    from genemoe.cli_logging import setup_logging

    setup_logging()
    logging.getLogger("genemoe.data.prepare").info("read x.tsv: 3 genes × 2 samples")
    logging.getLogger("genemoe.train.loop").info("epoch 1: train loss 2.5")  # -v only
    logging.getLogger("genemoe.data.read").warning("12 negative values clipped")
    warnings.warn("lbfgs failed to converge", UserWarning, stacklevel=1)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "read x.tsv: 3 genes × 2 samples"
    assert err[1] == "warning: 12 negative values clipped"
    assert err[2].startswith("warning: UserWarning: lbfgs failed to converge (")
    assert len(err) == 3
    setup_logging(verbose=True)
    logging.getLogger("genemoe.train.loop").info("epoch 1: train loss 2.5")
    assert capsys.readouterr().err == "genemoe.train.loop: epoch 1: train loss 2.5\n"


def test_demo_ends_with_one_table_a_verdict_and_the_reports(files, tmp_path, clean_logging):
    """A tiny cohort, 2 epochs: every model of both tasks in one table, then the sentence."""
    import re

    _invoke("prepare", "--expression", files["counts"], "--labels", files["labels"],
            "--clinical", files["clinical"], "--out", tmp_path / "b")
    r = _invoke("demo", "--data", tmp_path / "b", "--out", tmp_path / "demo", "--epochs", "2",
                "--tune", "1", "--no-progress")
    out = r.stdout.strip().splitlines()
    rows = [line.split()[:2] for line in out if line.strip().startswith(("classify", "survival"))]
    assert rows == [["classify", "Gene-MOE"], ["classify", "logreg"], ["classify", "mlp"],
                    ["classify", "fcn"], ["survival", "Gene-MOE"], ["survival", "coxnet"]]
    start = next(i for i, line in enumerate(out) if line.startswith("On this"))
    verdict = " ".join(out[start:out.index("", start)])  # wrapped to 100 characters
    assert max(len(line) for line in out[start:out.index("", start)]) <= 100
    assert "classified best" in verdict and "ranked survival risk best" in verdict
    assert "McNemar p = " in verdict and "paired bootstrap on the same" in verdict
    assert "intervals overlap" not in verdict  # unpaired overlap was the survival verdict
    assert not re.search(r"\d\.\d{5,}", r.stdout)
    # one page of every model (was two: Gene-MOE's run pages), each run's page linked
    reports = [Path(line.split()[1]) for line in out if line.startswith("report:")]
    assert reports == [(tmp_path / "demo" / "report.html").resolve()] and reports[0].is_file()
    assert out[-4].startswith("all outputs:") and out[-3].startswith("summary:") and len(out) <= 31
    # old behaviour (a first-contact probe): the demo ended on paths, no word of what next;
    # on the user's own bundle (--data) it then said "your own data: genemoe prepare ..."
    assert out[-2].startswith("next:        every model on repeated folds of this bundle")
    assert out[-1].startswith("             genemoe benchmark --data")  # 163 wide on one line
    assert len(out[-2]) <= 100  # the command's own line is as long as the bundle's path
    assert "tuning: 1 trial per model on the validation split (a classical model's first: its " \
           "own grid)" in r.stdout  # "every model tuned with the same budget" hid their grids
    tuned = sorted(p.name for p in (tmp_path / "demo" / "tuning").iterdir())
    assert tuned == sorted(f"{m}_{t}" for m, t in (("genemoe", "classify"), ("logreg", "classify"),
                           ("mlp", "classify"), ("fcn", "classify"), ("genemoe", "survival"),
                           ("coxnet", "survival")))
    assert all((tmp_path / "demo" / "tuning" / d / "best.yaml").is_file() for d in tuned)
    # run again into the same --out: a fresh demo (its studies resumed, its runs were each
    # "replaced" with a warning), said in one line
    r = run_cli("demo", "--data", tmp_path / "b", "--out", tmp_path / "demo", "--epochs", "2",
                "--tune", "1", "--no-progress", "--seed", "1")
    assert r.returncode == 0, r.stderr
    assert "replacing the previous demo in" in r.stderr and "holds a finished run" not in r.stderr
    # a line per trial, and no other line of tune's: a 4-minute search was silent
    assert r.stderr.count("trial 0 (1/1): validation ") == 6
    assert "options tuned by" in r.stderr and "best.yaml" not in r.stderr
    trials = (tmp_path / "demo" / "tuning" / "logreg_classify" / "trials.csv").read_text()
    assert len(trials.strip().splitlines()) == 2  # header and this demo's one trial


def test_benchmark_log_has_one_short_line_per_cell_and_no_bar_frames_or_optuna_dumps(files,
                                                                                       tmp_path):
    """Written to a file or pipe (stderr not a terminal), a tuned benchmark used to fill its log
    with progress-bar frames (a 23 MB log for one pancan33 run) and with Optuna's own line per
    trial, every parameter at full precision. Now: one rounded line per cell, nothing else."""
    import re

    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    r = run_cli("benchmark", "--data", tmp_path / "b", "--out", tmp_path / "bench", "--models",
                "logreg,fcn", "--folds", "2", "--tune", "2", "--epochs", "2", "--no-plots")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    cells = [line for line in lines if line.startswith("cell ")]
    assert [c.split(":")[0] for c in cells] == ["cell 1/4", "cell 2/4", "cell 3/4", "cell 4/4"]
    assert "\r" not in r.stderr and "epoch/s" not in r.stderr  # no bar frames
    assert "Trial 0 finished" not in r.stderr and "parameters: {" not in r.stderr
    assert not re.search(r"\d\.\d{5,}", r.stderr), r.stderr
    assert len(lines) == len(cells), lines


def test_tune_prints_one_short_line_per_trial(files, tmp_path):
    """`genemoe tune` used to print nothing until its end, off a terminal (no bar there)."""
    import re

    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    r = run_cli("tune", "--data", tmp_path / "b", "--model", "fcn", "--trials", "3", "--epochs",
                "2", "--out", tmp_path / "tune")
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("trial ")]
    # numbered as in trials.csv (trial 0: the starting configuration; it read "trial 1/3")
    assert [line.split(":")[0] for line in lines] == ["trial 0 (1/3)", "trial 1 (2/3)", "trial 2 (3/3)"]
    assert all(re.fullmatch(r"trial \d \(\d/3\): (validation macro_f1 \d\.\d{4} \(higher is "
                            r"better; best \d\.\d{4}\)|pruned.*), \d+ s", line)
               for line in lines), lines  # the metric and its direction named (was a number)
    assert "\r" not in r.stderr and "Trial 0 finished" not in r.stderr


@pytest.mark.parametrize(("raised", "says"), [
    (RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't "
                  "allocate memory: you tried to allocate 40000000000 bytes. Error code 12 "
                  "(Cannot allocate memory)"), "an allocation of 40.0 GB failed"),
    (MemoryError("Unable to allocate 728. TiB for an array with shape (10,) and data type "
                 "float64"), "Unable to allocate 728. TiB"),
])
def test_running_out_of_memory_is_said_with_its_fix_not_a_traceback(monkeypatch, capsys, raised, says):
    """torch's allocator failure reached the user as a traceback, with no word of a fix."""
    from typer.core import TyperGroup

    import genemoe.cli as cli

    def invoke(self, ctx):  # noqa: ANN001, ANN202 (click's signature)
        raise raised  # as if the command ran out of memory

    monkeypatch.setattr(TyperGroup, "invoke", invoke)
    monkeypatch.setattr(sys, "argv", ["genemoe", "train"])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert ended.value.code == 2 and "Traceback" not in err and len(lines) == 2
    assert "error: out of memory" in lines[0] and says in lines[0]
    assert lines[1].startswith("  fix: fewer genes (prepare --protein-coding-only")


def test_other_runtime_errors_still_raise(monkeypatch):
    from typer.core import TyperGroup

    import genemoe.cli as cli

    def invoke(self, ctx):  # noqa: ANN001, ANN202 (click's signature)
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    monkeypatch.setattr(TyperGroup, "invoke", invoke)
    monkeypatch.setattr(sys, "argv", ["genemoe", "train"])
    with pytest.raises(RuntimeError, match="shapes"):
        cli.main()


def test_export_and_models_refuse_what_they_cannot_do(files, tmp_path):
    """``genemoe export --out b.csv`` wrote an .h5ad under a .csv name; ``genemoe models
    --task foo`` listed nothing and exited 0."""
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    r = run_cli("export", "--data", tmp_path / "b", "--out", tmp_path / "b.csv")
    assert r.returncode == 2 and "fix: name it e.g. b.h5ad" in r.stderr
    assert not (tmp_path / "b.csv").exists()
    r = run_cli("models", "--task", "foo")
    assert r.returncode == 2 and "unknown task 'foo'" in r.stderr


def test_models_with_an_unknown_task_prints_no_table_header():
    """Old behaviour: `genemoe models --task foo` printed the table's header line, then the
    error."""
    r = run_cli("models", "--task", "foo")
    assert r.returncode == 2 and "unknown task 'foo'" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("command", [["prepare", "--expression", "x.tsv"],
                                     ["train", "--data", "b"], ["benchmark", "--data", "b"],
                                     ["demo"], ["pretrain", "--data", "b"]])
def test_a_negative_seed_is_a_usage_error(tmp_path, command):
    """``--seed -1`` ended in numpy's "expected non-negative integer" traceback (prepare,
    pretrain, benchmark, demo) or a scikit-learn option error (train logreg)."""
    r = run_cli(*command, "--seed", "-1", "--out", tmp_path / "o", cwd=tmp_path)
    err = " ".join(line.strip("│ ") for line in r.stderr.splitlines())
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "Invalid value for '--seed'" in err and not (tmp_path / "o").exists()



def test_version():
    """``genemoe --version`` was "No such option: --version (Possible options: --verbose)"."""
    import torch

    from genemoe import __version__

    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith(f"genemoe {__version__} (torch {torch.__version__}")


@pytest.mark.parametrize("words", [["-h"], ["train", "-h"], ["download", "tcga", "-h"]])
def test_dash_h_is_help(words):
    """``genemoe train -h`` was "No such option: -h"."""
    r = run_cli(*words)
    assert r.returncode == 0 and "Usage: " in r.stdout and "Show this message" in r.stdout


@pytest.mark.parametrize("columns", [80, 120])
def test_help_names_every_option_in_full_at_any_width(columns):
    """At 80 columns (most terminals, and any pipe) Rich's option table cut names and paths:
    ``--protein-codin…``, ``*.rna_seq.augmen…``. Below 100 columns the help is click's text."""
    import os

    from genemoe.cli import app

    cmd = typer.main.get_command(app).commands["prepare"]
    env = {**os.environ, "COLUMNS": str(columns)}
    r = subprocess.run([sys.executable, "-m", "genemoe.cli", "prepare", "--help"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Usage: " in r.stdout
    text = " ".join(r.stdout.split())  # long names may wrap between words, never inside one
    names = [o for p in cmd.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")]
    assert "--protein-coding-only" in names and len(names) > 30
    assert [n for n in names if n not in text] == []
    assert "*.rna_seq.augmented_star_gene_counts.tsv" in text
    assert max(map(len, r.stdout.splitlines())) <= columns


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_ctrl_c_is_one_line_with_status_130(files, tmp_path, signum):
    """Ctrl-C during a checkpoint's write ended in torch's RuntimeError traceback ("unexpected
    pos"); it is now one line saying how to resume, whatever it interrupted. SIGTERM (a
    scheduler's pre-emption, torchrun stopping its workers) killed the process with no line
    (status 143, and possibly a checkpoint cut mid-write): it stops as Ctrl-C does, said."""
    import signal
    import time

    from genemoe.errors import Terminated, stop_signal, was_interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("[enforce fail at inline_container.cc:672] unexpected pos") from None
    except RuntimeError as exc:
        assert was_interrupted(exc)  # the writer's error, raised while handling the Ctrl-C
    assert not was_interrupted(RuntimeError("other"))
    try:  # a tuning study re-raises a SIGTERM as its own KeyboardInterrupt
        try:
            raise Terminated
        except KeyboardInterrupt:
            raise KeyboardInterrupt from None
    except KeyboardInterrupt as exc:
        assert stop_signal(exc) == "SIGTERM"
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    run = tmp_path / "run"
    p = subprocess.Popen([sys.executable, "-m", "genemoe.cli", "train", "--data", str(tmp_path / "b"),
                          "--model", "fcn", "--epochs", "100000", "--no-progress", "--out", str(run)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not (run / "history.jsonl").exists() and time.monotonic() < deadline:
            time.sleep(0.2)  # training has begun: genemoe's own code is running
        p.send_signal(getattr(signal, signum))
        _, err = p.communicate(timeout=120)
    finally:
        p.kill()
    assert "Traceback" not in err, err
    if signum == "SIGINT":  # 130, or killed by SIGINT (-2) when Python re-raises it at exit
        assert p.returncode in (130, -signal.SIGINT), err
        assert "interrupted (Ctrl-C)" in err and "resume" in err
    else:
        assert p.returncode == 143 and "stopped (SIGTERM)" in err and "resume" in err, err
    assert (run / "checkpoint.pt").exists()  # what the same command resumes from


def test_prepare_without_input_names_both_ways_in(tmp_path):
    """``genemoe prepare --gdc-dir DIR`` said "--gdc-dir: --gdc-dir and --sample-sheet go
    together"; ``genemoe prepare --out b`` named --expression only."""
    r = run_cli("prepare", "--gdc-dir", tmp_path, "--out", tmp_path / "b")
    assert r.returncode == 2 and "--gdc-dir needs --sample-sheet as well" in r.stderr
    r = run_cli("prepare", "--out", tmp_path / "b")
    assert r.returncode == 2 and "--gdc-dir DIR --sample-sheet SHEET" in r.stderr


def test_a_word_for_a_number_option_gets_a_fix_line():
    """``benchmark --tune abc`` said "Input should be a valid integer" and no fix."""
    r = run_cli("benchmark", "--data", "b", "--models", "logreg", "--tune", "abc", "--out", "o")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "fix: give --tune a whole number" in r.stderr


def test_the_interruption_line_names_every_command_that_resumes():
    """Ctrl-C in `genemoe download` said only that train, pretrain, tune and benchmark
    resume, though the download keeps its .part and resumes it."""
    from genemoe.errors import Interrupted

    said = str(Interrupted())
    assert "ablation" in said and "download resumes its partial file (.part)" in said


@pytest.mark.parametrize(("command", "says", "not_said"), [
    ("tune", "run the same `genemoe tune` command again (the same --out): the study keeps its "
     "finished trials and runs the interrupted ones again", "last trial saved"),
    ("train", "it resumes from the last epoch saved, or starts afresh if none was", "where it "
     "stopped"),
    ("download", "resumes its partial file (.part)", "train"),
    ("predict", "no file is half-written: run it again", "resume"),
])
def test_the_interruption_line_names_what_the_command_that_ran_does(command, says, not_said):
    """Ctrl-C in any command listed every resuming command (train, pretrain, tune, benchmark,
    ablation, download), whichever one ran."""
    from click import Context

    from genemoe.cli import app
    from genemoe.cli_args import CliGroup

    group = typer.main.get_command(app)
    assert isinstance(group, CliGroup)
    ctx = Context(group)
    ctx.invoked_subcommand = command
    said = interrupted_group(group, ctx)
    assert says in said and not_said not in said, said


def test_an_interrupted_download_names_the_download_command():
    """An outside probe: Ctrl-C in `genemoe download tcga` said "`genemoe tcga` writes each
    file whole" (the subgroup's subcommand), not that download resumes its .part file."""
    from click import Context

    from genemoe.cli import app
    from genemoe.cli_args import CliGroup

    top = typer.main.get_command(app)
    download = top.get_command(Context(top), "download")
    assert isinstance(download, CliGroup)
    ctx = Context(download, parent=Context(top), info_name="download")
    ctx.invoked_subcommand = "tcga"
    said = interrupted_group(download, ctx)
    assert "`genemoe download` command again: it resumes its partial file (.part)" in said, said
    assert "genemoe tcga" not in said


def test_a_failed_commands_objects_are_freed_before_the_exit(monkeypatch):
    """Old behaviour: sys.exit(2) ran inside the error handler, so the failed command's
    frames (a pyarrow CSV reader mid-read) lived on into interpreter teardown, where about 1
    run in 10 of a refused `prepare --annotation` ended "terminate called without an active
    exception" and "Aborted" (status 134) after the error line."""
    import gc
    import weakref

    import genemoe.cli as cli
    from genemoe.errors import input_error

    class Held:  # stands for a native reader the failed frame still holds
        pass

    seen = {}

    def failing_app():
        held = Held()
        seen["ref"] = weakref.ref(held)
        raise input_error("bad input", where="x", fix="y")

    def exiting(code):
        gc.collect()
        seen["alive_at_exit"] = seen["ref"]() is not None
        raise SystemExit(code)

    monkeypatch.setattr(cli, "app", failing_app)
    monkeypatch.setattr(cli.sys, "exit", exiting)
    monkeypatch.setattr(cli, "defer_interrupts_in_imports", lambda: None)
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2 and seen["alive_at_exit"] is False


def test_quiet_keeps_only_the_warnings_of_a_commands_summary(files, tmp_path, capsys):
    """``genemoe -q prepare`` (and predict, train...) still printed the whole summary on
    stdout, though -q promises "Warnings and errors only"."""
    from genemoe.cli_logging import say, setup_logging

    r = run_cli("-q", "prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "" and (tmp_path / "b").is_dir()
    try:
        setup_logging(quiet=True)
        say("wrote x.csv\nwarning: 3 of 9 samples look unlike the training data\n  done")
        assert capsys.readouterr().out == "warning: 3 of 9 samples look unlike the training data\n"
        say("scored 2\n  warning: a long one\n      wrapped on\n  record: r.json")  # its lines
        assert capsys.readouterr().out == "  warning: a long one\n      wrapped on\n"
    finally:
        setup_logging()
    say("wrote x.csv")
    assert capsys.readouterr().out == "wrote x.csv\n"


@pytest.mark.parametrize("columns", [80, 200])
def test_the_top_level_help_shows_flags_as_flags_and_each_commands_whole_line(columns, tmp_path):
    """Rich's table read ``--verbose -v <bool>`` (``genemoe -v true models`` then failed:
    "No such command 'true'"); click's list cut ``features`` at "(paper Fig."; ``download``
    alone kept Rich's boxes; ``explain --model`` said "(neural model)" though linear models
    are explained too; ``report`` on a folder of none of its kinds left out pre-training."""
    import os

    env = {**os.environ, "COLUMNS": str(columns)}
    r = subprocess.run([sys.executable, "-m", "genemoe.cli", "--help"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "<bool>" not in r.stdout and "╭" not in r.stdout
    assert "-v, --verbose" in r.stdout
    assert "(paper Fig. 8): feature-gene correlation" in " ".join(r.stdout.split())
    for cmd in (["download", "--help"], ["explain", "--help"]):
        r = subprocess.run([sys.executable, "-m", "genemoe.cli", *cmd], env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0 and "<bool>" not in r.stdout and "╭" not in r.stdout
    assert "(a neural or linear model)" in " ".join(r.stdout.split())
    r = run_cli("train", "--epochs", "x", "--data", "b")  # a usage error: no Rich box either
    assert r.returncode == 2 and "╭" not in r.stderr and "Usage:" not in r.stderr  # genemoe's form
    assert r.stderr.startswith("genemoe: error: Invalid value for '--epochs': 'x' is not a whole")
    r = run_cli("report", str(tmp_path))
    assert r.returncode == 2 and "nor a pre-training directory" in r.stderr
    assert ("the --out directory of `genemoe train`, `genemoe benchmark`, `genemoe explain`, "
            "`genemoe tune`, `genemoe pretrain` or `genemoe features`") in " ".join(r.stderr.split())


def test_a_comma_separated_option_given_spaces_is_told_to_use_commas(tmp_path):
    """A verification probe: `benchmark --models logreg fcn` was told that a value with
    spaces needs quotes, and `--models "logreg fcn"` then failed as an unknown model."""
    r = run_cli("benchmark", "--data", "b", "--out", "o", "--models", "logreg", "fcn", "svm",
                cwd=tmp_path)
    err = " ".join(r.stderr.split())
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert ("fix: --models takes a comma-separated list: --models logreg,fcn,svm (if fcn svm "
            "belong to --models); any other input goes after its flag") in err
    r = run_cli("benchmark", "--data", "b", "--out", "o", "stray", cwd=tmp_path)
    assert "a value with spaces needs quotes" in r.stderr and "comma-separated" not in r.stderr
