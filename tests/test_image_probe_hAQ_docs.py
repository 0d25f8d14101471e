"""Probe hAQ: what the image path's docstrings promise against what a run does.

- ``train_image.pixel_use``'s example said pancan33's 100 genes on a similarity layout's
  10 x 10 grid left "62 genes sharing" a pixel; the run it names records 76.
- ``fit_layout("genomic")`` without gene positions refused, for a Python caller, in a first
  line of 110 characters as raised (``InputError: layout: the genomic layout needs ...``)
  offering only ``layout: reshape``, where the CLI's refusal also offers ``similarity``.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from genemoe.errors import InputError
from genemoe.models.image import fit_layout
from genemoe.workflows.train_image import pixel_use


def test_pixel_uses_example_is_what_the_run_it_names_records(shared_data, tmp_path):
    from genemoe.data.prepare import prepare_dataset
    from genemoe.workflows.train import train_run

    d = shared_data / "pancan33_random100"
    prepare_dataset([d / "expression.tsv.gz"], out_path=tmp_path / "b",
                    label_paths=[d / "samples.tsv.gz"])
    train_run(tmp_path / "b", out_dir=tmp_path / "r", model_name="hybrid_cnn", epochs=1,
              device="cpu", progress=False,
              model_options={"layout": "similarity", "image_size": 10})
    image = json.loads((tmp_path / "r" / "metrics.json").read_text())["protocol"]["image"]
    doc = " ".join(pixel_use.__doc__.split())
    said = re.search(r"filled (\d+) pixels, (\d+) genes sharing one, said \"up to (\d+)", doc)
    assert said is not None, doc
    assert [int(x) for x in said.groups()] == [image["pixels_used"],
                                               image["genes_sharing_a_pixel"],
                                               image["genes_per_pixel_max"]]


def test_a_genomic_layout_without_positions_is_refused_in_short_lines_as_the_cli_does():
    none = np.array([None] * 6, dtype=object)
    with pytest.raises(InputError) as err:
        fit_layout("genomic", 6, chrom=none, start=np.full(6, np.nan))
    lines = f"{type(err.value).__name__}: {err.value}".splitlines()
    assert max(map(len, lines)) <= 100, lines
    text = str(err.value)
    assert "chrom, start" in text and "genomic" in text
    assert "reshape" in text and "similarity" in text and "--annotation" in text
