"""A bundle whose every patient is censored (prepare warns "no OS event") was refused by
train and tune as a bad split: "every train sample is censored ... re-prepare with another
--seed or larger --val-fraction" (probeJJ, defect 2), when no re-split can give a part an
event the bundle does not hold. Each now says the bundle has none, with a fix about the
data; a split part without events in a bundle that has some keeps the re-split fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import Bundle, write_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError
from genemoe.workflows.folds import plan_folds
from genemoe.workflows.train import train_run
from genemoe.workflows.tune import tune_run


def _censored(d: Path, *, pfi_too: bool = False) -> Path:
    """A synthetic bundle (150 samples, 3 types) whose OS events (and PFI's, ``pfi_too``)
    are all 0 in the clinical table it is prepared from."""
    cohort = make_synthetic_cohort(n_samples=150, n_genes=60, n_types=3, seed=1)
    files = write_synthetic_files(cohort, d / "in")
    clin = pd.read_csv(files["clinical"], sep="\t")
    clin["OS"] = 0
    if pfi_too:
        clin["PFI"] = 0
    clin.to_csv(path := d / "in" / "censored.tsv", sep="\t", index=False)
    prepare_dataset([files["counts"]], out_path=d / "bundle", label_paths=[files["labels"]],
                    clinical_path=path, annotation_path=files["annotation"],
                    config=PrepareConfig(synthetic=True))
    return d / "bundle"


@pytest.fixture(scope="module")
def censored(tmp_path_factory) -> Path:
    return _censored(tmp_path_factory.mktemp("censored"))


def _said(call) -> str:
    with pytest.raises(InputError) as info:
        call()
    return str(info.value)


def _check_words(said: str) -> None:
    assert "the bundle has 0 OS events in its 150 samples with OS follow-up" in said
    assert "a survival model needs deaths" in said
    assert "--endpoint PFI (" in said  # the synthetic table's PFI has events
    assert "--seed" not in said and "--val-fraction" not in said  # no re-split helps
    assert "is censored" not in said


def test_train_says_the_bundle_has_no_event(censored, tmp_path):
    _check_words(_said(lambda: train_run(censored, out_dir=tmp_path / "run", task="survival",
                                         model_name="coxph", progress=False)))


def test_tune_says_the_bundle_has_no_event(censored, tmp_path):
    _check_words(_said(lambda: tune_run(censored, out_dir=tmp_path / "tune", task="survival",
                                        model_name="coxnet", n_trials=1, progress=False)))


def test_benchmark_folds_say_the_bundle_has_no_event(censored):
    from genemoe.data.bundle import load_bundle

    _check_words(_said(lambda: plan_folds(load_bundle(censored), "survival", n_folds=3)))


def test_without_an_endpoint_with_events_the_fix_names_the_table(tmp_path):
    said = _said(lambda: train_run(_censored(tmp_path, pfi_too=True), out_dir=tmp_path / "run",
                                   task="survival", model_name="coxph", progress=False))
    assert "the bundle has 0 OS events" in said and "--endpoint" not in said
    assert "event column" in said and "a cohort with events" in said


def test_a_split_part_without_events_keeps_the_resplit_fix(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle()
    obs = bundle.obs.copy()
    obs.loc[obs["split"] == "val", "event"] = False
    n = int(obs["event"].sum())
    path = write_bundle(Bundle(X=np.asarray(bundle.X), obs=obs, var=bundle.var,
                               record=bundle.record), tmp_path / "noval")
    for call in (lambda: train_run(path, out_dir=tmp_path / "run", task="survival",
                                   model_name="coxph", progress=False),
                 lambda: tune_run(path, out_dir=tmp_path / "tune", task="survival",
                                  model_name="coxnet", n_trials=1, progress=False)):
        said = _said(call)
        assert "every val sample is censored" in said
        assert f"the bundle's {n} OS events fell in other parts" in said
        assert "another --seed" in said
