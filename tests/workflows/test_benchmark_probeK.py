"""An outside review (probeK) of tuned benchmarks on a synthetic bundle.

1. ``benchmark --preset T/best.yaml`` (a ``genemoe tune`` of the same model on the same
   bundle) neither checked that the tuning had trained and chosen on samples of its test
   folds, nor said that every cell inherited the tune's ``--epochs`` cap; summary.md said
   only "If this benchmark runs on that data, ..." (``train --config best.yaml`` says both).
2. A value the search held (Coxnet's ``n_top_genes`` 2000 on a bundle of fewer genes: a
   Fixed key) was shown as chosen by Optuna's best trial.
3. The terminal's header said "every model × 2", not that the deterministic models'
   members each fit on (K−1)/K of the training part (summary.md did).
4. A rerun whose studies were reused printed the searches' seconds as this call's.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest

from genemoe.workflows.benchmark import BenchmarkResult, run_benchmark
from genemoe.workflows.tune import tune_run

OVERLAP = "samples in the test folds were in the training or validation part the options of fcn"
EPOCHS = "the tuning capped every trial at 2 epochs (tune --epochs): this benchmark trains fcn 2"


@pytest.fixture(scope="module")
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1)


@pytest.fixture(scope="module")
def best(bundle, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("probeK") / "tune"
    tune_run(bundle.path, out_dir=out, model_name="fcn", n_trials=2, epochs=2, device="cpu",
             progress=False)
    return out / "best.yaml"


def _tuned_entry(out: Path) -> dict:
    tuned_on = json.loads((out / "protocol.json").read_text())["preset_tuned_on"]
    (entry,) = [v for v in tuned_on.values() if "study" in v]
    return entry


def test_a_best_yaml_tuned_on_the_same_samples_is_checked_fold_by_fold(bundle, best, tmp_path,
                                                                       caplog):
    out = tmp_path / "b"
    with caplog.at_level("WARNING", logger="genemoe"):
        run_benchmark(bundle.path, task="classify", models=["fcn"], n_folds=2, preset=str(best),
                      out_dir=out, device="cpu")
    obs = bundle.obs
    labelled = obs["cancer_type"].notna()
    expected = int((labelled & (obs["split"] != "test")).sum())  # the tune's train + val
    said = [r.getMessage() for r in caplog.records if OVERLAP in r.getMessage()]
    assert len(said) == 1 and said[0].startswith(f"{expected} of the {int(labelled.sum())} ")
    assert "their fold scores are optimistic" in said[0]
    assert EPOCHS in caplog.text  # every cell trained the tune's 2 epochs, unsaid
    entry = _tuned_entry(out)
    assert entry["same_samples"] is True
    assert entry["n_test_folds_tuned_on"] == expected and entry["n_test_folds"] == int(labelled.sum())
    per_fold = entry["test_folds_overlap_per_fold"]
    assert set(per_fold) == {"repeat 0 fold 0", "repeat 0 fold 1"}
    assert sum(int(v.split(" of ")[0]) for v in per_fold.values()) == expected
    assert entry["epochs_inherited"].startswith("2: the tune --epochs cap on every trial")
    md = (out / "summary.md").read_text()
    section = md.split("## Preset values chosen on data")[1].split("\n## ")[0]
    assert "**Tuned on this benchmark's test samples**" in section
    assert f"tuned on {expected} of the {int(labelled.sum())} samples in its test folds" in section
    assert "per fold: repeat 0 fold 0 " in section and "tuned on" in section
    assert "**Epochs from the tuning**" in section
    assert "If this benchmark runs on that data" not in section  # checked, not conditional
    assert f"| {expected} of its {int(labelled.sum())} |" in section
    # the page, the document people share, says the same (it kept the conditional note)
    from genemoe.report.html import write_report

    page = html.unescape(write_report(out).read_text())
    assert f"{expected} of the {int(labelled.sum())} samples in the benchmark's test folds" in page
    assert "2: the tune --epochs cap on every trial" in page
    assert "if this benchmark runs on that data" not in page


def test_epochs_given_replace_the_cap_and_say_nothing_of_it(bundle, best, tmp_path, caplog):
    out = tmp_path / "b"
    with caplog.at_level("WARNING", logger="genemoe"):
        run_benchmark(bundle.path, task="classify", models=["fcn"], n_folds=2, preset=str(best),
                      out_dir=out, device="cpu", epochs=3)
    assert OVERLAP in caplog.text and "tune --epochs" not in caplog.text
    assert "epochs_inherited" not in _tuned_entry(out)
    assert "**Epochs from the tuning**" not in (out / "summary.md").read_text()


def test_a_value_the_search_held_is_not_shown_as_chosen(bundle, tmp_path):
    """Coxnet's n_top_genes (2000) on a 60-gene bundle: held, not searched."""
    out = tmp_path / "cox"
    res = run_benchmark(bundle.path, task="survival", models=["coxnet"], n_folds=2, tune=2,
                        out_dir=out, n_boot=5)
    cell = json.loads(next((out / "cells").glob("coxnet__*.json")).read_text())
    chosen = (out / "summary.md").read_text().split("## Chosen per fold")[1].split("\n## ")[0]
    assert "n_top_genes" not in chosen
    assert not res.results["chosen"].str.contains("n_top_genes").any()
    assert "model.n_top_genes" not in cell["chosen"]
    assert "model.n_top_genes" in cell["tuning"]["params"]  # the trial's record keeps it
    assert "model.n_top_genes" in cell["tuning"]["held"]


def test_the_header_names_the_ensembles_handicap(tmp_path):
    results = pd.DataFrame({"model": ["logreg", "logreg", "fcn", "fcn"],
                            "accuracy": [0.8, 0.7, 0.4, 0.5], "macro_f1": [0.5, 0.6, 0.3, 0.2],
                            "repeat": 0, "fold": [0, 1, 0, 1], "n_test": 10, "n_train": 20})
    (tmp_path / "protocol.json").write_text('{"ensemble": 2}')
    head = BenchmarkResult(tmp_path, "classify", ["logreg", "fcn"], results, 4, 0,
                           1.0).describe().splitlines()[0]
    assert head.startswith("benchmark · classify · every model × 2 · logreg: members fit on "
                           "1/2 of the training part, a handicap")  # the title wraps at 100
    only_seeded = BenchmarkResult(tmp_path, "classify", ["fcn"], results[results["model"] == "fcn"],
                                  2, 0, 1.0).describe().splitlines()[0]
    assert "handicap" not in only_seeded


def test_a_rerun_of_reused_studies_says_no_trial_ran(bundle, tmp_path):
    out = tmp_path / "t"
    kw = dict(task="classify", models=["logreg"], n_folds=2, tune=2, out_dir=out)
    first = run_benchmark(bundle.path, **kw)
    assert "studies reused" not in first.describe()
    assert "studies reused" not in (out / "summary.md").read_text()
    again = run_benchmark(bundle.path, **kw)
    assert again.n_computed == 0
    said = again.describe()
    start = said.index("  tuning: ")  # the budget line, wrapped at 100
    line = " ".join(said[start:].split("\n    (a classical")[0].split())
    assert line.endswith(" (studies reused: 0 trials ran this call)"), line
    cost = (out / "summary.md").read_text().split("## Tuning cost")[1].split("\n## ")[0]
    assert ("(studies reused: 0 trials ran this call; the seconds are those of the earlier "
            "calls that ran them)") in cost
    assert first.n_trials_this_call == 4 and again.n_trials_this_call == 0
