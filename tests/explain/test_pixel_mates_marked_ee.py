"""Probe EE, D8: where an image model's genes share pixels, the top-gene lists (terminal,
report table) showed pixel mates as separate hits, unmarked (6 of ACC's top 10 came from 2
pixels), genes_by_sample.csv had no ``pixel`` column, the pixel warning ran to 257
characters on one line, and ``explain --compare`` printed it once per method."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from genemoe.explain import explain_run
from genemoe.explain.compare import compare_methods
from genemoe.explain.rankings import top_genes_line
from genemoe.explain.summary_text import ranking_notes
from genemoe.report.explanation_section import top_genes_table
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def _ranking() -> pd.DataFrame:
    return pd.DataFrame({"class": "ACC", "rank": range(1, 7),
                         "gene_id": [f"g{i}" for i in range(6)],
                         "symbol": ["MAL", "MEG3", "ESRP1", "ARHGAP36", "REPS2", "PSCA"],
                         "mean_attribution": [6.0, 5, 4, 3, 2, 1], "n_samples": 4,
                         "expression_vs_others": [-1.0, 1, -2, 1, 1, -3],
                         "pixel": [5, 7, 13, 33, 33, 13], "genes_in_pixel": [1, 1, 3, 2, 2, 3]})


def test_a_lists_genes_of_one_pixel_are_grouped_at_the_first_ones_place():
    line = top_genes_line(_ranking(), 6)
    assert line == "MAL↓, MEG3, [pixel 13: ESRP1↓, PSCA↓], [pixel 33: ARHGAP36, REPS2]"
    notes = ranking_notes(_ranking(), [f"  ACC (n=4): {line}"])
    assert any(n.strip().startswith("[pixel N: ...]") for n in notes)
    assert all(len(n) < 100 for n in notes)


def test_a_vector_models_list_is_unchanged():
    assert top_genes_line(_ranking().drop(columns=["pixel", "genes_in_pixel"]), 3) == "MAL↓, MEG3, ESRP1↓"


def test_the_reports_table_groups_them_with_its_legend(tmp_path):
    _ranking().to_csv(tmp_path / "genes_by_class.csv", index=False)
    page = top_genes_table(tmp_path, top=6)
    assert "[pixel 13: ESRP1↓, PSCA↓]" in page and "[pixel N: ...]" in page


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    """A hybrid_cnn on a 5 x 5 grid over 50 genes (two a pixel): ``(d, bundle)``."""
    d = tmp_path_factory.mktemp("pixel_mates")
    b, _, _ = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=3, seed=1)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="hybrid_cnn", epochs=1,
              progress=False, model_options={"image_size": 5, "n_filters": 2, "hidden": 8})
    return d, b


def test_genes_by_sample_names_each_genes_pixel_and_the_warning_is_short(image_run, caplog):
    d, b = image_run
    with caplog.at_level(logging.WARNING):
        res = explain_run(d / "run", data=b.path, out_dir=d / "e", n_steps=4, max_steps=4,
                          max_samples_per_class=2, max_maps=0, progress=False)
    by_sample = pd.read_csv(d / "e" / "genes_by_sample.csv", keep_default_na=False)
    assert {"pixel", "genes_in_pixel", "shares_pixel_with"} <= set(by_sample.columns)
    by_class = pd.read_csv(d / "e" / "genes_by_class.csv")
    pixel_of = dict(zip(by_class["gene_id"], by_class["pixel"], strict=False))
    assert (by_sample["pixel"] == by_sample["gene_id"].map(pixel_of)).all()
    assert set(by_sample["genes_in_pixel"]) <= {1, 2}
    said = [r.getMessage() for r in caplog.records if "share a pixel" in r.getMessage()]
    assert len(said) == 1 and all(len(line) < 100 for line in said[0].splitlines())
    assert "--image-size" in res.convergence["pixel_warning"]  # the advice kept in the record


def test_compare_says_the_pixel_warning_once(image_run, caplog):
    d, b = image_run
    with caplog.at_level(logging.WARNING):
        compare_methods(d / "run", data=b.path, out_dir=d / "cmp", methods=["ig", "deeplift"],
                        n_steps=4, max_steps=4, max_samples_per_class=2, k=5)
    assert sum("share a pixel" in r.getMessage() for r in caplog.records) == 1
