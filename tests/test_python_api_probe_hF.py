"""The top-level package as a Python user meets it (outside probe hF): what ``genemoe``'s
docstring says each function returns, its subpackages after a plain ``import genemoe``,
a misspelt name, and :class:`~genemoe.errors.Interrupted` copied or pickled."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
import subprocess
import sys
import typing

import pytest

import genemoe
from genemoe.errors import Interrupted


def _returns_section() -> str:
    doc = genemoe.__doc__
    return doc[doc.index("What each returns"):]


def test_the_docstring_says_truly_which_functions_return_a_describable_result():
    """Old behaviour: the docstring said every workflow "returns a result whose describe() is
    the command's terminal summary"; prepare_dataset returns a Bundle (no describe()),
    predict_file a str, compare_methods a DataFrame, write_report and write_h5ad a Path."""
    section = _returns_section()
    described = section[:section.index(";\n- ")]
    named = set(re.findall(r":func:`(\w+)`", described))
    assert named == {"train_run", "explain_run", "tune_run", "run_benchmark", "run_ablation",
                     "pretrain_run", "analyse_features"}
    for name in named:
        result = typing.get_type_hints(getattr(genemoe, name))["return"]
        assert callable(getattr(result, "describe", None)), name
    functions = {n for n in genemoe.__all__ if inspect.isfunction(getattr(genemoe, n))}
    assert functions <= set(re.findall(r":func:`(\w+)`", section))  # each one said
    for name in ("prepare_dataset", "load_bundle"):  # a Bundle: describe() since 2026-12-06
        assert callable(typing.get_type_hints(getattr(genemoe, name))["return"].describe)
    assert typing.get_type_hints(genemoe.predict_file)["return"] is str


def test_subpackages_are_reached_after_a_plain_import():
    """Old behaviour: ``import genemoe; genemoe.data`` raised "module 'genemoe' has no
    attribute 'data' (its functions: ...)", and the README's
    ``genemoe.explain.compare.methods_text`` failed the same way until something had
    imported genemoe.explain."""
    code = ("import sys, genemoe; genemoe.data; assert 'torch' not in sys.modules; "
            "from genemoe.data import synthetic; "
            "assert genemoe.data.synthetic is synthetic; "
            "assert callable(genemoe.explain.compare.methods_text); "
            "assert 'data' in dir(genemoe)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_misspelt_name_is_answered_with_the_nearest_one():
    """Old behaviour: ``genemoe.trainrun`` listed the 18 names and left the reader to find
    train_run among them."""
    with pytest.raises(AttributeError, match=r"'trainrun' \(did you mean train_run\?\)"):
        genemoe.trainrun  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute '_repr_html_' \\(its"):
        genemoe._repr_html_  # noqa: B018  (a private probe gets no suggestion)


@pytest.mark.parametrize("by, status", [("Ctrl-C", 130), ("SIGTERM", 143)])
def test_interrupted_survives_copy_and_pickle(by, status):
    """Old behaviour: the copy took its message for the command: "interrupted (Ctrl-C).
    `genemoe stopped (SIGTERM). run the same ...` writes each file whole ...", status 130."""
    err = Interrupted("train", by=by)
    for again in (copy.copy(err), pickle.loads(pickle.dumps(err))):
        assert str(again) == str(err) and again.status == status and again.by == by
        assert again.command == "train"
