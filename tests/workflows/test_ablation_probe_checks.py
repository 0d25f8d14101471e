"""An outside probe of `genemoe ablation`: a rerun's stale page, a tune's best.yaml as the
preset, a negative --freeze-encoder-epochs."""

from __future__ import annotations

import pytest
import yaml

from genemoe.errors import InputError
from genemoe.workflows.ablation import run_ablation
from genemoe.workflows.benchmark import run_benchmark

OPTS = dict(n_folds=2, n_repeats=1, epochs=1, device="cpu")


def test_a_rerun_of_other_results_removes_the_earlier_page(ablation_bundle, ablation_preset,
                                                           tmp_path, caplog):
    """Old behaviour: results.csv and tables.md were written anew, report.html and plots/
    kept the earlier run's numbers."""
    out = tmp_path / "abl"
    run_ablation(ablation_bundle.path, task="classify", out_dir=out, preset=str(ablation_preset),
                 seed=0, **OPTS)
    (out / "report.html").write_text("<html>earlier</html>")
    (out / "plots").mkdir()
    (out / "plots" / "ablation_folds.png").write_bytes(b"png")
    run_ablation(ablation_bundle.path, task="classify", out_dir=out, preset=str(ablation_preset),
                 seed=0, **OPTS)
    assert (out / "report.html").exists()  # the same results: the page still holds
    with caplog.at_level("WARNING", logger="genemoe"):
        run_ablation(ablation_bundle.path, task="classify", out_dir=out,
                     preset=str(ablation_preset), seed=1, **OPTS)
    assert not (out / "report.html").exists() and not (out / "plots").exists()
    assert "removed report.html and 1 figure in plots/, made from the earlier results" in caplog.text


def test_a_tuned_best_yaml_is_refused_as_every_models_preset(ablation_bundle, tmp_path):
    """Old behaviour: "add `extends: small`" warned, then "options tuned for genemoe, given
    for --model fcn ... fix: pass --model genemoe" (the ablation has no --model)."""
    best = tmp_path / "best.yaml"
    best.write_text(yaml.safe_dump({"extends": "small", "tuned_for": {"model": "genemoe",
                                                                      "task": "classify"},
                                    "model": {"genemoe": {"dropout": 0.2}}}))
    with pytest.raises(InputError, match=r"(?s)options tuned for genemoe .* preset of fcn, moe"
                                         r".*fix: pass --preset small"):
        run_ablation(ablation_bundle.path, task="classify", out_dir=tmp_path / "abl",
                     preset=str(best), **OPTS)
    with pytest.raises(InputError, match=r"(?s)preset of logreg.*genemoe benchmark --models "
                                         r"genemoe --preset"):
        run_benchmark(ablation_bundle.path, task="classify", models=["genemoe", "logreg"],
                      n_folds=2, preset=str(best), out_dir=tmp_path / "bench", device="cpu")
    assert not (tmp_path / "abl").exists() and not (tmp_path / "bench").exists()


def test_a_negative_freeze_is_refused(ablation_bundle, ablation_preset, tmp_path):
    """Old behaviour: --freeze-encoder-epochs -1 was read as 0 (train refuses it)."""
    with pytest.raises(InputError, match="--freeze-encoder-epochs: must be 0 or more epochs"):
        run_ablation(ablation_bundle.path, task="classify", out_dir=tmp_path / "abl",
                     preset=str(ablation_preset), pretrain_per_fold=True,
                     freeze_encoder_epochs=-1, **OPTS)
