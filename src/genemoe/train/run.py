"""``genemoe train``: one model, one bundle, an honest protocol, a self-describing run.

Protocol: the scaler comes from the bundle's training split; early stopping and model
selection use the validation split; the test split is scored once, at the end, by the
selected model. Survival tasks use only samples with survival data.

A run directory holds::

    RUN/model.pt        self-describing model (weights or fitted estimator + everything
                        predict needs: genes, classes, scaler, normalisation, record)
    RUN/metrics.json    {"val": {...}, "test": {...}}
    RUN/predictions.tsv one row per sample of every split (probabilities or risk)
    RUN/config.yaml     the resolved configuration
    RUN/history.jsonl   per-epoch losses, validation metric, expert utilisation (neural)
    RUN/checkpoint.pt   last-epoch training state while training runs (resume after an
                        interruption); removed once the run is complete (it holds the
                        optimiser state: over 1 GB for a ~50k-gene Gene-MOE)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
import yaml

from genemoe import __version__
from genemoe.config_presets import deep_merge, load_preset, model_config, train_config
from genemoe.data.bundle import Bundle, atomic_file, atomic_write_text, dump_json, load_bundle
from genemoe.data.scaling import Scaler, global_scaler
from genemoe.errors import input_error
from genemoe.evaluate.metrics import classification_metrics
from genemoe.evaluate.survival import concordance_index, survival_metrics
from genemoe.models.image import input_scaling
from genemoe.models.registry import create_model, get_spec
from genemoe.train.losses import LossOutput, class_alpha, cox_ph_loss, focal_loss

__all__ = ["RunResult", "TaskData", "train_run", "task_data", "bundle_scaler", "save_model_file",
           "load_model_file", "evaluate_task"]

log = logging.getLogger(__name__)

Task = Literal["classify", "survival"]


@dataclass
class TaskData:
    """Scaled matrices and targets of one split for one task.

    ``X``: ``(n, n_genes)`` float32; ``y``: ``(n,)`` class index (classify) or ``None``;
    ``time``/``event``: ``(n,)`` (survival); ``rows``: row indices in the bundle.
    """

    X: np.ndarray
    rows: np.ndarray
    y: np.ndarray | None
    time: np.ndarray | None
    event: np.ndarray | None
    groups: np.ndarray

    def targets(self, task: Task) -> Any:
        return self.y if task == "classify" else {"time": self.time, "event": self.event}


@dataclass
class RunResult:
    """What ``train_run`` produced."""

    out_dir: Path
    metrics: dict[str, Any]
    task: Task
    model_name: str
    seconds: float

    def describe(self) -> str:
        lines = [f"run: {self.out_dir}  ({self.model_name}, {self.task}, {self.seconds:.0f} s)"]
        for split in ("val", "test"):
            m = self.metrics.get(split, {})
            if self.task == "classify":
                lines.append(f"  {split}: accuracy {m.get('accuracy', float('nan')):.3f}  "
                             f"macro-F1 {m.get('macro_f1', float('nan')):.3f}  (n={m.get('n')})")
            else:
                lines.append(f"  {split}: C-index {m.get('c_index', float('nan')):.3f} "
                             f"{m.get('c_index_ci')}  log-rank p {m.get('logrank_p')}  (n={m.get('n')})")
        return "\n".join(lines)


def bundle_scaler(bundle: Bundle, gene_mask: np.ndarray, *, clip: float = 10.0,
                  method: str = "standard") -> Scaler:
    """The scaler of the bundle's training-split statistics: per-gene z-score (``standard``)
    or one shift and scale for all genes (``global``, the image models')."""
    var = bundle.var.loc[gene_mask]
    if method == "global":
        return global_scaler(var["train_mean"].to_numpy(), var["train_std"].to_numpy(), clip=clip)
    std = var["train_std"].to_numpy(np.float32)
    return Scaler(var["train_mean"].to_numpy(np.float32), np.where(std < 1e-6, 1, std).astype(np.float32),
                  "standard", clip)


def task_data(bundle: Bundle, rows: np.ndarray, task: Task, *, gene_mask: np.ndarray,
              scaler: Scaler, class_names: list[str]) -> TaskData:
    """Scaled data of ``rows`` for ``task`` (survival keeps rows with survival data)."""
    rows = np.asarray(rows)
    if task == "survival":
        rows = rows[bundle.obs["has_survival"].to_numpy(bool)[rows]]
    X = scaler.transform(np.asarray(bundle.X[rows][:, gene_mask]))
    time_, event = bundle.survival()
    return TaskData(
        X=X, rows=rows, y=bundle.labels(class_names)[rows] if task == "classify" else None,
        time=time_[rows] if task == "survival" else None,
        event=event[rows] if task == "survival" else None,
        groups=bundle.obs["cancer_type"].to_numpy(object)[rows],
    )


def _resolve_config(preset: str, config_path: Path | None, model_name: str, *,
                    seed: int, device: str, epochs: int | None,
                    task: Task | None = None) -> tuple[dict, dict, dict]:
    """Preset + YAML → (whole config, the model's options, the training options for ``task``).

    Training options, later wins: the preset's ``train:``, its ``train_<task>:``, the YAML's
    ``train:``, the YAML's ``train_<task>:`` (a YAML ``train: {lr: ...}`` is what the user
    asked for, so a preset's per-task section must not override it).
    """
    base = load_preset(preset)
    user = yaml.safe_load(Path(config_path).read_text()) or {} if config_path is not None else {}
    cfg = deep_merge(base, user)
    train_cfg = deep_merge(train_config(base, task), train_config(user, task))
    if "balance_weight" in train_cfg:  # the paper's λ_balance is the trainer's aux weight
        train_cfg.setdefault("aux_weight", train_cfg.pop("balance_weight"))
    train_cfg.update(seed=seed, device=device)
    if epochs is not None:
        train_cfg["epochs"] = epochs
    return cfg, model_config(cfg, model_name), train_cfg


def _loss_fn(task: Task, train: TaskData, n_classes: int, train_cfg: dict):
    """The task loss as the trainer wants it: (ModelOutput, targets) -> LossOutput."""
    if task == "classify":
        counts = np.bincount(train.y, minlength=n_classes)
        alpha = torch.as_tensor(class_alpha(counts, method=train_cfg.get("class_alpha", "inverse_sqrt")),
                                dtype=torch.float32)
        gamma = float(train_cfg.get("focal_gamma", 2.0))

        def loss(output, y):
            y = torch.as_tensor(y, device=output.out.device)
            val = focal_loss(output.out.float(), y, gamma=gamma, alpha=alpha.to(output.out.device))
            return LossOutput(loss=val, components={"focal": val.detach()})

        return loss
    ties = train_cfg.get("cox_ties", "efron")

    def cox(output, target):
        dev = output.out.device
        t = torch.as_tensor(target["time"], device=dev, dtype=torch.float32)
        e = torch.as_tensor(target["event"], device=dev, dtype=torch.bool)
        val = cox_ph_loss(output.out.float().squeeze(-1), t, e, ties=ties)
        return LossOutput(loss=val, components={"cox": val.detach()})

    return cox


def _metric_fn(task: Task, n_classes: int):
    """Validation metric for early stopping (higher is better): macro-F1 or C-index."""
    if task == "classify":
        def f1(out: np.ndarray, y) -> float:
            pred = out.argmax(1)
            return float(classification_metrics(y, pred, class_names=[str(i) for i in range(n_classes)])["macro_f1"])

        return f1

    def cidx(out: np.ndarray, target) -> float:
        if not np.asarray(target["event"]).any():
            return 0.5
        return float(concordance_index(target["time"], target["event"], out.reshape(-1)))

    return cidx


def evaluate_task(task: Task, outputs: np.ndarray, data: TaskData, class_names: list[str], *,
                  train: TaskData | None = None, seed: int = 0) -> dict[str, Any]:
    """Metrics of one split: classification or survival (see ``genemoe.evaluate``)."""
    if task == "classify":
        probs = outputs  # (n, n_classes) probabilities
        return classification_metrics(data.y, probs.argmax(1), class_names=class_names, probs=probs)
    return survival_metrics(data.time, data.event, outputs.reshape(-1), groups=data.groups,
                            time_train=None if train is None else train.time,
                            event_train=None if train is None else train.event, seed=seed)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def save_model_file(path: Path, payload: dict[str, Any]) -> None:
    """Write the self-describing model file atomically (temporary file + rename)."""
    with atomic_file(path) as tmp:
        torch.save(payload, tmp)


def load_model_file(run: Path) -> dict[str, Any]:
    """Load ``RUN/model.pt`` (or a model file) written by :func:`save_model_file`."""
    path = Path(run) / "model.pt" if Path(run).is_dir() else Path(run)
    if not path.exists():
        raise input_error("no model file", path=path, fix="train one with `genemoe train ... --out RUN`")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # truncated or foreign file
        raise input_error(f"cannot read the model file ({exc})", path=path,
                          fix="re-run `genemoe train`; the file is damaged or not a genemoe model") from exc
    if not isinstance(payload, dict) or payload.get("format") != "genemoe-model":
        raise input_error("not a genemoe model file", path=path, fix="pass a RUN directory of `genemoe train`")
    return payload


_RUN_KEYS = {"focal_gamma", "class_alpha", "cox_ties"}  # options of the task losses, not the trainer


def _fit_torch(name: str, task: Task, model_cfg: dict, train_cfg: dict, data: dict[str, TaskData],
               n_out: int, out_dir: Path, progress: bool,
               transfer: dict | None = None) -> tuple[Any, dict[str, np.ndarray], dict]:
    from genemoe.train.loop import TrainConfig, predict_outputs, train_model

    torch.manual_seed(int(train_cfg.get("seed", 0)))
    tr, va = data["train"], data["val"]
    model = create_model(name, n_genes=tr.X.shape[1], n_outputs=n_out, task=task, **model_cfg)
    fit, transfer_info = train_model, None
    if transfer is not None:  # --pretrained: encoder from a `genemoe pretrain` run
        from functools import partial

        from genemoe.train.finetune import (
            encoder_module_lr,
            load_pretrained_encoder,
            train_with_frozen_encoder,
        )

        transfer_info = load_pretrained_encoder(model, transfer["pretrained"], model_name=name,
                                                gene_ids=transfer["gene_ids"],
                                                test_sample_ids=transfer["test_sample_ids"])
        transfer_info["freeze_encoder_epochs"] = transfer["freeze_encoder_epochs"]
        transfer_info["encoder_lr"] = transfer.get("encoder_lr")
        if transfer_info["encoder_lr"] is not None:  # the encoder's own lr (the head keeps lr)
            train_cfg = {**train_cfg, "module_lr": encoder_module_lr(
                model, {**(train_cfg.get("module_lr") or {}), "encoder": transfer_info["encoder_lr"]})}
        fit = partial(train_with_frozen_encoder, train_model,
                      freeze_epochs=transfer["freeze_encoder_epochs"])
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(train_cfg) - known - _RUN_KEYS
    if unknown:
        raise input_error(f"unknown training options {sorted(unknown)}", where="train: section of the config",
                          fix=f"use the options of TrainConfig ({', '.join(sorted(known))}) or {sorted(_RUN_KEYS)}")
    cfg = TrainConfig(**{k: v for k, v in {**train_cfg, "progress": progress}.items() if k in known})
    result = fit(
        model, X_train=tr.X, y_train=tr.targets(task), X_val=va.X, y_val=va.targets(task),
        task=task, config=cfg, loss_fn=_loss_fn(task, tr, n_out, train_cfg),
        metric_fn=_metric_fn(task, n_out), checkpoint_path=out_dir / "checkpoint.pt",
        resume=True, log_path=out_dir / "history.jsonl",
    )
    model.load_state_dict(result.best_state)
    outs = {}
    for split, d in data.items():
        o = predict_outputs(model, d.X, batch_size=512, device=cfg.device)
        outs[split] = _softmax(o) if task == "classify" else o.reshape(-1)
    info = {"best_epoch": result.best_epoch, "best_val_metric": result.best_val_metric,
            "stopped_early": result.stopped_early, "train_config": {k: getattr(cfg, k) for k in known}}
    if transfer_info is not None:
        info["pretrained"] = transfer_info
    return model, outs, info


def _fit_classical(name: str, task: Task, model_cfg: dict, data: dict[str, TaskData], n_out: int,
                   seed: int) -> tuple[Any, dict[str, np.ndarray], dict]:
    tr, va = data["train"], data["val"]
    est = create_model(name, n_genes=tr.X.shape[1], n_outputs=n_out, task=task,
                       **{"seed": seed, **model_cfg})
    if task == "classify":
        est.fit(tr.X, tr.y, X_val=va.X, y_val=va.y)
        outs = {s: est.predict_proba(d.X) for s, d in data.items()}
    else:
        est.fit(tr.X, None, time=tr.time, event=tr.event, X_val=va.X,
                y_val=(va.time, va.event))
        outs = {s: est.predict_risk(d.X) for s, d in data.items()}
    return est, outs, {"params": est.get_params()}


def _predictions_table(bundle: Bundle, data: dict[str, TaskData], outs: dict[str, np.ndarray],
                       task: Task, class_names: list[str]) -> pd.DataFrame:
    frames = []
    for split, d in data.items():
        obs = bundle.obs.iloc[d.rows]
        df = pd.DataFrame({"sample_id": obs["sample_id"].to_numpy(), "split": split,
                           "cancer_type": obs["cancer_type"].to_numpy()})
        o = outs[split]
        if task == "classify":
            df["predicted"] = np.asarray(class_names, dtype=object)[o.argmax(1)]
            df["confidence"] = o.max(1)
            for j, c in enumerate(class_names):
                df[f"prob_{c}"] = o[:, j]
        else:
            df["time"], df["event"], df["risk"] = d.time, d.event, o
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def train_run(data_path: Path | str, *, out_dir: Path | str, task: Task = "classify",
              model_name: str = "genemoe", preset: str = "small", config_path: Path | None = None,
              seed: int = 0, device: str = "auto", epochs: int | None = None,
              progress: bool = True, pretrained: Path | None = None,
              freeze_encoder_epochs: int = 0, encoder_lr: float | None = None,
              model_options: dict[str, Any] | None = None) -> RunResult:
    """Train ``model_name`` on a bundle for ``task`` and write a run directory.

    Parameters
    ----------
    data_path
        Bundle directory (``genemoe prepare``).
    out_dir
        Run directory to write (model.pt, metrics.json, predictions.tsv, config.yaml…).
    task
        ``"classify"`` (tumour type) or ``"survival"`` (Cox risk).
    model_name
        Any registered model (``genemoe models``), neural or classical.
    preset, config_path
        Preset name or YAML, optionally overridden by another YAML.
    seed, device, epochs, progress
        Reproducibility, ``auto|cpu|cuda``, preset override, progress bar.
    pretrained, freeze_encoder_epochs, encoder_lr
        A ``genemoe pretrain`` run whose encoder starts the model (``genemoe``/``moe``/``vaecox``;
        see :mod:`genemoe.train.finetune`), epochs to keep it frozen first, and its own
        peak learning rate (None = the ``train: lr`` of every weight; the head always
        keeps ``lr``, and warmup/decay/plateau scale both alike: ``TrainConfig.module_lr``).
    model_options
        Model options overriding the preset/config (the CLI's image flags ``layout``,
        ``image_size``, ``weights``, ``finetune``); refused for a model without them.

    Returns
    -------
    RunResult
        Metrics on validation and test.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if task not in ("classify", "survival"):
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    bundle = load_bundle(data_path)
    spec = get_spec(model_name)
    cfg, model_cfg, train_cfg = _resolve_config(preset, config_path, model_name, seed=seed,
                                                device=device, epochs=epochs, task=task)
    model_cfg = _with_model_options(model_name, model_cfg, model_options or {}, bundle.path)
    gene_mask = bundle.gene_mask()
    scaler = bundle_scaler(bundle, gene_mask, method=input_scaling(model_name, model_cfg))
    class_names = bundle.class_names
    data = {s: task_data(bundle, bundle.indices(s), task, gene_mask=gene_mask, scaler=scaler,
                         class_names=class_names) for s in ("train", "val", "test")}
    _check_task_data(task, data, bundle)
    n_out = len(class_names) if task == "classify" else 1
    transfer = _transfer_options(spec.kind, bundle, gene_mask, pretrained, freeze_encoder_epochs,
                                 encoder_lr)
    if spec.kind == "torch":
        model, outs, info = _fit_torch(model_name, task, model_cfg, train_cfg, data, n_out, out_dir,
                                       progress, transfer)
        weights = {"state_dict": model.state_dict()}
    else:
        model, outs, info = _fit_classical(model_name, task, model_cfg, data, n_out, seed)
        weights = {"estimator": model}
    from genemoe.train.distributed import destroy_distributed, get_dist_info

    if not get_dist_info().is_main:  # under torchrun only rank 0 evaluates and writes
        destroy_distributed()
        return RunResult(out_dir, {}, task, model_name, time.perf_counter() - t0)
    metrics = {s: evaluate_task(task, outs[s], data[s], class_names, train=data["train"], seed=seed)
               for s in ("val", "test")}
    metrics["protocol"] = {"selection": "validation split", "test_scored": "once, after selection",
                           "scaler": "bundle training split", "n": {s: len(d.rows) for s, d in data.items()},
                           "synthetic": bundle.synthetic}
    resolved = {"task": task, "model": model_name, "preset": preset, "seed": seed,
                "model_config": model_cfg, "train": train_cfg, **info}
    var = bundle.var.loc[gene_mask]
    save_model_file(out_dir / "model.pt", {
        "format": "genemoe-model", "genemoe_version": __version__, "kind": spec.kind,
        "model_name": model_name, "task": task, "model_config": _rebuild_config(model_cfg),
        "config": resolved,
        "n_outputs": n_out, "gene_ids": var["gene_id"].tolist(),
        "symbols": var["symbol"].tolist() if "symbol" in var else None,
        "gene_lengths": var["length"].tolist() if "length" in var else None,
        "class_names": class_names, "scaler": scaler.to_dict(),
        "normalisation": bundle.record.get("normalisation"), "record": bundle.record,
        "bundle_path": str(bundle.path), "metrics": metrics, **weights,
    })
    atomic_write_text(out_dir / "metrics.json", dump_json(metrics))
    atomic_write_text(out_dir / "config.yaml", yaml.safe_dump(_plain(resolved), sort_keys=False))
    table = _predictions_table(bundle, data, outs, task, class_names)
    atomic_write_text(out_dir / "predictions.tsv", table.to_csv(sep="\t", index=False))
    (out_dir / "checkpoint.pt").unlink(missing_ok=True)  # complete: model.pt has the weights
    destroy_distributed()
    return RunResult(out_dir, metrics, task, model_name, time.perf_counter() - t0)


def _transfer_options(kind: str, bundle: Bundle, gene_mask: np.ndarray, pretrained: Path | None,
                      freeze_encoder_epochs: int, encoder_lr: float | None) -> dict | None:
    """Checked ``--pretrained`` options for :func:`_fit_torch` (None without a pre-trained run)."""
    if pretrained is None:
        if freeze_encoder_epochs or encoder_lr is not None:
            raise input_error("--freeze-encoder-epochs / --encoder-lr need --pretrained",
                              where="train", fix="pass --pretrained RUN (a `genemoe pretrain` run)")
        return None
    if kind != "torch":
        raise input_error("--pretrained needs a neural model with a pre-trainable encoder",
                          where="--model", fix="use --model genemoe, moe or vaecox")
    if encoder_lr is not None and not (np.isfinite(encoder_lr) and encoder_lr > 0):
        raise input_error(f"--encoder-lr must be a positive learning rate, got {encoder_lr}",
                          where="--encoder-lr", fix="pass e.g. --encoder-lr 1e-4 (a tenth of the "
                          "head's lr is a usual start), or leave it out to use the train: lr")
    if freeze_encoder_epochs < 0:
        raise input_error(f"--freeze-encoder-epochs must be >= 0, got {freeze_encoder_epochs}",
                          where="--freeze-encoder-epochs", fix="pass 0 (train the encoder) or N")
    return {"pretrained": Path(pretrained), "freeze_encoder_epochs": int(freeze_encoder_epochs),
            "encoder_lr": None if encoder_lr is None else float(encoder_lr),
            "gene_ids": bundle.var.loc[gene_mask, "gene_id"].astype(str).tolist(),
            "test_sample_ids": bundle.sample_ids[bundle.indices("test")].astype(str).tolist()}


def _with_model_options(model_name: str, model_cfg: dict, options: dict[str, Any],
                        bundle_path: Path) -> dict:
    """``model_cfg`` with the CLI's model options, and the bundle to fit a data layout on.

    An image model asked for the ``genomic`` or ``similarity`` layout without a fitted one
    (``layout_state``, ``gene_order`` or ``layout_bundle``) fits it on the bundle being
    trained on: its gene positions, and for ``similarity`` its training split only.
    """
    from genemoe.models.backbones import BACKBONE_KEYS, BACKBONES
    from genemoe.models.image import HYBRID_KEYS

    keys = HYBRID_KEYS if model_name == "hybrid_cnn" else BACKBONE_KEYS if model_name in BACKBONES else ()
    refused = sorted(set(options) - set(keys))
    if refused:
        flags = ", ".join("--" + k.replace("_", "-") for k in refused)
        raise input_error(f"model {model_name!r} takes no {flags}", where="train",
                          fix="these flags are for image models (resnet50, densenet169, vgg19, "
                              "xception; hybrid_cnn takes --layout and --image-size only)")
    cfg = {**model_cfg, **options}
    fitted = any(cfg.get(k) is not None for k in ("layout_state", "gene_order", "layout_bundle"))
    if "layout_bundle" in keys and cfg.get("layout") in ("genomic", "similarity") and not fitted:
        cfg["layout_bundle"] = str(bundle_path)
    return cfg


def _rebuild_config(model_cfg: dict) -> dict:
    """The config that rebuilds the trained model for predict/explain.

    The state dict holds every weight, so pretrained-weight sources (ImageNet downloads,
    local weight files) are not needed again: rebuilding with ``weights: none`` works
    offline and after the weight file is gone; likewise the gene → pixel map of an image
    model is a saved buffer, so the bundle it was fitted on is not needed.
    """
    cfg = {k: v for k, v in model_cfg.items() if k != "layout_bundle"}  # the map is a saved buffer
    return {**cfg, "weights": "none"} if "weights" in cfg else cfg


def _plain(obj: Any) -> Any:
    """YAML-safe copy (numpy scalars → Python)."""
    import json

    return json.loads(dump_json(obj))


def _check_task_data(task: Task, data: dict[str, TaskData], bundle: Bundle) -> None:
    for split, d in data.items():
        if len(d.rows) == 0:
            raise input_error(f"the {split} split has no usable samples for {task}", path=bundle.path,
                              fix="re-prepare with other --val-fraction/--test-fraction, or add "
                                  "--clinical for survival")
    if task == "survival" and not data["train"].event.any():
        raise input_error("all training samples are censored: a Cox model cannot learn",
                          path=bundle.path, fix="use a cohort with events, or another --endpoint")
