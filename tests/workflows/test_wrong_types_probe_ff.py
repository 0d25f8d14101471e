"""Wrong-typed Python arguments an outside tester (FF) passed to ``analyse_features`` and
``run_benchmark``: each is now one InputError naming the argument, raised before anything
is written.

Old behaviour: ``threshold="0.4"``, ``k="5"``, ``max_samples="100"``: a TypeError
(``'<=' not supported``); ``n_heatmap_genes="10"``: a TypeError after eight result files
were written (no summary.json); ``run_benchmark(val_fraction="0.2")``: a TypeError in the
splits."""

from __future__ import annotations

import re

import pytest

from genemoe.errors import GenemoeError, InputError


@pytest.mark.parametrize(("options", "says"), [
    ({"threshold": "0.4"}, "threshold (--threshold): must be a number, got '0.4' (a string)"),
    ({"k": "5"}, "k (--k): must be a whole number, got '5' (a string)"),
    ({"max_samples": "100"}, "max_samples (--max-samples): must be a whole number, got '100'"),
    ({"n_heatmap_genes": "10"}, "n_heatmap_genes: must be a whole number, got '10'"),
    ({"n_heatmap_genes": -1}, "n_heatmap_genes: must be 0 or more genes, got -1"),
    ({"n_features": 2.5}, "n_features (--n-features): must be a whole number, got 2.5"),
    ({"seed": "0"}, "seed (--seed): must be a whole number, got '0' (a string)"),
    ({"max_missing": "0.2"}, "max_missing (--max-missing): must be a number, got '0.2'"),
    ({"max_missing": 1.5}, "max_missing (--max-missing): must be a share of the run's genes"),
    ({"k": 0}, "--k: must be 1 or more, got 0"),
    ({"threshold": True}, "threshold (--threshold): must be a number, got True (a bool)"),
])
def test_analyse_features_refuses_a_wrong_argument_before_writing(tiny_pretrained, tmp_path,
                                                                  options, says):
    from genemoe.workflows.features import analyse_features

    bundle, _, run_dir = tiny_pretrained
    out = tmp_path / "feat"
    with pytest.raises(InputError, match=re.escape(says)):
        analyse_features(run_dir, data=bundle.path, out_dir=out, **{"n_features": 3, **options})
    assert not out.exists()  # n_heatmap_genes="10" left 8 files and no summary.json


def test_run_benchmark_refuses_a_string_val_fraction(tiny_pretrained, tmp_path):
    from genemoe.workflows.benchmark import run_benchmark

    bundle, _, _ = tiny_pretrained
    with pytest.raises(GenemoeError, match=re.escape(
            "val_fraction: must be a number, got '0.2' (a string)")):
        run_benchmark(bundle.path, task="classify", models="logreg", n_folds=2,
                      out_dir=tmp_path / "bm", val_fraction="0.2")
    assert not (tmp_path / "bm").exists()


def test_number_checks_take_ints_and_floats_and_name_a_string():
    import numpy as np

    from genemoe.workflows.common import check_numbers

    check_numbers((0.2, "a"), (3, "b"), (np.float32(0.5), "c"), (np.int64(2), "d"))
    with pytest.raises(InputError, match=r"x: must be a number, got '0\.4' \(a string\)\n"
                                         r"  fix: pass a number to x, without quotes"):
        check_numbers((1, "w"), ("0.4", "x"))
    with pytest.raises(InputError, match=r"must be a number, got \[1\] \(a list\)"):
        check_numbers(([1], "y"))


def test_a_range_refusal_names_the_flag_and_the_python_argument():
    from genemoe.workflows.features_checks import check_feature_options

    ok = dict(n_features=20, threshold=0.4, k=15, max_samples=None, n_heatmap_genes=0, seed=0,
              max_missing=0.2, embedding="tsne")
    check_feature_options(**ok)
    with pytest.raises(InputError) as err:
        check_feature_options(**{**ok, "k": 0})
    assert err.value.where == "--k" and "--k (Python k)" in err.value.fix  # its own fix alone
