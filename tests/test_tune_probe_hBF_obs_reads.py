"""``genemoe train --config best.yaml`` reads the tuning bundle's obs.parquet once (an
outside probe, hBF).

Old behaviour: each ``tuned_on:`` entry of a best.yaml read it up to four times (the
samples tuned on, whether the split changed, why the overlap was not checked, and the
selection line), two where the split was unchanged.
"""

from __future__ import annotations

import pandas as pd

import genemoe.workflows.tuned_on as tuned_on_module
from genemoe.data.bundle import load_bundle, sample_set_sha256
from genemoe.workflows.train_tuned import check_train_entries, options_selection


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = pd.read_parquet

    def read(path, *args, **kwargs):
        calls.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(tuned_on_module.pd, "read_parquet", read)
    return calls


def _entry(bundle, sha: str) -> dict:
    return {"value": "lr 0.001", "study": "fcn-classify in sqlite:///x/study.db",
            "data": f"{bundle.path} ({len(bundle.sample_ids)} samples)",
            "train_val_sha256": sha}


def _train_val_sha(bundle) -> str:
    rows = [*bundle.indices("train"), *bundle.indices("val")]
    return sample_set_sha256(sorted(str(s) for s in bundle.sample_ids[rows]))


def test_an_entry_reads_obs_once_where_the_split_changed(synthetic_bundle, monkeypatch):
    bundle = load_bundle(synthetic_bundle(seed=11).path)
    calls = _counting(monkeypatch)
    checked = check_train_entries({"train.lr": _entry(bundle, "0" * 64)}, bundle)
    options_selection(checked, bundle)
    assert "split changed" in checked["train.lr"]["test_overlap"]
    assert len(calls) <= 1, calls  # old behaviour: 4


def test_an_entry_reads_obs_once_where_the_split_is_the_tuned_one(synthetic_bundle,
                                                                  monkeypatch):
    bundle = load_bundle(synthetic_bundle(seed=12).path)
    calls = _counting(monkeypatch)
    checked = check_train_entries({"train.lr": _entry(bundle, _train_val_sha(bundle))}, bundle)
    assert options_selection(checked, bundle)["options_tuned_on_validation"] is True
    assert checked["train.lr"]["n_test_tuned_on"] == 0
    assert len(calls) <= 1, calls  # old behaviour: 2
