"""Two FPKM-UQ forms on the real GDC counts: genemoe's (from counts) and the GDC's STAR files'.

genemoe's ``fpkm_uq`` normalisation of counts is the GDC's documented formula of its HTSeq
era, C x 1e9 / (UQ x L), UQ the 75th percentile of the sample's counts over the genes with at
least one read (the scale of the retired Xena ``htseq_fpkm-uq`` files the Gene-MOE paper
used). The GDC's STAR files, and so Xena's ``star_fpkm-uq``, divide also by G:
C x 1e9 / (U x G x L), U the 75th percentile over *autosomal protein-coding* genes with a read
and G their number (NCI-GDC/gdc-rnaseq-tool, ``augment_star_counts.calc_fpkm_uq``).

For each of the six cohorts this prints the per-sample offset log2(U x G / UQ) between the
two forms, and each form's distance (1-Wasserstein, log2 units, genemoe's
``distribution_shift``) to the mean sorted profile of ACC and UVM in the same form, the
reference ``genemoe predict`` compares inputs with.

    python benchmarks/fpkm_uq_forms.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from genemoe.data.crossscale import distribution_shift, reference_profile
from genemoe.data.normalise import normalise_values

TYPES = ("ACC", "UVM", "CHOL", "DLBC", "KICH", "UCS")


def star_fpkm_uq(counts: np.ndarray, lengths: np.ndarray, autosomal_coding: np.ndarray) -> np.ndarray:
    """log2(FPKM-UQ + 1) as the GDC's STAR files compute it, ``(n_samples, n_genes)``."""
    out = np.empty_like(counts, dtype=np.float64)
    for i, row in enumerate(counts):
        upper = np.quantile(row[autosomal_coding & (row > 0)], 0.75)
        out[i] = np.log2(row * 1e9 / (upper * autosomal_coding.sum() * lengths) + 1)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=None, help="JSON of the numbers")
    args = parser.parse_args(argv)
    ann = pd.read_csv(args.data / "annotation" / "ensembl105_genes.tsv.gz", sep="\t",
                      index_col="gene_id")
    counts = {t: pd.read_csv(args.data / "gdc_counts_6types" / f"TCGA_{t}_Counts.exp.gz",
                             sep="\t", index_col=0) for t in TYPES}
    genes = counts["ACC"].index[counts["ACC"].index.isin(ann.index[ann["length"].notna()])]
    lengths = ann.loc[genes, "length"].to_numpy(np.float64)
    coding = ((ann.loc[genes, "biotype"] == "protein_coding")
              & ~ann.loc[genes, "chrom"].astype(str).isin(["X", "Y", "MT"])).to_numpy()
    ours, star = {}, {}
    for t, c in counts.items():
        x = c.loc[genes].to_numpy(np.float64).T
        ours[t] = normalise_values(x, "fpkm_uq", lengths=lengths, value_kind="counts")[0]
        star[t] = star_fpkm_uq(x, lengths, coding)
    ref_ours = reference_profile(np.vstack([ours["ACC"], ours["UVM"]]))
    ref_star = reference_profile(np.vstack([star["ACC"], star["UVM"]]))
    rows = {}
    for t in TYPES:
        x = counts[t].loc[genes].to_numpy(np.float64).T
        nz = [np.percentile(r[r > 0], 75) for r in x]
        up = [np.quantile(r[coding & (r > 0)], 0.75) for r in x]
        offset = np.log2(np.asarray(up) * coding.sum() / np.asarray(nz))
        rows[t] = {"offset_median": float(np.median(offset)), "offset_min": float(offset.min()),
                   "offset_max": float(offset.max()),
                   "ours_to_ours": float(np.median(distribution_shift(ours[t], ref_ours))),
                   "star_to_star": float(np.median(distribution_shift(star[t], ref_star))),
                   "star_to_ours": float(np.median(distribution_shift(star[t], ref_ours)))}
        r = rows[t]
        print(f"{t:5s} offset {r['offset_median']:5.2f} ({r['offset_min']:.2f}-{r['offset_max']:.2f})"
              f" | median distance to ACC+UVM: genemoe form {r['ours_to_ours']:.2f}, STAR form "
              f"{r['star_to_star']:.2f}, STAR form to genemoe's {r['star_to_ours']:.2f}")
    print(f"G (autosomal protein-coding genes with a length) = {int(coding.sum()):,}")
    if args.out is not None:
        args.out.write_text(json.dumps({"G": int(coding.sum()), "cohorts": rows}, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main()
