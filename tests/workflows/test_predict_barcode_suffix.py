"""predict on barcodes with an AnnData uniqueness suffix (``...-A29S-07-1``, probeI): the
model's own training and validation samples were "new", and the headline accuracy over the
samples "not the model's own" counted them (leaked, optimistic)."""

from __future__ import annotations

import json

import pandas as pd

from genemoe.workflows.predict import predict_file


def test_the_models_own_samples_are_found_through_a_uniqueness_suffix(labelled_logreg_run,
                                                                       tmp_path):
    d, f, _ = labelled_logreg_run(n_samples=120, n_genes=60, seed=5)
    counts = pd.read_csv(f["counts"], sep="\t", index_col=0)
    counts.columns = [f"{c}-1" for c in counts.columns]
    path = tmp_path / "suffixed.tsv"
    counts.to_csv(path, sep="\t")
    out = tmp_path / "p.csv"
    said = " ".join(predict_file(d / "run", path, out_path=out, labels_path=f["labels"]).split())
    split = pd.read_csv(out)["model_split"]
    assert split.isin(["train", "val", "test"]).all()  # every one was "new"
    record = json.loads((tmp_path / "p.record.json").read_text())
    words = json.dumps(record["warnings"])
    n = len(counts.columns)
    assert f"{n} sample id(s) are TCGA barcodes with a uniqueness suffix" in words
    assert "samples not the model's own (its test split" in said and "new 0)" in said
    assert f"{n} of them are the model's own samples or patients" in words
