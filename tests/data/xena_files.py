"""Small files in exactly the shapes the Xena GDC hub serves them (ucscXena/xena-GDC-ETL).

* ``TCGA-<P>.star_<values>.tsv.gz``: ``merge_sample_cols(..., index_name='Ensembl_ID')``
  then ``np.log2(x + 1)`` and ``to_csv(sep='\\t')``: header ``Ensembl_ID`` + 16-character
  sample barcodes, versioned GENCODE v36 ids, log2(x+1) values at full precision, the
  STAR ``N_*`` rows removed;
* ``TCGA-<P>.clinical.tsv.gz``: GDC case/sample fields with the hierarchy reversed
  (``project_id.project``, ``sample_type.samples``, ...), indexed by ``sample``;
* ``TCGA-<P>.survival.tsv.gz``: ``sample, OS, _PATIENT, OS.time`` (OS = 1 when dead);
* ``gencode.v36.annotation.gtf.gene.probemap``: ``id, gene, chrom, chromStart, chromEnd,
  strand``.

Counts are drawn from a seeded generator; every project has distinct expression means so
a classifier has something to learn, and one solid-normal sample (``-11A``) per project.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_NAMES = {"ACC": "Adrenocortical Carcinoma", "UVM": "Uveal Melanoma",
                 "KICH": "Kidney Chromophobe", "CHOL": "Cholangiocarcinoma"}
TSS = {"ACC": "OR", "UVM": "V4", "KICH": "KL", "CHOL": "W5"}


def gene_table(n_genes: int = 40, seed: int = 0) -> pd.DataFrame:
    """Probe-map rows: versioned Ensembl ids (one ``_PAR_Y``), symbols, positions."""
    rng = np.random.default_rng(seed)
    ids = [f"ENSG{100000 + 7 * i:011d}.{1 + i % 9}" for i in range(n_genes)]
    start = np.sort(rng.integers(10_000, 5_000_000, n_genes))
    span = rng.integers(1_000, 60_000, n_genes)
    return pd.DataFrame({"id": ids, "gene": [f"GENE{i}" for i in range(n_genes)],
                         "chrom": [f"chr{1 + i % 22}" for i in range(n_genes)],
                         "chromStart": start, "chromEnd": start + span,
                         "strand": np.where(np.arange(n_genes) % 2, "+", "-")})


def barcodes(project: str, n: int) -> list[str]:
    """16-character sample barcodes: ``n`` primary tumours (01A) and one normal (11A)."""
    tss = TSS.get(project, "A1")
    tumours = [f"TCGA-{tss}-{1000 + i:04d}-01A" for i in range(n)]
    return tumours + [f"TCGA-{tss}-{1000:04d}-11A"]


def raw_counts(project: str, genes: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Integer counts, genes × samples, with a project-specific mean profile."""
    rng = np.random.default_rng(seed)
    base = rng.gamma(1.0, 200.0, len(genes)) + 1
    shift = np.random.default_rng(sum(map(ord, project))).lognormal(0, 1.0, len(genes))
    cols = barcodes(project, n)
    lam = base[:, None] * shift[:, None] * rng.lognormal(0, 0.3, (len(genes), len(cols)))
    counts = rng.poisson(lam)
    counts[: max(1, len(genes) // 10)] = 0  # some genes unexpressed, as in real data
    return pd.DataFrame(counts, index=pd.Index(genes["id"], name="Ensembl_ID"), columns=cols)


def star_values(counts: pd.DataFrame, genes: pd.DataFrame, values: str) -> pd.DataFrame:
    """The STAR file's column for ``values`` (before the producer's log2(x+1))."""
    x = counts.to_numpy(dtype=np.float64)
    length = (genes["chromEnd"] - genes["chromStart"] + 1).to_numpy(np.float64)[:, None]
    if values == "star_counts":
        out = x
    elif values == "star_tpm":
        rate = x / (length / 1e3)
        out = rate / rate.sum(0, keepdims=True) * 1e6
    elif values == "star_fpkm":
        out = x * 1e9 / (x.sum(0, keepdims=True) * length)
    elif values == "star_fpkm-uq":
        uq = np.array([np.percentile(c[c > 0], 75) for c in x.T])
        out = x * 1e9 / (uq[None, :] * length)
    else:
        raise ValueError(values)
    return pd.DataFrame(out, index=counts.index, columns=counts.columns)


def _gz_tsv(df: pd.DataFrame, path: Path, **kw) -> Path:
    with gzip.open(path, "wt", newline="") as fh:
        df.to_csv(fh, sep="\t", **kw)
    return path


def clinical_table(project: str, samples: list[str]) -> pd.DataFrame:
    rows = []
    for s in samples:
        normal = s.endswith("-11A")
        rows.append({
            "sample": s, "id": f"case-{s[:12]}", "case_id": f"case-{s[:12]}",
            "disease_type": "Adenomas and Adenocarcinomas", "primary_site": "Adrenal gland",
            "submitter_id": s[:12], "age_at_index.demographic": 40 + len(rows),
            "gender.demographic": "female" if len(rows) % 2 else "male",
            "vital_status.demographic": "Dead" if len(rows) % 3 == 0 else "Alive",
            "days_to_death.demographic": 300 + 10 * len(rows) if len(rows) % 3 == 0 else "",
            "project_id.project": f"TCGA-{project}",
            "name.project": PROJECT_NAMES.get(project, project),
            "primary_diagnosis.diagnoses": "Adrenal cortical carcinoma",
            "sample_type.samples": "Solid Tissue Normal" if normal else "Primary Tumor",
            "sample_type_id.samples": 11 if normal else 1,
            "tissue_type.samples": "Normal" if normal else "Tumor",
        })
    return pd.DataFrame(rows).set_index("sample")


def survival_table(samples: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    patients = sorted({s[:12] for s in samples})
    event = dict(zip(patients, rng.integers(0, 2, len(patients)).tolist(), strict=True))
    time = dict(zip(patients, rng.integers(30, 4000, len(patients)).tolist(), strict=True))
    return pd.DataFrame({"sample": samples, "OS": [event[s[:12]] for s in samples],
                         "_PATIENT": [s[:12] for s in samples],
                         "OS.time": [time[s[:12]] for s in samples]}).set_index("sample")


def write_gdc_hub_files(out: Path, projects: list[str], *, n_samples: int = 12,
                        n_genes: int = 40, values: tuple[str, ...] = ("star_fpkm-uq",),
                        gzip_tables: bool = True) -> dict[str, Path]:
    """Write the hub's files for ``projects`` into ``out``; returns {file name: path}."""
    out.mkdir(parents=True, exist_ok=True)
    genes = gene_table(n_genes)
    files: dict[str, Path] = {}
    pm = out / "gencode.v36.annotation.gtf.gene.probemap"
    genes.to_csv(pm, sep="\t", index=False)
    files[pm.name] = pm
    for k, p in enumerate(projects):
        counts = raw_counts(p, genes, n_samples, seed=10 + k)
        for v in values:
            m = np.log2(star_values(counts, genes, v) + 1)
            files[f"TCGA-{p}.{v}.tsv.gz"] = _gz_tsv(m, out / f"TCGA-{p}.{v}.tsv.gz")
        samples = list(counts.columns)
        for name, table in ((f"TCGA-{p}.clinical.tsv", clinical_table(p, samples)),
                            (f"TCGA-{p}.survival.tsv", survival_table(samples, seed=20 + k))):
            if gzip_tables:
                files[name + ".gz"] = _gz_tsv(table, out / (name + ".gz"))
            else:
                table.to_csv(out / name, sep="\t")
                files[name] = out / name
    return files
