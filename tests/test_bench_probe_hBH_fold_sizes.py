"""``genemoe ablation --folds 200`` was refused (test parts smaller than the number of
cancer types: 990 samples of 33 types gave parts of 4-5 samples whose macro-F1 read as a
measurement of every type), but ``genemoe benchmark --folds 200`` only warned and trained
200 such folds. The one check now lives in :mod:`genemoe.workflows.folds` and
:func:`~genemoe.workflows.folds.plan_folds` applies it, so the benchmark refuses too, before
``--out`` is touched; survival counts the types of its usable rows (with survival data)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import genemoe.workflows.benchmark as bm
from genemoe.errors import InputError
from genemoe.workflows.folds import task_rows


def _trained(*args, **kwargs):
    raise AssertionError("the benchmark trained: its folds were not refused")


@pytest.mark.parametrize("task", ["classify", "survival"])
def test_benchmark_refuses_folds_smaller_than_the_types(synthetic_bundle, tmp_path,
                                                         monkeypatch, task):
    bundle = synthetic_bundle(seed=1, clinical=task == "survival")
    monkeypatch.setattr(bm, "_run_cells", _trained)  # fails fast where not refused
    rows = task_rows(bundle, task)
    n_types = int(bundle.obs["cancer_type"].iloc[rows].nunique())
    most = rows.size // n_types  # survival: of the rows with survival data
    model = "logreg" if task == "classify" else "coxph"
    with pytest.raises(InputError, match=rf"(?s)--folds.*{most + 1} folds of {rows.size} "
                                         rf"samples usable for {task}.*fewer than the "
                                         rf"{n_types} cancer types.*at most --folds {most}\b"):
        bm.run_benchmark(bundle.path, task=task, models=[model], n_folds=most + 1,
                         out_dir=tmp_path / "bench", epochs=1, device="cpu")
    assert not (tmp_path / "bench").exists()  # refused before --out is touched


def test_one_check_for_benchmark_and_ablation():
    from genemoe.workflows import ablation_checks, folds

    assert ablation_checks.check_fold_sizes is folds.check_fold_sizes  # one copy


def _obs_only(counts: dict[str, int]) -> SimpleNamespace:
    """A stand-in bundle of ``counts`` samples per type (the check reads ``obs`` only)."""
    types = [t for t, n in counts.items() for _ in range(n)]
    return SimpleNamespace(obs=pd.DataFrame({"cancer_type": types,
                                             "has_survival": [True] * len(types)}))


def test_the_fix_names_a_fold_count_it_allows():
    """The fix said "at most --folds 4 (e.g. 5)" where fewer than five folds were allowed."""
    from genemoe.workflows.folds import check_fold_sizes

    bundle = _obs_only({t: 4 for t in "ABCDEF"})  # 24 samples of 6 types: at most 4 folds
    check_fold_sizes(bundle, "classify", 4)
    with pytest.raises(InputError, match=r"at most --folds 4 \(e\.g\. 4\)"):
        check_fold_sizes(bundle, "classify", 5)


def test_no_fold_count_allowed_says_so():
    """Under two samples per type no K-fold split serves: "at most --folds 1" was no fix."""
    from genemoe.workflows.folds import check_fold_sizes

    bundle = _obs_only({t: 1 for t in "ABCDEF"} | {"G": 6})  # 12 samples of 7 types
    with pytest.raises(InputError, match=r"(?s)2 folds.*fewer than the 7 cancer types.*fix: "
                                         r"use a bundle with at least two samples of each type"):
        check_fold_sizes(bundle, "survival", 2)
