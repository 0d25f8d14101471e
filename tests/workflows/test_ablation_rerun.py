"""A rerun of other options into an ablation's (or a benchmark's) folder: the warning names
the options that changed, key by key, and the files it removed (an outside review)."""

from __future__ import annotations

import json

import pytest

from genemoe.evaluate.benchmark_files import option_changes
from genemoe.workflows.benchmark import run_benchmark


@pytest.fixture(scope="module")
def bundle_path(synthetic_bundle):
    return synthetic_bundle(seed=1).path


def _protocol(out, fingerprint, **opts):
    out.mkdir(parents=True, exist_ok=True)
    (out / "protocol.json").write_text(json.dumps({"fingerprint": fingerprint, **opts}))


def test_nested_options_are_compared_key_by_key(tmp_path):
    """Old behaviour: rerunning `ablation --pretrain-per-fold` with --pretrain-epochs 3 after
    2 printed `(pretrained {'per_fold': {...}} → {...})`, two whole Python dicts (~2,500
    characters), twice."""
    recipe = {"model": "genemoe", "model_config": {"hidden": 32, "latent": 8},
              "pretrain": {"epochs": 2, "batch_size": 32, "critic_widths": [8]}}
    runs = {f"r0_f{f}": f"abl/pretrain/r0_f{f}" for f in (0, 1)}
    _protocol(tmp_path, "a" * 64, pretrained={"per_fold": recipe, "runs": runs}, seed=0)
    new = {**recipe, "pretrain": {**recipe["pretrain"], "epochs": 3, "critic_widths": [8, 4]}}
    changes = option_changes(tmp_path, {"fingerprint": "b" * 64, "seed": 0,
                                        "pretrained": {"per_fold": new, "runs": runs}})
    assert changes == ["pretrained.per_fold.pretrain.epochs 2 → 3",
                       "pretrained.per_fold.pretrain.critic_widths [8] → [8, 4]"]
    long = "x" * 300  # a long value is shortened
    changes = option_changes(tmp_path, {"fingerprint": "b" * 64, "seed": 0, "pretrained": long})
    assert len(changes) == 1 and changes[0].startswith("pretrained {'per_fold'")
    assert len(changes[0]) < 150 and changes[0].endswith("…")


def test_the_rerun_warning_names_every_file_it_removed(bundle_path, tmp_path, caplog):
    """Old behaviour: "its summary.md and results.csv are removed" while report.html was
    removed too."""
    out = tmp_path / "bench"
    run_benchmark(bundle_path, task="classify", models=["logreg"], n_folds=2, out_dir=out, seed=0)
    (out / "report.html").write_text("<html>the earlier results</html>")
    caplog.clear()
    with caplog.at_level("WARNING", logger="genemoe"):
        run_benchmark(bundle_path, task="classify", models=["logreg"], n_folds=2, out_dir=out,
                      seed=1)
    said = [r.getMessage() for r in caplog.records if "holds a benchmark of other" in r.getMessage()]
    assert len(said) == 1 and "(seed 0 → 1): its summary.md, results.csv and report.html are " \
                              "removed, its cells kept in cells." in said[0]
    assert not (out / "report.html").exists()


def test_the_rerun_warning_says_none_was_removed_when_none_was_there(bundle_path, tmp_path, caplog):
    out = tmp_path / "bench"
    run_benchmark(bundle_path, task="classify", models=["logreg"], n_folds=2, out_dir=out, seed=0)
    for name in ("summary.md", "results.csv"):
        (out / name).unlink()
    with caplog.at_level("WARNING", logger="genemoe"):
        run_benchmark(bundle_path, task="classify", models=["logreg"], n_folds=2, out_dir=out,
                      seed=1)
    assert "(seed 0 → 1): none of its tables was written, its cells kept in" in caplog.text
