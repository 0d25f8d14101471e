"""train's options_selection (where a best.yaml's options were chosen, against this
validation split) and predict's trained_value_kinds: small entries and bundles by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from genemoe.data.bundle import Bundle, sample_set_sha256
from genemoe.workflows.predict_align import trained_value_kinds
from genemoe.workflows.train_tuned import options_selection


def _bundle(path, ids=("S0", "S1", "S2", "S3")) -> Bundle:
    n = len(ids)
    obs = pd.DataFrame({"sample_id": list(ids), "patient_id": list(ids), "cancer_type": "A",
                        "sample_type": "Primary Tumor", "time": np.nan, "event": False,
                        "has_survival": False, "split": ["train", "train", "val", "test"][:n]})
    var = pd.DataFrame({"gene_id": ["G0", "G1"]})
    return Bundle(X=np.zeros((n, 2), np.float32), obs=obs, var=var, path=path)


def test_no_tune_entry_is_the_validation_split_alone(tmp_path):
    got = options_selection({"fcn.hidden": {"note": "a preset's own"}}, _bundle(tmp_path))
    assert got == {"selection": "validation split", "options_tuned_on_validation": False}
    assert options_selection(None, _bundle(tmp_path))["options_tuned_on_validation"] is False


def test_counted_validation_samples_or_the_same_sample_set_say_tuned_there(tmp_path):
    b = _bundle(tmp_path / "b")
    counted = {"x": {"study": "s", "data": str(tmp_path / "gone"), "n_val_tuned_on": 1}}
    same = {"x": {"study": "s", "data": f"{tmp_path / 'gone'} (4 samples, sample set sha256 "
                                       f"{sample_set_sha256(b.sample_ids)})"}}
    for entry in (counted, same):
        assert options_selection(entry, b) == {
            "selection": "validation split (options tuned there too)",
            "options_tuned_on_validation": True}


def test_untouched_validation_says_whether_another_bundle_or_other_samples(tmp_path):
    b = _bundle(tmp_path / "b")
    other = options_selection({"x": {"study": "s", "data": str(tmp_path / "o"),
                                     "n_val_tuned_on": 0}}, b)
    assert other["options_tuned_on_validation"] is False
    assert other["options_tuned_on"].startswith(f"another bundle ({tmp_path / 'o'})")
    own = options_selection({"x": {"study": "s", "data": f"{b.path} (4 samples)",
                                   "n_val_tuned_on": 0}}, b)
    assert own["options_tuned_on"].startswith(f"other samples ({b.path})")
    assert own["selection"].startswith("validation split (options tuned on other samples")


def test_a_tuning_bundle_not_there_is_not_checked(tmp_path):
    got = options_selection({"x": {"study": "s", "data": str(tmp_path / "gone")},
                             "y": {"study": "t", "data": str(tmp_path / "gone")}},
                            _bundle(tmp_path / "b"))
    assert got["options_tuned_on_validation"] is None
    assert got["options_tuned_on"] == (f"{tmp_path / 'gone'}, not there: whether its samples "
                                       "are in this validation split was not checked")


def test_trained_value_kinds_are_the_records_normalise_steps():
    steps = [{"step": "read"}, {"step": "normalise", "value_kind": "linear"},
             {"step": "normalise", "value_kind": "counts"}, {"step": "normalise"},
             {"step": "filter", "value_kind": "log"}]
    assert trained_value_kinds({"record": {"steps": steps}}) == {"linear", "counts"}
    assert trained_value_kinds({"record": None}) == set()
    assert trained_value_kinds({}) == set()
