"""The explanation section of a report: the ``↓`` mark of genes lower in their class, and
the per-sample figures' captions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from genemoe.report.html import write_report


def _explanation(d, *, conv: dict | None = None, samples: pd.DataFrame | None = None):
    """A small explanation folder: a ranking with expression_vs_others, one sample map."""
    from genemoe.explain.figures import sample_attribution_figure

    d.mkdir()
    pd.DataFrame({"class": ["ACC"] * 3 + ["KICH"], "rank": [1, 2, 3, 1],
                  "gene_id": ["E1", "E2", "E3", "E4"], "symbol": ["CYP11B2", "CDH1", "STAR", "KRT7"],
                  "mean_attribution": [0.5, 0.4, 0.3, 0.6], "mean_abs_attribution": [0.5, 0.4, 0.3, 0.6],
                  "n_samples": [10, 10, 10, 10], "expression_vs_others": [9.1, -13.8, np.nan, 3.0]}
                 ).to_csv(d / "genes_by_class.csv", index=False)
    (d / "convergence.json").write_text(json.dumps(
        {"task": "classify", "method": "train_ig", "n_samples": 20, "median_relative_delta": 0.01,
         "max_relative_delta": 0.02, "baseline": "training tumours", **(conv or {})}))
    sample_attribution_figure(np.array([0.5, -0.2, 0.1]), np.array(["A", "B", "C"]),
                              d / "maps" / "TCGA-OR-A5J1-01.png", top=3, title="t")
    if samples is not None:
        samples.to_csv(d / "samples.tsv", sep="\t", index=False)


def test_the_top_genes_table_marks_genes_lower_in_the_class(tmp_path):
    """The report's top genes named CDH1, 13.8 log2 units lower in ACC, as an ACC gene."""
    _explanation(tmp_path / "ex")
    text = write_report(tmp_path / "ex").read_text()
    assert "CYP11B2, CDH1↓, STAR" in text and "KRT7<" in text
    assert "↓ lower in the class than in the others: its low expression counts for the class." in text
