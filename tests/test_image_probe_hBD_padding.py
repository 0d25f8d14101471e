"""An image model mostly of padding, explained: ``genemoe explain`` of a ``hybrid_cnn`` at
``--image-size 16`` on 50 genes (206 of 256 pixels empty) said nothing of it, while its maps
drew the padding mustard and train and a benchmark warned. It says it now on the terminal
and in convergence.json, and the explanation page shows it, in the benchmark's words
(``80% padding (206 of 256 pixels hold no gene)``) with train's fix."""

from __future__ import annotations

import json
import logging

import pytest

from genemoe.evaluate.benchmark_pixels import padding_words
from genemoe.explain import explain_run
from genemoe.report.explanation_section import explanation_section
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def padded_run(tmp_path_factory):
    """A hybrid_cnn seeing 50 genes at 16 x 16: ``(run, bundle)``."""
    d = tmp_path_factory.mktemp("padded_pixels")
    b, _, _ = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=3, seed=1)
    train_run(b.path, out_dir=d / "run", task="classify", model_name="hybrid_cnn", epochs=1,
              progress=False, model_options={"image_size": 16, "n_filters": 2, "hidden": 8})
    return d / "run", b


def test_explain_says_an_image_mostly_of_padding(padded_run, tmp_path, caplog):
    run, bundle = padded_run
    image = json.loads((run / "metrics.json").read_text())["protocol"]["image"]
    empty, used = image["pixels_empty"], image["pixels_used"]
    assert empty + used == 256 and empty > used
    with caplog.at_level(logging.WARNING):
        explain_run(run, data=bundle.path, out_dir=tmp_path / "e", n_steps=4, max_steps=4,
                    max_samples_per_class=2, max_maps=1, progress=False, top=5)
    words = padding_words(empty, empty + used)
    said = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert words in " ".join(said.split()), said
    assert "--image-size" in said  # train's fix
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    assert conv["padded_pixels"] == {"pixels_empty": empty, "pixels": 256}
    assert words in explanation_section(tmp_path / "e")
