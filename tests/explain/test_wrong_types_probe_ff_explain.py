"""``compare_methods(programs=...)`` and ``progress`` of ``explain_run`` and
``compare_methods`` of the wrong type (an outside tester, FF): one InputError naming the
argument and the form it takes, before any folder is written.

Old behaviour: ``programs=["A"]`` ended in ``AttributeError: 'list' object has no attribute
'items'`` after a complete ``ig/`` folder was written (no methods.csv); ``progress="no"``
was read as true (the bar drawn)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods

FAST = dict(max_samples_per_class=2, n_steps=4, max_steps=4)


@pytest.mark.parametrize(("options", "says"), [
    ({"programs": ["A"]}, "programs: is a list ['A'], not a mapping of class to its planted "
                          "gene ids"),
    ({"programs": {"A": "GENE1"}}, "programs: class 'A': its genes are a str 'GENE1', not a "
                                   "list of gene ids"),
    ({"progress": "no"}, "progress: must be True or False, got 'no'"),
])
def test_compare_methods_refuses_before_any_folder(moe_and_cox_runs, tmp_path, options, says):
    d, b = moe_and_cox_runs
    out = tmp_path / "cmp"
    with pytest.raises(InputError, match=re.escape(says)) as err:
        compare_methods(d / "moe", data=b.path, out_dir=out, methods="ig", **FAST, **options)
    if "programs" in options:
        assert "programs={'BRCA': ['ESR1', 'GATA3']}" in err.value.fix
    assert not out.exists()  # programs=["A"] left a whole ig/ and no methods.csv


def test_explain_run_refuses_a_progress_that_is_not_a_bool(moe_and_cox_runs, tmp_path):
    d, b = moe_and_cox_runs
    with pytest.raises(InputError, match=re.escape(
            "progress: must be True or False, got 'no'")):
        explain_run(d / "moe", data=b.path, out_dir=tmp_path / "e", progress="no", max_maps=0,
                    **FAST)
    assert not (tmp_path / "e").exists()


def test_programs_take_any_mapping_of_collections():
    from genemoe.explain.compare import check_programs

    check_programs(None)
    check_programs({"A": ["g1", "g2"], "B": np.array(["g3"]), "C": {"g4"}, "D": ("g5",)})
