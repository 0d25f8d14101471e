"""A survival benchmark's paired comparisons leave out a fold whose C is degenerate.

Old behaviour: summary.md leaves a fold's pooled C of exactly 0 or 1 (every comparable pair
in one order: too few to rank) out of a mean, and the best peer was picked on those means,
but ``paired_comparisons`` and the ablation's step table paired every fold, the 1.000
included: a model's one "win" by 0.35 on a fold of 3 pairs counted as a real one, and the
leaving-out that the step table did went unsaid.
"""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_tables import paired_comparisons, summary_markdown
from genemoe.workflows.ablation_tables import ablation_tables, step_differences


def _results(metric: str = "c_index") -> pd.DataFrame:
    """coxph: 0.65 0.60 1.000 (fold 2 degenerate); coxnet 0.70 0.66 0.64."""
    return pd.DataFrame({"model": ["coxnet"] * 3 + ["coxph"] * 3, "repeat": 0,
                         "fold": [0, 1, 2] * 2, "n_train": 100, "n_val": 20, "n_test": 60,
                         metric: [0.70, 0.66, 0.64, 0.65, 0.60, 1.0]})


def test_a_fold_with_a_degenerate_c_is_left_out_of_the_pair_and_counted() -> None:
    best, comp = paired_comparisons(_results(), "survival")
    assert best == "coxnet"
    row = comp.set_index("model").loc["coxph"]
    assert row["n_pairs"] == 2 and row["n_left_out"] == 1
    assert (row["wins"], row["losses"]) == (0, 2)  # the 1.000 was a "win"
    assert abs(row["mean_difference"] - (-0.055)) < 1e-9  # was +0.070 with the 1.000
    assert row["note"].startswith("2 paired folds; 1 left out: a degenerate C")


def test_summary_md_says_the_left_out_fold() -> None:
    text = summary_markdown(_results(), {"task": "survival", "n_folds": 3, "n_repeats": 1,
                                         "seed": 0, "val_fraction": 0.15, "tune": 0,
                                         "preset": "small", "bundle_path": "b"})
    table = text.split("## Paired comparisons", 1)[1]
    assert "2 paired folds; 1 left out: a degenerate C" in table
    assert "n_left_out" in table


def test_classification_pairs_every_fold_and_has_no_left_out_column() -> None:
    best, comp = paired_comparisons(_results("macro_f1"), "classify")
    assert best == "coxph"  # a macro-F1 of 1.0 is a real score
    assert "n_left_out" not in comp
    assert comp["n_pairs"].tolist() == [3] and "left out" not in comp["note"].iloc[0]


def test_the_ablations_steps_and_paired_table_count_the_left_out_fold() -> None:
    res = _results().replace({"coxnet": "moe", "coxph": "fcn"})
    steps = step_differences(res, "survival")
    assert steps["n_pairs"].tolist() == [2]
    assert steps["note"].iloc[0].startswith("2 paired folds; 1 left out: a degenerate C")
    text = ablation_tables(res, "survival", n_folds=3, n_repeats=1, seed=0, preset="tiny",
                           pretrained=None, synthetic=True)
    paired = text.split("## Paired comparisons", 1)[1]
    assert "left out of that pair (1 in all" in paired
    assert "2 paired folds; 1 left out: a degenerate C" in paired


def test_every_c_degenerate_names_a_peer_and_leaves_every_fold_out() -> None:
    """Old: the best peer's mean was NaN, it was named ``"nan"`` and pairing raised KeyError."""
    res = _results()
    res["c_index"] = [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    best, comp = paired_comparisons(res, "survival")
    assert best == "coxnet"
    row = comp.iloc[0]
    assert row["n_pairs"] == 0 and row["n_left_out"] == 3
    assert row["note"].startswith("0 paired folds; 3 left out: degenerate Cs")
