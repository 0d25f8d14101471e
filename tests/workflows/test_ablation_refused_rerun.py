"""A rerun of `genemoe ablation` of other options that one of its benchmarks refuses (a bad
``--device``, ``--epochs 0``, a model option the preset lacks, a ``--pretrained`` run of
another normalisation) is refused before ``--out`` is touched: the earlier ablation's
tables.md, results.csv, report.html, plots/ and ablation.json stay as they were.

Old behaviour: the rerun removed the earlier tables and page and wrote its ablation.json
(the refusals came from inside run_benchmark, after that), then errored: a mistyped rerun
destroyed the previous results."""

from __future__ import annotations

import hashlib
import shutil

import pytest
import torch
import yaml

from genemoe.data.bundle import load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.workflows.ablation import run_ablation
from genemoe.workflows.pretrain import pretrain_run
from log_lines import warning_lines
from tiny_configs import TINY_ABLATION_PRESET

OPTS = dict(task="classify", n_folds=2, n_repeats=1, epochs=1, device="cpu")
KEPT = ("tables.md", "results.csv", "report.html", "plots/ablation_folds.png", "ablation.json")


@pytest.fixture(scope="module")
def earlier(ablation_bundle, ablation_preset, tmp_path_factory):
    """An ablation's folder with its page (report.html, plots/), as `genemoe report` left it."""
    out = tmp_path_factory.mktemp("abl") / "abl"
    run_ablation(ablation_bundle.path, out_dir=out, preset=str(ablation_preset), seed=0, **OPTS)
    (out / "report.html").write_text("<html>the earlier results</html>")
    (out / "plots").mkdir()
    (out / "plots" / "ablation_folds.png").write_bytes(b"png")
    return out


@pytest.fixture
def folder(earlier, tmp_path):
    """A copy of the earlier ablation's folder per test (a refusal that touched it would
    leave the next test nothing to keep)."""
    return shutil.copytree(earlier, tmp_path / "abl")


def _contents(out) -> dict[str, str | None]:
    return {f: hashlib.sha256((out / f).read_bytes()).hexdigest() if (out / f).is_file()
            else None for f in KEPT}


def _misspelt_preset(preset):
    bad = preset.parent / "misspelt.yaml"
    genemoe = {**TINY_ABLATION_PRESET["model"]["genemoe"], "n_expertz": 3}
    bad.write_text(yaml.safe_dump({**TINY_ABLATION_PRESET, "model": {"genemoe": genemoe}}))
    return bad


@pytest.fixture(scope="module")
def cpm_run(ablation_bundle, ablation_preset, tmp_path_factory):
    """A pre-training on other samples (the bundle's rows under new ids) recorded as log2cpm
    values: the bundle's Gene-MOE cannot fine-tune from it."""
    d = tmp_path_factory.mktemp("cpm")
    other = load_bundle(ablation_bundle.path)
    obs = other.obs.copy()
    obs["sample_id"] = "X" + obs["sample_id"].astype(str)
    obs["patient_id"] = "X" + obs["patient_id"].astype(str)
    other.obs, other.record = obs, {**other.record, "normalisation": "log2cpm"}
    assert ablation_bundle.record["normalisation"] != "log2cpm"
    write_bundle(other, d / "other")
    return pretrain_run([d / "other"], out_dir=d / "run", config_path=ablation_preset, device="cpu",
                        progress=False).out_dir


CASES = {  # name -> (options of the rerun, besides seed 1; the refusal's words)
    "unknown device": ({"device": "foo"}, r"--device: unknown device 'foo'"),
    "absent GPU": ({"device": "cuda:99"}, r"--device: cuda:99"),
    "epochs 0": ({"epochs": 0}, r"--epochs.*epochs=0"),
    "misspelt option": ({"preset": "misspelt"}, r"no option n_expertz"),
    "other normalisation": ({"pretrained": "cpm"}, r"log2cpm"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_rerun_leaves_the_earlier_ablation_untouched(case, folder, ablation_bundle,
                                                               ablation_preset, request):
    """Old behaviour: `--device foo` (or the others) with --seed 1 removed tables.md,
    results.csv, report.html and plots/, wrote the new ablation.json, then was refused."""
    changed, words = CASES[case]
    before = _contents(folder)
    assert all(before.values()), before
    kw = {**OPTS, "preset": str(ablation_preset), "seed": 1, **changed}
    if kw["preset"] == "misspelt":
        kw["preset"] = str(_misspelt_preset(ablation_preset))
    if kw.get("pretrained") == "cpm":
        kw["pretrained"] = request.getfixturevalue("cpm_run")

    def rerun():
        with pytest.raises(InputError, match=words):
            run_ablation(ablation_bundle.path, out_dir=folder, **kw)

    said = warning_lines(rerun)
    assert _contents(folder) == before
    assert not [s for s in said if "holds an ablation of other options" in s], said


@pytest.mark.skipif(torch.cuda.is_available(), reason="--device cuda runs on this machine")
def test_the_cli_refuses_cuda_on_a_cpu_machine_first(folder, ablation_bundle, ablation_preset):
    from typer.testing import CliRunner

    from genemoe.cli import app

    before = _contents(folder)
    assert all(before.values()), before
    r = CliRunner().invoke(app, ["ablation", "--data", str(ablation_bundle.path),
                                 "--task", "classify", "--out", str(folder), "--repeats", "1",
                                 "--folds", "2", "--epochs", "1", "--preset", str(ablation_preset),
                                 "--seed", "1", "--device", "cuda", "--no-progress"])
    assert isinstance(r.exception, InputError), r.output  # main() says it in one error
    assert "--device: cuda was asked for" in str(r.exception) and "sees no CUDA GPU" in str(
        r.exception), r.exception
    assert _contents(folder) == before
