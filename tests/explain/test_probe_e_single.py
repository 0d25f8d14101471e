"""An outside probe of a single ``genemoe explain`` on real data:

- ``--device bogus`` was taken without a word for a linear model (scored on the CPU);
- a run estimated at 30 s took 4 min: 73 of 74 samples were re-integrated at 200 steps,
  unsaid;
- plain ``--method ig`` on a Gene-MOE said "raise --max-steps", which cannot close a
  routing jump;
- a sample the survival run left out for having no survival time was called ``new``.
"""

from __future__ import annotations

import gzip
import logging

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files
from genemoe.errors import InputError
from genemoe.explain import ExplainResult, explain_run
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


def test_a_linear_model_checks_the_device_and_says_it_runs_on_the_cpu(tmp_path, caplog):
    b = prepare_synthetic(tmp_path, n_samples=60, n_genes=50, n_types=3, seed=2)[0]
    run = train_run(b.path, out_dir=tmp_path / "lr", model_name="logreg", progress=False).out_dir
    with pytest.raises(InputError, match="--device: unknown device 'bogus'"):
        explain_run(run, data=b.path, out_dir=tmp_path / "e", device="bogus", progress=False)
    with caplog.at_level(logging.INFO, logger="genemoe.explain"):
        res = explain_run(run, data=b.path, out_dir=tmp_path / "e", device="auto",
                          progress=False, max_maps=0)
    assert res.convergence["device"] == "cpu"
    assert "logreg is linear: its exact attributions are computed on the CPU" in caplog.text


def test_the_summary_says_how_many_samples_were_integrated_again():
    from genemoe.explain.summary_text import reintegrated_lines

    conv = {"n_steps": 50, "refine": {"tolerance": 0.01, "max_steps": 400,
                                      "samples_by_steps": {"50": 1, "200": 72, "400": 1},
                                      "n_samples_above_tolerance": 0}}
    assert reintegrated_lines(conv) == [
        "  re-integrated 73 of 74 samples off by more than 1% after 50 steps (72 at 200 steps, "
        "1 at 400)"]
    assert reintegrated_lines({"n_steps": 50, "refine": {"samples_by_steps": {"50": 4}}}) == []
    assert reintegrated_lines({"n_steps": None, "refine": None}) == []
    ranking = pd.DataFrame({"class": "A", "rank": [1], "gene_id": ["g1"], "symbol": ["G1"],
                            "mean_attribution": [0.1], "mean_abs_attribution": [0.1],
                            "n_samples": [74]})
    conv.update(method="ig", median_relative_delta=0.001, max_relative_delta=0.004,
                max_abs_delta=0.001)
    text = ExplainResult(".", 74, "classify", conv, ranking).describe()
    assert "re-integrated 73 of 74 samples" in text


def test_plain_ig_on_a_sparse_model_is_pointed_to_the_frozen_routing_first():
    from genemoe.explain.convergence import _convergence  # noqa: PLC2701 (the warning under test)

    attr, delta = np.ones((4, 3)), np.array([1.0, 1.0, 0.0, 0.0])  # two samples off by a third
    conv = _convergence(attr, delta, method="ig", routing="live", sparse=True,
                        refine={"tolerance": 0.01, "max_steps": 400},
                        payload={"model_name": "genemoe"})
    assert "more steps cannot close; use --method auto (train_ig) or frozen_ig first" in conv["warning"]
    assert "raise --max-steps" not in conv["warning"]


@pytest.fixture(scope="module")
def cox_without_some_outcomes(tmp_path_factory):
    """An ``fcn`` Cox run on a bundle whose first 12 patients have no OS time."""
    d = tmp_path_factory.mktemp("no_outcome")
    files = write_synthetic_files(make_synthetic_cohort(n_samples=90, n_genes=50, n_types=3,
                                                        seed=4), d / "in")
    clin = pd.read_csv(files["clinical"], sep="\t", dtype=str)
    gone = clin["bcr_patient_barcode"].head(12).tolist()
    clin.loc[clin.index[:12], ["OS", "OS.time"]] = ""
    with gzip.open(files["clinical"], "wt") as fh:
        clin.to_csv(fh, sep="\t", index=False)
    b = prepare_dataset([files["counts"]], out_path=d / "bundle", label_paths=[files["labels"]],
                        clinical_path=files["clinical"], annotation_path=files["annotation"],
                        config=PrepareConfig(synthetic=True))
    train_run(b.path, out_dir=d / "cox", task="survival", model_name="fcn", epochs=1,
              progress=False)
    return d, b, gone


def test_a_sample_without_survival_data_is_not_called_new(cox_without_some_outcomes, tmp_path):
    d, b, gone = cox_without_some_outcomes
    res = explain_run(d / "cox", data=b.path, out_dir=tmp_path / "e", split="all",
                      max_samples_per_class=None, n_steps=4, max_steps=4, progress=False,
                      max_maps=0)
    table = pd.read_csv(tmp_path / "e" / "samples.tsv", sep="\t", dtype={"sample_id": str})
    no_time = table["time"].isna()
    assert no_time.sum() >= 1 and (table.loc[no_time, "split"] == "no outcome").all()
    assert (table.loc[~no_time, "split"].isin(["train", "val", "test"])).all()
    assert "new" not in set(table["split"])
    assert "no outcome" in res.convergence["samples_tsv"]["split"]


def test_run_splits_keeps_new_for_samples_with_an_outcome(tmp_path):
    from genemoe.explain.run_split import run_splits

    payload = {"split_ids": {"train": ["A"], "val": ["B"], "test": []}}
    ids = np.array(["A", "B", "C", "D"])
    got = run_splits(payload, tmp_path, ids, no_outcome=np.array([False, True, True, False]))
    assert got.tolist() == ["train", "val", "no outcome", "new"]
