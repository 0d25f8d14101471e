"""What ``train`` and ``benchmark`` print beside their numbers: the test accuracy's interval,
the C-index within cancer types, and models that kept their last allowed epoch.

Before: ``test 197 0.838 0.758`` over 33 classes with no interval (the report had Wilson's);
a pooled survival run printed log-rank p 1.7e-6 over six types, the within-type C (0.714,
p 0.0037) and the type alone's (0.644) only in metrics.json; a benchmark at ``--epochs 8``
kept epoch 8 in every fcn fold and printed its verdict unqualified.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genemoe.evaluate.benchmark_files import epoch_cap_note
from genemoe.evaluate.benchmark_protocol import options_lines
from genemoe.evaluate.benchmark_tables import paired_comparisons
from genemoe.report.first_screen import benchmark_panel
from genemoe.report.terminal import benchmark_table, epoch_cap_line, run_table


def test_a_runs_accuracy_is_printed_with_its_wilson_interval():
    text = run_table({"test": {"n": 100, "accuracy": 0.81, "macro_f1": 0.7}}, task="classify",
                     title="t")
    assert "[0.722, 0.875]" in text  # Wilson (1927), worked by hand in tests/report/test_text.py
    assert "95% CI: accuracy's (Wilson)" in text


def test_a_pooled_survival_run_says_its_c_index_within_types():
    m = {"n": 74, "n_events": 26, "c_index": 0.751, "c_index_ci": [0.649, 0.847],
         "logrank_p": 1.7e-6, "within_type_c_index": 0.7142857, "logrank_p_within_type": 0.0037122,
         "type_only_c_index": 0.6444249}
    text = run_table({"test": m}, task="survival", title="t")
    assert ("test within cancer types: C-index 0.714, log-rank p 0.0037; the cancer type "
            "alone: 0.644") in text
    one_type = {k: v for k, v in m.items() if "type" not in k}
    assert "within cancer types" not in run_table({"test": one_type}, task="survival", title="t")


def _fit(best: int, cap: int, stopped: bool = False) -> dict:
    return {"best_epoch": best, "stopped_early": stopped, "train_config": {"epochs": cap}}


def test_a_fit_that_kept_its_last_allowed_epoch_is_said():
    assert "last epoch allowed (15)" in epoch_cap_note(_fit(15, 15))
    assert epoch_cap_note(_fit(12, 15)) is None
    assert epoch_cap_note(_fit(15, 15, stopped=True)) is None
    assert epoch_cap_note({"params": {}}) is None  # a classical model: no epochs
    ens = {"ensemble": {"members": [_fit(8, 8), _fit(5, 8), _fit(8, 8)]}, "best_epoch": [8, 5, 8]}
    assert "(8) in 2 of 3 members" in epoch_cap_note(ens)


def test_a_benchmark_says_which_models_kept_their_last_epoch():
    results = pd.DataFrame({
        "model": ["fcn"] * 3 + ["logreg"] * 3, "repeat": 0, "fold": [0, 1, 2] * 2,
        "accuracy": [0.8, 0.82, 0.79, 0.9, 0.91, 0.92], "macro_f1": [0.7, 0.72, 0.69, 0.8, 0.8, 0.81],
        "at_epoch_cap": [True, True, False, False, False, False]})
    assert epoch_cap_line(results) == ("kept the last epoch allowed: fcn 2/3 folds (still "
                                       "improving: may be undertrained; raise --epochs)")
    assert epoch_cap_line(results.assign(at_epoch_cap=False)) is None
    assert epoch_cap_line(results.drop(columns="at_epoch_cap")) is None  # an older results.csv
    assert "fcn 2/3 folds" in benchmark_table(results, task="classify", title="t", out_dir=Path("b"))
    lines = options_lines(results.assign(options="lr=0.001", chosen="", grid_edge=""))
    fcn = next(line for line in lines if line.startswith("- `fcn`"))
    assert "kept the last epoch allowed in 2/3 folds" in fcn
    assert not any("last epoch" in line for line in lines if line.startswith("- `logreg`"))


def test_the_reports_verdict_says_no_difference_is_not_a_tie_and_names_capped_models():
    """The report said "no significant difference over these folds" (read as: equivalent) for
    Gene-MOE at -0.124 over 3 folds, and nothing of the models that kept their last epoch."""
    results = pd.DataFrame({
        "model": ["genemoe"] * 3 + ["logreg"] * 3, "repeat": 0, "fold": [0, 1, 2] * 2,
        "seed": 0, "accuracy": [0.7, 0.85, 0.6, 0.9, 0.91, 0.92],
        "macro_f1": [0.6, 0.8, 0.5, 0.8, 0.8, 0.81], "at_epoch_cap": [True, True, False] + [False] * 3})
    comparison = paired_comparisons(results, "classify")
    html = benchmark_panel(protocol={"task": "classify", "models": ["genemoe", "logreg"],
                                     "n_folds": 3, "n_repeats": 1}, results=results, summary={},
                           record={}, figures=[], comparison=comparison)
    assert "no difference established over these 3 folds, which is not evidence" in html
    assert "no significant difference" not in html
    assert "Models that kept the last epoch allowed: genemoe 2/3 folds" in html
    peers = results.replace({"model": {"genemoe": "fcn"}})  # without Gene-MOE: said too
    html = benchmark_panel(protocol={"task": "classify", "models": ["fcn", "logreg"],
                                     "n_folds": 3, "n_repeats": 1}, results=peers, summary={},
                           record={}, figures=[], comparison=paired_comparisons(peers, "classify"))
    assert "Best peer on mean" in html and "Models that kept the last epoch allowed: fcn 2/3" in html
