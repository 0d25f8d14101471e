"""Where a ``genemoe tune`` best.yaml's options were tuned, as train and benchmark say it.

An outside probe (probeT): ``train --config best.yaml`` of a tune on another bundle said
"val: where the options were tuned and the model chosen" and recorded
``options_tuned_on_validation: true`` beside its own "0 of 24 test samples" count;
benchmark's protocol.json kept the tune's ``overlaps_benchmark_test_folds: true`` beside
``n_test_folds_tuned_on: 0``; and its overlap warning told a ``--tune 2`` benchmark to
"benchmark with --tune N".
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from genemoe.data.bundle import Bundle, sample_set_sha256
from genemoe.workflows.benchmark import run_benchmark
from genemoe.workflows.train import train_run


@pytest.fixture(scope="module")
def bundle(synthetic_bundle) -> Bundle:
    return synthetic_bundle(seed=3, n_samples=90, n_genes=60, n_types=3)


def _other_bundle(d: Path, n: int = 60) -> Path:
    """A tuning bundle of other samples (what :func:`tuned_sample_ids` reads of it)."""
    d.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"sample_id": [f"OTHR-A1-{i:04d}-01A" for i in range(n)],
                  "split": ["train"] * (n - 20) + ["val"] * 10 + ["test"] * 10}
                 ).to_parquet(d / "obs.parquet")
    return d


def _best_yaml(path: Path, tuned_on: Path, ids) -> Path:
    """A logreg best.yaml as ``genemoe tune`` writes it, tuned on ``tuned_on``."""
    entry = {"value": "C 0.05",
             "data": f"{tuned_on} ({len(ids)} samples; sample set sha256 "
                     f"{sample_set_sha256(ids)})",
             "part": "validation split (10 samples), logreg trained on the training split (40); "
                     "test split never read",
             "overlaps_benchmark_test_folds": True, "metric": "validation macro_f1",
             "best_value": 0.6, "best_trial": "a drawn trial (trials.csv)", "n_trials": 2,
             "seed": 0, "preset": "small", "study": "logreg-classify in sqlite:///x.db"}
    path.write_text(yaml.safe_dump({"model": {"logreg": {"C": 0.05}},
                                    "tuned_for": {"model": "logreg", "task": "classify"},
                                    "tuned_on": {"model.C": entry}}))
    return path


def test_options_tuned_on_another_bundle_are_not_said_tuned_on_this_validation_split(
        bundle, tmp_path):
    other = _other_bundle(tmp_path / "other")
    best = _best_yaml(tmp_path / "best.yaml", other, [f"OTHR-A1-{i:04d}-01A" for i in range(60)])
    res = train_run(bundle.path, out_dir=tmp_path / "r", model_name="logreg", config_path=best,
                    progress=False)
    protocol = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]
    # old behaviour: true, "validation split (options tuned there too)"
    assert protocol["options_tuned_on_validation"] is False
    said = f"another bundle ({other}): this validation split is untouched by the search"
    assert protocol["selection"] == f"validation split (options tuned on {said})"
    assert protocol["options_tuned_on"] == said
    text = res.describe()
    assert "the options were tuned and the model chosen" not in text
    assert f"val: where the model was chosen (the options were tuned on {said}), so optimistic" in text
    entry = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())["tuned_on"]["model.C"]
    n_val = len(bundle.indices("val"))
    assert entry["n_val_tuned_on"] == 0 and entry["n_val"] == n_val
    assert entry["val_overlap"].startswith(f"0 of this bundle's {n_val} validation samples")


def test_options_tuned_on_this_bundle_are_said_tuned_on_its_validation_split(bundle, tmp_path):
    best = _best_yaml(tmp_path / "best.yaml", bundle.path, bundle.sample_ids)
    res = train_run(bundle.path, out_dir=tmp_path / "r", model_name="logreg", config_path=best,
                    progress=False)
    protocol = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]
    assert protocol["options_tuned_on_validation"] is True
    assert protocol["selection"] == "validation split (options tuned there too)"
    assert "options_tuned_on" not in protocol
    assert "val: where the options were tuned and the model chosen, so optimistic" in res.describe()


def test_a_tuning_bundle_that_is_gone_is_said_unchecked(bundle, tmp_path):
    gone = tmp_path / "gone"
    best = _best_yaml(tmp_path / "best.yaml", gone, ["X-1", "X-2"])
    train_run(bundle.path, out_dir=tmp_path / "r", model_name="logreg", config_path=best,
              progress=False)
    protocol = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]
    assert protocol["options_tuned_on_validation"] is None  # not known: not said true or false
    assert protocol["options_tuned_on"] == (
        f"{gone}, not there: whether its samples are in this validation split was not checked")


def test_protocol_json_tells_the_overlap_from_its_own_counts(bundle, tmp_path):
    other = _other_bundle(tmp_path / "other")
    best = _best_yaml(tmp_path / "best.yaml", other, [f"OTHR-A1-{i:04d}-01A" for i in range(60)])
    run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, preset=str(best),
                  out_dir=tmp_path / "b", progress=False)
    entry = json.loads((tmp_path / "b" / "protocol.json").read_text())["preset_tuned_on"]["model.C"]
    assert entry["used_by"] == ["logreg"] and entry["n_test_folds_tuned_on"] == 0
    assert entry["overlaps_benchmark_test_folds"] is False  # old behaviour: the tune's true


def test_the_overlap_warning_of_a_tune_benchmark_does_not_recommend_tune(bundle, tmp_path, caplog):
    best = _best_yaml(tmp_path / "best.yaml", bundle.path, bundle.sample_ids)
    with caplog.at_level("WARNING", logger="genemoe"):
        run_benchmark(bundle.path, task="classify", models=["logreg"], n_folds=2, tune=1,
                      preset=str(best), out_dir=tmp_path / "b", progress=False)
    (said,) = [r.getMessage() for r in caplog.records if "their fold scores are optimistic"
               in r.getMessage()]
    assert "benchmark with --tune N" not in said  # old behaviour: said to a --tune 1 run
    assert "--tune 1 does not undo it: each fold's search starts from these values" in said
    assert "a preset not tuned on these samples, or the defaults (no --preset)" in said
    entry = json.loads((tmp_path / "b" / "protocol.json").read_text())["preset_tuned_on"]["model.C"]
    assert entry["overlaps_benchmark_test_folds"] is True and entry["n_test_folds_tuned_on"] > 0


def test_the_overlap_warning_without_tune_still_offers_it():
    from genemoe.workflows.tuned_on import benchmark_warnings

    entry = {"used_by": ["fcn"], "data": "/x/b (9 samples)", "test_folds_overlap": "4 of 9",
             "n_test_folds_tuned_on": 4, "n_test_folds": 9}
    (said,) = benchmark_warnings({"k": entry})
    assert said.endswith("benchmark with --tune N (a search inside each fold)")
