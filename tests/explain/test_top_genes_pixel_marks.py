"""top_genes.png marks an image model's genes that share a pixel with other genes of the
layout: its bars were labelled as the genes' own, where the lists and tables group them
(``[pixel 13: A, B]``) and the attribution is the pixel's, split among its genes."""

from __future__ import annotations

import pandas as pd
import pytest

import genemoe.explain.figures as figures
from genemoe.explain import explain_run
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def _ranking() -> pd.DataFrame:
    return pd.DataFrame({"class": "ACC", "rank": range(1, 5), "gene_id": ["g0", "g1", "g2", "g3"],
                         "symbol": ["MAL", "ESRP1", "ARHGAP36", "PSCA"],
                         "mean_attribution": [4.0, 3, 2, 1], "n_samples": 4,
                         "expression_vs_others": [1.0, -2, 1, -3],
                         "pixel": [5, 13, 33, 13], "genes_in_pixel": [1, 3, 2, 3],
                         "shares_pixel_with": ["", "PSCA, SFTPC", "REPS2", "ESRP1, SFTPC"]})


def test_genes_sharing_a_pixel_are_labelled_with_it_and_a_mate():
    from genemoe.explain.figures import top_gene_labels  # new here

    assert top_gene_labels(_ranking()) == [
        "MAL", "ESRP1↓ [pixel 13, with PSCA +1]", "ARHGAP36 [pixel 33, with REPS2]",
        "PSCA↓ [pixel 13, with ESRP1 +1]"]  # REPS2, outside the list, named all the same
    assert top_gene_labels(_ranking(), marked=False)[1] == "ESRP1 [pixel 13, with PSCA +1]"
    no_names = _ranking().drop(columns="shares_pixel_with")
    assert top_gene_labels(no_names)[1:3] == ["ESRP1↓ [pixel 13, with 2 others]",
                                              "ARHGAP36 [pixel 33, with 1 other]"]


def test_a_vector_models_labels_are_unchanged():
    from genemoe.explain.figures import top_gene_labels  # new here

    vector = _ranking().drop(columns=["pixel", "genes_in_pixel", "shares_pixel_with"])
    assert top_gene_labels(vector) == ["MAL", "ESRP1↓", "ARHGAP36", "PSCA↓"]


@pytest.fixture(scope="module")
def crowded_run(tmp_path_factory):
    """A hybrid_cnn on a 5 x 5 grid over 50 genes (two a pixel): ``(run, bundle)``."""
    d = tmp_path_factory.mktemp("crowded_pixels")
    b, _, _ = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=3, seed=1)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="hybrid_cnn", epochs=1,
              progress=False, model_options={"image_size": 5, "n_filters": 2, "hidden": 8})
    return d / "run", b


def test_the_figures_bars_of_a_crowded_image_carry_the_pixel_and_its_legend(
        crowded_run, tmp_path, monkeypatch):
    run, bundle = crowded_run
    drawn = []
    made = figures.new_subplots

    def keep(*args, **kwargs):
        fig, axes = made(*args, **kwargs)
        drawn.append(fig)
        return fig, axes

    monkeypatch.setattr(figures, "new_subplots", keep)
    explain_run(run, data=bundle.path, out_dir=tmp_path / "e", n_steps=4, max_steps=4,
                max_samples_per_class=2, max_maps=0, progress=False, top=5)
    assert (tmp_path / "e" / "top_genes.png").is_file()
    panels = [ax for ax in drawn[0].axes if ax.get_yticklabels()]
    ranking = pd.read_csv(tmp_path / "e" / "genes_by_class.csv")
    crowded = dict(zip(ranking["symbol"], ranking["genes_in_pixel"] > 1, strict=True))
    assert panels and sum(crowded.values()) > len(crowded) / 2  # most genes share one
    for ax in panels:  # one a predicted class
        labels = [t.get_text() for t in ax.get_yticklabels()]
        shares = [crowded[label.split(" [pixel ")[0].rstrip("↓")] for label in labels]
        assert len(labels) == 5 and any(shares)
        for label, share in zip(labels, shares, strict=True):  # marked where it shares, only
            assert (" [pixel " in label and ", with " in label) == share, label
        assert "one pixel's attribution, split among its genes" in ax.get_xlabel()
