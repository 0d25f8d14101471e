"""A probe's finding: ``--genes protein_coding`` on a bundle without biotypes was refused
only after all the attribution work (25 s at probe sizes; minutes at the defaults)."""

from __future__ import annotations

import pytest

import genemoe.explain.api as api
from genemoe.errors import InputError
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_genes_protein_coding_without_biotypes_is_refused_before_attributing(tmp_path, monkeypatch):
    b, _, _ = prepare_synthetic(tmp_path, n_samples=90, n_genes=50, n_types=3, seed=3)
    train_run(b.path, out_dir=tmp_path / "r", model_name="fcn", epochs=1, progress=False)
    monkeypatch.setattr(api, "_bundle_biotype", lambda bundle, cols: None)  # no biotype column

    def attributed(*args, **kwargs):
        raise AssertionError("attributed before --genes was checked")

    monkeypatch.setattr(api, "attribute_with", attributed)
    with pytest.raises(InputError, match="--genes"):
        api.explain_run(tmp_path / "r", data=b.path, out_dir=tmp_path / "e", genes="protein_coding",
                        n_steps=4, max_steps=4, progress=False, max_maps=0)
