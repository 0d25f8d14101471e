"""Where train_ig/GradientSHAP references come from (``reference_pool``), the model's genes
of a bundle without a dropped-genes list (``model_genes``' inferred path and its limit), and
an in-memory bundle asked for its dropped genes: small bundles built by hand."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from genemoe.data.bundle import Bundle, load_bundle, write_bundle
from genemoe.errors import InputError
from genemoe.explain.bundle_genes import INFERRED, model_genes
from genemoe.explain.reference_pool import reference_pool

ZERO = "zero in every sample"


def _bundle(sample_ids, gene_ids, *, record=None, seed=0) -> Bundle:
    """A bundle of ``sample_ids`` x ``gene_ids``: every sample in the training split."""
    n, g = len(sample_ids), len(gene_ids)
    obs = pd.DataFrame({"sample_id": list(sample_ids), "patient_id": list(sample_ids),
                        "cancer_type": ["A", "B"] * (n // 2) + ["A"] * (n % 2),
                        "sample_type": "Primary Tumor", "time": np.nan, "event": False,
                        "has_survival": False, "split": "train"})
    var = pd.DataFrame({"gene_id": list(gene_ids), "symbol": list(gene_ids), "chrom": "1",
                        "start": np.arange(g), "length": 1000.0})
    X = np.random.default_rng(seed).normal(size=(n, g)).astype(np.float32)
    return Bundle(X=X, obs=obs, var=var, record=dict(record or {"normalisation": "log2tpm"}))


def _on_disk(bundle: Bundle, path) -> Bundle:
    write_bundle(bundle, path)
    return load_bundle(path)


@pytest.fixture
def run(tmp_path):
    """A run's own bundle (on disk), a model file trained on it, and a held-out bundle of
    other samples with the same genes."""
    genes = [f"G{i}" for i in range(6)]
    train_ids = [f"T{i}" for i in range(8)]
    own = _on_disk(_bundle(train_ids + ["V0", "V1"], genes), tmp_path / "own")
    payload = {"gene_ids": genes, "split_ids": {"train": train_ids}, "bundle_path": str(own.path),
               "record": own.record, "normalisation": own.record["normalisation"]}
    held = _bundle([f"H{i}" for i in range(6)], genes, seed=1)
    held.path = tmp_path / "held"
    return {"own": own, "payload": payload, "held": held, "genes": genes, "train": train_ids}


def test_a_model_file_without_split_ids_takes_the_bundles_training_split(run):
    held = run["held"]
    payload = {k: v for k, v in run["payload"].items() if k != "split_ids"}
    pool = reference_pool(held, payload, model_genes(held, payload), seed=0)
    assert pool.source == "bundle_split" and pool.n_model_train is None
    assert pool.rows.tolist() == held.indices("train").tolist()
    assert "the model file names no training samples" in pool.text()
    assert pool.record()["n_model_train"] is None


def test_the_bundle_holding_most_of_the_models_training_samples_is_used(run):
    own = run["own"]
    pool = reference_pool(own, run["payload"], model_genes(own, run["payload"]), seed=0)
    assert pool.source == "bundle" and (pool.n_model_train, pool.n_found) == (8, 8)
    assert set(own.sample_ids[pool.rows]) == set(run["train"])
    assert "(8 of its 8 found)" in pool.text()
    assert pool.scaled(_Identity()).shape == (8, len(run["genes"]))


def test_a_bundle_without_them_takes_them_from_the_runs_own_bundle(run):
    held = run["held"]
    pool = reference_pool(held, run["payload"], model_genes(held, run["payload"]), seed=0)
    assert pool.source == "run_bundle" and pool.bundle.path == run["own"].path
    assert set(pool.bundle.sample_ids[pool.rows]) == set(run["train"])
    assert pool.record()["source_bundle"] == str(run["own"].path)
    assert "the run's own bundle" in pool.text()


def _refused(run, payload) -> str:
    held = run["held"]
    with pytest.raises(InputError, match="integrate from the model's training tumours") as e:
        reference_pool(held, payload, model_genes(held, payload), seed=0)
    assert "frozen_ig" in e.value.fix
    return str(e.value)


def test_a_run_bundle_prepared_again_is_refused(run):
    payload = dict(run["payload"], record=dict(run["own"].record, note="the model's record"))
    assert "is no longer the bundle the model was trained on" in _refused(run, payload)


def test_a_run_bundle_on_another_scale_is_refused(run):
    payload = dict(run["payload"], record=None, normalisation="log2cpm")
    assert "is on another scale (log2tpm) than the model's" in _refused(run, payload)


def test_a_run_bundle_lacking_training_samples_is_refused(run):
    payload = dict(run["payload"], split_ids={"train": run["train"] + ["T98", "T99"]})
    assert "lacks some of the model's training samples" in _refused(run, payload)


def test_a_run_bundle_gone_or_unreadable_is_refused(run, tmp_path):
    shutil.rmtree(run["own"].path)
    assert "is not on disk" in _refused(run, run["payload"])
    run["own"].path.mkdir()
    (run["own"].path / "X.npy").write_text("not a bundle")
    assert "could not be read" in _refused(run, run["payload"])
    assert "not recorded" in _refused(run, dict(run["payload"], bundle_path=None))


class _Identity:
    def transform(self, X):
        return X


def _old_record(n_zero: int, n_in_bundle: int) -> dict:
    """An earlier genemoe's record: counts and ten examples per reason, no dropped-genes file."""
    return {"normalisation": "log2tpm", "genes": {"n_in_bundle": n_in_bundle},
            "dropped": {"genes": {ZERO: n_zero}}, "dropped_gene_examples": {ZERO: []}}


def test_a_bundle_without_a_dropped_genes_file_places_zero_genes_from_its_counts():
    genes = [f"G{i}" for i in range(10)]
    model_record = _old_record(0, 10)
    held = _bundle(["H0", "H1"], genes[1:], record=_old_record(1, 9))
    got = model_genes(held, {"gene_ids": genes, "record": model_record})
    assert got.filled == ["G0"] and got.source == INFERRED
    assert got.cols[0] == -1 and got.cols[1:].tolist() == list(range(9))
    note = got.note(len(genes))
    assert note["n"] == 1 and "inferred from the record's counts" in note["text"]
    taken = got.take(held.X, np.arange(2))
    assert (taken[:, 0] == 0).all() and np.array_equal(taken[:, 1:], held.X)


def test_an_inferred_fill_above_max_filled_is_refused():
    genes = [f"G{i}" for i in range(10)]
    held = _bundle(["H0", "H1"], genes[3:], record=_old_record(3, 7))
    payload = {"gene_ids": genes, "record": _old_record(0, 10)}
    assert len(model_genes(held, payload, max_filled=0.3).filled) == 3
    with pytest.raises(InputError, match=r"3 of the model's 10 genes \(30%\).*above the limit of "
                                         r"20% filled as zero"):
        model_genes(held, payload)
    with pytest.raises(InputError, match="above the limit of 0% filled"):
        model_genes(held, payload, max_filled=0.0)


def test_an_in_memory_bundle_naming_a_dropped_genes_file_refuses_to_read_it(tmp_path):
    genes = [f"G{i}" for i in range(4)]
    dropped = pd.DataFrame({"gene_id": ["G9"], "reason": [ZERO]})
    record = {"normalisation": "log2tpm", "dropped": {"genes": {ZERO: 1}}}
    on_disk = write_bundle(_bundle(["S0", "S1"], genes, record=record), tmp_path / "b",
                           dropped_genes=dropped)
    entry = json.loads((on_disk / "record.json").read_text())["dropped_genes_file"]
    by_hand = _bundle(["S0", "S1"], genes, record=dict(record, dropped_genes_file=entry))
    with pytest.raises(InputError, match="this bundle is in memory only") as e:
        by_hand.dropped_genes()
    assert "load_bundle" in e.value.fix
    assert load_bundle(on_disk).dropped_genes()["gene_id"].tolist() == ["G9"]
    sub = load_bundle(on_disk).subset(np.array([1]))  # a subset reads its source's file
    assert sub.dropped_genes()["gene_id"].tolist() == ["G9"]
