"""One way to make a prepared synthetic bundle from files in the real formats (tests only).

``prepare_synthetic(d, n_samples=..., n_genes=..., n_types=..., seed=..., clinical=True)``
writes the cohort's counts, labels, clinical table and annotation under ``d/in`` and
prepares ``d/bundle``; it returns the bundle, the written files and the cohort (whose
``programs()`` name the planted genes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from genemoe.data.bundle import Bundle
from genemoe.data.prepare import PrepareConfig, prepare_dataset
from genemoe.data.synthetic import SyntheticCohort, make_synthetic_cohort, write_synthetic_files


def prepare_synthetic(d: Path, *, n_samples: int, n_genes: int, n_types: int, seed: int,
                      clinical: bool = True) -> tuple[Bundle, dict[str, Path], SyntheticCohort]:
    cohort = make_synthetic_cohort(n_samples=n_samples, n_genes=n_genes, n_types=n_types, seed=seed)
    files = write_synthetic_files(cohort, Path(d) / "in")
    bundle = prepare_dataset([files["counts"]], out_path=Path(d) / "bundle",
                             label_paths=[files["labels"]],
                             clinical_path=files["clinical"] if clinical else None,
                             annotation_path=files["annotation"], config=PrepareConfig(synthetic=True))
    return bundle, files, cohort


def prepare_renamed(d: Path, rename: Callable[[str], str], *, tcga: bool = False) -> Bundle:
    """A 60-tumour, 5-normal synthetic cohort (3 types, 50 genes) prepared from its counts
    with every sample column renamed by ``rename`` (a barcode as another tool writes it);
    ``tcga``: the ids made ``TCGA-`` first, in the label and clinical tables too (only
    TCGA/TARGET names are read with dots)."""
    import pandas as pd

    d = Path(d)
    cohort = make_synthetic_cohort(n_samples=60, n_genes=50, n_types=3, seed=3, include_normals=5)
    files = write_synthetic_files(cohort, d / "in")
    project = (lambda s: s.replace("SYNT-", "TCGA-", 1)) if tcga else (lambda s: s)
    if tcga:
        for key in ("labels", "clinical"):
            t = pd.read_csv(files[key], sep="\t", dtype=str)
            files[key] = d / "in" / f"tcga_{key}.tsv"
            t.apply(lambda col: col.str.replace("SYNT-", "TCGA-", regex=False)).to_csv(
                files[key], sep="\t", index=False)
    counts = pd.read_csv(files["counts"], sep="\t", index_col=0)
    counts.columns = [rename(project(c)) for c in counts.columns]
    counts.to_csv(path := d / "in" / "renamed_counts.tsv", sep="\t")
    return prepare_dataset([path], out_path=d / "bundle", label_paths=[files["labels"]],
                           clinical_path=files["clinical"], annotation_path=files["annotation"],
                           config=PrepareConfig(synthetic=True))
