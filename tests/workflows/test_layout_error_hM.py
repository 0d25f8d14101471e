"""Probe hM: a genomic image layout on a bundle without gene positions was refused as
"layout: the genomic layout needs gene positions (chrom, start), and no gene of this bundle
has one / fix: prepare the bundle with --annotation, or use layout: reshape", naming neither
the bundle nor the ``--layout`` option."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from genemoe.errors import InputError
from genemoe.workflows.common import with_fitted_layout


def _bundle(path: Path, *, positions: bool) -> SimpleNamespace:
    """A stand-in bundle of 16 genes: its path, gene table and expression."""
    var = pd.DataFrame({"gene_id": [f"G{i}" for i in range(16)]})
    if positions:
        var["chrom"], var["start"] = "1", np.arange(16) * 1000.0
    return SimpleNamespace(path=path, var=var,
                           X=np.random.default_rng(0).normal(size=(10, 16)).astype(np.float32))


def test_a_genomic_layout_without_positions_names_the_bundle_and_the_fix(tmp_path):
    b = _bundle(tmp_path / "my_bundle", positions=False)
    with pytest.raises(InputError) as err:
        with_fitted_layout("hybrid_cnn", {"layout": "genomic", "image_size": 4}, b,
                           np.ones(16, bool), np.arange(8))
    text = str(err.value)
    assert str(tmp_path / "my_bundle") in text
    assert "--layout reshape" in text and "--layout similarity" in text
    assert "re-prepare the bundle with --annotation" in text and "chrom" in text


def test_a_genomic_layout_with_positions_is_still_fitted(tmp_path):
    cfg = with_fitted_layout("hybrid_cnn", {"layout": "genomic", "image_size": 4},
                             _bundle(tmp_path, positions=True), np.ones(16, bool), np.arange(8))
    assert "layout_state" in cfg
