"""Shared fixtures: the real data folder (skipped, saying why, where absent) and seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout: real TCGA cohorts, survival, annotation."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (tests on real TCGA files need it)")
    return SHARED_DATA


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """Tests use tiny tensors: one thread avoids OpenMP spin costs on 2 (shared) cores.

    Session-wide, so module-scoped fixtures that train models run on one thread too.
    """
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="session")
def synthetic_bundle(tmp_path_factory):
    """Factory: a small prepared bundle from the synthetic cohort (files in real formats).

    ``synthetic_bundle(seed=1, clinical=True, n_samples=150, n_genes=60, n_types=3)``;
    results are cached per argument set for the session.
    """
    from synthetic_inputs import prepare_synthetic

    cache: dict = {}

    def make(*, seed: int = 1, clinical: bool = True, n_samples: int = 150, n_genes: int = 60,
             n_types: int = 3):
        key = (seed, clinical, n_samples, n_genes, n_types)
        if key not in cache:
            d = tmp_path_factory.mktemp(f"synthetic_s{seed}")
            cache[key] = prepare_synthetic(d, n_samples=n_samples, n_genes=n_genes,
                                           n_types=n_types, seed=seed, clinical=clinical)[0]
        return cache[key]

    return make


@pytest.fixture(scope="session")
def os_and_pfi(tmp_path_factory):
    """An OS bundle, its coxnet tune's best.yaml, and a PFI bundle of the same files (the
    endpoint-mismatch tests of train and benchmark)."""
    from genemoe.data.prepare import prepare_dataset
    from genemoe.data.prepare_config import PrepareConfig
    from genemoe.workflows.tune import tune_run
    from synthetic_inputs import prepare_synthetic

    d = tmp_path_factory.mktemp("endpoints")
    os_bundle, files, _ = prepare_synthetic(d, n_samples=150, n_genes=60, n_types=3, seed=5)
    pfi = prepare_dataset([files["counts"]], out_path=d / "pfi", label_paths=[files["labels"]],
                          clinical_path=files["clinical"], annotation_path=files["annotation"],
                          config=PrepareConfig(synthetic=True, endpoint="PFI"))
    tune_run(os_bundle.path, out_dir=d / "tune", model_name="coxnet", task="survival",
             n_trials=1, progress=False)
    return os_bundle, pfi, d / "tune" / "best.yaml"


@pytest.fixture(scope="session")
def labelled_logreg_run(tmp_path_factory):
    """Factory: a logreg run on a small synthetic cohort, for predict --labels' tests:
    ``(folder, its input files, the label table)``, the run in ``folder / "run"``; cached
    per argument set (``labelled_logreg_run(n_samples=120, n_genes=60, seed=5)``)."""
    import pandas as pd

    from genemoe.workflows.train import train_run
    from synthetic_inputs import prepare_synthetic

    cache: dict = {}

    def make(*, n_samples: int = 120, n_genes: int = 60, seed: int = 5):
        key = (n_samples, n_genes, seed)
        if key not in cache:
            d = tmp_path_factory.mktemp(f"labelled_run_s{seed}")
            b, f, _ = prepare_synthetic(d, n_samples=n_samples, n_genes=n_genes, n_types=3,
                                        seed=seed, clinical=False)
            train_run(b.path, out_dir=d / "run", task="classify", model_name="logreg",
                      progress=False)
            cache[key] = d, f, pd.read_csv(f["labels"], sep="\t")
        return cache[key]

    return make



@pytest.fixture(scope="session")
def tiny_pretrained(synthetic_bundle, tmp_path_factory):
    """A 1-epoch Gene-MOE pre-training on ``synthetic_bundle(seed=5, clinical=False)`` with
    a tiny model: ``(bundle, config path, the run's folder)``; the config's ``train:`` keeps
    a fine-tune from it small too (the fine-tuning tests shared two copies of this)."""
    import yaml

    from genemoe.workflows.pretrain import pretrain_run
    from tiny_configs import TINY_GENEMOE

    bundle = synthetic_bundle(seed=5, clinical=False)
    cfg = tmp_path_factory.mktemp("tiny_pretrained_cfg") / "tiny.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"genemoe": TINY_GENEMOE},
        "pretrain": {"epochs": 1, "batch_size": 32, "n_critic": 1, "critic_widths": [8]},
        "train": {"batch_size": 32, "patience": None}}))
    run = pretrain_run([bundle.path], out_dir=tmp_path_factory.mktemp("tiny_pretrained") / "pre",
                       config_path=cfg, seed=0, device="cpu", progress=False)
    return bundle, cfg, run.out_dir


@pytest.fixture
def clean_logging():
    """Undo what the CLI's logging setup changes in this process (handler, levels, warnings):
    for tests that run the CLI in-process."""
    import logging
    import warnings

    from genemoe.cli_logging import TerminalHandler

    show, root = warnings.showwarning, logging.getLogger()
    levels = {n: logging.getLogger(n).level for n in ("", "genemoe", "genemoe.data.prepare")}
    yield
    for h in [h for h in root.handlers if isinstance(h, TerminalHandler)]:
        root.removeHandler(h)
    for n, lvl in levels.items():
        logging.getLogger(n).setLevel(lvl)
    warnings.showwarning = show


@pytest.fixture
def search_axes(monkeypatch) -> list:
    """The axes ``genemoe.report.tuning_plots`` draws search.png on, kept as they are made
    (the tune plot tests' capture, once written in two modules)."""
    import genemoe.report.tuning_plots as tuning_plots

    real, axes = tuning_plots.new_subplots, []

    def keep(*args, **kwargs):
        fig, ax = real(*args, **kwargs)
        axes.append(ax)
        return fig, ax

    monkeypatch.setattr(tuning_plots, "new_subplots", keep)
    return axes
