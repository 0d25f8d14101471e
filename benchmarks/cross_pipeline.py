"""Scoring other pipelines' profiles: accuracy per input form (issue 12, cross-pipeline predict).

Trains a classifier on the GDC count cohorts (``genemoe train`` on a bundle prepared from
raw counts: log2(FPKM-UQ + 1)), then scores the bundle's **test-split** tumours (never seen
in training or selection) given in other forms made from their counts and the gene
lengths: raw counts (the model's own pipeline), TPM, log2(TPM + 1), log2(FPKM-UQ + 1) as
Xena serves it, and RSEM-like values (TPM upper-quartile-normalised to 1,000, as TCGA's
``RSEM_genes_normalized``). ``genemoe predict --normalisation auto`` brings each onto the
model's scale; the accuracy per form is written as JSON.

    python benchmarks/cross_pipeline.py --data ../shared/data --bundle bundles/gdc6 \\
        --models logreg genemoe --work /tmp/xpipe --out cross_pipeline.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.bundle import load_bundle
from genemoe.workflows.predict import predict_file
from genemoe.workflows.train import train_run

TYPES = ("ACC", "CHOL", "DLBC", "KICH", "UCS", "UVM")


def _test_counts(shared: Path, sample_ids: set[str]) -> pd.DataFrame:
    frames = []
    for t in TYPES:
        c = pd.read_csv(shared / f"gdc_counts_6types/TCGA_{t}_Counts.exp.gz", sep="\t", index_col=0)
        frames.append(c[[s for s in c.columns if s in sample_ids]])
    return pd.concat(frames, axis=1)


def forms(counts: pd.DataFrame, lengths: pd.Series) -> dict[str, pd.DataFrame]:
    """The same tumours in five pipelines' shapes (genes × samples)."""
    ok = lengths.reindex(counts.index).notna()
    counts, length = counts[ok], lengths.reindex(counts.index)[ok]
    rate = counts.div(length / 1e3, axis=0)
    tpm = rate / rate.sum() * 1e6
    uq = counts[counts.sum(1) > 0].quantile(0.75)  # per-sample upper quartile of counts
    fpkm_uq = counts.div(length / 1e3, axis=0) * 1e6 / uq
    rsem = tpm / tpm[tpm.sum(1) > 0].quantile(0.75) * 1000
    return {"counts": counts, "tpm": tpm, "log2_tpm": np.log2(tpm + 1),
            "log2_fpkm_uq": np.log2(fpkm_uq + 1), "rsem_like": rsem}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--bundle", type=Path, required=True)
    ap.add_argument("--models", nargs="+", default=["logreg"])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    b = load_bundle(args.bundle)
    test = b.obs.loc[b.obs["split"] == "test", ["sample_id", "cancer_type"]]
    truth = dict(zip(test["sample_id"], test["cancer_type"], strict=True))
    counts = _test_counts(args.data, set(truth))
    ann = pd.read_csv(args.data / "annotation/ensembl105_genes.tsv.gz", sep="\t")
    lengths = ann.set_index("gene_id")["length"]
    args.work.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, frame in forms(counts, lengths).items():
        files[name] = args.work / f"{name}.tsv.gz"
        frame.to_csv(files[name], sep="\t")
    result = {"bundle": str(args.bundle), "n_test": len(truth), "models": {}}
    for model in args.models:
        run = args.work / f"run_{model}"
        train_run(args.bundle, out_dir=run, model_name=model, progress=False, device="cpu")
        per = {}
        for name, path in files.items():
            out = args.work / f"{model}_{name}.csv"
            predict_file(run, path, out_path=out)
            p = pd.read_csv(out)
            acc = float((p["predicted_type"] == p["sample_id"].map(truth)).mean())
            per[name] = {"accuracy": acc, "rule": str(p["scale_rule"].iloc[0]),
                         "median_input_shift": float(p["input_shift"].median())
                         if "input_shift" in p else 0.0}
            print(model, name, per[name], flush=True)
        result["models"][model] = per
    args.out.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
