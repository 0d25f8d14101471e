"""Real data: a GDC-counts model scoring the same cohorts given as log2(TPM + 1), with labels.

The outside probe's path on TCGA ACC and KICH (gdc_counts_6types): the model reads
log2(FPKM-UQ + 1) from counts; the file gives log2(TPM + 1) by Ensembl id (as Xena's
star_tpm), so predict aligns it by quantiles. With --labels the calibration is measured on
the samples scored (it only quoted the test split's ECE), and the unfamiliar-sample count
leaves out the model's validation samples, which set its threshold.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run

TYPES = ("ACC", "KICH")


def _log2_tpm(counts_dir, annotation, out_path):
    """The cohorts' counts as log2(TPM + 1) over the genes with a length, genes × samples."""
    ann = pd.read_csv(annotation, sep="\t").set_index("gene_id")["length"]
    frames = []
    for t in TYPES:
        with gzip.open(counts_dir / f"TCGA_{t}_Counts.exp.gz", "rt") as fh:
            frames.append(pd.read_csv(fh, sep="\t", index_col=0))
    c = pd.concat(frames, axis=1)
    length = ann.reindex(c.index).astype(float)
    c, length = c[length > 0], length[length > 0]
    rpk = c.div(length, axis=0)
    np.log2(rpk / rpk.sum() * 1e6 + 1).round(4).rename_axis("gene_id").to_csv(out_path, sep="\t")
    return out_path


@pytest.mark.slow
def test_log2_tpm_of_a_counts_model_is_scored_with_its_calibration(shared_data, tmp_path):
    g = shared_data / "gdc_counts_6types"
    annotation = shared_data / "annotation" / "ensembl105_genes.tsv.gz"
    labels = [g / f"TCGA_{t}_Target.txt.gz" for t in TYPES]
    b = prepare_dataset([g / f"TCGA_{t}_Counts.exp.gz" for t in TYPES], out_path=tmp_path / "b",
                        annotation_path=annotation, label_paths=labels,
                        config=PrepareConfig(protein_coding_only=True))
    train_run(b.path, out_dir=tmp_path / "run", task="classify", model_name="logreg",
              progress=False)
    tpm = _log2_tpm(g, annotation, tmp_path / "tpm.tsv")
    text = predict_file(tmp_path / "run", tpm, out_path=tmp_path / "p.tsv",
                        labels_path=labels)
    record = json.loads((tmp_path / "p.record.json").read_text())
    assert record["scale_rule"] == "quantile"
    s = record["scores"]
    assert s["n_scored"] > 0 and 0.0 <= s["ece"] <= 1.0
    assert "expected calibration error on them" in " ".join(text.split())
    p = pd.read_csv(tmp_path / "p.tsv", sep="\t")
    own = p["model_split"].isin(["train", "val"])
    assert record["n_scored_for_ood"] == int((~own).sum())
    assert record["n_unfamiliar"] == int((~p.loc[~own, "looks_like_training"].astype(bool)).sum())
