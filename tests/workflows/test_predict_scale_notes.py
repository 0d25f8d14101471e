"""predict's read and scale notes: answered with predict's own options, recorded with data.

Old behaviour: a file of estimated counts was told "then prepare them with --normalisation
log2cpm" by predict's read step (predict has no log2cpm; its --normalisation takes auto, model,
quantile or none), and the note was absent from ``<out>.record.json``; the warning on values
given as the model's scale far from it was recorded as code ``logged``, its numbers in its text.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import load_bundle
from genemoe.train.model_file import load_model_file
from genemoe.workflows.predict import predict_file
from genemoe.workflows.predict_text import given_shift_notes
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("scale_notes")
    b, f, _ = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=2, seed=3, clinical=False)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="logreg", progress=False)
    return d, f


def test_values_far_from_the_models_scale_are_recorded_with_their_numbers(trained, tmp_path,
                                                                          caplog):
    d, _ = trained
    bundle = load_bundle(load_model_file(d / "run")["bundle_path"])
    X = pd.DataFrame(np.asarray(bundle.X)[:8], index=bundle.sample_ids[:8],
                     columns=bundle.gene_ids)
    X.index.name = "sample_id"
    star = np.log2((np.exp2(X) - 1) / 2.0 ** 15.3 + 1)  # Xena's star_fpkm-uq of the same
    star.to_csv(tmp_path / "star.tsv", sep="\t")
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        predict_file(d / "run", tmp_path / "star.tsv", out_path=tmp_path / "s.csv",
                     normalisation="none")
    shift = pd.read_csv(tmp_path / "s.csv")["input_shift"]
    record = json.loads((tmp_path / "s.record.json").read_text())
    (note,) = [w for w in record["warnings"] if w["code"] == "given_scale_shift"]
    assert note["level"] == "warning" and note["text"] in caplog.text  # said, word for word
    assert f"a median {note['median_shift']:.1f} log2 units" in note["text"]
    assert note["median_shift"] == pytest.approx(shift.median(), abs=1e-3)
    assert (note["warn_above"], note["own_scale_below"]) == (3.0, 1.5)
    assert note["n_samples_above"] == note["n_samples"] == 8
    assert not any(w["code"] == "logged" and "log2 units" in w["text"]
                   for w in record["warnings"])  # once, with its code
    assert caplog.text.count("log2 units from the model's training distribution") == 1


def test_the_shift_warning_needs_a_median_above_the_threshold():
    assert given_shift_notes(None, warn_above=3.0, own_below=1.5) == []
    assert given_shift_notes(np.array([0.5, 2.0, 9.0]), warn_above=3.0, own_below=1.5) == []
    (note,) = given_shift_notes(np.array([4.0, np.nan, 6.0, 1.0]), warn_above=3.0, own_below=1.5)
    assert (note["median_shift"], note["n_samples_above"], note["n_samples"]) == (4.0, 2, 3)
