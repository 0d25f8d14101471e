"""Probe EE D4: a genomic layout said on the terminal how many genes had no chromosome
position, but no record counted them (metrics.json's image record, the report, a benchmark
cell; config.yaml's ``layout_fitted_on`` said "gene positions (annotation)")."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from genemoe.models.registry import create_model

CHROM = np.array(["1", "2", None, "X", None, "1", "3", "2", "MT"], dtype=object)
START = np.array([5.0, 1, np.nan, 2, 3, 1, 7, 9, 4])


def test_the_count_reaches_the_image_record():
    from genemoe.models.backbones import fit_image_layout
    from genemoe.workflows.train_image import image_facts

    cfg = {"layout": "genomic"}
    lay = fit_image_layout("hybrid_cnn", 9, cfg, X_train=None, chrom=CHROM, start=START)
    net = create_model("hybrid_cnn", n_genes=9, n_outputs=2, task="classify",
                       layout_state=lay.to_state(), n_filters=2, hidden=4, **cfg)
    image = image_facts(net, "centred")["image"]
    assert image["layout"] == "genomic"
    assert image["genes_without_position"] == 2 and image["genes_by_position"] == 7
    assert image["without_position_placed"] == "after the positioned genes, in bundle order"


def test_config_yaml_wording_counts_the_genes_without_a_position():
    from genemoe.workflows.train_image import layout_fitted_on

    image = {"genes_by_position": 380, "genes_without_position": 18,
             "without_position_placed": "after the positioned genes, in bundle order"}
    assert layout_fitted_on("genomic", image) == (
        "gene positions (annotation): 380 genes placed by position, 18 without one (after "
        "the positioned genes, in bundle order)")
    assert layout_fitted_on("genomic", {"genes_by_position": 9, "genes_without_position": 0}) \
        == "gene positions (annotation)"
    assert layout_fitted_on("similarity", {}) == "training split"


def _bundle_with_unplaced_genes(d: Path, n_unplaced: int):
    """A synthetic bundle whose annotation lacks ``n_unplaced`` genes (no position; log2cpm
    keeps them, having no length)."""
    from genemoe.data.prepare import PrepareConfig, prepare_dataset
    from genemoe.data.synthetic import make_synthetic_cohort, write_synthetic_files

    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=2, seed=5)
    files = write_synthetic_files(cohort, d / "in")
    ann = pd.read_csv(files["annotation"], sep="\t")
    ann.iloc[n_unplaced:].to_csv(path := d / "in" / "ann.tsv", sep="\t", index=False)
    return prepare_dataset([files["counts"]], out_path=d / "bundle", label_paths=[files["labels"]],
                           annotation_path=path,
                           config=PrepareConfig(synthetic=True, normalisation="log2cpm"))


def test_a_genomic_run_records_its_genes_without_a_position(tmp_path):
    from genemoe.report.html import write_report
    from genemoe.workflows.train import train_run

    b = _bundle_with_unplaced_genes(tmp_path, 4)
    var = b.var.loc[b.gene_mask()]
    missing = int(var["chrom"].isna().sum())
    assert missing >= 1
    run = train_run(b.path, out_dir=tmp_path / "r", model_name="hybrid_cnn", epochs=1, seed=0,
                    progress=False, model_options={"layout": "genomic", "n_filters": 2, "hidden": 4})
    image = json.loads((run.out_dir / "metrics.json").read_text())["protocol"]["image"]
    assert image["genes_without_position"] == missing
    assert image["genes_by_position"] == len(var) - missing
    assert f"genes without position {missing}" in write_report(run.out_dir).read_text()
    saved = yaml.safe_load((run.out_dir / "config.yaml").read_text())["model_config"]
    assert f"{missing} without one" in saved["layout_fitted_on"]  # said "gene positions" alone
