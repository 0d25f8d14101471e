"""Follow-ups (hW) on the report's pages: a count of one in the singular on the first
screens, the strongest genes' mean |r| to 3 fixed decimals, and the ablation's fold figure
marking a degenerate pooled C-index instead of drawing it as a fold's real score."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from genemoe.report import ablation_page
from genemoe.report.features_page import strong_genes_rows
from genemoe.report.first_screen import pretrain_panel, run_panel
from genemoe.report.html_parts import html_table


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("n", "words"), [(1, "1 epoch;"), (3, "3 epochs;")])
def test_the_pretrain_panel_counts_its_epochs_in_the_right_number(n, words):
    """Old: '1 epochs'."""
    summary = {"model": "genemoe", "n_train": 80, "n_val": 20, "n_genes": 100,
               "epochs_run": n, "finished": True, "bundles": [{"path": "b.h5ad"}],
               "final": {}, "collapse": {}}
    text = _text(pretrain_panel(summary=summary, bundle_summary={}, record={},
                                bundle_path="b.h5ad", figures=[], preset="small", seed=0))
    assert f"100 genes, {words}" in text and "1 epochs" not in text, text


def test_an_encoder_frozen_for_one_epoch_is_said_in_the_singular():
    """Old: 'encoder frozen for 1 epochs'."""
    cfg = {"pretrained": {"run": "pre", "n_genes_shared": 10, "n_genes_new": 0,
                          "freeze_encoder_epochs": 1}}
    text = _text(run_panel(task="classify", model="genemoe", metrics={}, cfg=cfg, summary={},
                           record={}, bundle_path=None, figures=[]))
    assert "encoder frozen for 1 epoch" in text and "1 epochs" not in text, text


def test_the_first_screens_public_names_are_still_importable_from_first_screen():
    from genemoe.report import first_screen

    for name in first_screen.__all__:
        assert hasattr(first_screen, name), name


def test_the_strongest_genes_have_every_mean_r_to_three_fixed_decimals(tmp_path):
    """Old: '0.835' beside '0.8247' and '0.8' (the page's .4g)."""
    pd.DataFrame({"gene_id": ["g1", "g2", "g3"], "symbol": ["A", "B", "C"],
                  "mean_abs_r": [0.835, 0.82468, 0.8]}).to_csv(
        tmp_path / "strong_genes.tsv", sep="\t", index=False)
    table, _ = strong_genes_rows(tmp_path, {"n_strong_genes": 3, "threshold": 0.5})
    assert table["mean |r|"].tolist() == ["0.835", "0.825", "0.800"]
    cells = re.findall(r"<td>([^<]*)</td>", html_table(table))
    assert "0.8247" not in cells and "0.8" not in cells and "0.800" in cells, cells


def _ablation_results() -> pd.DataFrame:
    rows = []
    for model, cs in (("fcn", [0.6, 0.7, 0.65]), ("genemoe", [0.62, 1.0, 0.5])):
        for f, c in enumerate(cs):
            rows.append({"model": model, "repeat": 0, "fold": f, "c_index": c,
                         "pooled_c_index_degenerate": model == "genemoe" and f > 0})
    return pd.DataFrame(rows)


def test_the_fold_figure_marks_a_degenerate_pooled_c_and_leaves_it_out(tmp_path, monkeypatch):
    """Old: a fold's C of exactly 1 was an orange point in the box, as if a real score."""
    axes = []

    def capture(*args, **kwargs):
        fig, ax = new_subplots(*args, **kwargs)
        axes.append(ax)
        return fig, ax

    new_subplots = ablation_page.new_subplots
    monkeypatch.setattr(ablation_page, "new_subplots", capture)
    results = _ablation_results()
    out = ablation_page.plot_fold_metric(results, "c_index", order=["fcn", "genemoe"],
                                         out_path=tmp_path / "folds.png")
    assert out is not None and out.is_file()
    points = [(tuple(c.get_facecolor()[0][:3]) if len(c.get_facecolor()) else None,
               c.get_offsets()[:, 0].tolist()) for c in axes[0].collections]
    orange = [x for colour, xs in points if colour and colour[0] > 0.9 for x in xs]
    grey = [x for colour, xs in points if not (colour and colour[0] > 0.9) for x in xs]
    assert 1.0 not in orange and sorted(grey) == [0.5, 1.0], points
    upright = [ln.get_xdata()[0] for ln in axes[0].lines if len(set(ln.get_xdata())) == 1]
    assert not np.isclose(upright, 1.0).any()  # medians, caps: the box of 0.62 and 0.5 only
    caption = ablation_page.degenerate_caption(results, "c_index")
    assert "1 fold's degenerate pooled C (exactly 0 or 1" in caption
    assert "left out of the boxes" in caption and "1 fold's pooled C of risks all the same" in caption


def test_no_mark_and_no_caption_words_without_a_degenerate_fold():
    results = _ablation_results().assign(pooled_c_index_degenerate=False,
                                         c_index=lambda d: d["c_index"].clip(0.1, 0.9))
    assert ablation_page.degenerate_caption(results, "c_index") == ""
    assert ablation_page.degenerate_caption(results.assign(accuracy=1.0), "accuracy") == ""
