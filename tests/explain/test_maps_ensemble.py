"""An ensemble of image models explained: its pixels are its first member's (an outside
probe found explain on ``--ensemble 2`` dropped every pixel column and warning, while train
recorded the genes sharing a pixel)."""

from __future__ import annotations

import pandas as pd

from genemoe.explain import explain_run
from genemoe.explain.maps import _image_layout, _image_size
from genemoe.models.ensemble import create_ensemble
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_an_ensembles_layout_and_image_size_are_its_first_members():
    ens = create_ensemble(n_genes=30, n_outputs=3, task="classify", member="hybrid_cnn", k=2,
                          member_config={"image_size": 4, "n_filters": 2, "hidden": 4})
    lay = _image_layout(ens)
    assert lay is not None and (lay.height, lay.width) == (4, 4)
    assert _image_size(ens) is None  # hybrid_cnn sees its grid as it is
    for m in ens.members:  # a backbone's members: the image it resizes the grid to
        m.image_size = 32
    assert _image_size(ens) == 32


def test_explaining_an_image_ensemble_keeps_the_pixel_columns_and_warning(tmp_path):
    b, _, _ = prepare_synthetic(tmp_path, n_samples=60, n_genes=50, n_types=3, seed=1)
    train_run(b.path, out_dir=tmp_path / "ens", task="classify", model_name="hybrid_cnn",
              epochs=1, progress=False, ensemble=2,
              model_options={"image_size": 5, "n_filters": 2, "hidden": 8})
    res = explain_run(tmp_path / "ens", data=b.path, out_dir=tmp_path / "e", n_steps=4,
                      max_samples_per_class=1, max_maps=0)
    assert res.convergence["genes_per_pixel"] == 2  # 50 genes on 25 pixels
    assert "share a pixel" in res.convergence["pixel_warning"]
    ranking = pd.read_csv(tmp_path / "e" / "genes_by_class.csv", keep_default_na=False)
    assert {"pixel", "genes_in_pixel", "shares_pixel_with"} <= set(ranking.columns)
