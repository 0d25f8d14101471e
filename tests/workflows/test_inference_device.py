"""predict, explain and features run where the user asks (``--device auto | cpu | cuda``).

They had no ``--device``: every forward ran on the CPU whatever the machine had, and the
gate read-out of train's routing report fed CPU rows to a model left on the GPU. On a
machine without CUDA, ``cuda`` is refused before any work, naming the flag; the device a
command ran on is recorded. The CUDA side is in ``tests/test_cuda.py``.
"""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from genemoe.cli import app
from genemoe.errors import InputError
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic
from tiny_configs import TINY_GENEMOE

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal without CUDA")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("device")
    b, files, _ = prepare_synthetic(d, n_samples=160, n_genes=80, n_types=3, seed=5, clinical=False)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="genemoe", epochs=2,
              progress=False, device="cpu", model_options=TINY_GENEMOE)
    return d, b, files["counts"]


def _invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_predict_records_the_device_it_ran_on(trained, tmp_path):
    d, _, counts = trained
    res = _invoke("predict", "--model", d / "run", "--expression", counts,
                  "--out", tmp_path / "p.tsv", "--device", "cpu")
    assert res.exit_code == 0, res.output
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["device"] == "cpu"
    assert "(classify, fp32, on cpu)" in " ".join(res.output.split())


@NO_CUDA
@pytest.mark.parametrize("command", ["predict", "explain", "features"])
def test_cuda_without_a_gpu_is_refused_naming_the_flag(trained, tmp_path, command):
    d, b, counts = trained
    where = (["--expression", counts, "--out", tmp_path / "p.tsv"] if command == "predict"
             else ["--data", b.path, "--out", tmp_path / "o"])
    res = _invoke(command, "--model", d / "run", *where, "--device", "cuda")
    assert isinstance(res.exception, InputError), res.output  # main() prints it, status 2
    text = str(res.exception)
    assert text.startswith("--device: cuda was asked for") and "sees no CUDA GPU" in text
    assert not (tmp_path / "p.tsv").exists()


def test_explain_and_features_record_the_device(trained, tmp_path):
    d, b, _ = trained
    res = _invoke("explain", "--model", d / "run", "--data", b.path, "--out", tmp_path / "e",
                  "--max-samples-per-class", "2", "--n-steps", "8", "--no-progress",
                  "--device", "cpu")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "e" / "convergence.json").read_text())["device"] == "cpu"
    res = _invoke("features", "--model", d / "run", "--data", b.path, "--out", tmp_path / "f",
                  "--n-features", "3", "--k", "3", "--max-samples", "30", "--device", "cpu")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "f" / "summary.json").read_text())["device"] == "cpu"


def test_a_device_asked_of_a_classical_model_is_said_to_apply_to_neural_ones(tmp_path, caplog):
    """A verification probe: `predict --device cuda` of a logreg run was taken without a word
    (train and tune say it applies to neural models)."""
    from genemoe.workflows.predict import predict_file

    b, files, _ = prepare_synthetic(tmp_path, n_samples=80, n_genes=60, n_types=3, seed=2,
                                    clinical=False)
    train_run(b.path, out_dir=tmp_path / "lr", model_name="logreg", progress=False)
    with caplog.at_level("WARNING", logger="genemoe"):
        predict_file(tmp_path / "lr", files["counts"], out_path=tmp_path / "p.tsv", device="cuda")
    said = "--device cuda applies to neural models; logreg is scored by scikit-learn on the CPU"
    assert caplog.text.count(said) == 1
    assert json.loads((tmp_path / "p.record.json").read_text())["device"] == "cpu (scikit-learn)"
