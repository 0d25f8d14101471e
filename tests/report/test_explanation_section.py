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


def test_a_sample_figure_is_captioned_with_its_types_and_per_gene(tmp_path):
    """Every per-sample figure was captioned "Sample X: attribution per gene (or per pixel)"."""
    samples = pd.DataFrame({"sample_id": ["TCGA-OR-A5J1-01"], "cancer_type": ["ACC"],
                            "predicted": ["KICH"], "group": ["KICH"]})
    _explanation(tmp_path / "ex", samples=samples)
    text = write_report(tmp_path / "ex").read_text()
    assert "Sample TCGA-OR-A5J1-01 (true ACC, predicted KICH): attribution per gene." in text
    assert "or per pixel" not in text


def test_sample_captions_of_image_and_survival_models():
    from genemoe.report.explanation_section import sample_caption

    samples = pd.DataFrame({"sample_id": ["S1", "S2", "S3"], "cancer_type": ["UVM", "ACC", "ACC"],
                            "predicted": "risk", "risk": [1.234, -0.5, 0.2],
                            "time": [412.0, 2000.0, np.nan], "event": [True, False, False]}
                           ).set_index("sample_id")
    surv = {"task": "survival"}
    assert sample_caption("S1", surv, samples) == "Sample S1 (UVM, risk 1.23, event at 412 days): attribution per gene."
    assert sample_caption("S2", surv, samples) == ("Sample S2 (ACC, risk -0.5, censored at 2,000 days): "
                                                   "attribution per gene.")
    assert sample_caption("S3", surv, samples) == "Sample S3 (ACC, risk 0.2): attribution per gene."
    image = {"task": "classify", "genes_per_pixel": 1}
    assert sample_caption("S9", image, None) == "Sample S9: attribution per pixel."


def test_a_survival_explanations_top_genes_are_for_the_risk_not_a_class(tmp_path):
    """A probe: the survival page's table was headed ``class`` over its one row ``risk``, and
    its figure captioned "Top genes per class"."""
    d = tmp_path / "ex"
    d.mkdir()
    pd.DataFrame({"class": ["risk"] * 2, "rank": [1, 2], "gene_id": ["E1", "E2"],
                  "symbol": ["CDKN3", "TOP2A"], "mean_attribution": [0.5, -0.4],
                  "mean_abs_attribution": [0.5, 0.4], "n_samples": [30, 30],
                  "effect_sign": [1, -1]}).to_csv(d / "genes_by_class.csv", index=False)
    (d / "convergence.json").write_text(json.dumps(
        {"task": "survival", "method": "ig", "n_samples": 30, "median_relative_delta": 0.01,
         "max_relative_delta": 0.02, "baseline": "train_mean"}))
    text = write_report(d).read_text()
    assert "<th>output</th>" in text and "<th>class</th>" not in text


def test_the_report_says_how_many_samples_its_figures_show(tmp_path):
    """A probe: 12 per-sample figures of 50 explained samples were shown without a word."""
    d = tmp_path / "ex"
    _explanation(d, conv={"n_samples": 20})
    text = write_report(d).read_text()
    assert "Per-sample figures: 1 of the 20 explained samples, spread over the classes" in text


def test_the_reference_draws_warnings_reach_the_page(tmp_path):
    """train_ig's lopsided-draw and split-half warnings were in convergence.json and the log
    only: the report page, which shows the routing and seen-sample warnings, left them off."""
    d = tmp_path / "ex"
    _explanation(d, conv={"reference_warning": "train_ig's 8 references are lopsided: 6 ACC",
                          "stability_warning": "split halves of the references agree on 3 of 10"})
    text = write_report(d).read_text()
    assert "train_ig&#x27;s 8 references are lopsided: 6 ACC" in text
    assert "split halves of the references agree on 3 of 10" in text


def test_a_compare_methods_page_says_each_sample_is_attributed_its_labelled_class(tmp_path):
    """An outside probe: a --compare method page showed a "LUSC" top-10 without a word that
    it pools per true label (convergence.json's `attributed` was in the terminal only)."""
    d = tmp_path / "ex"
    said = "pooled per true label: each sample's labelled class's output attributed"
    _explanation(d, conv={"group_by": "label", "attributed": said})
    text = write_report(d).read_text()
    assert "Attributed: pooled per true label: each sample&#x27;s labelled class&#x27;s output" in text
