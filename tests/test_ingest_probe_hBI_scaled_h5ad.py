"""A scanpy ``.h5ad`` whose ``X`` was centred per gene (``sc.pp.scale``) while ``.raw`` or a
layer holds the values before: the reader warns, naming what to read instead (it was a note
under the read line only, and prepare made a bundle of the z-scores with no warning)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

anndata = pytest.importorskip("anndata")

from genemoe.data.read import read_expression  # noqa: E402


def _scaled(counts: np.ndarray) -> np.ndarray:
    """scanpy's normalize_total(1e4) + log1p + scale (z-scores over every sample, max 10)."""
    logged = np.log1p(counts / counts.sum(1, keepdims=True) * 1e4)
    sd = logged.std(0)
    sd[sd == 0] = 1.0
    return np.clip((logged - logged.mean(0)) / sd, None, 10).astype(np.float32)


def _write(counts: np.ndarray, genes: list[str], path: Path, *, raw: bool,
           layer: bool) -> Path:
    n = counts.shape[0]
    full = anndata.AnnData(X=counts.astype(np.float32),
                           obs=pd.DataFrame({"cancer_type": ["ACC"] * (n // 2)
                                             + ["UVM"] * (n - n // 2)},
                                            index=[f"patient_{i}" for i in range(n)]),
                           var=pd.DataFrame(index=genes))
    adata = full.copy()
    adata.X = _scaled(counts)
    if raw:
        adata.raw = full
    if layer:
        adata.layers["counts"] = counts.astype(np.float32)
    adata.uns["log1p"] = {"base": None}
    adata.write_h5ad(path)
    return path


def _synthetic_counts(n: int = 24, g: int = 60) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(0)
    counts = rng.negative_binomial(5, 0.01, size=(n, g)).astype(np.float64)
    return counts, [f"ENSG{i:011d}" for i in range(g)]


@pytest.mark.parametrize(("raw", "layer", "said"), [
    (True, False, "while .raw holds the values before: read it instead (--layer raw), "
                  "or in Python adata = adata.raw.to_adata()"),
    (False, True, "while layers ['counts'] hold the values before: read one instead "
                  "(--layer counts), or in Python adata.X = adata.layers['counts']"),
])
def test_scaled_x_beside_raw_or_layer_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                               raw: bool, layer: bool, said: str) -> None:
    counts, genes = _synthetic_counts()
    path = _write(counts, genes, tmp_path / "scaled.h5ad", raw=raw, layer=layer)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        table = read_expression(path)
    assert table.value_kind == "transformed"
    warned = [r.getMessage() for r in caplog.records if "X looks centred per gene" in
              r.getMessage()]
    assert len(warned) == 1, caplog.text
    assert "fitted over all 24 samples" in warned[0] and said in warned[0]
    assert any(n.startswith("X looks centred per gene") for n in table.notes)


def test_scaled_x_without_raw_is_not_sent_to_raw(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    counts, genes = _synthetic_counts()
    path = _write(counts, genes, tmp_path / "scaled.h5ad", raw=False, layer=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        read_expression(path)
    assert "X looks centred per gene" not in caplog.text


def test_scaled_x_of_real_counts_is_warned(shared_data: Path, tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """Real GDC ACC counts (the 500 genes of highest total), scaled as scanpy would."""
    counts = pd.read_csv(shared_data / "gdc_counts_6types" / "TCGA_ACC_Counts.exp.gz",
                         sep="\t", index_col=0)
    top = counts.sum(1).sort_values(ascending=False).index[:500]
    path = _write(counts.loc[top].T.to_numpy(np.float64), [str(g) for g in top],
                  tmp_path / "acc_scaled.h5ad", raw=True, layer=False)
    with caplog.at_level(logging.WARNING, logger="genemoe"):
        table = read_expression(path)
    assert table.values.shape == (79, 500)
    assert "fitted over all 79 samples" in caplog.text
