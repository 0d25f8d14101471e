"""What `genemoe demo` says (an outside probe, probeS): predict's warnings reach the terminal,
the survival verdict is a paired comparison beside the within-type and type-alone C, the
docstring's time is README's, and a classical model without a tuning budget is not called
tuned."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.workflows import demo
from genemoe.workflows.demo import DemoRow, run_demo, verdict

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_shows_predicts_warnings_and_the_models_own_samples(tmp_path, monkeypatch):
    """Old behaviour: predict's summary was logged at DEBUG; the terminal said only
    "predictions: ... (the raw counts file scored by Gene-MOE)", not that 20 samples were of
    a tissue the model never saw nor that most rows were the model's own training samples."""
    from synthetic_inputs import small_demo_cohort  # the demo's cohort, small

    monkeypatch.setattr(demo, "_synthetic_bundle", small_demo_cohort)
    text = run_demo(tmp_path / "demo", epochs=1, tune=0, progress=False,
                    models=(("genemoe", "classify"),))
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("predictions:"))
    said = lines[start + 1:next(i for i, ln in enumerate(lines) if ln.startswith("report:"))]
    joined = " ".join(" ".join(said).split())
    assert "warning: 10 samples of a sample type the model was not trained on" in joined
    assert re.search(r"\d+ training and \d+ validation samples of the model itself", joined)
    assert re.search(r"\d+ more caveats? in predictions_from_counts\.record\.json", joined)
    assert max(map(len, said)) <= 100  # wrapped short
    assert "\n".join(said) in (tmp_path / "demo" / "summary.txt").read_text()
    record = json.loads((tmp_path / "demo" / "predictions_from_counts.record.json").read_text())
    warned = [n["text"] for n in record["warnings"] if n["level"] == "warning"]
    assert warned and all(" ".join(w.split()) in joined for w in warned)  # predict's own words


def _survival_row(tmp_path: Path, model: str, risk: np.ndarray, time: np.ndarray,
                  event: np.ndarray, **test) -> DemoRow:
    from genemoe.evaluate.survival import bootstrap_c_index, concordance_index

    d = tmp_path / model
    d.mkdir()
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(time.size)], "split": "test",
                  "time": time, "event": event, "risk": risk}).to_csv(
        d / "predictions.tsv", sep="\t", index=False)
    (d / "metrics.json").write_text(json.dumps({"endpoint": "OS"}))
    k = np.isfinite(time)  # the run's metrics are over the patients with an outcome
    time, event, risk = time[k], np.asarray(event[k], bool), risk[k]
    return DemoRow(model, "survival", d, {"c_index": concordance_index(time, event, risk),
                                          "c_index_ci": list(bootstrap_c_index(
                                              time, event, risk, n_boot=200)), **test}, 0.8, 1.0)


def test_the_survival_verdict_is_paired_and_names_the_type_alone_baseline(tmp_path):
    """Old behaviour (probeS): "coxnet ranked survival risk best (C-index 0.636 [0.572,
    0.697] vs 0.575 [0.512, 0.634] for Gene-MOE; the intervals overlap)": unpaired overlap
    is no test (the paired difference was +0.061 [0.020, 0.107]), and metrics.json's
    within-type C (0.519) and cancer type alone (0.616, above Gene-MOE) went unsaid."""
    from genemoe.evaluate.paired_c import paired_c_index_difference

    rng = np.random.default_rng(0)
    time = rng.exponential(1000.0, 200)
    event = rng.random(200) < 0.7
    shared = -np.log(time) + rng.normal(0, 1.0, 200)
    good, poor = shared + rng.normal(0, 0.3, 200), shared + rng.normal(0, 1.2, 200)
    rows = [_survival_row(tmp_path, "genemoe", poor, time, event, within_type_c_index=0.519,
                          type_only_c_index=0.99),
            _survival_row(tmp_path, "coxnet", good, time, event, within_type_c_index=0.599,
                          type_only_c_index=0.99)]
    text = " ".join(verdict(rows, synthetic=True).split())
    d = paired_c_index_difference(time, event, good, poor)
    assert "intervals overlap" not in text
    assert (f"paired bootstrap on the same 200 test patients: coxnet − Gene-MOE "
            f"{d.difference:+.3f} [{d.lo:.3f}, {d.hi:.3f}]") in text
    assert "within cancer types 0.599 vs 0.519" in text
    assert ("cancer type alone (each type's training death rate as the risk) gives 0.990 "
            "pooled, above Gene-MOE and coxnet") in text


def test_the_docstrings_demo_time_is_readmes():
    """Old behaviour: demo.py said "about 3 minutes on 2 idle cores (README)" while README
    said 1 min 11 s to 1 min 40 s."""
    readme = " ".join((ROOT / "README.md").read_text().split())
    took = re.search(r"`make demo` needs no data.*? It took (.+?) on 2 cores", readme).group(1)
    assert took in " ".join(demo.__doc__.split()) and "3 minutes" not in demo.__doc__


def test_a_classical_model_without_a_budget_is_not_called_tuned(synthetic_bundle, tmp_path,
                                                                 caplog):
    """Old behaviour: under "no tuning budget (--tune 0)" the demo said "training logreg for
    classify (tuned on validation)"; it chooses C from its own grid on the validation split."""
    with caplog.at_level("INFO", logger="genemoe.workflows.demo"):
        demo._train_all(synthetic_bundle(seed=3, clinical=False), tmp_path,
                        [("logreg", "classify")], seed=0, epochs=1, progress=False, tune=0)
    assert "tuned on validation" not in caplog.text
    assert "training logreg for classify (its own grid on the validation split)" in caplog.text


def test_a_test_patient_without_an_outcome_is_in_no_pair(tmp_path):
    """probeY: the paired C read a missing event as an event (NaN.astype(bool) is True)."""
    from genemoe.evaluate.paired_c import paired_c_index_difference

    rng = np.random.default_rng(1)
    time = rng.exponential(1000.0, 120)
    event = (rng.random(120) < 0.7).astype(float)
    risk_a, risk_b = -np.log(time) + rng.normal(0, 0.5, 120), rng.normal(0, 1, 120)
    time[:10], event[:10] = np.nan, np.nan  # no outcome
    rows = [_survival_row(tmp_path, "genemoe", risk_b, time, event),
            _survival_row(tmp_path, "coxnet", risk_a, time, event)]
    text = " ".join(verdict(rows, synthetic=True).split())
    d = paired_c_index_difference(time[10:], event[10:].astype(bool), risk_a[10:], risk_b[10:])
    assert f"on the same 110 test patients: coxnet − Gene-MOE {d.difference:+.3f}" in text
