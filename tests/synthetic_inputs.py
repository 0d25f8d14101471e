"""One way to make a prepared synthetic bundle from files in the real formats (tests only).

``prepare_synthetic(d, n_samples=..., n_genes=..., n_types=..., seed=..., clinical=True)``
writes the cohort's counts, labels, clinical table and annotation under ``d/in`` and
prepares ``d/bundle``; it returns the bundle, the written files and the cohort (whose
``programs()`` name the planted genes).
"""

from __future__ import annotations

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
