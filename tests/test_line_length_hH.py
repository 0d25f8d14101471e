"""Terminal summaries at most 100 characters a line (an outside probe, hF item 4, found train's
clip line at 158, features' notes at ~170, the benchmark table's header at 105, explain's
completeness line at 104 and predict's first line at 101 with a classical model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

WIDTH = 100


def _widest(text: str) -> int:
    return max(map(len, text.splitlines()))


def test_trains_clip_line_is_wrapped(tmp_path):
    """Old behaviour: "  inputs clipped to ±10 z: train 1,793 values (<0.1%), val 812 ...
    (metrics.json: protocol.clipped)" on one line of 158 characters."""
    from genemoe.workflows.train import RunResult

    part = {"method": "standard", "clip": 10.0, "n_samples": 40, "n_rows": 400,
            "max_abs": 23.2}
    clipped = {"train": {**part, "n_values": 1793, "n_genes": 3069, "n_total": 7_000_000},
               "val": {**part, "n_values": 812, "n_genes": 1200, "n_total": 800_000},
               "test": {**part, "n_values": 6591, "n_genes": 2400, "n_total": 3_000_000}}
    split = {"n": 400, "accuracy": 0.9, "macro_f1": 0.85}
    res = RunResult(out_dir=tmp_path / "run", task="classify", model_name="logreg", seconds=2.0,
                    metrics={"val": split, "test": split, "protocol": {"clipped": clipped}})
    text = res.describe()
    assert _widest(text) <= WIDTH, text
    flat = " ".join(x.strip() for x in text.splitlines())  # nothing lost in the wrapping
    assert ("inputs clipped to ±10 z: train 1,793 values (<0.1%), val 812 (0.1%), test 6,591 "
            "(0.2%) (up to 3,069 genes in a part; largest |z| 23.2) (metrics.json: "
            "protocol.clipped)") in flat


def test_the_benchmark_table_fits_100_characters():
    """Old behaviour: the header "... macro-F1   Δ macro-F1 vs logreg   won/lost   corrected p
    Holm p" ran to 105 characters (117 with a long model name); the comparison's headers now
    take two lines, or the comparison a second table, where one line would not fit."""
    from genemoe.report.terminal import benchmark_table

    rng = np.random.default_rng(0)
    for models in (["genemoe", "fcn", "logreg", "svm", "rf"],
                   ["genemoe_pretrained", "genemoe", "moe", "fcn", "logreg", "svm"]):
        rows = [{"model": m, "repeat": 0, "fold": f, "n_train": 100, "n_val": 20, "n_test": 60,
                 "accuracy": 0.88 + 0.01 * rng.random() + 0.02 * (m == "logreg"),
                 "macro_f1": 0.83 + 0.01 * rng.random() + 0.02 * (m == "logreg")}
                for m in models for f in range(5)]
        out = benchmark_table(pd.DataFrame(rows), task="classify", title="bench",
                              out_dir=Path("b"))
        assert _widest(out) <= WIDTH, out
        assert "Δ macro-F1" in out and "vs logreg" in out and "Holm p" in out
        assert any("best peer" in x for x in out.splitlines() if x.split()[:1] == ["logreg"])
        compared = [x.split() for x in out.splitlines() if x.split()[:1] == ["genemoe"]]
        assert any("0/5" in x for x in compared), out  # each model's comparison still shown


def test_explains_completeness_line_fits_with_frozen_routing(tmp_path, monkeypatch):
    """Old behaviour: "  completeness (attributions' sum against f(x) - f_frozen(baseline)): off
    by 12.34% in the median sample," ran to 104 characters."""
    from genemoe.explain.api import ExplainResult

    conv = {"method": "frozen_ig", "routing": "frozen", "median_relative_delta": 0.1234,
            "max_relative_delta": 12.3456, "max_abs_delta": 0.0123, "n_samples_off_5pct": 3,
            "refine": {"n_samples_above_tolerance": 3, "tolerance": 0.01,
                       "samples_by_steps": {"50": 10, "400": 3}, "max_steps": 400,
                       "not_integrated_again": "plain IG on top-k routing jumps"}, "n_steps": 50}
    ranking = pd.DataFrame(columns=["class", "n_samples", "gene_id", "symbol", "rank"])
    monkeypatch.chdir(tmp_path)
    plain = {k: v for k, v in conv.items() if k != "refine"}  # the probe's: 104 characters
    assert _widest(ExplainResult(Path("e"), 12, "classify", plain, ranking).describe()) <= WIDTH
    text = ExplainResult(Path("e"), 12, "classify", conv, ranking).describe()
    assert _widest(text) <= WIDTH, text
    assert "attributions' sum against f(x) - f_frozen(baseline)" in text
    flat = " ".join(x.strip() for x in text.splitlines())
    assert ("off by 12.34% in the median sample, at most 1234.56% (|delta| at most 0.0123); 3 "
            "off by more than 5%; 3 above the 1% tolerance after 400 steps") in flat
    conv.update(routing=None, method="ig", median_relative_delta=0.01)  # fits: as it was
    text = ExplainResult(Path("e"), 12, "classify", conv, ranking).describe()
    assert ("completeness (attributions' sum against f(x) - f(baseline)): off by 1.00% in the "
            "median sample,\n    at most 1234.56%") in text


def test_predicts_first_line_fits_with_a_classical_model(labelled_logreg_run, tmp_path,
                                                         monkeypatch):
    """Old behaviour: "scored 120 samples with logreg (classify, fp64, classical) [model trained
    on SYNTHETIC data] → <output>" on one line (101 characters and more)."""
    from genemoe.workflows.predict import predict_file

    d, files, _ = labelled_logreg_run()
    out = tmp_path / "predictions.csv"
    text = predict_file(d / "run", files["counts"], out_path=out)
    first, second = text.splitlines()[:2]
    assert first.startswith("scored 120 samples with logreg (classify, ") and len(first) <= WIDTH
    assert second == f"  → {out}"  # the output's path whole, on a line of its own
    assert all(len(x) <= WIDTH for x in text.splitlines()[2:]), text
    monkeypatch.chdir(tmp_path)  # the relative p.csv lands here, not in the repository
    short = predict_file(d / "run", files["counts"], out_path=Path("p.csv"))  # fits: one line
    assert short.splitlines()[0].endswith("[model trained on SYNTHETIC data] → p.csv")


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """A tiny pre-trained genemoe on a synthetic bundle: ``(bundle, run folder)``."""
    from synthetic_inputs import tiny_pretrained

    bundle, run_dir, _ = tiny_pretrained(tmp_path_factory.mktemp("features_hH"), n_samples=90,
                                         n_genes=50, seed=3)
    return bundle, run_dir


def test_features_notes_are_wrapped(pretrained, tmp_path, monkeypatch):
    """Old behaviour: "  note: only 20 samples: correlations this noisy (|r| of 0.23 is one null
    standard deviation) make strong genes and mixing scores unreliable; use 50 or more" and
    the pooled-types note on single lines of up to ~170 characters."""
    from genemoe.workflows.features import analyse_features

    monkeypatch.chdir(tmp_path)
    bundle, run = pretrained
    res = analyse_features(run, data=bundle.path, out_dir=Path("f"), k=3, device="cpu")
    text = res.describe()
    assert _widest(text) <= WIDTH, text
    flat = " ".join(x.strip() for x in text.splitlines())
    assert f"note: only {res.summary['n_samples']} samples: correlations this noisy" in flat
    assert "make strong genes and mixing scores unreliable; use 50 or more" in flat
