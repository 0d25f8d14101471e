"""The CLI as a user runs it: a subprocess, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files


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


def test_bad_input_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("\tTCGA-OR-A5J1-01A\tTCGA-OR-A5J2-01A\nENSG00000000003\t1\tabc\n")
    r = run_cli("prepare", "--expression", bad, "--out", tmp_path / "o")
    assert r.returncode == 2
    assert "bad.tsv" in r.stderr and "abc" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("prepare", "--expression", tmp_path / "missing.tsv", "--out", tmp_path / "o")
    assert r.returncode == 2 and "missing.tsv" in r.stderr


def test_features_with_a_missing_run_exits_2_naming_it(tmp_path):
    r = run_cli("features", "--model", tmp_path / "no_run", "--data", tmp_path / "b",
                "--out", tmp_path / "f")
    assert r.returncode == 2
    assert "no_run" in r.stderr and "pretrained.pt" in r.stderr and "Traceback" not in r.stderr


def test_models_lists_registered_models():
    r = run_cli("models")
    assert r.returncode == 0, r.stderr
    names = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    assert {"genemoe", "moe", "fcn", "mlp", "svm", "rf", "logreg", "coxnet", "coxph"} <= names
