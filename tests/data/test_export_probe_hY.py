"""An export's own change to the survival is said again when the export is re-prepared.

Outside probe (hY, gdc ACC/UVM/CHOL joined with TCGA-CDR): ``genemoe export`` set
``dss_time`` missing for 3 samples whose DSS had a time and no event (said at the export,
and kept in the export's record under ``export``). Re-preparing the ``.h5ad`` gave a bundle
whose ``dss_time`` differed from the original bundle's for those 3 samples, while its
record's ``exported`` history dropped the ``export`` section and no warning said it: only
"before its export: dropped 4,370 genes".
"""

from __future__ import annotations

import numpy as np
import pytest

from genemoe.data.anndata_io import write_h5ad
from genemoe.data.bundle import Bundle, load_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files


@pytest.fixture(scope="module")
def dss_half_missing(tmp_path_factory) -> Bundle:
    """A synthetic bundle whose DSS has two samples with a time and no event."""
    d = tmp_path_factory.mktemp("export_hY")
    cohort = make_synthetic_cohort(n_samples=45, n_genes=50, n_types=3, seed=11)
    files = write_synthetic_files(cohort, d / "in")
    b = load_bundle(prepare_dataset(
        [files["counts"]], out_path=d / "bundle", label_paths=[files["labels"]],
        clinical_path=files["clinical"], annotation_path=files["annotation"],
        config=PrepareConfig(synthetic=True, min_variance=0, min_mean=0)).path)
    obs = b.obs.copy()
    obs["dss_time"], obs["dss_event"] = obs["time"], obs["event"].astype(float)
    obs.loc[obs.index[[0, 1]], "dss_event"] = np.nan
    return Bundle(X=np.asarray(b.X), obs=obs, var=b.var, record=b.record, path=b.path)


def test_a_reprepared_export_says_and_keeps_what_the_export_set_missing(
        dss_half_missing, tmp_path, caplog):
    write_h5ad(dss_half_missing, tmp_path / "d.h5ad")
    with caplog.at_level("WARNING", logger="genemoe"):
        again = prepare_dataset([tmp_path / "d.h5ad"], out_path=tmp_path / "again",
                                config=PrepareConfig(min_variance=0, min_mean=0))
    first = [str(dss_half_missing.obs["sample_id"].iloc[i]) for i in (0, 1)]
    obs = again.obs.set_index(again.obs["sample_id"].astype(str))
    assert obs.loc[first, "dss_time"].isna().all()  # the change itself, as the export made it
    history = again.record["inputs"][0]["exported"]
    assert history["export"]["endpoint_half_missing"] == {"dss": 2}
    said = ("at its export: DSS 2 samples with an endpoint's time or event alone, "
            "both set missing")
    for warnings in (again.record["warnings"], again.summary["warnings"],
                     [r.getMessage() for r in caplog.records]):
        assert any(w.startswith("d.h5ad, ") and w.endswith(said) for w in warnings), warnings
