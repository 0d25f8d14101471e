"""``compare_methods(k="5")`` (k: the length of the lists compared for stability, a Python
argument only) ran every method's attributions and wrote their folders before failing on
the string (or, with ``k=0``, compared empty lists); now refused first, naming ``k``."""

from __future__ import annotations

import pytest

from genemoe.errors import InputError
from genemoe.explain.compare import compare_methods

FAST = dict(max_samples_per_class=2, n_steps=4, max_steps=4, progress=False)


@pytest.mark.parametrize(("k", "said"), [("5", r"k: must be a whole number of 1 or more, got '5'"),
                                         (0, r"k: must be 1 or more, got 0"),
                                         (2.5, r"k: must be a whole number")])
def test_a_wrong_k_is_refused_before_any_folder(moe_and_cox_runs, tmp_path, k, said):
    d, b = moe_and_cox_runs
    with pytest.raises(InputError, match=said):
        compare_methods(d / "moe", data=b.path, out_dir=tmp_path / "c", methods="ig",
                        k=k, **FAST)
    assert not (tmp_path / "c").exists()
