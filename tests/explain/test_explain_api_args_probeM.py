"""An outside reviewer (probe M) called ``genemoe.explain_run`` and ``compare_methods`` from
Python: ``group_by="foo"`` was taken and read two ways, ``methods="ig"`` ran the methods
``i`` and ``g`` (leaving ``c1/i/`` behind), a labelled class the run lacks was blamed on
``--compare`` with its list cut unsaid, and ``max_maps=-1``, ``n_steps="8"`` and
``seed=-1`` were not refused as such."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
import torch

from genemoe.errors import InputError
from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods

FAST = dict(max_samples_per_class=2, n_steps=4, max_steps=4, progress=False, max_maps=0)


@pytest.fixture(scope="module")
def runs(moe_and_cox_runs):
    return moe_and_cox_runs


@pytest.fixture(scope="module")
def renamed_run(runs, tmp_path_factory):
    """A copy of the ``moe`` run whose classes are renamed: no sample's label is one of
    them."""
    d, _ = runs
    run = tmp_path_factory.mktemp("renamed") / "moe"
    shutil.copytree(d / "moe", run)
    payload = torch.load(run / "model.pt", map_location="cpu", weights_only=False)
    payload["class_names"] = [f"X{i}" for i in range(len(payload["class_names"]))]
    torch.save(payload, run / "model.pt")
    return run


def test_unknown_group_by_is_refused_before_any_work(runs, tmp_path):
    """Old behaviour: taken; samples.tsv pooled a misclassified sample under its label while
    its predicted class's output was attributed (and convergence.json said group_by foo)."""
    d, b = runs
    with pytest.raises(InputError, match=r"group_by: unknown grouping 'foo'(.|\n)*"
                                         r"group_by='predicted'(.|\n)*group_by='label'"):
        explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", group_by="foo", **FAST)
    assert not (tmp_path / "e").exists()


def test_attributed_target_refuses_an_unknown_group_by():
    from genemoe.explain.sample_rows import attributed_target

    with pytest.raises(InputError, match="group_by: unknown grouping 'labels'"):
        attributed_target(np.zeros((1, 2)), np.array(["A"]), ["A", "B"], group_by="labels",
                          sample_ids=np.array(["S1"]))


@pytest.mark.parametrize("methods", ["ig", "ig,deeplift"])
def test_a_string_of_methods_is_one_name_or_a_comma_list(runs, tmp_path, methods):
    """Old behaviour: ``"ig"`` was split into ``i`` and ``g``: "--method: unknown attribution
    method 'i'", an empty folder ``i/`` left behind."""
    d, b = runs
    table = compare_methods(d / "moe", data=b.path, out_dir=tmp_path / "c", methods=methods,
                            n_steps=4, max_steps=4, max_samples_per_class=2, n_draws=2)
    assert table["method"].tolist() == methods.split(",")
    assert sorted(p.name for p in (tmp_path / "c").iterdir() if p.is_dir()) == sorted(
        methods.split(","))


@pytest.mark.parametrize(("methods", "said"), [
    (["ig", "gradshap"], "methods: unknown attribution method 'gradshap'"),
    ("i,g", "methods: unknown attribution methods 'i', 'g'"),
    ([], "methods: names no method"),
    (("ig", "ig"), "methods: method(s) named twice: ig"),
])
def test_every_method_is_checked_before_any_folder(runs, tmp_path, methods, said):
    d, b = runs
    with pytest.raises(InputError, match=re.escape(said)):
        compare_methods(d / "moe", data=b.path, out_dir=tmp_path / "c", methods=methods,
                        n_steps=4, max_steps=4, max_samples_per_class=2)
    assert not (tmp_path / "c").exists()


def test_a_lacking_class_is_blamed_on_group_by_in_explain_run(runs, renamed_run, tmp_path):
    """Old behaviour: "--compare: ... no output for ..." where no compare was asked."""
    _, b = runs
    with pytest.raises(InputError) as err:
        explain_run(renamed_run, data=b.path, out_dir=tmp_path / "e", group_by="label", **FAST)
    assert str(err.value).startswith("group_by='label': ")
    assert "labelled with a class the model has no output for" in str(err.value)
    assert "group_by='predicted'" in str(err.value)  # the other way out, named
    assert "--compare" not in str(err.value)


def test_a_lacking_class_is_still_blamed_on_compare_there(runs, renamed_run, tmp_path):
    _, b = runs
    with pytest.raises(InputError) as err:
        compare_methods(renamed_run, data=b.path, out_dir=tmp_path / "c", methods="ig",
                        n_steps=4, max_steps=4, max_samples_per_class=2)
    assert str(err.value).startswith("--compare: ")
    assert "group_by" not in str(err.value)


def test_a_cut_list_of_lacking_classes_says_so():
    """Old behaviour: "10 sample(s) ... (ACC, BLCA, COAD, LAML, OV)": 7 classes cut to 5,
    read as the whole list."""
    from genemoe.explain.sample_rows import attributed_target

    labels = np.array(list("ABCDEFGH") + ["A", "B"])
    ids = np.array([f"S{i}" for i in range(10)])
    with pytest.raises(InputError) as err:
        attributed_target(np.zeros((10, 1)), labels, ["H"], group_by="label", sample_ids=ids,
                          where="group_by='label'")
    text = str(err.value)
    assert text.startswith("group_by='label': 9 sample(s) labelled with a class the model has "
                           "no output for (A, B, C, D, E, ... 7 classes in all)")
    assert "['S0', 'S1', 'S2', 'S3', 'S4'] and 4 more" in text


@pytest.mark.parametrize(("options", "said"), [
    ({"max_maps": -1}, "max_maps: must be 0 or more, got -1"),
    ({"max_maps": 2.5}, "max_maps: must be a whole number of 0 or more, got 2.5 (float)"),
    ({"n_steps": "8"}, "n_steps: must be a whole number of 1 or more, got '8' (str)"),
    ({"max_steps": 0}, "--max-steps: must be 1 or more, got 0"),
    ({"n_draws": True}, "n_draws: must be a whole number of 1 or more, got True (bool)"),
    ({"seed": -1}, "seed: must be 0 or more, got -1"),
    ({"seed": "0"}, "seed: must be a whole number of 0 or more, got '0' (str)"),
])
def test_numbers_are_checked_up_front(tmp_path, options, said):
    """Old behaviour: max_maps=-1 drew no maps unsaid, n_steps="8" a TypeError, seed=-1
    numpy's "expected non-negative integer"."""
    with pytest.raises(InputError, match=re.escape(said)):
        explain_run(tmp_path / "no_run", data=tmp_path / "no_bundle", out_dir=tmp_path / "e",
                    **options)
    assert not (tmp_path / "e").exists()


def test_numpy_whole_numbers_are_taken(runs, tmp_path):
    d, b = runs
    res = explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", method="ig",
                      **{**FAST, "n_steps": np.int64(4), "seed": np.int32(1)})
    assert res.n_samples > 0
    assert pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t").shape[0] == res.n_samples
