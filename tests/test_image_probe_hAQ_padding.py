"""Probe hAQ (image transfer learning, real pancan33): ``genemoe train --model hybrid_cnn
--image-size 64`` on 100 genes warns that 3,996 of the 4,096 pixels hold no gene; ``genemoe
benchmark`` with the same model (``image_size: 64`` in its preset) recorded ``pixels_empty``
in cells/*.json and said nothing, in the terminal, summary.md or results.csv. It says it now
once per model (not per cell), in a line of 100 characters or fewer, in the preset's keys."""

from __future__ import annotations

import pandas as pd

import genemoe.workflows.benchmark as bm
from genemoe.evaluate.benchmark_pixels import crowded_lines, preset_fix


def test_an_image_mostly_of_padding_is_said_once_by_a_benchmark(synthetic_bundle, tmp_path):
    bundle = synthetic_bundle(seed=2, n_samples=60, n_genes=50, n_types=2)
    preset = tmp_path / "pad.yaml"
    preset.write_text("extends: small\nmodel:\n  hybrid_cnn: {image_size: 16, n_filters: 2, "
                      "hidden: 4}\n")
    res = bm.run_benchmark(bundle.path, task="classify", models=["hybrid_cnn", "logreg"],
                           n_folds=2, epochs=1, out_dir=tmp_path / "b", preset=str(preset),
                           device="cpu", plots=False)
    results = pd.read_csv(tmp_path / "b" / "results.csv")
    cnn = results[results["model"] == "hybrid_cnn"]
    assert (cnn["pixels_empty"] + cnn["pixels_used"] == 256).all()
    assert (cnn["pixels_empty"] > cnn["pixels_used"]).all()
    assert cnn["padded_pixels"].str.contains("hold no gene").all()
    said = [x for x in res.describe().splitlines() if "padding" in x]
    assert len(said) == 1, said  # once for the model, not once per cell
    n_genes = int(cnn["n_genes"].max())
    side = next(s for s in range(1, 100) if s * s >= n_genes)
    assert said[0].lstrip().startswith("hybrid_cnn's image was")
    assert f"model.hybrid_cnn.image_size: {side} holds its {n_genes} genes" in said[0]
    assert len(said[0]) <= 100
    summary = (tmp_path / "b" / "summary.md").read_text()
    line = next(x for x in summary.splitlines() if x.startswith("- `hybrid_cnn`"))
    assert "padding" in line and f"model.hybrid_cnn.image_size: {side}" in line
    assert "padding" not in next(x for x in summary.splitlines() if x.startswith("- `logreg`"))


def test_a_backbones_padding_line_names_its_grid_size():
    advice = ("3,996 of the 4,096 pixels of the 64 x 64 grid, seen at 64 x 64 hold no gene "
              "(98%: padding, scaled value 0); grid_size: 10 (the model config) or leaving "
              "grid_size out gives the 100 genes the smallest square holding them (10 x 10)")
    assert "model.resnet50.grid_size: 10 or leaving it out gives" in preset_fix(advice, "resnet50")
    rows = pd.DataFrame({"model": ["resnet50"] * 2, "n_genes": [100, 100],
                         "genes_per_pixel_max": [1, 1], "crowded_pixels": ["", ""],
                         "pixels_used": [100, 100], "pixels_empty": [3996, 3996],
                         "padded_pixels": [advice, advice]})
    assert crowded_lines(rows) == [
        "resnet50's image was 98% padding: model.resnet50.grid_size: 10 holds its 100 genes"]
