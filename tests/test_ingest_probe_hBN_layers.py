"""``genemoe prepare --layer NAME|raw`` (helper hBN): an ``.h5ad``'s layer or ``.raw`` read
instead of ``X``, as ``X`` is read (sparse or dense, the same scale detection), recorded,
and refused with one error naming the file's layers where the name is not there, or for a
file that is not AnnData.

Old behaviour: only ``X`` was read; the user was told a Python line that rewrote the file
(``--layer`` and ``PrepareConfig(layer=...)`` did not exist).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from genemoe.data.bundle import load_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.read import read_expression
from genemoe.errors import InputError

anndata = pytest.importorskip("anndata")

N, G = 24, 60
SAMPLES = [f"TCGA-AB-{i:04d}-01A-11R-A29S-07" for i in range(N)]
GENES = [f"ENSG{i:011d}" for i in range(G)]
TYPES = ["ACC"] * (N // 2) + ["UVM"] * (N - N // 2)
OPTIONS = {"min_variance": 0.0, "min_mean": 0.0, "min_class_size": 1}


def _counts() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.negative_binomial(5, 0.01, size=(N, G)).astype(np.float32)


def _log1p_cp10k(counts: np.ndarray) -> np.ndarray:
    """scanpy's ``normalize_total(target_sum=1e4)`` then ``log1p``: ln(CP10k + 1)."""
    return np.log1p(counts / counts.sum(axis=1, keepdims=True) * 1e4).astype(np.float32)


def _obs() -> pd.DataFrame:
    return pd.DataFrame({"cancer_type": TYPES}, index=SAMPLES)


def _scanpy_file(path: Path, counts: np.ndarray, *, layer: bool = True, raw_genes: int = 0,
                 sparse: bool = True) -> Path:
    """X = ln(CP10k + 1) marked by ``uns['log1p']``; ``layers['counts']`` the counts (sparse
    CSR, as scanpy keeps them); ``raw_genes``: a ``.raw`` of that many genes' counts."""
    n_x = G if not raw_genes else G - 20
    a = anndata.AnnData(X=_log1p_cp10k(counts)[:, :n_x], obs=_obs(),
                        var=pd.DataFrame(index=GENES[:n_x]))
    if layer:
        a.layers["counts"] = sp.csr_matrix(counts[:, :n_x]) if sparse else counts[:, :n_x]
    if raw_genes:
        a.raw = anndata.AnnData(X=sp.csr_matrix(counts[:, :raw_genes]), obs=_obs(),
                                var=pd.DataFrame(index=GENES[:raw_genes]))
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(path)
    return path


def _counts_file(path: Path, counts: np.ndarray) -> Path:
    """The counts themselves as X (dense), nothing beside them."""
    anndata.AnnData(X=counts, obs=_obs(), var=pd.DataFrame(index=GENES)).write_h5ad(path)
    return path


def _same_bundles(a: Path, b: Path) -> None:
    ba, bb = load_bundle(a), load_bundle(b)
    np.testing.assert_array_equal(np.asarray(ba.X), np.asarray(bb.X))
    pd.testing.assert_frame_equal(ba.obs, bb.obs)
    pd.testing.assert_frame_equal(ba.var, bb.var)


@pytest.mark.parametrize("sparse", [True, False])
def test_a_counts_layer_beside_log1p_x_gives_the_bundle_of_the_counts(tmp_path, sparse):
    counts = _counts()
    scanpy = _scanpy_file(tmp_path / "sc.h5ad", counts, sparse=sparse)
    plain = _counts_file(tmp_path / "counts.h5ad", counts)
    prepare_dataset([scanpy], out_path=tmp_path / "a", config=PrepareConfig(layer="counts",
                                                                            **OPTIONS))
    prepare_dataset([plain], out_path=tmp_path / "b", config=PrepareConfig(**OPTIONS))
    _same_bundles(tmp_path / "a", tmp_path / "b")
    record = json.loads((tmp_path / "a" / "record.json").read_text())
    assert record["config"]["layer"] == "counts"
    read = next(s for s in record["steps"] if s["step"] == "read")
    assert read["matrix"] == "layers['counts']" and read["value_kind"] == "counts"
    assert "read layers['counts'] (--layer counts), not .X" in read["notes"]
    plain_read = next(s for s in json.loads((tmp_path / "b" / "record.json").read_text())[
        "steps"] if s["step"] == "read")
    assert plain_read["matrix"] == "X"


def test_the_log1p_mark_of_x_is_not_said_of_a_counts_layer(tmp_path, caplog):
    """uns['log1p'] marks X's values: reading the counts layer warned "mark ignored"."""
    path = _scanpy_file(tmp_path / "sc.h5ad", _counts())
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        t = read_expression(path, layer="counts")
    assert t.value_kind == "counts" and "uns['log1p']" not in caplog.text
    assert "uns['log1p'] marks .X, not layers['counts']: not applied" in t.notes


def test_raw_is_read_with_its_own_var_of_more_genes_than_x(tmp_path):
    counts = _counts()
    path = _scanpy_file(tmp_path / "sc.h5ad", counts, layer=False, raw_genes=G)
    t = read_expression(path, layer="raw")
    assert t.shape == (N, G) and list(t.gene_ids) == GENES and t.value_kind == "counts"
    np.testing.assert_array_equal(t.values, counts)
    assert "read .raw (--layer raw), not .X: its own var, 60 genes (.X has 40)" in t.notes
    x = read_expression(path)
    assert x.shape == (N, G - 20)


def test_a_layer_the_file_lacks_is_refused_naming_those_it_has(tmp_path):
    path = _scanpy_file(tmp_path / "sc.h5ad", _counts(), raw_genes=G)
    with pytest.raises(InputError) as info:
        read_expression(path, layer="spliced")
    assert info.value.problem == "the file has no layer 'spliced' (layers 'counts'; .raw present)"
    assert str(info.value).startswith(f"{path}: --layer spliced: ")
    assert info.value.fix == ("pass one of: --layer counts, --layer raw, or leave --layer out "
                              "to read .X")


def test_raw_is_refused_where_the_file_has_none(tmp_path):
    path = _scanpy_file(tmp_path / "sc.h5ad", _counts())
    with pytest.raises(InputError) as info:
        prepare_dataset([path], out_path=tmp_path / "b", config=PrepareConfig(layer="raw",
                                                                              **OPTIONS))
    assert info.value.problem == "the file has no .raw (layers 'counts'; no .raw)"
    assert not (tmp_path / "b").exists()


def test_layer_is_refused_for_a_file_that_is_not_anndata(tmp_path):
    tsv = tmp_path / "counts.tsv"
    pd.DataFrame(_counts().T, index=GENES, columns=SAMPLES).to_csv(tsv, sep="\t")
    with pytest.raises(InputError) as info:
        read_expression(tsv, layer="counts")
    assert str(info.value).startswith(f"{tsv}: --layer counts: names a matrix of an AnnData "
                                      "file, and this file is not one (only .h5ad files have")
    with pytest.raises(InputError, match="--layer counts: names a matrix of an AnnData file"):
        prepare_dataset([tsv], out_path=tmp_path / "b",
                        config=PrepareConfig(layer="counts", cancer_type="ACC", **OPTIONS))


@pytest.mark.parametrize("bad", [5, "", "  "])
def test_a_layer_that_is_not_a_name_is_refused_by_the_config(bad):
    with pytest.raises(InputError, match="must be a layer's name or 'raw'"):
        PrepareConfig(layer=bad)


def test_the_note_of_unread_layers_names_the_layer_option(tmp_path):
    t = read_expression(_scanpy_file(tmp_path / "sc.h5ad", _counts(), raw_genes=G))
    assert ("read .X only, not layers ['counts'] or .raw: to read one, prepare --layer counts "
            "(or --layer raw; Python: PrepareConfig(layer='counts')), or in Python adata.X = "
            "adata.layers['counts']; adata.write_h5ad(...)") in t.notes


def test_prepare_layer_on_the_command_line(tmp_path):
    from genemoe.cli import app

    counts = _counts()
    path = _scanpy_file(tmp_path / "sc.h5ad", counts)
    r = CliRunner().invoke(app, ["prepare", "--expression", str(path), "--layer", "counts",
                                 "--min-variance", "0", "--min-mean", "0",
                                 "--min-class-size", "1", "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "b" / "record.json").read_text())["config"]["layer"] == \
        "counts"
    bad = CliRunner().invoke(app, ["prepare", "--expression", str(path), "--layer", "spliced",
                                   "--out", str(tmp_path / "c")])
    assert isinstance(bad.exception, InputError) and "no layer 'spliced'" in str(bad.exception)


def test_real_counts_layer_gives_the_bundle_of_the_counts_file(tmp_path, shared_data):
    """A scanpy file built from GDC's CHOL counts (36 samples × 56,537 genes): X = ln(CP10k +
    1), layers['counts'] the counts; ``layer='counts'`` prepares what the counts file does."""
    src = shared_data / "gdc_counts_6types" / "TCGA_CHOL_Counts.exp.gz"
    table = pd.read_csv(src, sep="\t", index_col=0)  # genes × samples
    counts = table.T.to_numpy(dtype=np.float32)
    a = anndata.AnnData(X=_log1p_cp10k(counts), obs=pd.DataFrame(index=table.columns.astype(str)),
                        var=pd.DataFrame(index=table.index.astype(str)))
    a.layers["counts"] = sp.csr_matrix(counts)
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(tmp_path / "TCGA_CHOL_Counts.h5ad")  # named as the counts (obs cohort: CHOL)
    opts = {"cancer_type": "CHOL", "min_class_size": 1}
    prepare_dataset([tmp_path / "TCGA_CHOL_Counts.h5ad"], out_path=tmp_path / "a",
                    config=PrepareConfig(layer="counts", **opts))
    prepare_dataset([src], out_path=tmp_path / "b", config=PrepareConfig(**opts))
    _same_bundles(tmp_path / "a", tmp_path / "b")


def test_the_matrix_read_is_said_under_the_read_line(tmp_path, caplog):
    path = _scanpy_file(tmp_path / "sc.h5ad", _counts(), raw_genes=G)
    with caplog.at_level(logging.INFO, logger="genemoe.data.prepare"):  # prepare's narration
        prepare_dataset([path], out_path=tmp_path / "b", config=PrepareConfig(layer="raw",
                                                                              **OPTIONS))
    said = [r.getMessage() for r in caplog.records if r.name == "genemoe.data.prepare"]
    read = next(m for m in said if m.startswith("read sc.h5ad: 60 genes"))  # its own lines
    note = "  read .raw (--layer raw), not .X: its own var, 60 genes (.X has 40)"
    assert read.splitlines()[1] == note  # prep_text says it (hBP), once
    assert sum(note.strip() in m for m in said) == 1


def test_a_log1p_layer_is_read_on_the_scale_x_would_be(tmp_path):
    """A layer of ln(CP10k + 1) (uns['log1p'] with no base: natural log) is turned into
    log2(x + 1) as X holding the same values is: the same values, kind and notes."""
    counts = _counts()
    a = anndata.AnnData(X=_log1p_cp10k(counts), obs=_obs(), var=pd.DataFrame(index=GENES))
    a.layers["lognorm"] = sp.csr_matrix(a.X)
    a.uns["log1p"] = {"base": None}
    a.write_h5ad(tmp_path / "sc.h5ad")
    x, lay = read_expression(tmp_path / "sc.h5ad"), read_expression(tmp_path / "sc.h5ad",
                                                                     layer="lognorm")
    np.testing.assert_array_equal(lay.values, x.values)
    np.testing.assert_allclose(lay.values, _log1p_cp10k(counts) / np.log(2), rtol=1e-6)
    assert lay.value_kind == x.value_kind == "log"
    assert [n for n in lay.notes if "multiplied by 1.4427" in n]
