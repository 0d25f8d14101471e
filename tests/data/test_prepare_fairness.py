"""prepare without leaks: genes kept by a split-free rule, splits by patient, events in
validation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from data.fixtures_filter import bundle_with_fold_only_gene, write_log_inputs
from genemoe.data.bundle import load_bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset


def _inputs(tmp_path, samples, n_genes=12, seed=0, labels=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(5.0, 1.0, (len(samples), n_genes)).clip(0.1)
    labels = labels or [("BRCA", "LUAD", "KIRC")[i % 3] for i in range(len(samples))]
    genes = [f"G{j}" for j in range(n_genes)]
    return X, genes, labels


def test_bundle_keeps_a_gene_the_training_filter_drops(tmp_path):
    samples = [f"TCGA-AA-{i:04d}-01A" for i in range(60)]
    X, genes, labels = _inputs(tmp_path, samples)
    cfg = PrepareConfig(normalisation="none", seed=0)
    expr, lab = write_log_inputs(tmp_path / "in1", X, genes, samples, labels)
    split = prepare_dataset([expr], out_path=tmp_path / "b1", label_paths=[lab], config=cfg).obs["split"]
    X = np.column_stack([X, np.where(split.to_numpy() == "test", 9.0, 0.0)])  # test rows only
    X = np.column_stack([X, np.zeros(len(samples))])  # empty everywhere: dropped
    expr, lab = write_log_inputs(tmp_path / "in2", X, genes + ["TEST_ONLY", "EMPTY"], samples, labels)
    prepare_dataset([expr], out_path=tmp_path / "b2", label_paths=[lab], config=cfg)
    b = load_bundle(tmp_path / "b2")
    assert "TEST_ONLY" in b.gene_ids.tolist() and "EMPTY" not in b.gene_ids.tolist()
    col = b.gene_ids.tolist().index("TEST_ONLY")
    assert not b.gene_mask()[col] and b.gene_mask().sum() == len(genes)
    assert b.var["train_mean"].iloc[col] == 0.0  # training-split statistics for every gene
    s = json.loads((b.path / "summary.json").read_text())
    assert s["n_genes"] == len(genes) + 1 and s["n_genes_default_mask"] == len(genes)
    assert s["gene_rule"] == "non-zero in at least one sample of the bundle"
    rec = json.loads((b.path / "record.json").read_text())
    assert rec["genes"]["n_in_bundle"] == len(genes) + 1
    assert rec["genes"]["n_default_mask"] == len(genes)
    assert rec["dropped"]["genes"] == {"zero in every sample": 1}


def test_fold_only_gene_fixture(tmp_path):
    r = bundle_with_fold_only_gene(tmp_path)
    b = load_bundle(r.bundle.path)
    assert b.gene_ids[r.column] == r.gene_id
    assert not b.gene_mask()[r.column]  # fails on the bundle's training split ...
    assert b.gene_mask(r.fold)[r.column]  # ... passes on the fold's training part
    assert b.summary["n_genes_default_mask"] == b.n_genes - 1
    assert len(b.record["genes"]["n_fold_masks"]) == 3


def test_patient_samples_stay_on_one_side(tmp_path):
    # 40 patients with a primary tumour sample in two vials each, kept (one_per_patient off)
    samples = [f"TCGA-AA-{i:04d}-01{v}" for i in range(40) for v in "AB"]
    labels = [("BRCA", "LUAD")[(i // 2) % 2] for i in range(len(samples))]
    X, genes, _ = _inputs(tmp_path, samples)
    expr, lab = write_log_inputs(tmp_path / "in", X, genes, samples, labels)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[lab],
                        config=PrepareConfig(normalisation="none", one_per_patient=False, n_folds=3))
    assert b.n_samples == 80
    assert (b.obs.groupby("patient_id")["split"].nunique() == 1).all()
    assert (pd.Series(b.folds).groupby(b.obs["patient_id"]).nunique() == 1).all()
    assert set(b.obs["split"]) == {"train", "val", "test"}
    step = next(s for s in b.record["steps"] if s["step"] == "split")
    assert step["grouped_by"] == "patient_id" and step["n_patients"] == 40


def _clinical(path, samples, events):
    pd.DataFrame({"bcr_patient_barcode": [s[:12] for s in samples], "OS": events,
                  "OS.time": np.arange(len(samples)) * 10.0 + 5}).to_csv(path, sep="\t", index=False)
    return path


def test_survival_split_puts_events_in_validation_and_test(tmp_path):
    samples = [f"TCGA-AA-{i:04d}-01A" for i in range(120)]
    X, genes, labels = _inputs(tmp_path, samples, labels=["BRCA"] * 60 + ["LUAD"] * 60)
    events = (np.arange(120) % 6 == 0).astype(int)  # 20 events: 10 per type
    expr, lab = write_log_inputs(tmp_path / "in", X, genes, samples, labels)
    clin = _clinical(tmp_path / "clin.tsv", samples, events)
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[lab], clinical_path=clin,
                        config=PrepareConfig(normalisation="none", seed=0))
    n_ev = b.obs.groupby("split")["event"].sum()
    assert n_ev["val"] == 2 and n_ev["test"] == 4  # 10% and 20% of each type's 10 events
    assert b.record["warnings"] == [] and b.summary["warnings"] == []
    step = next(s for s in b.record["steps"] if s["step"] == "split")
    assert step["stratified_by"] == "cancer type and event"


def test_parts_without_events_are_recorded(tmp_path, caplog):
    samples = [f"TCGA-AA-{i:04d}-01A" for i in range(30)]
    X, genes, labels = _inputs(tmp_path, samples)
    events = np.zeros(30, dtype=int)
    events[0] = 1  # one event: it stays in training
    expr, lab = write_log_inputs(tmp_path / "in", X, genes, samples, labels)
    clin = _clinical(tmp_path / "clin.tsv", samples, events)
    with caplog.at_level("WARNING"):
        b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[lab], clinical_path=clin,
                            config=PrepareConfig(normalisation="none"))
    warnings = [w for w in b.record["warnings"] if "split" in w]  # every warning said is kept
    assert len(warnings) == 2 and "val split" in warnings[0] and "test split" in warnings[1]
    assert "no OS event" in warnings[0] and "no OS event" in caplog.text
    warnings = b.record["warnings"]
    assert json.loads((b.path / "summary.json").read_text())["warnings"] == warnings


def test_h5ad_patient_column_groups_the_split(tmp_path):
    anndata = pytest.importorskip("anndata")
    n = 60
    rng = np.random.default_rng(0)
    obs = pd.DataFrame({"cancer_type": [("BRCA", "LUAD")[(i // 2) % 2] for i in range(n)],
                        "donor_id": [f"D{i // 2}" for i in range(n)]},  # two samples per donor
                       index=[f"cell{i}" for i in range(n)])
    var = pd.DataFrame(index=[f"G{j}" for j in range(10)])
    ad = anndata.AnnData(X=rng.normal(5, 1, (n, 10)).clip(0.1).astype(np.float32), obs=obs, var=var)
    ad.write_h5ad(tmp_path / "x.h5ad")
    b = prepare_dataset([tmp_path / "x.h5ad"], out_path=tmp_path / "b",
                        config=PrepareConfig(normalisation="none", n_folds=3,
                                             one_per_patient=False))  # both kept: the split
    #   groups them (by default one profile per patient is kept, as for TCGA barcodes)
    assert b.obs["patient_id"].tolist() == [f"D{i // 2}" for i in range(n)]
    assert (b.obs.groupby("patient_id")["split"].nunique() == 1).all()
    assert (pd.Series(b.folds).groupby(b.obs["patient_id"]).nunique() == 1).all()


def test_a_survival_bundle_without_events_is_recorded(tmp_path):
    samples = [f"TCGA-AA-{i:04d}-01A" for i in range(30)]
    X, genes, labels = _inputs(tmp_path, samples)
    expr, lab = write_log_inputs(tmp_path / "in", X, genes, samples, labels)
    clin = _clinical(tmp_path / "clin.tsv", samples, np.zeros(30, dtype=int))
    b = prepare_dataset([expr], out_path=tmp_path / "b", label_paths=[lab], clinical_path=clin,
                        config=PrepareConfig(normalisation="none"))
    assert ("the bundle has survival times but no OS event: no survival model can be fitted"
            in b.record["warnings"])
