"""Follow-ups of a survival benchmark probe on real data (ACC, UVM, KICH; coxnet, fcn).

Old behaviour: the time-dependent AUC, pooled over cancer types, stood without what the
types alone give it (the C-index has ``type_only_c_index``); an AUC resting on 1–2 test
patients followed past its horizon was not counted nor flagged (its deaths were); a type
ranked backwards (``types_ranked_backwards``) stayed in cells/*.json; the window line said
"followed beyond it" (it: the window, read literally); and a resumed run averaged AUCs
computed before the censoring floor with new ones, unsaid.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from genemoe.evaluate.benchmark_tables import auc_table, results_table, summary_markdown
from genemoe.evaluate.brier import CENSORING_FLOOR, DAYS_PER_YEAR, time_dependent_auc
from genemoe.evaluate.survival import survival_metrics, type_rate_risk

PROTOCOL = {"task": "survival", "preset": "small", "epochs": None, "n_folds": 3, "n_repeats": 1,
            "seed": 0, "bundle_path": "b", "val_fraction": 0.15, "tune": 0}


def _typed_cohort(n: int = 300, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Three types of different hazard, follow-up to about 8 years; returns time, event,
    type, a gene-like noise risk and the type's log-hazard."""
    rng = np.random.default_rng(seed)
    g = np.array(["A", "B", "C"])[np.arange(n) % 3]
    base = np.select([g == "A", g == "B"], [1.0, 0.0], -1.0)
    noise = rng.normal(size=n)
    death = rng.exponential(1500 * np.exp(-(base + 0.5 * noise)))
    censor = rng.uniform(100, 3000, n)
    return np.minimum(death, censor), death <= censor, g, noise, base


def _cell(model: str, fold: int, metrics: dict) -> dict:
    base = {"c_index": 0.7, "c_index_ci": [0.6, 0.8], "logrank_p": 0.01, "n_events": 20,
            "c_index_by_type": {}}
    return {"model": model, "repeat": 0, "fold": fold, "seed": 0, "task": "survival",
            "n": {"train": 200, "val": 40, "test": 120}, "n_genes": 100, "seconds": 1.0,
            "info": {}, "metrics": base | metrics}


def test_survival_metrics_give_the_auc_of_cancer_type_alone() -> None:
    t, e, g, noise, base = _typed_cohort()
    tr = np.arange(t.size) < 200
    m = survival_metrics(t[~tr], e[~tr], base[~tr] + 0.5 * noise[~tr], groups=g[~tr], n_boot=10,
                         time_train=t[tr], event_train=e[tr], groups_train=g[tr])
    ref = time_dependent_auc(t[tr], e[tr], t[~tr], e[~tr],
                             type_rate_risk(t[tr], e[tr], g[tr], g[~tr]))
    assert m["auc_1y"] is not None and m["type_only_auc_1y"] is not None
    for years in (1, 3, 5):
        assert m[f"type_only_auc_{years}y"] == ref[f"auc_{years}y"]
    assert 0.5 < m["type_only_auc_1y"] < 1.0  # the types alone rank by the horizon


def test_the_type_only_auc_reaches_results_csv_and_summary_md() -> None:
    cells = [_cell(m, f, {"auc_1y": 0.8, "auc_1y_deaths": 20, "auc_1y_controls": 60,
                          "type_only_auc_1y": 0.6 + 0.1 * f, "auc_censoring_floor": 0.2})
             for m in ("coxnet", "fcn") for f in range(3)]
    results = results_table(cells)
    assert results["type_only_auc_1y"].tolist() == pytest.approx([0.6, 0.7, 0.8] * 2)
    table = auc_table(results)
    row = table[table["model"].str.startswith("cancer type alone")]
    assert row["auc_1y"].tolist() == ["0.700 ± 0.100"]  # per fold, not per model row
    md = summary_markdown(results, PROTOCOL)
    assert "| cancer type alone (each type's training death rate as the risk) | 3 | 0.700" in md


def test_each_auc_counts_its_controls_and_few_are_flagged() -> None:
    t, e, g, noise, _ = _typed_cohort(seed=1)
    tr = np.arange(t.size) < 200
    out = time_dependent_auc(t[tr], e[tr], t[~tr], e[~tr], noise[~tr])
    for years in (1, 3, 5):
        if out[f"auc_{years}y"] is not None:
            assert out[f"auc_{years}y_controls"] == int((t[~tr] > years * DAYS_PER_YEAR).sum())
    cells = [_cell("coxnet", f, {"auc_5y": 0.9, "auc_5y_deaths": 30, "auc_5y_controls": c,
                                 "auc_censoring_floor": 0.2}) for f, c in enumerate((2, 1, 40))]
    results = results_table(cells)
    assert results["auc_5y_controls"].tolist() == [2, 1, 40]
    cols = list(results.columns)
    assert cols.index("auc_5y_controls") == cols.index("auc_5y_deaths") + 1
    table = auc_table(results)
    assert table.loc[0, "auc_5y"] == "0.900 ± 0.000 (2/3 folds under 10 controls)"
    assert table.iloc[-1]["model"].startswith("test patients followed past the horizon")
    assert table.iloc[-1]["auc_5y"] == "1–40 (14.3)"


def test_a_type_ranked_backwards_reaches_results_csv_and_summary_md() -> None:
    uvm = {"type": "UVM", "c_index": 0.21, "ci": [0.0, 0.48], "n": 20, "n_events": 5}
    cells = [_cell("coxnet", f, {"types_ranked_backwards": [uvm] if f == 1 else []})
             for f in range(3)] + [_cell("fcn", f, {"types_ranked_backwards": []})
                                    for f in range(3)]
    results = results_table(cells)
    assert results["n_types_ranked_backwards"].tolist() == [0, 1, 0, 0, 0, 0]
    assert results["types_ranked_backwards"].iloc[1] == "UVM 0.21 [0.00, 0.48]"
    md = summary_markdown(results, PROTOCOL)
    line = next(ln for ln in md.splitlines() if ln.startswith("Folds where a model ranks"))
    assert "coxnet in 1/3 folds (UVM 1), fcn in 0/3 folds." in line


def test_the_window_line_says_beyond_what_the_patients_were_followed() -> None:
    cell = _cell("coxnet", 0, {"integrated_brier_score": 0.17, "ibs_null_reference": 0.21,
                               "ibs_times": [100.0, 2000.0], "ibs_n_times": 50,
                               "ibs_censored_at_training_end": 1})
    md = summary_markdown(results_table([cell]), PROTOCOL)
    line = next(ln for ln in md.splitlines() if ln.startswith("Integrated Brier score days"))
    assert "followed beyond it" not in line
    assert ("1 test patient was followed beyond their fold's training follow-up and censored "
            "at its end.") in line


def test_a_resumed_run_mixing_auc_rules_is_warned_with_the_fix() -> None:
    t, e, _, noise, _ = _typed_cohort(seed=2)
    tr = np.arange(t.size) < 200
    assert time_dependent_auc(t[tr], e[tr], t[~tr], e[~tr], noise[~tr])[
        "auc_censoring_floor"] == CENSORING_FLOOR  # each new cell records its rule
    new = {"auc_1y": 0.8, "auc_1y_deaths": 20, "auc_censoring_floor": CENSORING_FLOOR}
    old = {"auc_1y": 0.7, "auc_1y_deaths": 20}  # computed before the floor
    mixed = results_table([_cell("coxnet", 0, old), _cell("coxnet", 1, new)])
    assert mixed["auc_rule"].tolist() == ["no censoring floor (older cell)",
                                          f"censoring floor {CENSORING_FLOOR}"]
    warned = [ln for ln in summary_markdown(mixed, PROTOCOL).splitlines() if "fresh --out" in ln]
    assert len(warned) == 1 and warned[0].startswith("Warning: 1 of 2 cells' AUCs")
    none = {"auc_1y": None, "auc_3y": None, "auc_5y": None}  # follow-up short of a year
    assert results_table([_cell("coxnet", 0, none)])["auc_rule"].tolist() == [""]
    for same in ([old, old], [new, new], [old, none]):  # one rule throughout: no warning
        results = results_table([_cell("coxnet", f, m) for f, m in enumerate(same)])
        assert "fresh --out" not in summary_markdown(results, PROTOCOL)
    csv = pd.read_csv(io.StringIO(mixed.to_csv(index=False)))  # read back
    assert "fresh --out" in summary_markdown(csv, PROTOCOL)
