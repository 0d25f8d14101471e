"""Preparing a genemoe export again says its folds are not reused (they were dropped unsaid)."""

from __future__ import annotations

from genemoe.data.anndata_io import write_h5ad
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files


def test_an_exports_folds_are_said_not_reused(tmp_path):
    """An outside probe: `prepare --folds 3`, export, prepare the .h5ad: no line mentioned
    obs['fold'], and the new bundle had no folds."""
    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3, seed=2)
    files = write_synthetic_files(cohort, tmp_path / "in")
    b = prepare_dataset([files["counts"]], out_path=tmp_path / "b", label_paths=[files["labels"]],
                        config=PrepareConfig(synthetic=True, n_folds=3))
    table = read_expression(write_h5ad(b, tmp_path / "b.h5ad"))
    assert any("the export's 3 folds (obs['fold']) are not reused" in n for n in table.notes)
