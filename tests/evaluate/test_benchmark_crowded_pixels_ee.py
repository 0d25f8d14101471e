"""Probe EE, D3: a benchmark never said that an image model saw many genes per pixel (398
genes on a 2 x 2 image: up to 100 a pixel): ``genemoe train`` warns, the benchmark kept it
in cells/*.json alone. summary.md's options line and the terminal say it now, the model, the
genes a pixel (most, mean) and the fix in the preset's keys."""

from __future__ import annotations

import pandas as pd

import genemoe.workflows.benchmark as bm


def test_a_crowded_image_model_is_said_in_summary_md_and_the_terminal(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=2, n_samples=60, n_genes=50, n_types=2)
    preset = tmp_path / "h2.yaml"
    preset.write_text("extends: small\nmodel:\n  hybrid_cnn: {image_size: 2, n_filters: 2, "
                      "hidden: 4}\n")
    res = bm.run_benchmark(bundle.path, task="classify", models=["hybrid_cnn", "logreg"],
                           n_folds=2, epochs=1, out_dir=tmp_path / "b", preset=str(preset),
                           device="cpu", plots=False)
    n_genes = int(res.results["n_genes"].iloc[0])
    results = pd.read_csv(tmp_path / "b" / "results.csv")
    cnn = results[results["model"] == "hybrid_cnn"]
    assert (cnn["genes_per_pixel_max"] >= 8).all()
    assert cnn["genes_per_pixel_mean"].iloc[0] == n_genes / 4  # every one of the 4 pixels used
    summary = (tmp_path / "b" / "summary.md").read_text()
    line = next(x for x in summary.splitlines() if x.startswith("- `hybrid_cnn`"))
    assert f"saw up to {int(cnn['genes_per_pixel_max'].max())} genes in one pixel" in line
    assert f"({n_genes / 4:.1f} a pixel on average)" in line
    assert "model.hybrid_cnn.image_size: " in line and "--image-size" not in line
    assert "pixel" not in next(x for x in summary.splitlines() if x.startswith("- `logreg`"))
    said = [x for x in res.describe().splitlines() if "genes a pixel" in x]
    assert len(said) == 1 and said[0].lstrip().startswith("hybrid_cnn saw up to")
    assert all(len(x) <= 100 for x in res.describe().splitlines() if "pixel" in x)


def test_trains_advice_is_put_in_the_presets_keys():
    from genemoe.evaluate.benchmark_pixels import preset_fix

    assert preset_fix("--image-size 20 or more gives each its own", "hybrid_cnn") == (
        "model.hybrid_cnn.image_size: 20 or more gives each its own")
    assert preset_fix("a grid_size of 12 or more (the model config) gives each its own",
                      "resnet50") == "model.resnet50.grid_size: 12 or more gives each its own"
    said = preset_fix("the similarity layout puts ...; --layout genomic or reshape with "
                      "--image-size 10 gives each its own", "vgg19")
    assert "model.vgg19.layout: genomic" in said and "model.vgg19.image_size: 10" in said
