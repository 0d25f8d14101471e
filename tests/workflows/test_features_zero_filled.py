"""`genemoe features` on a held-out cohort's bundle fills the run's genes that prepare
dropped as zero in every sample as ``explain`` does: zero on the bundle's scale, counted
and said in the same words; genes missing for another reason keep the training mean.

Old behaviour: every gene the bundle lacked was filled with the run's training mean (0 in
scaled space), also those its ``dropped_genes.tsv.gz`` lists as zero in every sample, whose
value is known (explain filled the same genes of the same bundle with 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from genemoe.data.prepare import prepare_dataset
from genemoe.data.prepare_config import PrepareConfig
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.explain.bundle_genes import LISTED, zero_filled_text
from genemoe.workflows.feature_run import load_run_model
from genemoe.workflows.features import analyse_features
from genemoe.workflows.train import train_run
from tiny_configs import TINY_GENEMOE

N_ZERO, N_ABSENT = 4, 2


@pytest.fixture(scope="module")
def zeroed(tmp_path_factory):
    """A latent (genemoe) train run on a cohort, and a bundle of the same samples with
    ``N_ZERO`` of the run's genes zero everywhere and ``N_ABSENT`` absent from the file."""
    d = tmp_path_factory.mktemp("features_zero")
    cohort = make_synthetic_cohort(n_samples=90, n_genes=60, n_types=2, seed=11)
    files = write_synthetic_files(cohort, d / "in")

    def prepare(name: str, *, zero: list[str] = (), drop: list[str] = ()):  # noqa: ANN202
        df = pd.DataFrame(cohort.counts.T, index=list(cohort.gene_ids),
                          columns=list(cohort.sample_ids))
        df.loc[list(zero)] = 0
        df.drop(index=list(drop)).to_csv(path := d / f"{name}.tsv.gz", sep="\t",
                                         compression="gzip")
        return prepare_dataset([path], out_path=d / name, label_paths=[files["labels"]],
                               clinical_path=files["clinical"],
                               annotation_path=files["annotation"],
                               config=PrepareConfig(synthetic=True))

    model = prepare("model")
    cfg = d / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE}}))
    run = train_run(model.path, out_dir=d / "run", model_name="genemoe", config_path=cfg,
                    epochs=1, device="cpu", progress=False)
    genes = [str(g) for g in model.gene_ids]
    zero, absent = genes[2 : 2 + N_ZERO], genes[10 : 10 + N_ABSENT]
    other = prepare("held", zero=zero, drop=absent)
    return {"run": run.out_dir, "bundle": other, "zero": zero, "absent": absent}


def test_genes_dropped_as_zero_are_filled_as_zero_and_said_as_explain_says_them(zeroed,
                                                                              tmp_path: Path):
    z = zeroed
    res = analyse_features(z["run"], data=z["bundle"].path, out_dir=tmp_path / "f",
                           split="unseen", n_features=3, max_samples=None)
    s = res.summary
    filled = s["zero_filled_genes"]
    assert filled["n"] == N_ZERO and filled["examples"] == z["zero"]
    assert filled["source"] == LISTED and filled["text"] == zero_filled_text(N_ZERO, LISTED)
    said = " ".join(res.describe().split())
    assert (f"{N_ZERO} of the model's genes were zero in every sample of this bundle (dropped "
            "at prepare): filled as zero") in said
    # genes missing otherwise: the training mean, counted and said as before
    assert s["n_genes_missing"] == N_ABSENT and s["genes_missing"] == z["absent"]
    assert "training mean" in s["missing_filled_with"]
    assert f"{N_ABSENT} of the run's {s['n_genes']} genes are not in this bundle: filled " \
           "with the training mean" in said


def test_the_values_fed_are_zero_on_the_bundles_scale_not_the_training_mean(zeroed):
    from genemoe.workflows.feature_inputs import read_inputs

    z = zeroed
    run = load_run_model(z["run"])
    bundle = z["bundle"]
    rows = bundle.indices(None)[:5]
    inputs = read_inputs(bundle, run, rows)
    cols = [run.gene_ids.index(g) for g in z["zero"]]
    absent = [run.gene_ids.index(g) for g in z["absent"]]
    zero_scaled = run.scaler.transform(np.zeros((1, len(run.gene_ids)), np.float32))[0]
    mean = run.scaler.mean_profile()
    assert np.allclose(inputs.x_scaled[:, cols], zero_scaled[cols])
    assert not np.allclose(zero_scaled[cols], mean[cols])  # the two fills differ here
    assert np.allclose(inputs.x_scaled[:, absent], mean[absent])
