"""``genemoe ablation --folds 200`` on 990 samples of 33 types was a warning ("types have
fewer samples than the folds"), then 200 test parts of 4-5 samples, each fold's macro-F1
over the few types it held, averaged into the table as if over every type. Folds that
leave a test part smaller than the number of types are now refused, naming the most that
keep one sample per type; the usual fold counts pass."""

from __future__ import annotations

import pytest

import genemoe.workflows.ablation as ablation
from genemoe.errors import InputError


@pytest.fixture()
def bundle(synthetic_bundle):
    return synthetic_bundle(seed=1, clinical=False)  # 150 samples of 3 types


def _trained(*args, **kwargs):
    raise AssertionError("the ablation trained: its folds were not refused")


def test_folds_leaving_test_parts_smaller_than_the_types_are_refused(bundle, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setattr(ablation, "run_benchmark", _trained)  # fails fast where not refused
    n = int(bundle.obs["cancer_type"].notna().sum())
    n_types = int(bundle.obs["cancer_type"].nunique())
    too_many = n // n_types + 1  # test parts of n_types - 1 samples at most
    with pytest.raises(InputError, match=rf"(?s)--folds.*{too_many} folds.*fewer than the "
                                         rf"{n_types} cancer types.*at most --folds "
                                         rf"{n // n_types}\b"):
        ablation.run_ablation(bundle.path, task="classify", out_dir=tmp_path / "abl",
                     n_folds=too_many, n_repeats=1, epochs=1, device="cpu")
    assert not (tmp_path / "abl").exists()  # refused before --out is touched


@pytest.mark.parametrize("n_folds", [2, 3, 5, 10])
def test_usual_fold_counts_pass(bundle, n_folds):
    from genemoe.workflows.ablation_checks import check_fold_sizes

    check_fold_sizes(bundle, "classify", n_folds)
    check_fold_sizes(bundle, "classify", int(bundle.obs["cancer_type"].notna().sum()) // 3)
