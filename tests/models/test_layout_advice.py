"""Where a layout's record and advice come from: config.yaml said a genomic layout was
``layout_fitted_on: training split`` (it comes from the annotation's gene positions), and a
bundle without gene positions was advised ``--layout genomic``, which is then refused."""

from __future__ import annotations

import logging

import numpy as np
import yaml

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.explain import explain_run
from genemoe.models.backbones import fit_image_layout
from genemoe.models.image import Layout
from genemoe.workflows.train import train_run

TINY = {"n_filters": 2, "hidden": 8}


def test_the_similarity_advice_names_genomic_only_where_genes_have_positions():
    lay = Layout(np.zeros(20, np.int64), 5, 5, "similarity")
    assert "--layout genomic or reshape with --image-size 5" in lay.one_gene_a_pixel(5)
    lay.positions = False
    assert "--layout reshape with --image-size 5 gives each its own" in lay.one_gene_a_pixel(5)
    X = np.random.default_rng(0).normal(size=(30, 20))
    cfg = {"layout": "similarity"}
    none = fit_image_layout("hybrid_cnn", 20, cfg, X_train=X, chrom=None, start=None)
    some = fit_image_layout("hybrid_cnn", 20, cfg, X_train=X, chrom=np.array(["1"] * 20, object),
                            start=np.arange(20.0))
    assert (none.positions, some.positions) == (False, True)
    assert Layout.from_state(none.to_state()).positions is False


def test_a_bundle_without_positions_is_not_advised_the_genomic_layout(tmp_path, caplog):
    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3, seed=2)
    files = write_synthetic_files(cohort, tmp_path / "in")
    b = prepare_dataset([files["counts"]], out_path=tmp_path / "b", label_paths=[files["labels"]],
                        config=PrepareConfig(synthetic=True))  # no --annotation: no positions
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        train_run(b.path, out_dir=tmp_path / "r", model_name="hybrid_cnn", epochs=1,
                  progress=False, model_options={"layout": "similarity", "image_size": 2, **TINY})
    assert "share one pixel" in caplog.text
    assert "--layout reshape with --image-size 8" in caplog.text
    assert "genomic" not in caplog.text
    res = explain_run(tmp_path / "r", data=b.path, out_dir=tmp_path / "e", n_steps=4,
                      max_samples_per_class=1, max_maps=0)
    assert "--layout reshape with --image-size 8" in res.convergence["pixel_warning"]
    assert "genomic" not in res.convergence["pixel_warning"]


def test_a_genomic_layout_is_said_fitted_on_the_gene_positions(synthetic_bundle, tmp_path):
    b = synthetic_bundle(seed=3, n_samples=90, n_genes=50, n_types=3)
    for layout, fitted_on in (("genomic", "gene positions (annotation)"),
                              ("similarity", "training split")):
        train_run(b.path, out_dir=tmp_path / layout, model_name="hybrid_cnn", epochs=1,
                  progress=False, model_options={"layout": layout, **TINY})
        saved = yaml.safe_load((tmp_path / layout / "config.yaml").read_text())
        assert saved["model_config"]["layout_fitted_on"] == fitted_on
