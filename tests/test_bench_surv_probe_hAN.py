"""An outside probe of ``genemoe benchmark --task survival``'s terminal output.

Before: the terminal's table said nothing of the types a model ranks backwards (summary.md
and the report page did); the benchmark's epoch-cap notes said "a larger --epochs may help"
where ``genemoe train`` says "raise --epochs"; ``fmt_p`` showed ``–`` for an ``np.float32``
p-value or a 0-d array.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.evaluate.benchmark_files import epoch_cap_note
from genemoe.evaluate.benchmark_protocol import options_lines
from genemoe.evaluate.p_values import fmt_p
from genemoe.report.terminal import benchmark_table, epoch_cap_line

ADVICE = "may be undertrained; raise --epochs"


def _survival_results() -> pd.DataFrame:
    """Two models, three folds; coxnet ranks UVM backwards in one fold, fcn in none."""
    return pd.DataFrame({
        "model": ["coxnet"] * 3 + ["fcn"] * 3, "repeat": 0, "fold": [0, 1, 2] * 2, "seed": 0,
        "c_index": [0.71, 0.74, 0.69, 0.66, 0.70, 0.64],
        "uno_c_index": [0.70, 0.72, 0.68, 0.65, 0.69, 0.63],
        "n_types_ranked_backwards": [1, 0, 0, 0, 0, 0],
        "types_ranked_backwards": ["UVM 0.21 [0.02, 0.45]", "", "", "", "", ""]})


def test_the_benchmark_terminal_names_types_ranked_backwards():
    text = benchmark_table(_survival_results(), task="survival", title="benchmark · survival",
                           out_dir=Path("b"))
    lines = text.splitlines()
    at = next((i for i, x in enumerate(lines) if "ranked backwards" in x), len(lines))
    line = " ".join(x.strip() for x in lines[at:at + 2])  # wrapped where it is long
    assert "coxnet in 1/3 folds (UVM 1)" in line and "fcn in 0/3 folds" in line
    assert max(map(len, text.splitlines())) <= 100


def test_no_backwards_line_where_no_fold_ranks_a_type_backwards():
    results = _survival_results().assign(n_types_ranked_backwards=0, types_ranked_backwards="")
    text = benchmark_table(results, task="survival", title="t", out_dir=Path("b"))
    assert "backwards" not in text
    older = _survival_results().drop(columns=["n_types_ranked_backwards",
                                              "types_ranked_backwards"])
    assert "backwards" not in benchmark_table(older, task="survival", title="t",
                                              out_dir=Path("b"))


def test_train_and_benchmark_give_one_advice_at_the_epoch_cap():
    fit = {"best_epoch": 2, "stopped_early": False, "train_config": {"epochs": 2}}
    results = _survival_results().assign(at_epoch_cap=[False] * 3 + [True] * 3,
                                         options="lr=0.001", chosen="", grid_edge="")
    terminal = epoch_cap_line(results) or ""
    summary = next(x for x in options_lines(results) if x.startswith("- `fcn`"))
    for said in (epoch_cap_note(fit) or "", terminal, summary):
        assert ADVICE in said and "larger --epochs" not in said


@pytest.mark.parametrize("p", [np.float32(0.0123), np.float64(0.0123), np.array(0.0123),
                               np.array(0.0123, dtype=np.float32)])
def test_fmt_p_reads_numpy_numbers(p):
    assert fmt_p(p) == "0.012"


@pytest.mark.parametrize("p", [None, True, np.bool_(True), np.nan, np.float32("nan"),
                               "0.01", np.array([0.01])])
def test_fmt_p_still_dashes_what_is_not_one_p(p):
    assert fmt_p(p) == "–"


def test_the_benchmark_terminal_gives_the_c_within_types_beside_the_pooled_c():
    """The pooled C (0.743 on gdc6) also scores telling the types apart (the type alone gave
    0.685): train's table said the within-type C; the benchmark's printed only the pooled."""
    results = _survival_results().assign(
        within_type_c_index=[0.60, 0.64, 0.62, 0.55, 1.0, 0.57],
        within_type_c_index_degenerate=[False] * 4 + [True, False],
        type_only_c_index=[0.68, 0.70, 0.66] * 2)
    text = benchmark_table(results, task="survival", title="t", out_dir=Path("b"))
    joined = " ".join(x.strip() for x in text.splitlines())
    assert "C-index within cancer types: coxnet 0.620 ± 0.020, fcn 0.560 ± 0.014 (2/3)" in joined
    assert "the cancer type alone (pooled C): 0.680 ± 0.020" in joined
    assert max(map(len, text.splitlines())) <= 100
    plain = benchmark_table(_survival_results(), task="survival", title="t", out_dir=Path("b"))
    assert "within cancer types" not in plain
