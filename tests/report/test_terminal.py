"""The tables `genemoe train` and `genemoe benchmark` print (genemoe.report.terminal)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from genemoe.report.terminal import benchmark_table, run_table


def test_run_table_rounds_and_shows_the_interval():
    metrics = {"val": {"c_index": 0.70912, "c_index_ci": [0.63, 0.774], "logrank_p": 1.2e-4,
                       "n": 89, "n_events": 50},
               "test": {"c_index": 0.5931, "c_index_ci": [0.5014307773617926, 0.6813270372860464],
                        "logrank_p": 0.016008710284174055, "n": 174, "n_events": 101}}
    out = run_table(metrics, task="survival", title="genemoe · survival")
    test = next(line for line in out.splitlines() if line.strip().startswith("test"))
    assert test.split() == ["test", "174", "101", "0.593", "[0.501,", "0.681]", "0.016"]
    assert "1.2e-4" in out and not re.search(r"\d\.\d{5,}", out)
    assert "val: where the model was chosen, so optimistic; test: scored once" in out
    # the integrated Brier score beside no information's, "worse" where the gap's interval is
    # above 0 (unsaid before)
    metrics["test"].update(integrated_brier_score=0.2524, ibs_null_reference=0.2471,
                           ibs_minus_null_ci=[0.001, 0.011])  # "worse": the interval above 0
    metrics["val"].update(integrated_brier_score=0.19, ibs_null_reference=0.2)
    out = run_table(metrics, task="survival", title="genemoe · survival")
    test = next(line for line in out.splitlines() if line.strip().startswith("test"))
    assert test.split()[-3:] == ["0.252", "(0.247)", "worse"] and "Brier (none)" in out
    val = next(line for line in out.splitlines() if line.strip().startswith("val "))
    assert val.split()[-2:] == ["0.190", "(0.200)"]
    # a verification probe: "0.196 (0.196) worse" (0.19597 against 0.19583)
    metrics["test"].update(integrated_brier_score=0.19597, ibs_null_reference=0.19583,
                           ibs_minus_null_ci=[0.00002, 0.0003])
    out = run_table(metrics, task="survival", title="genemoe · survival")
    test = next(line for line in out.splitlines() if line.strip().startswith("test"))
    assert test.split()[-3:] == ["0.1960", "(0.1958)", "worse"]


def test_benchmark_table_compares_every_model_with_the_best_peer():
    rows = [{"model": m, "repeat": 0, "fold": f, "accuracy": a, "macro_f1": a - 0.05,
             "n_train": 100, "n_val": 20, "n_test": 60}
            for m, accs in {"genemoe": [0.80, 0.82, 0.81], "svm": [0.84, 0.85, 0.86],
                            "rf": [0.70, 0.71, 0.72]}.items() for f, a in enumerate(accs)]
    out = benchmark_table(pd.DataFrame(rows), task="classify", title="bench", out_dir=Path("b"))
    lines = {line.split()[0]: line for line in out.splitlines()[3:] if line.strip()}
    head = out.splitlines()[1:3]  # the comparison's headers on two lines: one ran to 101
    assert [x.split() for x in head] == [["Δ", "macro-F1", "corrected"],
                                         ["model", "folds", "accuracy", "macro-F1", "vs", "svm",
                                          "won/lost", "p", "Holm", "p"]], out
    assert "best peer" in lines["svm"] and max(map(len, out.splitlines())) <= 100
    # d = (-0.04, -0.03, -0.05), n2/n1 = 60/120: t = -4.38 on 2 df, p = 0.048 (the Wilcoxon p
    # of 3 pairs cannot go below 0.25; it stays in summary.md)
    assert lines["genemoe"].split()[1:] == ["3", "0.810", "±", "0.010", "0.760", "±", "0.010",
                                            "-0.040", "0/3", "0.048", "0.048"]
    # Holm's p beside it (a probe read the terminal's corrected p 0.014 as established, while
    # summary.md's holm_p was 0.058)
    assert "Holm p" in out.splitlines()[2]


def test_a_corrected_p_from_few_folds_is_said_to_be_a_rough_guide():
    """Old behaviour: "corrected p 0.026" from 2 paired folds (1 degree of freedom), with no
    word, while the Wilcoxon p of so few pairs had its caveat."""
    from genemoe.evaluate.benchmark_tables import paired_comparisons

    rows = [{"model": m, "repeat": 0, "fold": f, "accuracy": a, "macro_f1": a,
             "n_train": 100, "n_val": 20, "n_test": 60}
            for m, accs in {"logreg": [0.80, 0.82], "mlp": [0.84, 0.865]}.items()
            for f, a in enumerate(accs)]
    out = benchmark_table(pd.DataFrame(rows), task="classify", title="b", out_dir=Path("b"))
    assert "corrected p from 2 paired folds: a rough guide" in out
    _, comp = paired_comparisons(pd.DataFrame(rows), "classify")
    assert "corrected_p from only 2 paired folds (1 degree of freedom)" in comp["note"][0]
    many = [{**r, "fold": r["fold"] + 2 * k} for k in range(3) for r in rows]
    assert "rough guide" not in benchmark_table(pd.DataFrame(many), task="classify", title="b",
                                                out_dir=Path("b"))


def test_a_tuned_ensemble_benchmark_states_its_budget_cost_and_size(tmp_path):
    """Probe finding: the terminal table never stated the --tune budget or what the searches
    cost (summary.md did), nor that --tune 1 searched nothing, nor (the title) that every
    model was an ensemble."""
    from genemoe.workflows.benchmark import BenchmarkResult

    results = pd.DataFrame({"model": ["logreg", "logreg", "fcn", "fcn"],
                            "accuracy": [0.8, 0.7, 0.4, 0.5], "macro_f1": [0.5, 0.6, 0.3, 0.2],
                            "repeat": 0, "fold": [0, 1, 0, 1], "n_test": 10, "n_train": 20,
                            "tune_seconds": [0.5, 0.5, 3.0, 4.0]})
    text = benchmark_table(results, task="classify", title="t", out_dir=Path("b"),
                           protocol={"tune": 1, "ensemble": 2})
    assert max(map(len, text.splitlines())) <= 100  # the budget line is wrapped
    text = " ".join(text.split())
    assert ("tuning: 1 Optuna trial per model and fold (trial 0 = the preset's values: nothing "
            "was searched; --tune 2 or more searches)") in text
    assert " · 8 s in the searches (logreg 1 s, fcn 7 s; the final fits not included)" in text
    assert "tuning:" not in benchmark_table(results, task="classify", title="t", out_dir=Path("b"))
    assert "nothing was searched" not in benchmark_table(
        results, task="classify", title="t", out_dir=Path("b"), protocol={"tune": 5})
    out = tmp_path
    (out / "protocol.json").write_text('{"ensemble": 2, "tune": 1}')
    said = BenchmarkResult(out, "classify", ["logreg", "fcn"], results, 4, 0, 1.0).describe()
    assert said.splitlines()[0].startswith("benchmark · classify · every model × 2 · ")
