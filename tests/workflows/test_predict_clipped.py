"""predict counts the values its model's scaler clips (beyond ±10 z of the training split),
per sample and in the record, and says it (an outside probe: a benchmark clipped 6,591 test
values unsaid; predict clipped a new cohort's as silently)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run
from synthetic_inputs import prepare_synthetic


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("clip")
    b, f, _ = prepare_synthetic(d, n_samples=120, n_genes=50, n_types=2, seed=4)
    train_run(b.path, out_dir=d / "run", model_name="logreg", progress=False)
    return d, f


def test_values_beyond_the_models_clip_are_counted_and_said(trained, tmp_path):
    d, f = trained
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0).iloc[:, :5]
    gene = counts.var(axis=1).idxmin()  # the steadiest gene, far off its scale in one sample
    counts.loc[gene, counts.columns[0]] = counts.loc[gene].max() * 1e3 + 1e5
    counts.to_csv(tmp_path / "x.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "x.tsv", out_path=tmp_path / "p.csv")
    record = json.loads((tmp_path / "p.record.json").read_text())
    clipped = record["scaled_clipped"]
    assert clipped["n_values"] >= 1 and clipped["max_abs"] > 10
    said = " ".join(str(text).split())
    n = clipped["n_values"]  # "1 value lies", not "1 values lie"
    assert f"{n:,} value{'s' * (n != 1)} (" in said and "beyond ±10 of the model's scale" in said
    assert "scaled_clipped" in {w["code"] for w in record["warnings"]}
    df = pd.read_csv(tmp_path / "p.csv")
    assert df["n_scaled_clipped"].iloc[0] >= 1 and df["n_scaled_clipped"].sum() == clipped["n_values"]


def test_nothing_is_said_when_nothing_is_clipped(trained, tmp_path):
    d, f = trained
    pd.read_csv(f["counts"], sep="\t", index_col=0).iloc[:, :5].to_csv(tmp_path / "x.tsv", sep="\t")
    text = predict_file(d / "run", tmp_path / "x.tsv", out_path=tmp_path / "p.csv")
    assert "beyond ±10" not in str(text)
    assert "n_scaled_clipped" not in pd.read_csv(tmp_path / "p.csv").columns


def test_a_small_share_reads_as_under_a_tenth_of_a_percent():
    """A probe: "50 values (0.0%)" where train and benchmark say "<0.1%"."""
    from genemoe.workflows.predict_text import clipped_notes

    (note,) = clipped_notes({"scaled_clipped": {"n_values": 50, "n_samples": 24, "n_genes": 33,
                                                "n_total": 24 * 19_000, "clip": 10.0,
                                                "max_abs": 16.7}})
    assert "50 values (<0.1%) of 24 samples" in note["text"]

