"""Benchmark cells written before 19f5dd5 carry no ``padded_pixels``: a resumed benchmark
over them read "" as no padding and said nothing of a hybrid_cnn at 64 x 64 on 100 genes
(3,996 of 4,096 pixels empty). Now the padding is computed from what the cell stores (the
layout, the pixel counts or the image's side, the genes), and where it cannot be it is said
as not recorded, never as none. The cells are written by hand, as the older code wrote
them (``image`` without ``padded_pixels``)."""

from __future__ import annotations

import pandas as pd

from genemoe.evaluate.benchmark_pixels import (
    NOT_RECORDED,
    crowded_lines,
    crowded_text,
    image_columns,
)


def _rows(images: list[dict], model: str = "hybrid_cnn", n_genes: int = 100) -> pd.DataFrame:
    return pd.DataFrame([{"model": model, "fold": i, "n_genes": n_genes,
                          **image_columns({"n_genes": n_genes, "image": im})}
                         for i, im in enumerate(images)])


OLD = {"grid": "64 x 64", "image_size": "64 x 64", "genes_per_pixel_max": 1,
       "layout": "reshape", "init": "random"}


def test_an_old_cell_with_pixel_counts_says_its_padding():
    rows = _rows([{**OLD, "pixels_used": 100, "pixels_empty": 3996}] * 2)
    assert crowded_lines(rows) == [
        "hybrid_cnn's image was 98% padding: model.hybrid_cnn.image_size: 10 holds its 100 genes"]
    assert "98% padding (3,996 of 4,096 pixels hold no gene" in crowded_text(rows, "hybrid_cnn")


def test_an_older_cell_without_pixel_counts_is_computed_from_its_side():
    rows = _rows([OLD, OLD])  # one gene a pixel: 100 used of the 64 x 64
    assert rows["pixels_empty"].tolist() == [3996, 3996]
    assert crowded_lines(rows)[0].startswith("hybrid_cnn's image was 98% padding")


def test_padding_that_cannot_be_computed_is_not_recorded_never_none():
    shared = {**OLD, "genes_per_pixel_max": 3}  # binned: the pixels used are not known
    rows = _rows([shared, {**OLD, "pixels_used": 100, "pixels_empty": 3996}])
    assert rows["padded_pixels"].iloc[0] == NOT_RECORDED
    text = crowded_text(rows, "hybrid_cnn")
    assert "not recorded in 1/2 folds" in text and "98% padding" in text
    alone = _rows([shared])
    assert "padding not recorded in 1/1 folds" in " ".join(crowded_lines(alone))
    assert "not recorded" in crowded_text(alone, "hybrid_cnn")


def test_a_similarity_layout_and_a_full_image_say_no_padding():
    sim = {**OLD, "layout": "similarity", "pixels_used": 100, "pixels_empty": 3996}
    full = {**OLD, "grid": "10 x 10", "image_size": "10 x 10"}
    for rows in (_rows([sim]), _rows([full])):
        assert rows["padded_pixels"].iloc[0] == ""
        assert crowded_lines(rows) == [] and crowded_text(rows, "hybrid_cnn") == ""
