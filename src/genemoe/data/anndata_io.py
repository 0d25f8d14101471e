"""AnnData (``.h5ad``) export of a bundle, so users move between genemoe and scanpy."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genemoe.data.bundle import Bundle, atomic_file, dump_json, summarise
from genemoe.errors import input_error

if TYPE_CHECKING:
    import anndata

__all__ = ["bundle_to_anndata", "write_h5ad", "exported_normalisation"]

logger = logging.getLogger(__name__)


def _h5ad_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns AnnData can write: text-with-gaps as categoricals, other objects as str."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            vals = out[c].dropna()
            ok = vals.map(lambda v: isinstance(v, str)).all()
            out[c] = pd.Categorical(out[c] if ok else out[c].map(lambda v: v if pd.isna(v) else str(v)))
    return out


def bundle_to_anndata(bundle: Bundle) -> anndata.AnnData:
    """The bundle as AnnData: ``X`` ``(n_samples, n_genes)``, ``obs`` by sample_id, ``var`` by gene_id.

    ``uns["genemoe"]`` holds the record and summary as JSON strings.
    """
    import anndata

    obs = _h5ad_safe(bundle.obs).set_index("sample_id")
    obs.index = obs.index.astype(str)
    var = _h5ad_safe(bundle.var).set_index("gene_id")
    var.index = var.index.astype(str)
    summary = bundle.summary
    if not summary and {"cancer_type", "event"} <= set(bundle.obs.columns):
        summary = summarise(bundle.obs, bundle.var, bundle.record)
    uns = {"genemoe": {"record": dump_json(bundle.record), "summary": dump_json(summary or {})}}
    return anndata.AnnData(X=np.asarray(bundle.X, dtype=np.float32), obs=obs, var=var, uns=uns)


def write_h5ad(bundle: Bundle, path: Path | str) -> Path:
    """Write ``bundle`` as ``.h5ad`` atomically (temporary sibling file, then rename)."""
    path = Path(path)
    if path.suffix.lower() != ".h5ad":  # an .h5ad was written under any name (b.csv)
        raise input_error(f"{path.name}: genemoe export writes AnnData (.h5ad) only",
                          where="--out", fix=f"name it e.g. {path.stem or 'cohort'}.h5ad")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # as train and predict say it (was replaced silently)
        logger.warning("%s exists: replacing it", path)
    adata = bundle_to_anndata(bundle)
    with atomic_file(path, suffix=".h5ad") as tmp:
        adata.write_h5ad(tmp)
    logger.info("wrote %s: %d samples x %d genes", path, bundle.n_samples, bundle.n_genes)
    return path


def exported_normalisation(uns: Any) -> str | None:
    """The bundle normalisation a ``genemoe export`` recorded in ``uns["genemoe"]`` (read
    back by :func:`genemoe.data.read.read_expression`), or None: another file, or a bundle of
    several normalisations."""
    try:
        record = json.loads(uns["genemoe"]["record"])
    except (KeyError, TypeError, ValueError):
        return None
    method = record.get("normalisation") if isinstance(record, dict) else None
    return method if isinstance(method, str) else None
