"""A probe's finding: with the bundle prepared again under another split (``prepare --seed
1``), explain drew 8 of 9 "test" samples the run had trained or validated on, unsaid, and
samples.tsv labelled them ``test`` (the bundle's split, not the run's)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.explain import explain_run
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def resplit(tmp_path_factory):
    """A run on a bundle (seed 0 split) and the same files prepared with --seed 1."""
    d = tmp_path_factory.mktemp("resplit")
    b, files, _ = prepare_synthetic(d, n_samples=120, n_genes=50, n_types=3, seed=3)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="fcn", epochs=1, progress=False)
    b1 = prepare_dataset([files["counts"]], out_path=d / "bundle1", label_paths=[files["labels"]],
                         clinical_path=files["clinical"], annotation_path=files["annotation"],
                         config=PrepareConfig(synthetic=True, seed=1))
    return d, b, b1


def test_explain_labels_the_runs_split_and_warns_of_test_samples_the_run_saw(resplit, tmp_path, caplog):
    d, b, b1 = resplit
    with caplog.at_level("WARNING"):
        res = explain_run(d / "run", data=b1.path, out_dir=tmp_path / "e", n_steps=4, max_steps=4,
                          max_samples_per_class=None, progress=False, max_maps=0)
    table = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t", dtype={"sample_id": str})
    run = pd.read_csv(d / "run" / "predictions.tsv", sep="\t", dtype=str).set_index("sample_id")["split"]
    assert (table["split"].to_numpy() == run.reindex(table["sample_id"]).to_numpy()).all()
    n_seen = int(table["split"].isin(["train", "val"]).sum())
    assert n_seen > 0  # a new split puts some of the run's own samples in the bundle's test
    warn = res.convergence["training_warning"]
    assert f"the run fitted or monitored {n_seen} of the {len(table)} samples" in warn
    assert warn in caplog.text
    assert json.loads((tmp_path / "e" / "convergence.json").read_text())["split_from"] == "run"
    same = explain_run(d / "run", data=b.path, out_dir=tmp_path / "s", n_steps=4, max_steps=4,
                       max_samples_per_class=None, progress=False, max_maps=0)
    assert "training_warning" not in same.convergence  # its own test split: quiet


def test_seen_warning_counts_samples_asked_for_and_test_draws_only():
    from genemoe.explain.run_split import seen_warning

    run = np.array(["train", "val", "test", "new"], dtype=object)
    assert "2 of the samples asked for (1 train, 1 val)" in seen_warning(run, asked=True, split="test")
    assert seen_warning(run, asked=False, split="train") is None  # --split train knows it
    assert "(prepare --seed)" in seen_warning(run, asked=False, split="test")
