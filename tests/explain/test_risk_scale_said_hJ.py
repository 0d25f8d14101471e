"""A survival explanation's ``risk`` column names its scale (probeJJ nit 10).

Old behaviour: samples.tsv put ``risk`` (predict's, scaled by the run's risk scale, x0.497)
beside ``output_change`` (the raw risk's: -3.36 against a risk of -1.35), and
convergence.json's ``samples_tsv`` described the other columns, not ``risk``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genemoe.explain import explain_run
from genemoe.train.model_file import load_model_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def cox(tmp_path_factory):
    """A Coxnet on a small synthetic bundle: ``(d, bundle, payload)``."""
    d = tmp_path_factory.mktemp("risk_scale")
    b, _, _ = prepare_synthetic(d, n_samples=160, n_genes=60, n_types=2, seed=3)
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="coxnet", progress=False)
    return d, b, load_model_file(d / "cox")


def test_a_survival_explanations_risk_column_names_its_scale(cox, tmp_path):
    d, b, payload = cox
    explain_run(d / "cox", data=b.path, out_dir=tmp_path / "e", progress=False, max_maps=0)
    conv = json.loads((tmp_path / "e" / "convergence.json").read_text())
    scale = payload["calibration"]["risk_scale"]
    assert scale != 1 and f"risk scale {scale:.3g}" in conv["samples_tsv"]["risk"]
    assert "output_change" in conv["samples_tsv"]["risk"]
    table = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t")
    raw = table["risk"] / scale  # divided by the scale, as the words say: f(x) - output_change
    np.testing.assert_allclose(raw - table["output_change"], (raw - table["output_change"])[0],
                               atol=1e-5)  # = f(reference), one number
