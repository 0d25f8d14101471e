"""train's table says over how many types a split's macro-F1 ran, where it left some out.

Old behaviour: a pancan33 run's test macro-F1 averaged the 31 types its test split held or
predicted, of 33, and the table gave the number as if over all 33 (metrics.json records
``n_classes_in_macro`` since helper hAV's change; the terminal did not say it).
"""

from __future__ import annotations

from genemoe.report.terminal import run_table


def _metrics(val_in: int, test_in: int) -> dict:
    split = {"n": 197, "accuracy": 0.81, "macro_f1": 0.74, "n_classes": 33}
    return {"val": {**split, "n_classes_in_macro": val_in},
            "test": {**split, "n_classes_in_macro": test_in}}


def test_types_left_out_of_the_macro_mean_are_said() -> None:
    text = run_table(_metrics(33, 31), task="classify", title="t")
    assert "macro-F1 over the types a split holds or predicts: test 31 of 33" in text
    assert "val 33" not in text
    assert max(map(len, text.splitlines())) <= 100


def test_nothing_is_said_where_every_type_counts() -> None:
    assert "macro-F1 over" not in run_table(_metrics(33, 33), task="classify", title="t")
    older = {"test": {"n": 10, "accuracy": 0.8, "macro_f1": 0.7}}
    assert "macro-F1 over" not in run_table(older, task="classify", title="t")
