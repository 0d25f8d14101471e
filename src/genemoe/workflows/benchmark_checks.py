"""What :func:`~genemoe.workflows.benchmark.run_benchmark` refuses before its ``--out``
folder is touched, as functions a caller running several benchmarks calls first too.

``genemoe ablation`` runs a benchmark per arm into its own ``--out``: a rerun of other
options removed the earlier ablation's tables and page, then the first benchmark refused
``--device cuda`` on a CPU-only machine (or a model option the preset lacks, ``--epochs
0``): the user's earlier results were gone for a typo. It now calls these before it
removes or writes anything.

- :func:`check_benchmark_options`: the options (numbers, models, device, the preset's
  model and training options, weights files) — no bundle needed;
- :func:`check_benchmark_folds`: what needs the bundle's folds (the inner folds of
  ``--tune-cv``; a ``--pretrained`` run's model, normalisation and samples).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from genemoe.config_presets import check_preset_serves
from genemoe.data.args import folder_of
from genemoe.data.bundle import Bundle
from genemoe.errors import input_error
from genemoe.models.backbones import check_weights
from genemoe.models.registry import check_model_options, get_spec
from genemoe.train.distributed import resolve_device
from genemoe.train.ensemble import check_ensemble_members, check_ensemble_size
from genemoe.train.finetune import check_pretrained_start
from genemoe.train.fit import resolve_config
from genemoe.workflows.benchmark_pretrained import FoldPretrained
from genemoe.workflows.common import check_models, check_numbers, check_whole_numbers, patient_ids
from genemoe.workflows.folds import FoldPlan, check_inner_plans

__all__ = ["BENCHMARK_N_BOOT", "check_benchmark_folds", "check_benchmark_options"]

BENCHMARK_N_BOOT = 1000
""":func:`~genemoe.workflows.benchmark.run_benchmark`'s ``n_boot`` when none is given."""

log = logging.getLogger("genemoe.workflows.benchmark")  # said once per ablation, as its others

Configs = dict[str, tuple[dict, dict, dict]]  # model -> resolve_config's (whole, model, train)


def _check_counts(*, n_folds: int, n_repeats: int, n_boot: int, tune: int,
                  tune_cv: int) -> None:
    """Refuse folds, repeats, resamples, trials or inner folds out of range (whole numbers)."""
    if n_folds < 2:  # was refused by the folds' split, after the bundle was read
        raise input_error(f"must be at least 2, got {n_folds}", where="--folds",
                          fix="pass --folds 2 or more (3 is benchmark's and ablation's default)")
    if n_repeats < 1:
        raise input_error(f"must be at least 1, got {n_repeats}", where="--repeats",
                          fix="pass --repeats 1 (one K-fold split) or more")
    if n_boot < 1:
        raise input_error(f"must be at least 1 resample, got {n_boot}", where="n_boot",
                          fix="pass e.g. n_boot=1000 (the C-index intervals' bootstrap)")
    if tune < 0:
        raise input_error(f"must be 0 or more trials, got {tune}", where="--tune",
                          fix="pass e.g. --tune 10 (0: no tuning)")
    if tune_cv < 1:  # "needs --tune N" was said beside a --tune 2 given
        raise input_error(f"must be 1 (off) or 2 or more inner folds, got {tune_cv}",
                          where="--tune-cv", fix="pass --tune-cv 3, or drop --tune-cv")
    if tune_cv > 1 and not tune:
        raise input_error(f"--tune-cv {tune_cv} needs --tune N (the trials it scores)",
                          where="--tune-cv", fix="pass --tune N with --tune-cv 3, or drop --tune-cv")


def check_benchmark_options(task: str, models: Sequence[str], *, n_folds: Any, n_repeats: Any,
                            n_boot: Any, val_fraction: Any, tune: Any = 0, tune_cv: Any = 1,
                            ensemble: Any = 1, ensemble_members: str = "auto",
                            pretrained: Any = None, device: str = "auto",
                            preset: str = "small", seed: int = 0, epochs: int | None = None,
                            n_boot_default: int | None = BENCHMARK_N_BOOT
                            ) -> tuple[list[str], Configs]:
    """Refuse, before any file is read or written, a benchmark option it cannot run.

    Parameters
    ----------
    task, models
        ``"classify"`` or ``"survival"``, and the registered models to benchmark.
    n_folds, n_repeats, n_boot, val_fraction, tune, tune_cv, ensemble, ensemble_members
        :func:`~genemoe.workflows.benchmark.run_benchmark`'s options of the same names.
    pretrained
        Anything but None: a pre-trained start (only neural models take one).
    device, preset, seed, epochs
        The models' options: the device must exist here (``cuda`` on a CPU-only machine is
        refused now), each model's options and training values must be valid, its weights
        files readable (ImageNet's offline: cached).
    n_boot_default
        The caller's default ``n_boot``: another one given for ``classify`` (which has no
        C-index intervals to resample) is warned ignored. None: not said here (the caller
        says it in its own words).

    Returns
    -------
    list of str, dict
        The models (checked) and each one's resolved configuration
        (:func:`~genemoe.train.fit.resolve_config`'s three dicts).

    Raises
    ------
    InputError
        The first option refused, named with its fix.
    """
    if task not in ("classify", "survival"):
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    models = check_models(list(models), task)  # "logreg" is one
    check_whole_numbers((n_folds, "--folds"), (n_repeats, "--repeats"), (n_boot, "n_boot"),
                        (tune, "--tune"), (tune_cv, "--tune-cv"), (ensemble, "--ensemble"),
                        (seed, "seed"))  # seed="0": was told the YAML's "seed: 0"
    check_numbers((val_fraction, "val_fraction"))  # "0.2": a TypeError inside the folds
    check_ensemble_size(ensemble)
    check_ensemble_members(ensemble_members, ensemble)
    _check_counts(n_folds=n_folds, n_repeats=n_repeats, n_boot=n_boot, tune=tune, tune_cv=tune_cv)
    if task == "classify" and n_boot_default is not None and n_boot != n_boot_default:
        log.warning("n_boot=%d is ignored: it sets the bootstrap of the survival C-index "
                    "intervals, and classification has none", n_boot)  # was ignored unsaid
    if tune:  # every model must have a search space (one registered without: say so now)
        from genemoe.models.search_spaces import search_space

        for m in models:
            search_space(m, task)
    if pretrained is not None and any(get_spec(m).kind != "torch" for m in models):
        raise input_error("--pretrained starts neural Gene-MOE models only", where="--models",
                          fix="benchmark the classical models in a run without --pretrained")
    resolve_device(device)  # refused now, not in the first neural cell
    check_preset_serves(preset, models, "benchmark")  # a best.yaml for one of them only
    configs = {m: resolve_config(preset, None, m, seed=seed, device=device, epochs=epochs,
                                 task=task) for m in models}
    for m, (_, model_cfg, _) in configs.items():  # a bad option or value (--epochs 0) refused
        check_model_options(m, model_cfg)  # now, not in the first cell
        check_weights(m, model_cfg.get("weights"), preset=preset)  # ImageNet offline: was in
        #   its first cell, after the other models' cells ran
    return models, configs


def check_benchmark_folds(bundle: Bundle, plans: list[FoldPlan], task: str,
                          models: Sequence[str], *, pretrained: Any = None, tune_cv: int = 1,
                          seed: int = 0) -> Path | FoldPretrained | None:
    """Refuse what the benchmark's folds (:func:`~genemoe.workflows.folds.plan_folds`)
    cannot serve: inner folds of ``tune_cv`` > 1 too small, a ``pretrained`` run that cannot
    start ``models``, pre-trained on another normalisation or on a sample or patient of a
    test part.

    Returns
    -------
    Path, FoldPretrained or None
        ``pretrained`` as a folder (a result object too), a :class:`FoldPretrained` as given
        (its runs are made per fold, later), or None.
    """
    if tune_cv > 1:  # every refusal before --out is touched: a refused rerun removed outputs
        check_inner_plans(bundle, plans, task, n_folds=tune_cv, seed=seed)
    if pretrained is None or isinstance(pretrained, FoldPretrained):
        return pretrained
    pretrained = folder_of(pretrained, "pretrained")  # a result object too (was TypeError)
    check_pretrained_start(pretrained, list(models), [
        (f"repeat {p.repeat}, fold {p.fold}", bundle.sample_ids[p.test].astype(str).tolist(),
         patient_ids(bundle, p.test)) for p in plans],
        normalisation=bundle.record.get("normalisation"))
    return pretrained
