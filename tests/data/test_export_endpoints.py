"""An export sets an endpoint's time and event missing together.

An outside probe (gdc6): ``obs.loc['TCGA-KN-8430-01A-11R-2315-07']`` had ``os_event`` True
and ``os_time`` NaN, so ``os_event.sum()`` was 122 beside the bundle's 121 events (and 2 PFI,
5 DSS rows had a time but no event); the README says an event is missing where the sample
has no survival, as its time is.
"""

from __future__ import annotations

import json

import anndata
import numpy as np
import pandas as pd
import pytest

from genemoe.data.anndata_io import export_line, write_h5ad
from genemoe.data.bundle import Bundle, load_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files


@pytest.fixture(scope="module")
def half_missing(tmp_path_factory) -> Bundle:
    """A bundle whose OS has one event without a time and whose PFI has two times without
    an event."""
    d = tmp_path_factory.mktemp("export_ep")
    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3, seed=5)
    files = write_synthetic_files(cohort, d / "in")
    b = prepare_dataset([files["counts"]], out_path=d / "bundle", label_paths=[files["labels"]],
                        clinical_path=files["clinical"], annotation_path=files["annotation"],
                        config=PrepareConfig(synthetic=True))
    b = load_bundle(b.path)
    obs = b.obs.copy()
    obs["os_time"], obs["os_event"] = obs["time"], obs["event"].astype(float)
    obs["pfi_time"], obs["pfi_event"] = obs["time"], obs["event"].astype(float)
    obs.loc[obs.index[0], ["os_time", "os_event"]] = [np.nan, 1.0]
    obs.loc[obs.index[[1, 2]], "pfi_event"] = np.nan
    return Bundle(X=np.asarray(b.X), obs=obs, var=b.var, record=b.record, path=b.path)


def test_a_time_or_event_alone_is_set_missing_in_both_counted_and_said(half_missing, tmp_path):
    adata = anndata.read_h5ad(write_h5ad(half_missing, tmp_path / "d.h5ad"))
    obs = adata.obs
    for ep in ("os", "pfi"):  # never one without the other
        assert (obs[f"{ep}_time"].isna() == obs[f"{ep}_event"].isna()).all()
    first, second = (str(half_missing.obs["sample_id"].iloc[i]) for i in (0, 1))
    assert obs.loc[first, "os_event"] is pd.NA and np.isnan(obs.loc[first, "os_time"])
    assert np.isnan(obs.loc[second, "pfi_time"])
    kept = half_missing.obs["os_time"].notna()
    assert int(obs["os_event"].sum()) == int(half_missing.obs.loc[kept, "os_event"].sum())
    said = {"os": 1, "pfi": 2}
    assert json.loads(adata.uns["genemoe"]["record"])["export"]["endpoint_half_missing"] == said
    assert dict(adata.uns["genemoe"]["endpoint_half_missing"]) == said
    line = export_line(half_missing, "d.h5ad")
    assert line.splitlines()[1] == ("  os 1, pfi 2 samples: an endpoint's time or event alone, "
                                    "both set missing")


def test_an_export_without_half_missing_endpoints_says_nothing_more(half_missing, tmp_path):
    obs = half_missing.obs.copy()
    obs["os_time"], obs["os_event"] = obs["time"], obs["event"].astype(float)
    obs = obs.drop(columns=["pfi_time", "pfi_event"])
    whole = Bundle(X=np.asarray(half_missing.X), obs=obs, var=half_missing.var,
                   record=half_missing.record, path=half_missing.path)
    adata = anndata.read_h5ad(write_h5ad(whole, tmp_path / "d.h5ad"))
    assert "export" not in json.loads(adata.uns["genemoe"]["record"])
    assert "\n" not in export_line(whole, "d.h5ad")

