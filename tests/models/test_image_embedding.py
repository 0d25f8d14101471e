"""The similarity layout's ``embedding`` option (pca, the default, or tsne) on the image
models: README said genes are placed "by a 2-D PCA or t-SNE embedding", but
``model: {hybrid_cnn: {embedding: tsne}}`` was refused and the layout was always PCA."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.models.backbones import fit_image_layout
from genemoe.models.image import Layout, similarity_layout
from genemoe.models.registry import create_model
from genemoe.workflows.common import with_fitted_layout
from genemoe.workflows.train import train_run


def _x(n: int = 40, genes: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, genes))


@pytest.mark.parametrize("model", ["hybrid_cnn", "resnet50"])
def test_fit_image_layout_places_genes_by_the_embedding_asked_for(model):
    X = _x()
    cfg = {"layout": "similarity", "image_size": 32}
    tsne = fit_image_layout(model, 30, {**cfg, "embedding": "tsne"}, X_train=X, chrom=None, start=None)
    pca = fit_image_layout(model, 30, cfg, X_train=X, chrom=None, start=None)
    grid = 32 if model == "hybrid_cnn" else None  # a backbone: the smallest square, 6 x 6
    want = similarity_layout(X, image_size=grid, embedding="tsne")
    assert tsne.embedding == "tsne" and pca.embedding == "pca"
    assert not np.array_equal(tsne.pixel_of_gene, pca.pixel_of_gene)
    np.testing.assert_array_equal(tsne.pixel_of_gene, want.pixel_of_gene)
    np.testing.assert_array_equal(pca.pixel_of_gene, fit_image_layout(
        model, 30, {**cfg, "embedding": "pca"}, X_train=X, chrom=None, start=None).pixel_of_gene)


def test_a_layouts_embedding_survives_its_state():
    lay = similarity_layout(_x(), embedding="tsne")
    assert Layout.from_state(lay.to_state()).embedding == "tsne"
    assert "embedding" not in Layout(np.arange(4), 2, 2).to_state()  # other layouts as before


def test_a_bad_or_idle_embedding_is_refused_naming_the_key():
    with pytest.raises(InputError, match=r"embedding must be pca or tsne, got 'umap'") as e:
        create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify",
                     layout="similarity", embedding="umap")
    assert "model.hybrid_cnn.embedding" in str(e.value)
    with pytest.raises(InputError, match="only in the similarity layout") as e:
        create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify", embedding="tsne")
    assert "layout: similarity" in str(e.value)
    with pytest.raises(InputError, match="embedding pca places genes only in the similarity layout"):
        create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify", embedding="pca")
    net = create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify")
    assert net.to_image.layout().embedding is None  # reshape: no embedding


def test_the_tsne_layout_is_fitted_on_the_training_split_and_recorded(synthetic_bundle, tmp_path):
    b = synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3)
    train = np.sort(b.indices("train"))
    cfg = {"layout": "similarity", "embedding": "tsne"}
    fitted = with_fitted_layout("hybrid_cnn", cfg, b, np.ones(50, bool), train)
    X = np.asarray(b.X)
    own = similarity_layout(X[train], embedding="tsne")
    state = fitted["layout_state"]
    assert state["pixel_of_gene"] == own.to_state()["pixel_of_gene"] and state["embedding"] == "tsne"
    assert state["pixel_of_gene"] != similarity_layout(X, embedding="tsne").to_state()["pixel_of_gene"]
    run = train_run(b.path, out_dir=tmp_path / "r", model_name="hybrid_cnn", epochs=1,
                    progress=False, model_options={**cfg, "n_filters": 2, "hidden": 8})
    image = json.loads((run.out_dir / "metrics.json").read_text())["protocol"]["image"]
    assert image["layout"] == "similarity" and image["embedding"] == "tsne"
    pca = train_run(b.path, out_dir=tmp_path / "p", model_name="hybrid_cnn", epochs=1,
                    progress=False, model_options={"layout": "similarity", "n_filters": 2, "hidden": 8})
    assert json.loads((pca.out_dir / "metrics.json").read_text())["protocol"]["image"]["embedding"] == "pca"
