"""An outside tester's (FF's) findings: ``load_bundle(mmap="no")`` memory-mapped the matrix
and ``list_models(kind="deep")`` returned [] without a word; both are refused now."""

from __future__ import annotations

import pytest

from genemoe.data.bundle import load_bundle
from genemoe.errors import InputError
from genemoe.models.registry import list_models


def test_load_bundle_refuses_a_mmap_that_is_not_true_or_false(tmp_path):
    """Old behaviour: mmap="no" memory-mapped the matrix."""
    with pytest.raises(InputError, match=r"mmap: must be True or False, got 'no'(?s:.*)"
                                         r"fix: pass mmap=True or False, e\.g\. load_bundle\(mmap=True\)"):
        load_bundle(tmp_path, mmap="no")


def test_list_models_refuses_an_unknown_kind_naming_the_kinds():
    """Old behaviour: list_models(kind="deep") returned [] without a word."""
    with pytest.raises(InputError, match=r"kind: unknown kind 'deep'(?s:.*)"
                                         r"fix: use one of: 'torch', 'sklearn'"):
        list_models(kind="deep")
    with pytest.raises(InputError, match="stored: must be True or False, got 'yes'"):
        list_models(stored="yes")
    assert "logreg" in list_models(kind="sklearn") and "logreg" not in list_models(kind="torch")
