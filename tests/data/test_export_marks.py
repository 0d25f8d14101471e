"""`genemoe export` keeps what a scanpy user needs to read the file: the bundle's folds, the
values' scale (scanpy's ``uns['log1p']``), the synthetic flag, and a terminal line saying so."""

from __future__ import annotations

import anndata
import numpy as np
import pytest

from genemoe.data.anndata_io import write_h5ad
from genemoe.data.bundle import load_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files


@pytest.fixture(scope="module")
def folded(tmp_path_factory):
    d = tmp_path_factory.mktemp("export")
    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3, seed=3)
    files = write_synthetic_files(cohort, d / "in")
    return prepare_dataset([files["counts"]], out_path=d / "bundle", label_paths=[files["labels"]],
                           clinical_path=files["clinical"], annotation_path=files["annotation"],
                           config=PrepareConfig(synthetic=True, n_folds=3))


def test_the_export_carries_the_folds_the_scale_and_the_synthetic_flag(folded, tmp_path):
    """Old behaviour (an outside probe): folds.tsv was not in the .h5ad (var carried
    keep_fold0..2 only), nothing machine-readable said X is log2(x + 1) (the record said
    fpkm_uq of values ~17), and synthetic was only inside uns['genemoe']['record'], a JSON
    string."""
    b = load_bundle(folded.path)
    adata = anndata.read_h5ad(write_h5ad(b, tmp_path / "d.h5ad"))
    folds = adata.obs.loc[b.obs["sample_id"].astype(str), "fold"]
    np.testing.assert_array_equal(folds.to_numpy(int), b.folds)
    assert adata.uns["log1p"]["base"] == 2
    mark = adata.uns["genemoe"]
    assert bool(mark["synthetic"]) is True
    assert mark["value_scale"] == "log2(FPKM-UQ + 1)" and mark["normalisation"] == "fpkm_uq"
    assert int(mark["n_folds"]) == 3


def test_the_terminal_line_names_the_shape_the_scale_and_synthetic_data(folded, tmp_path):
    """Old behaviour: the terminal printed only `wrote d.h5ad` (prepare marks synthetic data
    with [SYNTHETIC DATA])."""
    from genemoe.data.anndata_io import export_line  # new: the line the CLI prints

    b = load_bundle(folded.path)
    line = export_line(b, "d.h5ad")
    assert line == (f"wrote d.h5ad: {b.n_samples} samples × {b.n_genes} genes, "
                    "log2(FPKM-UQ + 1); 3 folds in obs['fold']  [SYNTHETIC DATA]")


def test_the_log1p_mark_keeps_the_round_trip_unchanged(folded, tmp_path):
    """uns['log1p'] = {'base': 2} is read back as already log2 (no factor), so export →
    prepare gives the same values."""
    b = load_bundle(folded.path)
    table = read_expression(write_h5ad(b, tmp_path / "d.h5ad"))
    assert not any("multiplied by" in n for n in table.notes)
    np.testing.assert_array_equal(table.values, np.asarray(b.X, dtype=np.float32))
    again = prepare_dataset([tmp_path / "d.h5ad"], out_path=tmp_path / "again",
                            config=PrepareConfig(min_variance=0, min_mean=0))
    same = again.obs.reset_index(drop=True).set_index("sample_id").index.get_indexer(
        b.obs["sample_id"])
    np.testing.assert_allclose(np.asarray(again.X)[same][:, :5], np.asarray(b.X)[:, :5],
                               rtol=0, atol=1e-6)


def test_value_scale_marks_only_log2_values():
    from genemoe.data.anndata_io import value_scale

    assert value_scale("log2cpm") == ("log2(CPM + 1)", True)
    assert value_scale(["fpkm_uq", "log2tpm"])[1] is True
    assert value_scale("none")[1] is False  # z-scores or log-ratios pass through as read


def test_the_cli_says_the_export_line(folded, tmp_path):
    """`genemoe export` printed `wrote d.h5ad` alone."""
    from typer.testing import CliRunner

    from genemoe.cli import app

    res = CliRunner().invoke(app, ["export", "--data", str(folded.path), "--out",
                                   str(tmp_path / "d.h5ad")])
    assert res.exit_code == 0, res.output
    assert (f"d.h5ad: 60 samples × {load_bundle(folded.path).n_genes:,} genes, log2(FPKM-UQ + 1); "
            "3 folds in obs['fold']  [SYNTHETIC DATA]") in res.output
