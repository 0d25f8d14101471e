"""The public fitting API: one model, one task, arrays in, outputs per part out.

:func:`fit_model` is what ``genemoe train``, ``genemoe benchmark`` and ``genemoe ablation``
all call (see :mod:`genemoe.workflows`): it builds the registered model, trains it on the
``train`` part with model selection on the ``val`` part (neural models: early stopping on
the validation metric; classical models: their hyper-parameter grid scored on validation),
and returns its outputs on every part it was given. It never reads files: the caller
passes scaled arrays (:class:`~genemoe.train.task_data.TaskData`).

Configuration comes from a preset and optional YAML through :func:`resolve_config`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genemoe.config_presets import (
    TRAIN_ALIASES,
    check_extends,
    deep_merge,
    merge_layers,
    model_config,
    preset_files,
    read_config_yaml,
    train_config,
    tuned_on_in_force,
    warn_preset_gaps,
)
from genemoe.errors import MEMORY_FIX, GenemoeError, InputError, input_error, nearest_names
from genemoe.models.registry import (
    check_model_options,
    create_model,
    get_spec,
    list_models,
    options_text,
)
from genemoe.train import calibration
from genemoe.train.config_origin import Origin, naming_origin
from genemoe.train.distributed import get_dist_info, is_device_name
from genemoe.train.losses import LossOutput, class_alpha, cox_ph_loss, focal_loss
from genemoe.train.memory import activation_bytes, available_memory, training_memory_bytes
from genemoe.train.recipe_check import check_run_arguments, check_train_values
from genemoe.train.risk_scale import fit_risk_scale
from genemoe.train.rng import keeps_global_rng
from genemoe.train.selection import NamedMetric, selection_metric
from genemoe.train.task_data import Task, TaskData

__all__ = ["FitResult", "NamedMetric", "TrainingWontFit", "check_train_options",
           "check_training_memory", "fit_model", "calibrate_outputs", "calibrate_risks",
           "resolve_config", "selection_metric", "train_options_read",
           "layer_origins", "softmax", "LOSS_KEYS", "LOSS_DEFAULTS"]

log = logging.getLogger(__name__)

# options of the task losses (read here), not of the trainer's TrainConfig
LOSS_KEYS = {"focal_gamma", "class_alpha", "cox_ties", "label_smoothing", "survival_selection"}
# ... and their values where the config leaves them out
LOSS_DEFAULTS = {"focal_gamma": 2.0, "class_alpha": "inverse_sqrt", "cox_ties": "efron",
                 "label_smoothing": 0.0, "survival_selection": "c_index"}
# ... and those each task's loss and selection read (:func:`_loss_fn`, :func:`selection_metric`)
TASK_LOSS_KEYS = {"classify": ("class_alpha", "focal_gamma", "label_smoothing"),
                  "survival": ("cox_ties", "survival_selection")}


@dataclass
class FitResult:
    """What :func:`fit_model` returns.

    ``outputs[part]``: calibrated class probabilities ``(n, n_classes)`` (classify) or risk
    ``(n,)`` (survival) for every part given (neural models trained under ``torchrun``:
    on rank 0 only; the other ranks get ``{}``, as only rank 0 evaluates); ``info``: what fitting chose (best epoch, the
    resolved training options, or a classical model's chosen hyper-parameters; classifiers:
    ``calibration``, see :func:`calibrate_outputs`);
    ``history``: one dict per epoch (neural models; empty for classical ones).
    """

    model: Any
    outputs: dict[str, np.ndarray]
    info: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)


def resolve_config(preset: str, config_path: Path | None, model_name: str, *,
                   seed: int, device: str, epochs: int | None,
                   task: Task | None = None) -> tuple[dict, dict, dict]:
    """Preset + YAML → (whole config, the model's options, the training options for ``task``).

    Layers, later wins: the preset, the preset the YAML ``extends:`` (if any, resolved as
    :func:`~genemoe.config_presets.load_preset` does), then the YAML's own keys. Training
    options are merged layer by layer, each layer's ``train:``, ``train_<task>:`` and
    ``train_<task>_models: {model_name: ...}`` in that order (a YAML ``train: {lr: ...}``
    is what the user asked for, so a preset's per-task or per-model section must not
    override it). An ``extends:`` in the YAML was silently ignored before. A run's own
    ``config.yaml`` gives its model and training options
    (:func:`~genemoe.config_presets.run_config_overrides`).
    """
    check_run_arguments(seed, epochs)  # seed="0": was told a YAML fix, "write it without quotes"
    merged, origins, told = _read_preset(preset)  # origins: which file set a value (an error
    layers = [merged]  # names it); told: each file's tuned_on, told against the run's values
    warn_preset_gaps(str(preset), model_name, task,  # a partial preset file: code defaults
                     neural=model_name in list_models() and get_spec(model_name).kind == "torch")
    _check_tuned_for(layers[0], model_name, task, Path(str(preset)), infer=False)  # a best.yaml
    parent = None  # the preset a --config extends:, recorded in the whole config
    if config_path is not None:
        user = read_config_yaml(config_path)
        if (run_task := user.pop("run_task", None)) not in (None, task) and task is not None:
            raise input_error(f"a {run_task} run's config.yaml given for --task {task} (its "
                              f"training options were the {run_task} recipe)", path=config_path,
                              fix=f"pass --task {run_task}, or a --config made for {task}")
        if (run_model := user.pop("run_model", None)) not in (None, model_name):
            raise input_error(f"a run's config.yaml, of model {run_model}, given for --model "
                              f"{model_name}", path=config_path,
                              fix=f"pass --model {run_model} to train with that run's options")
        _check_tuned_for(user, model_name, task, config_path)
        unknown = sorted(set(user.get("model") or {}) - set(list_models()), key=str)
        if unknown:  # a misspelt model name's options were silently unused
            raise input_error(f"model: no registered model named {', '.join(map(str, unknown))}",
                              path=config_path, fix=f"use one of: {', '.join(list_models())}")
        for name, options in (user.get("model") or {}).items():  # a misspelt option: the file
            try:  # was named nowhere ("model.genemoe: model 'genemoe' has no option n_expert")
                check_model_options(name, options or {})
            except InputError as exc:
                raise input_error(exc.problem or str(exc), path=config_path, where=exc.where,
                                  fix=exc.fix) from None
        if (others := sorted(map(str, set(user.get("model") or {}) - {model_name}))):
            log.warning("%s: options of %s not used by --model %s%s", config_path,
                        ", ".join(f"model.{m}" for m in others), model_name,
                        "" if model_name in (user.get("model") or {}) else " (it has none here)")
        if (parent := user.pop("extends", None)) is not None:
            relative = Path(str(parent))
            if not relative.is_absolute() and relative.suffix in {".yaml", ".yml"}:
                parent = Path(config_path).parent / relative
            check_extends(parent, config_path)  # before the warning below (was "--preset: ...")
            if str(parent) != str(preset):  # was applied over --preset unsaid, recorded as --preset
                log.warning("%s extends %s: its values override --preset %s's", config_path,
                            parent, preset)
            merged, more_origins, more_told = _read_preset(parent)
            layers.append(merged)
            origins += more_origins
            told += more_told
            _check_tuned_for(layers[-1], model_name, task, Path(str(parent)), infer=False)
        layers.append(user)
        told.append((Path(config_path).name, user))
        origins.append((config_path, user))
    cfg: dict = {} if parent is None else {"extends": str(parent)}
    train_cfg: dict = {}
    for layer in layers:
        cfg = deep_merge(cfg, layer)
        train_cfg = deep_merge(train_cfg, train_config(layer, task, model_name))
    for alias in set(TRAIN_ALIASES) & set(train_cfg):  # balance_weight: the trainer's aux_weight
        train_cfg.setdefault(TRAIN_ALIASES[alias], train_cfg.pop(alias))
    if not is_device_name(str(device)):  # was named a value of the config's train:
        raise input_error(f"unknown device {device!r}", where="--device",
                          fix="use auto (CUDA when available), cpu, cuda or cuda:N")
    train_cfg.update(seed=seed, device=device)
    if epochs is not None:
        train_cfg["epochs"] = epochs
    if cfg.get("tuned_on"):  # entries of values a later layer replaced no longer describe the run
        read = train_options_read(model_name, task, train_cfg) if model_name in list_models() else {}
        cfg["tuned_on"] = tuned_on_in_force(
            [*told, ("--epochs", {} if epochs is None else {"train": {"epochs": epochs}})],
            {"model": model_config(cfg, model_name)} | ({"train": read} if read else {}),
            model_name, task)
    for origin, data in origins:  # a benchmark's --preset file was named nowhere
        check_train_options({k: v for k, v in train_config(data, task, model_name).items()
                             if k not in TRAIN_ALIASES}, origin)
    arguments = {"seed": "the seed argument (--seed)", "device": "the device argument (--device)"
                 } | ({} if epochs is None else {"epochs": "the epochs argument (--epochs)"})
    with naming_origin(origins, task, model_name, arguments):  # the file (or argument) that set
        check_train_values(train_cfg)  # the key (class_alpha was refused in cell 1's loss)
        _train_config(train_cfg, False)  # values too (epochs 0 ...), before a workflow writes
        if model_name in list_models():  # k above n_experts was refused in the model's gate
            check_model_options(model_name, model_config(cfg, model_name))
    return cfg, model_config(cfg, model_name), train_cfg


def layer_origins(preset: str | Path) -> list[Origin]:
    """The layers of ``preset`` (a packaged name or a file, with what it extends), each
    with the file that wrote it: a packaged preset as ``"preset small"``."""
    return _read_preset(preset)[1]


def _read_preset(preset: str | Path
                 ) -> tuple[dict[str, Any], list[Origin], list[tuple[str, dict[str, Any]]]]:
    """``preset``'s files (it and the chain it extends), read once.

    Returns
    -------
    tuple
        The configuration they make (as :func:`~genemoe.config_presets.load_preset`), each
        layer with the file that wrote it (:func:`layer_origins`) and with its name
        (:func:`~genemoe.config_presets.preset_layers`).
    """
    files = preset_files(preset)
    origins: list[Origin] = [(name if name.startswith("preset ") else path, data)
                             for name, path, data in files]
    return (merge_layers(data for _, _, data in files), origins,
            [(name, data) for name, _, data in files])


def train_options_read(model_name: str, task: Task | None, train_cfg: dict) -> dict:
    """The ``train:`` options ``model_name`` reads: all of them for a torch model; a
    classical survival model only its validation choice's (``survival_selection``,
    ``cox_ties``: Coxnet and CoxPH choose their grid point by them); a classifier none."""
    if get_spec(model_name).kind == "torch":
        return train_cfg
    if task == "survival":
        return {k: train_cfg[k] for k in ("survival_selection", "cox_ties") if k in train_cfg}
    return {}


def _check_tuned_for(user: dict, model_name: str, task: Task | None, path: Path, *,
                     infer: bool = True) -> None:
    """Refuse a tune ``best.yaml`` given for another ``--model`` or ``--task``: its training
    options were chosen for that model and task. ``tuned_for: {model, task}`` names them
    (best.yaml since 2026-12-03; older ones, with ``infer``: one model section beside
    ``tuned_on``). Checked for ``--config``, ``--preset`` and what either ``extends:``."""
    tuned_for = user.pop("tuned_for", None) or {}
    models = sorted(map(str, user.get("model") or {}))
    tuned_model = tuned_for.get("model") or (
        models[0] if infer and "tuned_on" in user and len(models) == 1 else None)
    if tuned_model is not None and tuned_model != model_name:
        raise input_error(f"options tuned for {tuned_model}, given for --model {model_name} "
                          f"(its training options too were chosen for {tuned_model})",
                          path=path, fix=f"pass --model {tuned_model}, or tune {model_name} "
                                         f"itself: genemoe tune --model {model_name} ...")
    tuned_task = tuned_for.get("task")
    if tuned_task is not None and task is not None and tuned_task != task:
        raise input_error(f"options tuned for --task {tuned_task}, given for --task {task} "
                          "(the training options and the model's were chosen on the other task)",
                          path=path, fix=f"pass --task {tuned_task}, or tune for {task}: "
                                         f"genemoe tune --task {task} ...")


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits ``(n, n_classes)``."""
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def _loss_fn(task: Task, train: TaskData, n_classes: int, train_cfg: dict):
    """The task loss as the trainer wants it: (ModelOutput, targets) -> LossOutput."""
    if task == "classify":
        counts = np.bincount(train.y, minlength=n_classes)
        cfg = {**LOSS_DEFAULTS, **train_cfg}
        alpha = torch.as_tensor(class_alpha(counts, method=cfg["class_alpha"]), dtype=torch.float32)
        gamma = float(cfg["focal_gamma"])
        smooth = float(cfg["label_smoothing"] or 0.0)

        def loss(output, y):
            y = torch.as_tensor(y, device=output.out.device)
            val = focal_loss(output.out.float(), y, gamma=gamma, alpha=alpha.to(output.out.device),
                             label_smoothing=smooth)
            return LossOutput(loss=val, components={"focal": val.detach()})

        return loss
    ties = train_cfg.get("cox_ties", LOSS_DEFAULTS["cox_ties"])

    def cox(output, target):
        dev = output.out.device
        t = torch.as_tensor(target["time"], device=dev, dtype=torch.float32)
        e = torch.as_tensor(target["event"], device=dev, dtype=torch.bool)
        val = cox_ph_loss(output.out.float().squeeze(-1), t, e, ties=ties)
        return LossOutput(loss=val, components={"cox": val.detach()})

    return cox


def fit_model(name: str, task: Task, data: dict[str, TaskData], *, model_cfg: dict,
              train_cfg: dict, n_outputs: int, work_dir: Path | None = None,
              progress: bool = False, transfer: dict | None = None,
              gene_variance: np.ndarray | None = None,
              on_epoch_end: Callable[[int, float], bool] | None = None,
              if_short_of_memory: str = "warn") -> FitResult:
    """Train ``name`` on ``data["train"]``, select on ``data["val"]``, score every part.

    Classifiers are then temperature-scaled on the validation part (one method for every
    model: :mod:`genemoe.train.calibration`); the probabilities returned are calibrated.

    Parameters
    ----------
    name, task
        A registered model (``genemoe models``) and ``"classify"`` or ``"survival"``.
    data
        ``{"train": TaskData, "val": TaskData, ...}``: scaled arrays; any further part
        (``"test"``) is only scored, once, by the selected model.
    model_cfg, train_cfg
        The model's options and the training options (:func:`resolve_config`); the
        training options carry ``seed`` and ``device``.
    n_outputs
        Number of classes (classify) or 1 (survival).
    work_dir
        Neural models: where the checkpoint (resume after an interruption) and the
        per-epoch ``history.jsonl`` go; None = no checkpoint.
    progress
        Progress bar over epochs.
    transfer
        ``--pretrained`` options (neural models with an encoder; see
        :mod:`genemoe.train.finetune`): ``pretrained``, ``freeze_encoder_epochs``,
        ``encoder_lr``, ``gene_ids``, ``test_sample_ids``, ``test_patient_ids``.
    gene_variance
        ``(n_genes,)`` variance of each gene's *unscaled* training log-expression:
        classical survival models choose their top-variance genes on it (the arrays in
        ``data`` are z-scored, where every gene's variance is 1).
    on_epoch_end
        Neural models: ``on_epoch_end(epoch, val_metric) -> bool`` after each epoch, True
        stops training (tuning prunes trials with it); ignored by classical models.
    if_short_of_memory
        Neural models on the CPU whose training needs more memory than is free:
        ``"warn"`` and train all the same, or ``"raise"`` :class:`TrainingWontFit` before
        training (tuning prunes such a trial). See :func:`check_training_memory`.

    Returns
    -------
    FitResult
    """
    if get_spec(name).kind == "torch":
        return _fit_torch(name, task, model_cfg, train_cfg, data, n_outputs, work_dir, progress,
                          transfer, on_epoch_end, if_short_of_memory)
    return _fit_classical(name, task, model_cfg, data, n_outputs, train_cfg, gene_variance)


def check_train_options(train_cfg: dict, path: Path | None = None) -> None:
    """Refuse option names no trainer knows, naming the nearest known one.

    Checked for every model when the config is resolved: a classical model ignores the
    neural trainer's options, but a misspelt one (``label_smothing``) was dropped without a
    word, and for a neural model it was refused only after ``train`` had replaced the
    previous run in ``--out``.
    """
    from genemoe.train.loop import TrainConfig

    known = {f.name for f in fields(TrainConfig)} | set(LOSS_KEYS)
    unknown = sorted(set(map(str, train_cfg)) - known)
    if not unknown:
        return
    raise input_error(f"unknown training option{'s' if len(unknown) > 1 else ''} "
                      f"{', '.join(unknown)}{nearest_names(unknown, known)}",
                      path=path, where=None if path else "train: section of the config",
                      fix=f"training options: {', '.join(sorted(known))}")


def _train_config(train_cfg: dict, progress: bool):
    from genemoe.train.loop import TrainConfig

    known = [f.name for f in fields(TrainConfig)]  # in field order: a set's order, hashed per
    #   process, wrote config.yaml's train_config in another order each run
    check_train_options(train_cfg)
    return TrainConfig(**{k: v for k, v in {**train_cfg, "progress": progress}.items() if k in known}), known


class TrainingWontFit(GenemoeError):
    """Training a model on the CPU needs more memory than is free (``fit_model(...,
    if_short_of_memory="raise")``; tuning prunes such a trial before it trains)."""

    def __init__(self, n_weights: int, n_genes: int, need: int, free: int, ema: bool,
                 activations: int = 0, batch: int = 0) -> None:
        self.n_weights, self.n_genes, self.need, self.free = n_weights, n_genes, need, free
        weights = f"{n_weights / 1e6:.0f}M" if n_weights >= 10**6 else f"{n_weights:,}"
        images = f", about {_size(activations)} of activations for a batch of {batch} images"
        super().__init__(
            f"a model of {weights} weights on {n_genes} genes needs at least {_size(need)} to "
            f"train (weights, gradients, Adam's moments, best state"
            f"{', EMA copy' if ema else ''}{images if activations else ''}); {_size(free)} are "
            f"free{'. A smaller --image-size or train: batch_size needs less' if activations else ''}")


def _size(n_bytes: int) -> str:
    """``10.8 GB``, ``1.7 MB``, ``4.1 kB``: decimal units, one decimal."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes / 1e3:.1f} kB"


def check_training_memory(model: torch.nn.Module, device: str, *, ema: bool, n_genes: int,
                          if_short: str = "warn", batch_size: int = 0) -> bool:
    """Warn, or raise :class:`TrainingWontFit` (``if_short="raise"``), when a model trained
    on the CPU needs more memory than is free (:func:`~genemoe.train.memory.available_memory`:
    the machine's, or its control group's where that is less).

    A tuning trial that draws the widest configuration on tens of thousands of genes (16
    experts × 512 over 54,462 genes: 448M weights, 13.5 GB resident) was killed by the
    kernel with no word from genemoe while a second worker held the rest of the memory.
    An image model's activations for a batch of ``batch_size`` count too
    (:func:`~genemoe.train.memory.activation_bytes`): `--image-size 5000` was killed unsaid.

    Returns
    -------
    bool
        True when it warned.
    """
    if if_short not in ("warn", "raise"):
        raise ValueError(f"if_short must be 'warn' or 'raise', not {if_short!r}")
    if str(device).startswith("cuda") or (device == "auto" and torch.cuda.is_available()):
        return False  # GPU memory: the CUDA allocator says so itself
    params = list(model.parameters())
    held = sum(p.numel() * p.element_size() for p in params)  # built already
    acts = (activation_bytes(model, n_genes) * batch_size
            if batch_size and hasattr(model, "to_image") else 0)  # image models' activations
    need, free = training_memory_bytes(held, ema=ema) + acts, available_memory()
    if need - held <= free:
        return False
    short = TrainingWontFit(sum(p.numel() for p in params), n_genes, need, free, ema, acts,
                            batch_size)
    if if_short == "raise":
        raise short
    log.warning("%s: the process may be killed for memory. Use %s", short, MEMORY_FIX)
    return True


@keeps_global_rng
def _fit_torch(name: str, task: Task, model_cfg: dict, train_cfg: dict, data: dict[str, TaskData],
               n_out: int, work_dir: Path | None, progress: bool,
               transfer: dict | None = None, on_epoch_end: Callable[[int, float], bool] | None = None,
               if_short_of_memory: str = "warn") -> FitResult:
    from genemoe.train.loop import predict_outputs, train_model

    torch.manual_seed(int(train_cfg.get("seed", 0)))
    tr, va = data["train"], data["val"]
    model = create_model(name, n_genes=tr.X.shape[1], n_outputs=n_out, task=task, **model_cfg)
    fit, transfer_info = train_model, None
    if transfer is not None:  # --pretrained: encoder from a `genemoe pretrain` run
        fit, train_cfg, transfer_info = _with_transfer(model, name, train_cfg, transfer)
    cfg, known = _train_config(train_cfg, progress)
    check_training_memory(model, cfg.device, ema=cfg.ema_decay is not None,
                          n_genes=tr.X.shape[1], if_short=if_short_of_memory,
                          batch_size=min(cfg.batch_size or len(tr.rows), len(tr.rows)))
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
    loss_cfg = {**LOSS_DEFAULTS, **train_cfg}
    result = fit(
        model, X_train=tr.X, y_train=tr.targets(task), X_val=va.X, y_val=va.targets(task),
        task=task, config=cfg, loss_fn=_loss_fn(task, tr, n_out, train_cfg),
        metric_fn=selection_metric(task, n_out, groups=va.groups, ties=loss_cfg["cox_ties"],
                                   survival=loss_cfg["survival_selection"]),
        checkpoint_path=None if work_dir is None else Path(work_dir) / "checkpoint.pt",
        resume=True, log_path=None if work_dir is None else Path(work_dir) / "history.jsonl",
        on_epoch_end=on_epoch_end,
    )
    model.load_state_dict(result.best_state)
    info = {"best_epoch": result.best_epoch, "best_val_metric": result.best_val_metric,
            "stopped_early": result.stopped_early, "train_config": {k: getattr(cfg, k) for k in known},
            **({"epochs_trained": result.epochs_run} if result.epochs_run > cfg.epochs else {}),
            "loss": {k: train_cfg[k] for k in TASK_LOSS_KEYS[task] if k in train_cfg}}
    if task == "survival":  # the criterion the fit chose by, a default too (was unrecorded)
        info["loss"]["survival_selection"] = loss_cfg["survival_selection"]
    if transfer_info is not None:
        info["pretrained"] = transfer_info
    if not get_dist_info().is_main:  # under torchrun only rank 0 scores the parts
        return FitResult(model, {}, info, list(result.history))
    # in batches of 512 rows: a lazy part (task_data(lazy=True)) is read 512 rows at a time
    raw = {split: predict_outputs(model, d.X, batch_size=512, device=cfg.device)
           for split, d in data.items()}
    if task == "classify":  # logits (n, C) -> probabilities, temperature fitted on validation
        outs, calib = calibrate_outputs(raw, va.y, name)
    else:  # risks, scaled by the calibration slope fitted on validation
        outs, calib = calibrate_risks({s: o.reshape(-1) for s, o in raw.items()}, va,
                                      ties=loss_cfg["cox_ties"])
    info["calibration"] = calib
    return FitResult(model, outs, info, list(result.history))


def _with_transfer(model: torch.nn.Module, name: str, train_cfg: dict, transfer: dict):
    """Load the pre-trained encoder; the fitting function and training options to use."""
    from genemoe.train.finetune import (
        encoder_module_lr,
        load_pretrained_encoder,
        train_with_frozen_encoder,
    )
    from genemoe.train.loop import train_model

    info = load_pretrained_encoder(model, transfer["pretrained"], model_name=name,
                                   gene_ids=transfer["gene_ids"],
                                   test_sample_ids=transfer["test_sample_ids"],
                                   test_patient_ids=transfer.get("test_patient_ids"),
                                   bundle_gene_ids=transfer.get("bundle_gene_ids"),
                                   normalisation=transfer.get("normalisation"))
    info["freeze_encoder_epochs"] = transfer["freeze_encoder_epochs"]
    info["encoder_lr"] = transfer.get("encoder_lr")
    if info["encoder_lr"] is not None:  # the encoder's own lr (the head keeps lr)
        train_cfg = {**train_cfg, "module_lr": encoder_module_lr(
            model, {**(train_cfg.get("module_lr") or {}), "encoder": info["encoder_lr"]})}
    fit = partial(train_with_frozen_encoder, train_model,  # info: the epochs really frozen
                  freeze_epochs=transfer["freeze_encoder_epochs"], record=info)
    return fit, train_cfg, info


@contextlib.contextmanager
def _said_as_input_error(name: str, model_cfg: dict) -> Iterator[None]:
    """scikit-learn checks an estimator's options when it fits: a value out of range
    (``model: {svm: {C: -1}}``) ended in its InvalidParameterError's traceback."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        if type(exc).__name__ != "InvalidParameterError":  # sklearn's; other errors raise
            raise
        raise input_error(f"an option is out of range ({exc})", where=f"model.{name}",
                          fix=f"check model: {{{name}: ...}} in the preset or --config YAML "
                              f"({options_text(model_cfg)})") from exc


def _fit_classical(name: str, task: Task, model_cfg: dict, data: dict[str, TaskData], n_out: int,
                   train_cfg: dict, gene_variance: np.ndarray | None = None) -> FitResult:
    tr, va = data["train"], data["val"]
    est = create_model(name, n_genes=tr.X.shape[1], n_outputs=n_out, task=task,
                       **{"seed": int(train_cfg.get("seed", 0)), **model_cfg})
    with _said_as_input_error(name, model_cfg):
        if task == "classify":
            est.fit(tr.X, tr.y, X_val=va.X, y_val=va.y, gene_variance=gene_variance)
        else:  # chosen on validation by the neural models' criterion (survival_selection)
            loss_cfg = {**LOSS_DEFAULTS, **train_cfg}
            crit = str(loss_cfg["survival_selection"])
            metric = selection_metric(task, n_out, survival=crit, groups=va.groups,
                                      ties=loss_cfg["cox_ties"])
            est.fit(tr.X, None, time=tr.time, event=tr.event, X_val=va.X,
                    y_val=(va.time, va.event), gene_variance=gene_variance,
                    selection=(crit, lambda risk: metric(risk, va.targets(task))))
    if task == "classify":
        outs, calib = calibrate_outputs(
            {s: calibration.as_logits(est.predict_proba(d.X)) for s, d in data.items()}, va.y, name)
        return FitResult(est, outs, {"params": est.get_params(), "calibration": calib}, [])
    outs, calib = calibrate_risks({s: est.predict_risk(d.X) for s, d in data.items()}, va,
                                  ties=loss_cfg["cox_ties"])
    return FitResult(est, outs, {"params": est.get_params(), "calibration": calib}, [])


def calibrate_risks(risks: dict[str, np.ndarray], val: TaskData, *, ties: str = "efron"
                    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Every part's risks ``(n,)`` times one scale fitted on ``risks["val"]``
    (:func:`~genemoe.train.risk_scale.fit_risk_scale`: the calibration slope, so the
    survival curves of :mod:`genemoe.evaluate.brier` are neither too sure nor too vague).
    The order of patients, and so every C-index, is unchanged; ``predict`` applies the
    same scale (the record's ``risk_scale``); ``ties`` is the run's ``cox_ties``."""
    scale, record = fit_risk_scale(val.time, val.event, risks["val"], ties=ties)
    return {p: np.asarray(r, np.float64) * scale for p, r in risks.items()}, record


def calibrate_outputs(logits: dict[str, np.ndarray], y_val: np.ndarray, who: str = "the model"
                      ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Temperature-scale every part's logits with one ``T`` fitted on ``logits["val"]``.

    Neural classifiers pass their logits; classical ones the log of their probabilities
    (:func:`~genemoe.train.calibration.as_logits`). The SVMs' probabilities are already
    calibrated on cross-validated training rows (:mod:`genemoe.models.svm_calibration`);
    that is kept, because their probabilities need *some* mapping from decision values; for
    the linear SVM the validation temperature composes with it into one temperature on the
    decision values (``softmax(d / (T_cv * T))``). An ensemble's average is calibrated once
    more the same way (:func:`genemoe.train.ensemble.fit_ensemble`). Only the validation
    rows choose ``T``; the other parts are transformed, never looked at.

    Returns
    -------
    tuple
        ``{part: (n, n_classes) calibrated probabilities}`` and the calibration record
        (``method``, ``temperature``, ``fitted_on``, ``ece_before``, ``ece_after`` on
        validation).
    """
    t, record = calibration.calibrate(logits["val"], y_val, who)
    return {s: calibration.apply_temperature(z, t) for s, z in logits.items()}, record
