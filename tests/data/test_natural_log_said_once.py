"""An .h5ad of unmarked natural-log values (scanpy's normalize_total + log1p, no
``uns['log1p']``): the ~330-character "values read as natural log (per-sample totals of
e^x - 1 all ≈ 10,000, ...)" text is said once, as the read's warning.

Old behaviour (probe GG, D8): it was printed twice in prepare and predict, once as
``warning:`` and again under the ``read`` line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset

ad = pytest.importorskip("anndata")

LONG = "per-sample totals of e^x - 1 all ≈ 10,000"


def _ln_cp10k_h5ad(path: Path, n_samples: int = 8, n_genes: int = 300) -> Path:
    """ln(CP10k + 1) values of seeded counts, written without a mark of their base."""
    counts = np.random.default_rng(3).negative_binomial(2, 0.02, size=(n_samples, n_genes))
    ln = np.log1p(counts / counts.sum(1, keepdims=True) * 1e4).astype(np.float32)
    obs = pd.DataFrame(index=[f"TCGA-AB-{i:04d}-01A" for i in range(n_samples)])
    var = pd.DataFrame(index=[f"ENSG{i:011d}.3" for i in range(1, n_genes + 1)])
    ad.AnnData(ln, obs=obs, var=var).write_h5ad(path)
    return path


def test_the_natural_log_text_is_said_once(tmp_path, caplog):
    path = _ln_cp10k_h5ad(tmp_path / "ln_nomark.h5ad")
    with caplog.at_level(logging.INFO, logger="genemoe"):
        bundle = prepare_dataset([path], out_path=tmp_path / "b",
                                 config=PrepareConfig(cancer_type="ACC", min_variance=0,
                                                      min_mean=0, min_class_size=1))
    said = [r.getMessage() for r in caplog.records]
    assert sum(LONG in m for m in said) == 1  # the warning, not the read line again
    read = next(m for m in said if m.startswith("read ln_nomark.h5ad: 300 genes"))
    assert "natural log" in read and "see the warning" in read and LONG not in read
    assert any(LONG in w for w in bundle.record["warnings"])  # kept whole in the record
    step = next(s for s in bundle.record["steps"] if s["step"] == "read")
    assert any(LONG in n for n in step["notes"])
