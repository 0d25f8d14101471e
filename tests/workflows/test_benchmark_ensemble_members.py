"""``genemoe benchmark`` / ``genemoe train --ensemble-members folds``: recorded in
protocol.json, the cells and the run's config/metrics; a cell of the other scheme is not
reused; refused without ``--ensemble`` or misspelt, in one clear line."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import genemoe.workflows.benchmark as bm
from genemoe.errors import InputError
from genemoe.workflows.benchmark_protocol import cells_fingerprint

OPTS = dict(task="classify", models=["logreg", "fcn"], n_folds=2, epochs=1, ensemble=2)


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


def run_cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "genemoe.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def _cells(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "cells").glob("*.json"))}


def test_folds_are_recorded_said_and_not_reused_for_auto(bundle, tmp_path, caplog):
    """Old behaviour: run_benchmark had no ensemble_members; the fcn's members fitted every
    training row while logreg's fitted half."""
    out = tmp_path / "b"
    res = bm.run_benchmark(bundle.path, out_dir=out, ensemble_members="folds", **OPTS)
    assert json.loads((out / "protocol.json").read_text())["ensemble_members"] == "folds"
    for cell in _cells(out).values():
        record, n_train = cell["info"]["ensemble"], cell["n"]["train"]
        assert record["members_scheme"] == "folds"
        assert all(abs(n - n_train / 2) <= 3 for n in record["member_train_rows"]), record
    assert ("every model's members differ by inner folds, each fitted on 1/2 of the training "
            "part") in (out / "summary.md").read_text()
    assert "every model's members fit on 1/2" in res.describe().splitlines()[0]
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        again = bm.run_benchmark(bundle.path, out_dir=out, **OPTS)  # auto: not reused
    assert again.n_computed == 4 and again.n_reused == 0
    assert "ensemble_members folds → auto" in caplog.text
    assert "preset's contents" not in caplog.text
    assert all(c["info"]["ensemble"]["members_scheme"] == "auto" for c in _cells(out).values())
    assert "a handicap" in (out / "summary.md").read_text()
    back = bm.run_benchmark(bundle.path, out_dir=out, ensemble_members="folds", **OPTS)
    assert back.n_computed == 0 and back.n_reused == 4  # the folds cells set aside come back


def test_auto_keeps_the_fingerprint_of_before(bundle):
    """Cells written before the option (auto) stay reusable: auto adds nothing to the key."""
    opts = {"task": "classify", "n_folds": 3, "seed": 0, "epochs": 2, "val_fraction": 0.2,
            "n_boot": 10, "preset": "small", "ensemble": 3}
    before = cells_fingerprint(bundle, opts)
    assert cells_fingerprint(bundle, {**opts, "ensemble_members": "auto"}) == before
    assert cells_fingerprint(bundle, {**opts, "ensemble_members": "folds"}) != before


def test_run_benchmark_refuses_folds_without_an_ensemble_before_writing(bundle, tmp_path):
    with pytest.raises(InputError, match="folds needs --ensemble 2 or more"):
        bm.run_benchmark(bundle.path, out_dir=tmp_path / "b", **{**OPTS, "ensemble": 1},
                         ensemble_members="folds")
    with pytest.raises(InputError, match="must be auto or folds, got 'Folds'"):
        bm.run_benchmark(bundle.path, out_dir=tmp_path / "b", **OPTS, ensemble_members="Folds")
    assert not (tmp_path / "b").exists()


def test_the_cli_flag_is_refused_in_one_line_without_an_ensemble(bundle, tmp_path):
    """``train --ensemble-members folds`` without ``--ensemble``: one clear error (status 2,
    no traceback), nothing written."""
    r = run_cli("train", "--data", bundle.path, "--out", tmp_path / "r", "--model", "logreg",
                "--ensemble-members", "folds")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "--ensemble-members: folds needs --ensemble 2 or more (got 1)" in r.stderr
    assert not (tmp_path / "r").exists()


def test_benchmark_refuses_a_misspelt_scheme(bundle, tmp_path, clean_logging):
    from typer.testing import CliRunner

    from genemoe.cli import app

    r = CliRunner().invoke(app, ["benchmark", "--data", str(bundle.path), "--out",
                                 str(tmp_path / "b"), "--models", "logreg", "--ensemble", "2",
                                 "--ensemble-members", "seed"])
    assert isinstance(r.exception, InputError)  # main() prints it as one line, status 2
    assert "--ensemble-members: must be auto or folds, got 'seed'" in str(r.exception)
    assert not (tmp_path / "b").exists()


def test_train_ensemble_members_folds_is_recorded_in_the_run(bundle, tmp_path, clean_logging):
    from typer.testing import CliRunner

    from genemoe.cli import app

    r = CliRunner().invoke(app, ["train", "--data", str(bundle.path), "--out", str(tmp_path / "r"),
                                 "--model", "fcn", "--epochs", "1", "--ensemble", "2",
                                 "--ensemble-members", "folds", "--no-progress"])
    assert r.exit_code == 0, r.output
    config = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert config["ensemble_members"] == "folds"
    assert config["ensemble"]["members_differ_by"] == "inner training folds and seed"
    assert metrics["protocol"]["ensemble_members"] == "folds"
    n_train = metrics["protocol"]["n"]["train"]
    assert all(n < n_train for n in config["ensemble"]["member_train_rows"])
