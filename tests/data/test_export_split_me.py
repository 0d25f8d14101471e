"""Re-preparing a genemoe export says whether its samples keep the export's split."""

from __future__ import annotations

import logging

from genemoe.data.anndata_io import write_h5ad
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from synthetic_inputs import prepare_synthetic


def test_a_re_prepared_export_says_where_its_split_moved(tmp_path, caplog):
    """Old behaviour: a new split was dealt (a different --seed moved about half the samples,
    test ones into training) without a word; a model trained on the export then read its
    own training samples as test ones."""
    b, _, _ = prepare_synthetic(tmp_path, n_samples=90, n_genes=50, n_types=3, seed=2)
    h5 = write_h5ad(b, tmp_path / "b.h5ad")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        same = prepare_dataset([h5], out_path=tmp_path / "same",
                               config=PrepareConfig(synthetic=True))
    assert f"each of the {b.n_samples} exported samples in the split its export had" \
        in caplog.text
    assert not any("another split" in w for w in same.record["warnings"])
    caplog.clear()
    other = prepare_dataset([h5], out_path=tmp_path / "other",
                            config=PrepareConfig(synthetic=True, seed=5))
    said = [w for w in other.record["warnings"] if "another split" in w]
    assert len(said) == 1 and " test → train" in said[0] and "pass the export's --seed" in said[0]
    assert said[0] in caplog.text
