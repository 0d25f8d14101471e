"""scanpy / AnnData files brought to `prepare` and `predict` (an outside reviewer, probeI):
symbol var names beside var['gene_ids'], no X, transposed files, a stale log1p mark, obs
label columns, layers beside X, repeated names."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from genemoe.data.annotation import GeneAnnotation, map_gene_ids
from genemoe.data.prep_text import step_line
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.errors import InputError

anndata = pytest.importorskip("anndata")

SAMPLES = [f"TCGA-A{i}-00{i}{i}-01A-11R-A29S-07" for i in range(5)]
# scanpy's var names after var_names_make_unique: a symbol, else the Ensembl id
ENSEMBL = ["ENSG00000141510", "ENSG00000099984", "ENSG00000277897", "ENSG00000230000",
           "ENSG00000146648", "ENSG00000136997"]
NAMES = ["TP53", "GSTT2", "GSTT2-1", "ENSG00000230000", "EGFR", "MYC"]


def _annotation() -> GeneAnnotation:
    """TP53, GSTT2 (twice: the primary chromosome's id is chosen for the symbol), a gene with
    no symbol, EGFR, MYC."""
    table = pd.DataFrame({
        "symbol": ["TP53", "GSTT2", "GSTT2", None, "EGFR", "MYC"],
        "biotype": ["protein_coding"] * 6,
        "chrom": ["17", "CHR_HSCHR22_1_CTG7", "22", "1", "7", "8"],
        "start": [1] * 6, "end": [1000] * 6, "length": [1000] * 6}, index=ENSEMBL)
    return GeneAnnotation(table=table)


def _counts(rng: np.random.Generator, n: int = 5, g: int = 6) -> np.ndarray:
    return rng.integers(1, 1000, size=(n, g)).astype(np.float32)


def _scanpy_file(path: Path, X: np.ndarray, **uns: object) -> Path:
    a = anndata.AnnData(X=X, obs=pd.DataFrame(index=SAMPLES[:len(X)]),
                        var=pd.DataFrame({"gene_ids": ENSEMBL}, index=NAMES))
    a.uns.update(uns)
    a.write_h5ad(path)
    return path


# ----------------------------------------------------------------------------- 1: gene ids


def test_the_ensembl_ids_of_var_gene_ids_are_read_not_the_symbol_names(tmp_path, rng):
    """Old behaviour: only var_names were read: 31% of a scanpy file's genes unmapped, and
    GSTT2 mapped to another id than the file's own (ENSG00000277897 for ENSG00000099984)."""
    t = read_expression(_scanpy_file(tmp_path / "sc.h5ad", _counts(rng)))
    assert t.gene_ids.tolist() == ENSEMBL
    assert t.gene_symbols.tolist() == ["TP53", "GSTT2", "GSTT2", None, "EGFR", "MYC"]
    assert "gene ids from var['gene_ids'] (6 Ensembl ids); the var names (5 symbols) kept as " \
           "symbols" in t.notes
    line = step_line("read", {"file": "sc.h5ad", "shape": [5, 6], "notes": t.notes})
    assert "gene ids from var['gene_ids']" in line  # said on the terminal


def test_ensembl_ids_among_symbols_map_as_ensembl_ids():
    """Old behaviour: once a file's ids were mostly symbols, every id was looked up as a
    symbol: the Ensembl ids of genes without one (16,464 in the file) were unmapped."""
    m = map_gene_ids(NAMES, _annotation(), id_kind="symbol")
    assert m.gene_id.tolist()[3] == "ENSG00000230000"
    assert m.report["unmapped"] == 1  # GSTT2-1 only
    assert m.report["ensembl_among_symbols"] == 1
    line = step_line("map_gene_ids", {"file": "sc.h5ad", "report": m.report, "n_genes": 5})
    assert "1 Ensembl id among the symbols, mapped as Ensembl id" in line


def test_a_repeated_gene_ids_column_is_not_used_and_said(tmp_path, rng):
    a = anndata.AnnData(X=_counts(rng), obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame({"gene_ids": ENSEMBL[:5] + ENSEMBL[:1]}, index=NAMES))
    a.write_h5ad(tmp_path / "rep.h5ad")
    t = read_expression(tmp_path / "rep.h5ad")
    assert t.gene_ids.tolist() == NAMES
    assert any("var['gene_ids'] holds Ensembl ids, but 1 blank or repeated" in n for n in t.notes)


# ----------------------------------------------------------------------------- 2: no X


def test_a_file_with_counts_only_in_layers_is_one_error_naming_them(tmp_path, rng):
    """Old behaviour: h5py's KeyError "Unable to synchronously open object (object 'X'
    doesn't exist)", a full traceback."""
    a = anndata.AnnData(obs=pd.DataFrame(index=SAMPLES), var=pd.DataFrame(index=ENSEMBL))
    a.layers["counts"] = _counts(rng)
    a.write_h5ad(tmp_path / "layers.h5ad")
    with pytest.raises(InputError) as info:
        read_expression(tmp_path / "layers.h5ad")
    assert info.value.problem == "the file has no X matrix (layers 'counts')"
    assert "layers.h5ad" in str(info.value)
    assert "adata.X = adata.layers['counts']; adata.write_h5ad('layers.h5ad')" in info.value.fix


# ----------------------------------------------------------------------------- 3: transposed


def test_a_transposed_h5ad_is_refused_with_the_transpose(tmp_path, rng):
    """Old behaviour: genes as obs, samples as var read as 6 samples × 5 genes, unsaid."""
    a = anndata.AnnData(X=_counts(rng).T.copy(), obs=pd.DataFrame(index=ENSEMBL),
                        var=pd.DataFrame(index=SAMPLES))
    a.write_h5ad(tmp_path / "t.h5ad")
    with pytest.raises(InputError) as info:
        read_expression(tmp_path / "t.h5ad")
    assert info.value.problem.startswith("its obs names look like genes (obs ['ENSG00000141510'")
    assert "the file holds genes × samples" in info.value.problem
    assert info.value.fix.startswith("transpose it in Python: anndata.read_h5ad('t.h5ad').T."
                                     "write_h5ad('t_T.h5ad')")


def test_a_transposed_h5ad_with_default_var_names_is_refused_too(tmp_path, rng):
    """Samples written as var with anndata's integer names (which look like Entrez ids)."""
    anndata.AnnData(X=_counts(rng).T.copy(), obs=pd.DataFrame(index=ENSEMBL)).write_h5ad(
        tmp_path / "t.h5ad")
    with pytest.raises(InputError, match="obs names look like genes"):
        read_expression(tmp_path / "t.h5ad")


def test_default_integer_obs_names_are_not_taken_for_genes(tmp_path, rng):
    anndata.AnnData(X=_counts(rng), var=pd.DataFrame(index=NAMES)).write_h5ad(tmp_path / "i.h5ad")
    assert read_expression(tmp_path / "i.h5ad").shape == (5, 6)


def test_predicts_wrong_way_round_fix_for_an_h5ad_is_the_transpose():
    """Old behaviour: the fix said "pass --orientation genes_by_samples", which the reader
    then refuses for an .h5ad ("drop --orientation")."""
    from genemoe.workflows.predict import _check_not_swapped  # noqa: PLC2701 (the check)

    table = SimpleNamespace(sample_ids=np.array(ENSEMBL), gene_ids=np.array(["0", "1"]),
                            orientation="samples_by_genes", source_path=Path("t.h5ad"))
    with pytest.raises(InputError) as info:
        _check_not_swapped({"gene_ids": ENSEMBL}, table)
    assert "transpose it" in info.value.fix and "adata.T.write_h5ad" in info.value.fix
    assert "--orientation" not in info.value.fix
    table.source_path = Path("t.tsv")
    with pytest.raises(InputError) as info:
        _check_not_swapped({"gene_ids": ENSEMBL}, table)
    assert info.value.fix == "pass --orientation genes_by_samples (or auto)"


# ----------------------------------------------------------------------------- 4: log1p mark


def test_a_stale_log1p_mark_on_integer_counts_is_ignored_and_said(tmp_path, rng, caplog):
    """Old behaviour: raw integer counts marked uns['log1p'] (base None) were multiplied by
    1.4427 before their kind was decided, and read as linear values."""
    X = _counts(rng)
    with caplog.at_level("WARNING", logger="genemoe"):
        t = read_expression(_scanpy_file(tmp_path / "stale.h5ad", X, log1p={"base": None}))
    np.testing.assert_array_equal(t.values, X)
    assert t.value_kind == "counts"
    assert any("uns['log1p'] marks log1p values (natural log), but the 30 values look integer "
               "counts: mark ignored" in n for n in t.notes), t.notes
    assert any("mark ignored" in r.getMessage() for r in caplog.records)


def test_log2_x_plus_eps_under_a_log1p_mark_is_converted_once_and_said(tmp_path, rng):
    """probeQ: log2(x + 0.001) values in an .h5ad marked uns['log1p'] were converted to
    log2(x + 1) while their kind was decided, then multiplied by the mark's 1.4427 as
    natural-log values, and the conversion's note was lost."""
    lin = rng.gamma(0.5, 20, size=(5, 60)) * (rng.random((5, 60)) > 0.3)
    a = anndata.AnnData(X=np.round(np.log2(lin + 0.001), 4).astype(np.float32),
                        obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame(index=[f"ENSG{i:011d}" for i in range(60)]))
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(tmp_path / "toil.h5ad")
    t = read_expression(tmp_path / "toil.h5ad")
    np.testing.assert_allclose(t.values, np.log2(lin + 1), atol=2e-3)
    assert any("log2(x + ε), converted to log2(x + 1) on reading: mark ignored" in n
               for n in t.notes), t.notes


def test_log1p_natural_log_counts_become_log2_counts(tmp_path, rng):
    """ln(counts + 1) marked base None: multiplied to log2(counts + 1), read as such."""
    X = rng.integers(0, 500, size=(5, 60)).astype(np.float64)
    a = anndata.AnnData(X=np.log1p(X).astype(np.float32), obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame(index=[f"ENSG{i:011d}" for i in range(60)]))
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(tmp_path / "ln.h5ad")
    t = read_expression(tmp_path / "ln.h5ad")
    np.testing.assert_allclose(t.values, np.log2(X + 1), rtol=1e-5, atol=1e-5)
    assert t.value_kind == "log_counts"


# ----------------------------------------------------------------------------- 5: labels


def _labelled_file(path: Path, rng: np.random.Generator, column: str) -> Path:
    n = 12
    samples = [f"TCGA-AB-{i:04d}-01A" for i in range(n)]
    obs = pd.DataFrame({column: ["TCGA-ACC", "TCGA-UVM", "TCGA-KICH"] * (n // 3),
                        "leiden": ["0"] * n}, index=samples)
    genes = [f"ENSG{i:011d}" for i in range(40)]
    anndata.AnnData(X=rng.integers(0, 500, size=(n, 40)).astype(np.float32), obs=obs,
                    var=pd.DataFrame(index=genes)).write_h5ad(path)
    return path


@pytest.mark.parametrize(("column", "given"), [("tumor_type", "tumor_type"),
                                               ("project_id", None), ("my_types", "my_types")])
def test_obs_label_columns_other_than_cancer_type_are_used(tmp_path, rng, column, given):
    """Old behaviour: only obs['cancer_type'] was read; `--label-column tumor_type` was
    accepted and ignored for an .h5ad: every sample unlabelled."""
    h5 = _labelled_file(tmp_path / "l.h5ad", rng, column)
    b = prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(
        label_column=given, min_class_size=1, min_variance=0, min_mean=0))
    assert sorted(b.obs["cancer_type"].unique()) == ["ACC", "KICH", "UVM"]


def test_an_unused_label_column_is_warned_with_the_obs_columns(tmp_path, rng, caplog):
    h5 = _labelled_file(tmp_path / "l.h5ad", rng, "cancer_type")
    with caplog.at_level("WARNING", logger="genemoe"):
        prepare_dataset([h5], out_path=tmp_path / "b", config=PrepareConfig(
            label_column="tumour", min_class_size=1, min_variance=0, min_mean=0))
    said = [r.getMessage() for r in caplog.records]
    assert any("--label-column tumour was not used: no --labels table, and no file's sample "
               "metadata has it (obs columns: cancer_type, leiden)" in s for s in said), said


# ----------------------------------------------------------------------------- 6, 7


def test_layers_beside_x_are_said_on_the_terminal_with_the_line_to_use_one(tmp_path, rng):
    """Old behaviour: "read .X only (layers [...])" was in record.json only."""
    a = anndata.AnnData(X=_counts(rng), obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame(index=ENSEMBL))
    a.layers["counts"] = a.X.copy()
    a.write_h5ad(tmp_path / "lay.h5ad")
    t = read_expression(tmp_path / "lay.h5ad")
    line = step_line("read", {"file": "lay.h5ad", "shape": [5, 6], "notes": t.notes})
    assert "read .X only, not layers ['counts']: to read one, prepare --layer counts (Python: " \
           "PrepareConfig(layer='counts')), or in Python adata.X = adata.layers['counts']; " \
           "adata.write_h5ad(...)" in line


def test_a_large_x_read_dense_is_said_with_its_size(caplog):
    from genemoe.data.anndata_io import dense_size_said

    with caplog.at_level(logging.INFO, logger="genemoe"):
        dense_size_said(100_000, 30_000, True, "big.h5ad")
        dense_size_said(10, 10, True, "small.h5ad")
    said = [r.getMessage() for r in caplog.records]
    assert said == ["big.h5ad: reading sparse X as a dense float32 matrix, 100,000 × 30,000: "
                    "12.0 GB"]


def test_repeated_names_give_genemoes_error_without_anndatas_warning(tmp_path, rng):
    """Old behaviour: anndata's "Variable names are not unique" UserWarning printed (twice)
    above genemoe's own error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anndata.AnnData(X=_counts(rng), obs=pd.DataFrame(index=SAMPLES),
                        var=pd.DataFrame(index=ENSEMBL[:5] + ENSEMBL[:1])).write_h5ad(
            tmp_path / "dup.h5ad")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(InputError):
            read_expression(tmp_path / "dup.h5ad")
    assert not [w for w in seen if "names are not unique" in str(w.message)]
