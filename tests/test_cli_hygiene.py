"""Command-line hygiene: values that were accepted and then failed later, or silently
replaced, are refused where they are given, naming the flag and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from genemoe.cli import app
from genemoe.cli_args import repeated_option
from genemoe.config_presets import read_config_yaml
from genemoe.errors import InputError


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "genemoe.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def bundle(synthetic_bundle) -> Path:
    return synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3).path


def test_prepare_refuses_a_val_fraction_of_0_that_train_would_refuse(tmp_path):
    """Old behaviour: ``prepare --val-fraction 0`` wrote a bundle, and ``train`` then said
    "the val split has no usable samples"."""
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    files = write_synthetic_files(make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3,
                                                        seed=2), tmp_path / "in")
    r = run_cli("prepare", "--expression", files["counts"], "--labels", files["labels"],
                "--out", tmp_path / "b", "--val-fraction", "0")
    err = flat(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "'--val-fraction': 0 leaves no validation split" in err
    assert "fix: pass e.g. --val-fraction 0.1" in err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("command", ["train", "tune"])
def test_epochs_0_is_refused_once_for_a_model_that_ignores_epochs(bundle, tmp_path, command):
    """Old behaviour: ``train --model logreg --epochs 0`` warned "--epochs ... ignored" and
    then refused the 0; ``tune`` warned and ran the study."""
    r = run_cli(command, "--data", bundle, "--out", tmp_path / "o", "--model", "logreg",
                "--epochs", "0", *(["--trials", "1"] if command == "tune" else []))
    err = flat(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "ignored" not in err and "'--epochs': epochs=0" in err
    assert "fix: set epochs to a whole number, 1 or more" in err
    assert not (tmp_path / "o").exists()


def test_a_repeated_single_value_option_is_refused_naming_it(bundle, tmp_path):
    """Old behaviour: ``--out a --out b`` trained into b without a word of a."""
    r = run_cli("train", "--data", bundle, "--out", tmp_path / "a", "--model", "logreg",
                f"--out={tmp_path / 'b'}")
    err = flat(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert f"--out was given 2 times ({tmp_path / 'a'}, {tmp_path / 'b'})" in err
    assert "fix: give --out once" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def _params(*words: str) -> list:
    command = typer.main.get_command(app)
    for word in words:
        command = command.commands[word]
    return command.params


@pytest.mark.parametrize(("words", "args", "flag"), [
    (("prepare",), ["--out", "a", "--expression", "x", "--out", "b"], "--out"),
    (("train",), ["--data", "a", "--data", "b"], "--data"),
    (("train",), ["--preset", "small", "--config", "c.yaml", "--preset", "base"], "--preset"),
    (("train",), ["--config=c.yaml", "--config", "d.yaml"], "--config"),
    (("predict",), ["--model", "r1", "--model", "r2"], "--model"),
    (("download", "tcga"), ["--out", "x", "--out", "y"], "--out"),
])
def test_every_command_refuses_its_single_value_options_repeated(words, args, flag):
    assert repeated_option(args, _params(*words)).startswith(f"{flag} was given 2 times")


@pytest.mark.parametrize(("words", "args"), [
    (("prepare",), ["--expression", "a", "--expression", "b", "--labels", "l", "--labels", "m"]),
    (("pretrain",), ["--data", "a", "--data", "b", "--out", "o"]),
    (("pretrain",), ["--stream", "--no-stream"]),  # a flag: not a value
    (("train",), ["--out", "o", "--", "--out"]),
    (("tune",), ["--study", "--out", "--out", "o"]),  # --study's value is "--out"
])
def test_options_that_take_several_values_or_none_may_repeat(words, args):
    assert repeated_option(args, _params(*words)) is None


def test_a_repeated_comma_separated_option_is_told_to_join_its_values():
    error = repeated_option(["--models", "logreg", "--models", "svm"], _params("benchmark"))
    assert "fix: give --models once, its values comma-separated (--models logreg,svm)" in error


@pytest.mark.parametrize("study", ["", "  "])
def test_tune_refuses_an_empty_study_name(bundle, tmp_path, study):
    """Old behaviour: ``tune --study ""`` ran the study as 'logreg-classify', unsaid."""
    r = run_cli("tune", "--data", bundle, "--out", tmp_path / "t", "--model", "logreg",
                "--trials", "1", "--study", study)
    err = flat(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "'--study': '" in err and "' is no study name" in err and "fix: pass a name" in err
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "{}\n"])
def test_an_empty_config_yaml_is_refused_naming_it(tmp_path, text):
    """Old behaviour: an empty --config (or --preset) YAML ran on the preset's values."""
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=r"(?s)empty\.yaml: the YAML holds no options.*fix: "):
        read_config_yaml(path)


def test_train_refuses_an_empty_config(bundle, tmp_path):
    (tmp_path / "c.yaml").write_text("# to fill in\n")
    r = run_cli("train", "--data", bundle, "--out", tmp_path / "r", "--model", "logreg",
                "--config", tmp_path / "c.yaml")
    assert r.returncode == 2 and "c.yaml: the YAML holds no options" in r.stderr, r.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("what", ["file", "missing"])
def test_gdc_dir_that_is_no_folder_is_said_as_such(tmp_path, what):
    """Old behaviour: ``--gdc-dir FILE`` (or a missing folder) was told about the sample
    sheet, read first."""
    sheet = tmp_path / "gdc_sample_sheet.tsv"
    sheet.write_text("File ID\tFile Name\n")
    gdc = tmp_path / ("star.tsv" if what == "file" else "nowhere")
    if what == "file":
        gdc.write_text("gene_id\tunstranded\n")
    r = run_cli("prepare", "--gdc-dir", gdc, "--sample-sheet", sheet, "--out", tmp_path / "b")
    err = flat(r.stderr)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    said = "a file, not the portal's download folder" if what == "file" else "no such folder"
    assert f"{gdc}: --gdc-dir: {said}" in err and "sample sheet (" not in err
    assert "fix: point --gdc-dir at the folder gdc-client downloaded into" in err


def test_tune_run_refuses_an_empty_study_name_from_python(bundle, tmp_path):
    """Old behaviour: ``tune_run(study_name="")`` ran as the default study, unsaid (the CLI
    refuses ``--study ""``; the Python call now does too, before --out is made)."""
    from genemoe.workflows.tune import tune_run

    with pytest.raises(InputError, match="empty study name"):
        tune_run(bundle, out_dir=tmp_path / "t", model_name="logreg", n_trials=1, study_name=" ")
    assert not (tmp_path / "t").exists()
