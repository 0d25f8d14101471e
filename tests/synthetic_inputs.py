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


def tiny_pretrained(d: Path, *, n_samples: int, n_genes: int, seed: int
                    ) -> tuple[Bundle, Path, Path]:
    """A tiny Gene-MOE pre-training (one epoch, one-layer critic) on a 3-type synthetic
    bundle without survival: ``(bundle, run folder, config file)``."""
    import yaml

    from genemoe.workflows.pretrain import pretrain_run
    from tiny_configs import TINY_GENEMOE

    bundle, _, _ = prepare_synthetic(d, n_samples=n_samples, n_genes=n_genes, n_types=3,
                                     seed=seed, clinical=False)
    cfg = Path(d) / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]},
        "train": {"batch_size": 32, "patience": None}}))
    out = pretrain_run([bundle.path], out_dir=Path(d) / "run", config_path=cfg, seed=0,
                       device="cpu", progress=False)
    return bundle, out.out_dir, cfg


def tiny_genemoe_train_run(d: Path, *, seed: int) -> tuple[Bundle, Path]:
    """A one-epoch tiny Gene-MOE ``genemoe train`` run (TINY_GENEMOE) on a 120-sample,
    60-gene, 3-type synthetic bundle without survival: ``(bundle, run folder)`` (the
    features tests' fixture, set up alike in several modules)."""
    import yaml

    from genemoe.workflows.train import train_run
    from tiny_configs import TINY_GENEMOE

    bundle, _, _ = prepare_synthetic(d, n_samples=120, n_genes=60, n_types=3, seed=seed,
                                     clinical=False)
    cfg = Path(d) / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"genemoe": TINY_GENEMOE},
                                   "train": {"batch_size": 32, "patience": None}}))
    run = train_run(bundle.path, out_dir=Path(d) / "run", config_path=cfg, epochs=1,
                    device="cpu", progress=False)
    return bundle, run.out_dir


def tiny_moe_run(d: Path, *, task: str, seed: int) -> tuple[Path, Bundle]:
    """A one-epoch sparse ``moe`` run (``task``) on a 60-sample, 50-gene, 3-type synthetic
    bundle: ``(run folder, bundle)`` (the explanation probes' fixture, set up alike in two
    modules)."""
    from genemoe.workflows.train import train_run

    bundle = prepare_synthetic(d, n_samples=60, n_genes=50, n_types=3, seed=seed)[0]
    name = "cox" if task == "survival" else "moe"
    train_run(bundle.path, out_dir=Path(d) / name, task=task, model_name="moe", epochs=1,
              progress=False)
    return Path(d) / name, bundle


def three_class_parts(*, seed: int, n_train: int, n_val: int, n_genes: int) -> dict:
    """Train and validation ``TaskData`` of three classes apart on the first 3 of ``n_genes``
    (a classical model's grid and the tuning tests): ``{"train": ..., "val": ...}``."""
    import numpy as np

    from genemoe.train.task_data import TaskData

    rng = np.random.default_rng(seed)

    def part(n: int) -> TaskData:
        y = rng.integers(0, 3, n)
        X = rng.normal(size=(n, n_genes)).astype(np.float32)
        X[:, :3] += 1.5 * np.eye(3, dtype=np.float32)[y]
        return TaskData(X, np.arange(n), y, None, None, np.zeros(n, int))

    return {"train": part(n_train), "val": part(n_val)}


def small_counts_file(path: Path, barcodes: list[str], seed: int = 0) -> Path:
    """A small genes × samples counts file (40 Ensembl-like genes) of ``barcodes``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    genes = [f"ENSG{i:011d}" for i in range(40)]
    pd.DataFrame(rng.negative_binomial(3, 0.02, size=(40, len(barcodes))), index=genes,
                 columns=barcodes).rename_axis("gene_id").to_csv(path, sep="\t")
    return path


def small_demo_cohort(out_dir: Path, seed: int) -> tuple[Bundle, dict[str, Path]]:
    """The demo's synthetic cohort, small (120 tumours and 10 normals × 60 genes, 3 types):
    a stand-in for ``genemoe.workflows.demo._synthetic_bundle``."""
    cohort = make_synthetic_cohort(n_samples=120, n_genes=60, n_types=3, seed=seed,
                                   include_normals=10)
    files = write_synthetic_files(cohort, out_dir / "synthetic_input")
    return prepare_dataset([files["counts"]], out_path=out_dir / "synthetic_bundle",
                           label_paths=[files["labels"]], clinical_path=files["clinical"],
                           annotation_path=files["annotation"],
                           config=PrepareConfig(seed=seed, synthetic=True)), files
