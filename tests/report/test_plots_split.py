"""A run folder whose predictions.tsv has no ``split`` column (written by hand, or by an
older genemoe) is reported: its figures show every row and say so, never a KeyError.

The folders are written by hand (metrics.json, predictions.tsv); no model is trained."""

from __future__ import annotations

import html
import json
import logging
import re

import numpy as np
import pandas as pd

from genemoe.report.html import write_report
from genemoe.report.plots import NO_SPLIT, run_figures

TYPES = ["ACC", "BRCA", "UVM"]
N = 30


def _text(page: str) -> str:
    """The page's words: figures, styles and tags dropped, entities unescaped."""
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _classify_run(d):
    """A classify run folder whose predictions.tsv has no split column."""
    d.mkdir()
    true = np.array(TYPES * (N // 3))
    probs = np.random.default_rng(0).dirichlet(np.ones(3), N)
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(N)], "cancer_type": true,
                  "predicted_type": true,
                  **{f"prob_{t}": probs[:, i] for i, t in enumerate(TYPES)}}).to_csv(
        d / "predictions.tsv", sep="\t", index=False)
    per = {t: {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 10, "predicted": 10}
           for t in TYPES}
    part = {"accuracy": 1.0, "macro_f1": 1.0, "weighted_f1": 1.0, "n": N, "per_class": per}
    (d / "metrics.json").write_text(json.dumps({"val": part, "test": part,
                                                "protocol": {"n": {"test": N}}}))
    return d


def _survival_run(d):
    """A survival run folder whose predictions.tsv has no split column."""
    d.mkdir()
    rng = np.random.default_rng(1)
    pd.DataFrame({"sample_id": [f"s{i}" for i in range(N)],
                  "cancer_type": np.array(TYPES * (N // 3)),
                  "time": rng.uniform(30, 3000, N), "event": rng.integers(0, 2, N),
                  "risk": rng.normal(size=N)}).to_csv(d / "predictions.tsv", sep="\t", index=False)
    part = {"c_index": 0.6, "n": N}
    (d / "metrics.json").write_text(json.dumps({"val": part, "test": part,
                                                "protocol": {"n": {"test": N}}}))
    return d


def test_a_classify_run_without_a_split_column_is_reported_saying_so(tmp_path, caplog):
    """Old behaviour: ``genemoe report`` stopped with KeyError: 'split'."""
    run = _classify_run(tmp_path / "r")
    with caplog.at_level(logging.WARNING):
        page = _text(write_report(run).read_text())
    assert f"normalised confusion matrix, {NO_SPLIT}" in page
    assert "all 30 rows, not the test split alone" in caplog.text
    assert (run / "plots" / "confusion.png").is_file()


def test_a_survival_run_without_a_split_column_draws_its_kaplan_meier_figure(tmp_path):
    """Old behaviour: KeyError: 'split' from the figures."""
    figs = run_figures(_survival_run(tmp_path / "s"))
    km = [f for f in figs if f.path.name == "km.png"]
    assert km and km[0].path.is_file()
    assert NO_SPLIT in km[0].caption


def test_a_run_with_its_split_column_still_shows_the_test_split_alone(tmp_path):
    run = _classify_run(tmp_path / "r")
    pred = pd.read_csv(run / "predictions.tsv", sep="\t")
    pred.insert(1, "split", ["train"] * 20 + ["test"] * 10)
    pred.to_csv(run / "predictions.tsv", sep="\t", index=False)
    figs = run_figures(run)
    assert figs[0].caption == "normalised confusion matrix, test split"


def test_the_horizon_section_is_not_drawn_without_a_split_column_and_says_why(tmp_path):
    """Old behaviour (h2's report): report/horizons.py stopped with KeyError: 'split' for a
    survival run without a split column; the horizons would otherwise mix in the training
    patients the baseline was fitted on, so the section says why it is not drawn."""
    from genemoe.report.horizons import horizon_table

    said = horizon_table(_survival_run(tmp_path / "s"), {"task": "survival"})
    assert "Not drawn" in said and "no <code>split</code> column" in said


def test_features_take_every_sample_of_a_table_without_a_split_column_as_seen(tmp_path, caplog):
    """Old behaviour: ``genemoe features`` stopped with KeyError: 'split' on a train run whose
    predictions.tsv had no split column; now every sample in it counts as seen (warned)."""
    from types import SimpleNamespace

    from genemoe.workflows.feature_run import used_samples

    run = _classify_run(tmp_path / "r")
    with caplog.at_level(logging.WARNING):
        used = used_samples(SimpleNamespace(path=run, kind="train", pretrained_from=None))
    assert used == {f"s{i}" for i in range(N)}
    assert "no split column" in caplog.text
