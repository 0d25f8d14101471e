"""``genemoe train``: one model, one bundle, an honest protocol, a self-describing run.

Protocol: the gene mask and scaler come from the bundle's training split; early stopping
and model selection use the validation split; the test split is scored once, at the
end, by the selected model. Survival tasks use only samples with survival data.

A run directory holds::

    RUN/model.pt        self-describing model (weights or fitted estimator + everything
                        predict needs: genes, classes, scaler, normalisation, record,
                        the calibration temperature, the unfamiliar-sample statistics
                        and, for survival, the training patients' risks)
    RUN/metrics.json    {"val": {...}, "test": {...}}
    RUN/predictions.tsv one row per sample of every split (probabilities or risk)
    RUN/config.yaml     the resolved configuration
    RUN/history.jsonl   per-epoch losses, validation metric, expert utilisation (neural)
    RUN/routing.json    sparse models: each gate's expert usage per cancer type on the test
                        split and how much it depends on the type (genemoe.explain.routing)
    RUN/checkpoint.pt   last-epoch training state while training runs (resume after an
                        interruption); removed once the run is complete (it holds the
                        optimiser state: over 1 GB for a ~50k-gene Gene-MOE)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from genemoe import __version__
from genemoe.config_presets import (
    dump_yaml,
    endpoint_mismatches,
    forget_preset_gaps,
    preset_gaps,
)
from genemoe.data.args import AtFolder, folder_of, path_of, shown_path
from genemoe.data.bundle import (
    Bundle,
    atomic_write_text,
    dump_json,
    gene_symbols,
    load_bundle,
    remove_outputs,
)
from genemoe.data.crossscale import reference_profile
from genemoe.data.scaling import clip_report, clip_summary, clip_text
from genemoe.errors import input_error
from genemoe.evaluate.benchmark_files import epoch_cap_note
from genemoe.evaluate.brier import breslow_cumulative_hazard
from genemoe.evaluate.survival_flags import backwards_lines
from genemoe.explain.routing import routing_report
from genemoe.models.image import input_scaling
from genemoe.models.registry import check_model_options, check_task, get_spec
from genemoe.text_wrap import wrapped
from genemoe.train.ensemble import check_ensemble_members, check_ensemble_size
from genemoe.train.finetune import transfer_said_by_caller
from genemoe.train.fit import fit_model, resolve_config
from genemoe.train.model_file import save_model_file
from genemoe.train.ood import fit_ood, model_features
from genemoe.train.rng import keeps_global_rng
from genemoe.train.task_data import Task, TaskData, bundle_scaler, task_data
from genemoe.workflows.cell_claims import holding_out_dir
from genemoe.workflows.common import (
    check_bundle_has_task,
    check_out_dir,
    check_survival_parts,
    check_trainable,
    check_whole_numbers,
    patient_ids,
    plain,
    resplit_fix,
    score_part,
    with_fitted_layout,
)
from genemoe.workflows.train_image import (
    image_record,
    layout_fitted_on,
    ran_on,
    with_resolved_weights,
)
from genemoe.workflows.train_record import (
    ece_rose_text,
    keep_pretrain_samples,
    pretrained_record,
    pretrained_text,
    weight_text,
)
from genemoe.workflows.train_tuned import check_train_entries, options_selection
from genemoe.workflows.tune_text import task_options

__all__ = ["RunResult", "train_run"]

log = logging.getLogger(__name__)


@dataclass
class RunResult(AtFolder):
    """What ``train_run`` produced."""

    out_dir: Path
    metrics: dict[str, Any]
    task: Task
    model_name: str
    seconds: float
    ensemble: int = 1  # members (1: one model)

    def describe(self) -> str:
        """A compact table of the validation and test metrics (C-index with its 95% bootstrap
        interval, log-rank p to two significant digits), under one line naming the run."""
        from genemoe.report.terminal import run_table
        from genemoe.report.text import fmt_seconds

        if not self.metrics:  # a torchrun worker other than rank 0: it printed an empty table
            return ""
        synthetic = " · SYNTHETIC DATA" if self.metrics.get("protocol", {}).get("synthetic") else ""
        ep = self.metrics.get("protocol", {}).get("endpoint")  # an OS run read like a PFI one
        scheme = self.metrics.get("protocol", {}).get("ensemble_members")  # members' scheme
        table = run_table(self.metrics, task=self.task, title=(
            f"{self.model_name}{f' × {self.ensemble}' if self.ensemble > 1 else ''}"
            f"{' (folds)' if scheme == 'folds' and self.ensemble > 1 else ''} · {self.task}"
            f"{f' ({ep})' if ep else ''} · "
            f"{fmt_seconds(self.seconds)}{synthetic}  "
            f"→ {shown_path(self.out_dir)}"))
        clipped = self.metrics.get("protocol", {}).get("clipped") or {}
        said = clip_text(clip_summary({"part": s, **r} for s, r in clipped.items()))
        backwards = backwards_lines(self.metrics.get("test"))  # UCS 0.211 [0.000, 0.484]
        weight = self.metrics.get("protocol", {}).get("genes_with_weight")  # coxnet: 6 genes
        return (table + (f"\n  {weight}" if weight else "")
                + "".join(f"\n{line}" for line in backwards)  # was said nowhere
                + (wrapped(f"\n  {said} (metrics.json: protocol.clipped)") if said else "")
                + ece_rose_text(self.metrics.get("calibration"))
                + pretrained_text(self.metrics.get("protocol", {}).get("pretrained")))




def _predictions_table(bundle: Bundle, data: dict[str, TaskData], outs: dict[str, np.ndarray],
                       task: Task, class_names: list[str]) -> pd.DataFrame:
    frames = []
    for split, d in data.items():
        obs = bundle.obs.iloc[d.rows]
        df = pd.DataFrame({"sample_id": obs["sample_id"].to_numpy(), "split": split,
                           "cancer_type": obs["cancer_type"].to_numpy()})
        o = outs[split]
        if task == "classify":
            df["predicted_type"] = np.asarray(class_names, dtype=object)[o.argmax(1)]
            df["confidence"] = o.max(1)
            for j, c in enumerate(class_names):
                df[f"prob_{c}"] = o[:, j]
        else:
            df["time"], df["event"], df["risk"] = d.time, d.event, o
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@keeps_global_rng  # the whole run: a first import inside it (sklearn's rich.style) draws too
@holding_out_dir("train")  # two into one --out: the second is refused
def train_run(data_path: Path | str, *, out_dir: Path | str, task: Task = "classify",
              model_name: str = "genemoe", preset: str = "small", config_path: Path | str | None = None,
              seed: int = 0, device: str = "auto", epochs: int | None = None,
              progress: bool = True, pretrained: Path | str | Any = None,
              freeze_encoder_epochs: int = 0, encoder_lr: float | None = None,
              model_options: dict[str, Any] | None = None, ensemble: int = 1,
              ensemble_members: str = "auto", lazy_data: bool | None = None) -> RunResult:
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
        A ``genemoe pretrain`` run (its folder, or the result ``pretrain_run`` returned)
        whose encoder starts the model (``genemoe``/``moe``/``vaecox``;
        see :mod:`genemoe.train.finetune`), epochs to keep it frozen first, and its own
        peak learning rate (None = the ``train: lr`` of every weight; the head always
        keeps ``lr``, and warmup/decay/plateau scale both alike: ``TrainConfig.module_lr``).
        A run that used any test sample, or another sample of a test patient, is refused.
    model_options
        Model options overriding the preset/config: any option of the model
        (``{"n_experts": 8}``); the CLI's image flags (``layout``, ``image_size``,
        ``weights``, ``finetune``) are refused for a model without them.
    ensemble
        K > 1 saves one run of K members whose probabilities (or risks) are averaged:
        neural models and random forests K seeds, other classical models the K inner folds
        of the training split
        (:mod:`genemoe.train.ensemble`); predict, explain and benchmark take it as one model.
    ensemble_members
        ``"auto"`` (as ``ensemble`` says) or ``"folds"``: every model's members, neural and
        forest too, fit on the K inner folds, each on (K − 1)/K of the training split
        (seeded models also take K seeds); needs ``ensemble`` > 1. Recorded in config.yaml
        and metrics.json (``protocol.ensemble_members``).
    lazy_data
        True: every split's matrix is a lazy view of the bundle's memory map, read batch by
        batch (:class:`~genemoe.train.scaled_rows.ScaledRows`; same values, less memory);
        False: read into memory at the start. None (default): lazy under ``torchrun``
        (``WORLD_SIZE`` > 1), where each process then reads only its share of each batch,
        and for a neural model whose scaled matrices would take more than half the free
        memory (said; such a bundle was read whole and the process killed).

    Returns
    -------
    RunResult
        Metrics on validation and test.
    """
    t0 = time.perf_counter()
    out_dir = path_of(out_dir, "out_dir")
    if task not in ("classify", "survival"):
        raise input_error(f"unknown task {task!r}", where="--task", fix="use classify or survival")
    _check_python_args(config_path, model_options, lazy_data, progress)
    check_whole_numbers((seed, "seed"), (freeze_encoder_epochs, "freeze_encoder_epochs"))
    pretrained = None if pretrained is None else folder_of(pretrained, "pretrained")  # a result
    check_ensemble_size(ensemble)
    check_ensemble_members(ensemble_members, ensemble)
    check_trainable(model_name)
    check_task(model_name, task)  # before the bundle's survival was warned of (logreg, survival)
    bundle = load_bundle(data_path := folder_of(data_path, "data_path"))  # a Bundle object too
    spec = get_spec(model_name)
    if epochs is not None and spec.kind != "torch":  # was ignored without a word
        log.warning("--epochs applies to neural models; %s is fitted to convergence: ignored",
                    model_name)
    if device not in ("auto", "cpu") and spec.kind != "torch":  # was accepted without a word
        log.warning("--device %s applies to neural models; %s is fitted by scikit-learn on the "
                    "CPU: ignored", device, model_name)
    forget_preset_gaps()  # each run says its own (once per process, a second run was silent)
    cfg, model_cfg, train_cfg = resolve_config(preset, config_path, model_name, seed=seed,
                                               device=device, epochs=epochs, task=task)
    gap = preset_gaps(str(preset), model_name, task, neural=spec.kind == "torch")  # recorded
    tuned_on = check_train_entries(cfg.get("tuned_on"), bundle, epochs_given=epochs is not None,
                                   task=task)
    model_cfg = with_resolved_weights(_with_model_options(model_name, model_cfg, model_options or {}))
    check_model_options(model_name, model_cfg)  # before a finished run in out_dir is replaced
    check_out_dir(out_dir, "run")
    out_dir.mkdir(parents=True, exist_ok=True)  # after the inputs' checks: no empty run left
    _clear_finished_run(out_dir)
    _remove_cut_checkpoints(out_dir)
    gene_mask = bundle.gene_mask()
    scaler = bundle_scaler(bundle, gene_mask, method=input_scaling(model_name, model_cfg))
    class_names = bundle.class_names
    if lazy_data is None:  # auto: lazy under torchrun (set before the process group exists)
        lazy_data = int(os.environ.get("WORLD_SIZE", "1")) > 1 or _too_big_to_read(
            bundle, int(gene_mask.sum()), spec.kind)
    data = {s: task_data(bundle, bundle.indices(s), task, gene_mask=gene_mask, scaler=scaler,
                         class_names=class_names, lazy=lazy_data) for s in ("train", "val", "test")}
    _check_task_data(task, data, bundle)
    fit_cfg = with_fitted_layout(model_name, model_cfg, bundle, gene_mask, data["train"].rows)
    n_out = len(class_names) if task == "classify" else 1
    transfer = _transfer_options(spec.kind, bundle, gene_mask, pretrained, freeze_encoder_epochs,
                                 encoder_lr)
    if transfer and freeze_encoder_epochs >= int(train_cfg.get("epochs") or 0) > 0:  # was unsaid
        log.warning("--freeze-encoder-epochs %d covers all %d epochs: the pre-trained encoder "
                    "stays frozen (only the head trains)", freeze_encoder_epochs, train_cfg["epochs"])
    var = bundle.var.loc[gene_mask]
    fit_args = dict(model_cfg=fit_cfg, train_cfg=train_cfg, n_outputs=n_out, work_dir=out_dir,
                    progress=progress, transfer=transfer,
                    gene_variance=var["train_std"].to_numpy(np.float64) ** 2)
    with transfer_said_by_caller():  # describe() says it, under the table
        if ensemble > 1:
            from genemoe.train.ensemble import fit_ensemble

            fit = fit_ensemble(model_name, task, data, ensemble, members=ensemble_members,
                               **fit_args)
        else:
            fit = fit_model(model_name, task, data, **fit_args)
    weights = ({"state_dict": fit.model.state_dict()} if spec.kind == "torch"
               else {"estimator": fit.model})
    saved_name, saved_cfg = model_name, _rebuild_config(fit_cfg)
    if ensemble > 1 and spec.kind == "torch":  # rebuilt through the registry's "ensemble"
        saved_name, saved_cfg = "ensemble", {"member": model_name, "member_config": saved_cfg,
                                             "k": ensemble}
    from genemoe.train.distributed import destroy_distributed, get_dist_info

    if not get_dist_info().is_main:  # under torchrun only rank 0 evaluates and writes
        destroy_distributed()
        return RunResult(out_dir, {}, task, model_name, time.perf_counter() - t0)
    if cap_note := epoch_cap_note(fit.info):
        log.warning(cap_note)
    metrics = {s: score_part(task, fit.outputs[s], data[s], class_names, train=data["train"],
                             train_outputs=fit.outputs["train"], seed=seed) for s in ("val", "test")}
    if cap_note:  # was on the terminal only: the report and later readers read it here
        metrics["epoch_cap"] = cap_note
    trust = _trust_statistics(fit, spec.kind, task, data)
    if trust.get("calibration"):  # was in model.pt and config.yaml only (an ECE it raised too)
        metrics["calibration"] = trust["calibration"]
    metrics["ood"] = {k: trust["ood"][k] for k in ("method", "space", "threshold", "threshold_rule",
                                                   "false_alarm", "expected_false_alarm",
                                                   "val_false_alarm", "train_flagged")}
    routing = routing_report(fit.model, data["test"].X, data["test"].groups) if spec.kind == "torch" else {}
    if routing:  # does the gate separate tumour types? (test split; usage tables in routing.json)
        metrics["routing"] = {name: {k: r[k] for k in ("type_separation", "unused_experts")}
                              for name, r in routing.items()}
        atomic_write_text(out_dir / "routing.json", dump_json(routing))
    ran = ran_on(spec.kind, train_cfg.get("device", "auto"), model_cfg.get("weights"))
    clipped = {s: clip_report(bundle.X, scaler, rows=d.rows, genes=gene_mask)  # were clipped
               for s, d in data.items()}  # unsaid: counted per split, said when any
    metrics["protocol"] = {**options_selection(tuned_on, bundle),  # a tune chose them there?
                           "test_scored": "once, after selection",
                           "scaler": "bundle training split",
                           "clipped": clipped,
                           "gene_filter": "bundle training split (its default mask)",
                           "n": {s: len(d.rows) for s, d in data.items()},
                           "synthetic": bundle.synthetic, **ran,
                           **({"endpoint": bundle.endpoint} if task == "survival" else {}),
                           **({"ensemble_members": ensemble_members} if ensemble > 1 else {}),
                           **endpoint_mismatches(tuned_on), **({"preset_gap": gap} if gap else {}),
                           **({"pretrained": pre} if (pre := pretrained_record(fit.info)) else {}),
                           **({"genes_with_weight": w} if (w := weight_text(fit.info)) else {}),
                           **image_record(fit.model, input_scaling(model_name, model_cfg),
                                          model_cfg.get("weights"), ran.get("weights_file"))}
    resolved = {"task": task, "model": model_name, "preset": preset, "seed": seed,
                **({"endpoint": bundle.endpoint} if task == "survival" else {}),
                "ensemble": ensemble,
                **({"ensemble_members": ensemble_members} if ensemble > 1 else {}),
                "model_config": _saved_config(model_cfg, fit_cfg, metrics["protocol"].get("image")),
                "train": task_options(train_cfg, task), **fit.info,  # not the other task's options
                **({"extends": cfg["extends"]} if cfg.get("extends") else {}),  # over preset
                **({"tuned_on": tuned_on} if tuned_on else {})}
    save_model_file(out_dir / "model.pt", {
        "format": "genemoe-model", "genemoe_version": __version__, "kind": spec.kind,
        "model_name": saved_name, "task": task, "model_config": saved_cfg,
        "config": resolved,
        "n_outputs": n_out, "gene_ids": var["gene_id"].tolist(),
        "symbols": gene_symbols(var),
        "gene_lengths": var["length"].tolist() if "length" in var else None,
        "class_names": class_names, "scaler": scaler.to_dict(),
        "reference_profile": reference_profile(  # the quantile target of other pipelines' input
            np.asarray(bundle.X[data["train"].rows][:, gene_mask])).astype(np.float32),
        "normalisation": bundle.record.get("normalisation"), "record": bundle.record,
        "bundle_path": str(bundle.path), "metrics": metrics, **trust, **weights,
        "split_ids": {s: bundle.sample_ids[d.rows].astype(str).tolist() for s, d in data.items()},
    })
    atomic_write_text(out_dir / "metrics.json", dump_json(metrics))
    keep_pretrain_samples(None if transfer is None else pretrained, out_dir)
    atomic_write_text(out_dir / "config.yaml", dump_yaml(plain(resolved)))
    table = _predictions_table(bundle, data, fit.outputs, task, class_names)
    atomic_write_text(out_dir / "predictions.tsv", table.to_csv(sep="\t", index=False))
    for ckpt in (out_dir / "checkpoint.pt", *out_dir.glob("member*/checkpoint.pt")):
        ckpt.unlink(missing_ok=True)  # complete: model.pt has the weights (an ensemble's too)
    _remove_cut_checkpoints(out_dir)
    destroy_distributed()
    return RunResult(out_dir, metrics, task, model_name, time.perf_counter() - t0, ensemble)


def _check_python_args(config_path: Any, model_options: Any, lazy_data: Any, progress: Any) -> None:
    """Refuse arguments only Python can give wrong (a dict as ``config_path``, a list as
    ``model_options``, ``lazy_data="yes"``): they failed inside pathlib or ``dict()`` with
    a TypeError naming no argument, or a string was taken as true."""
    if config_path is not None:
        path_of(config_path, "config_path")
    if model_options is not None and not isinstance(model_options, Mapping):
        raise input_error(f"is a {type(model_options).__name__} {repr(model_options)[:40]}, not "
                          "a mapping of option to value", where="model_options",
                          fix="pass a dict, e.g. model_options={'hidden': 64}")
    for value, where, none in ((lazy_data, "lazy_data", True), (progress, "progress", False)):
        if not isinstance(value, bool | np.bool_) and not (none and value is None):
            raise input_error(f"must be True or False{' or None' if none else ''}, got "
                              f"{value!r}", where=where, fix=f"pass {where}=True or False")


def _trust_statistics(fit: Any, kind: str, task: Task, data: dict[str, TaskData]) -> dict[str, Any]:
    """What ``predict`` needs to say how far to trust a prediction, for the model file.

    ``calibration``: the temperature (classifiers) or the risk scale (survival) fitted on
    validation; ``ood``: the unfamiliar-sample statistics (features of the training part,
    threshold on validation; :mod:`genemoe.train.ood`); ``train_risk``: the training
    patients' sorted (scaled) risks, against which a new risk is given as a percentile;
    ``survival_baseline``: the Breslow baseline of those risks (event times, cumulative
    hazard, centre; :func:`~genemoe.evaluate.brier.breslow_cumulative_hazard`), from which
    ``predict`` gives each patient's survival probability at fixed horizons.
    """
    tr, va = data["train"], data["val"]
    feats = {s: model_features(fit.model, kind, d.X) for s, d in (("train", tr), ("val", va))}
    space = "forward_features" if kind == "torch" else "scaled input (principal components)"
    ood = fit_ood(feats["train"], feats["val"], labels=tr.y if task == "classify" else None,
                  space=space)
    if task == "classify":
        return {"calibration": fit.info.get("calibration"), "ood": ood, "train_risk": None}
    risk = np.asarray(fit.outputs["train"], np.float64)
    times, hazard, centre = breslow_cumulative_hazard(tr.time, tr.event, risk)
    baseline = {"times": times, "cum_hazard": hazard, "centre": centre,
                "fitted_on": "training split",  # one baseline over every type (said by predict)
                "cancer_types": sorted({str(g) for g in tr.groups if isinstance(g, str)})}
    return {"calibration": fit.info.get("calibration"), "ood": ood, "train_risk": np.sort(risk),
            "survival_baseline": baseline}


def _transfer_options(kind: str, bundle: Bundle, gene_mask: np.ndarray, pretrained: Path | None,
                      freeze_encoder_epochs: int, encoder_lr: float | None) -> dict | None:
    """Checked ``--pretrained`` options for :func:`fit_model` (None without a pre-trained run)."""
    if pretrained is None:
        if freeze_encoder_epochs or encoder_lr is not None:
            raise input_error("--freeze-encoder-epochs / --encoder-lr need --pretrained",
                              where="train", fix="pass --pretrained RUN (a `genemoe pretrain` run)")
        return None
    if kind != "torch":
        raise input_error("--pretrained needs a neural model with a pre-trainable encoder",
                          where="--model", fix="use --model genemoe, moe or vaecox")
    if encoder_lr is not None and not (np.isfinite(encoder_lr) and encoder_lr > 0):
        raise input_error(f"must be a positive learning rate, got {encoder_lr}",
                          where="--encoder-lr", fix="pass e.g. --encoder-lr 1e-4 (a tenth of the "
                          "head's lr is a usual start), or leave it out to use the train: lr")
    if freeze_encoder_epochs < 0:
        raise input_error(f"must be 0 or more, got {freeze_encoder_epochs}",
                          where="--freeze-encoder-epochs", fix="pass 0 (train the encoder) or N")
    test = bundle.indices("test")
    return {"pretrained": Path(pretrained), "freeze_encoder_epochs": int(freeze_encoder_epochs),
            "encoder_lr": None if encoder_lr is None else float(encoder_lr),
            "gene_ids": bundle.var.loc[gene_mask, "gene_id"].astype(str).tolist(),
            "bundle_gene_ids": bundle.var["gene_id"].astype(str).tolist(),  # absent vs filtered
            "test_sample_ids": bundle.sample_ids[test].astype(str).tolist(),
            "test_patient_ids": patient_ids(bundle, test),
            # refused when the run pre-trained on another (was loaded unsaid)
            "normalisation": bundle.record.get("normalisation")
            or (bundle.summary or {}).get("normalisation")}


def _with_model_options(model_name: str, model_cfg: dict, options: dict[str, Any]) -> dict:
    """``model_cfg`` with ``model_options``: the CLI's image-model flags, or from Python any
    option of the model (``{"n_experts": 8}``)."""
    from genemoe.models.backbones import BACKBONE_KEYS, BACKBONES
    from genemoe.models.image import HYBRID_KEYS

    keys = HYBRID_KEYS if model_name == "hybrid_cnn" else BACKBONE_KEYS if model_name in BACKBONES else ()
    # the CLI's image flags on another model are refused; from Python any other option of
    # the model is taken (checked when it is built): n_experts was refused as an image flag,
    # and so were genemoe's own hidden and dropout (their names are image options' too)
    refused = sorted((set(options) - set(keys) - set(model_cfg))
                     & (set(HYBRID_KEYS) | set(BACKBONE_KEYS)))
    if refused:
        flags = ", ".join("--" + k.replace("_", "-") for k in refused)
        raise input_error(f"model {model_name!r} takes no {flags}", where="train",
                          fix="these flags are for image models (resnet50, densenet169, vgg19, "
                              "xception; hybrid_cnn takes --layout and --image-size only)")
    return {**model_cfg, **options}


def _rebuild_config(model_cfg: dict) -> dict:
    """The config that rebuilds the trained model for predict/explain.

    The state dict holds every weight, so pretrained-weight sources (ImageNet downloads,
    local weight files) are not needed again: rebuilding with ``weights: none`` works
    offline and after the weight file is gone; likewise the gene → pixel map of an image
    model is a saved buffer, so the fitted layout need not travel in the config.

    A backbone is rebuilt with ``finetune: all``: which layers trained is nothing to a
    rebuilt model (its state dict replaces every weight), and ``weights: none`` with the
    run's ``head`` or ``last_block`` had predict and explain warn that the backbone "is a
    frozen *random* network", into the prediction's record too, of a network fine-tuned
    from pretrained weights. config.yaml and metrics.json keep the run's weights and depth.
    Predict and explain rebuild through :func:`~genemoe.train.model_file.rebuild_model`,
    which builds a backbone ``restored`` and so also loads quietly a model file written
    before this (``finetune: head``); ``all`` stays so that the saved config builds quietly
    through ``create_model`` as well (a user's own code, a test).
    """
    cfg = {k: v for k, v in model_cfg.items() if k != "layout_state"}
    if "weights" not in cfg and "finetune" not in cfg:  # no ImageNet backbone
        return cfg
    return {**cfg, "weights": "none", "finetune": "all"}


def _saved_config(model_cfg: dict, fit_cfg: dict, image: dict | None = None) -> dict:
    """``config.yaml``'s model section: a layout fitted here is named, not listed pixel by
    pixel; the weights are those the run started from (they were written as ``none``, the
    rebuilding value, and a run retrained from its config.yaml started from random weights),
    the backbone's default included when none was given (config.yaml said nothing of them)."""
    weights = ({"weights": image["weights"]} if image and image.get("weights")
               and "weights" not in model_cfg else {})
    if fit_cfg is model_cfg:
        return {**model_cfg, **weights}
    cfg = {k: v for k, v in fit_cfg.items() if k != "layout_state"}
    return {**cfg, **weights, "layout_fitted_on": layout_fitted_on(cfg.get("layout"), image)}


# What a finished run (or `genemoe report` of it) holds: a run replacing it removes them
# first (an interrupted replacement left the old model.pt, metrics and config beside the new
# checkpoint, and `report` showed the old run as the folder's).
_RUN_LEFTOVERS = ("model.pt", "metrics.json", "predictions.tsv", "config.yaml", "routing.json",
                  "report.html", "plots", "history.jsonl")


def _too_big_to_read(bundle: Bundle, n_genes: int, kind: str) -> bool:
    """Whether a neural model's float32 copies of the bundle's splits (``n_genes`` kept)
    would take more than half the free memory: they are then read batch by batch."""
    from genemoe.train.memory import available_memory

    need, free = 4 * len(bundle.sample_ids) * n_genes, available_memory()
    if kind != "torch" or need <= free / 2:
        return False
    log.warning("the bundle's scaled matrices (%.1f GB) would take more than half the free "
                "memory (%.1f GB): read batch by batch from its memory map instead (the same "
                "values; slower epochs)", need / 1e9, free / 1e9)
    return True


def _remove_cut_checkpoints(out_dir: Path) -> None:
    """Remove checkpoint writes a killed process left (``.checkpoint.pt.*.tmp``, ~4 x model.pt
    each: one per SIGKILL mid-write, kept after the run finished), before training resumes
    and when it is done."""
    if int(os.environ.get("RANK", "0")) != 0:  # under torchrun rank 0 writes the checkpoints
        return
    for tmp in (*out_dir.glob(".checkpoint.pt.*.tmp"), *out_dir.glob("member*/.checkpoint.pt.*.tmp")):
        log.info("removing %s, a checkpoint write cut short", tmp)
        tmp.unlink(missing_ok=True)


def _clear_finished_run(out_dir: Path) -> None:
    """Training into a finished run's directory replaces it, said in a warning: the files
    the new run may not write (an MLP over a logistic regression kept its report, plots and
    none of them said so) are removed first. An interrupted run (checkpoint.pt) resumes."""
    if (not (out_dir / "model.pt").exists() or (out_dir / "checkpoint.pt").exists()
            or int(os.environ.get("RANK", "0")) != 0):  # under torchrun rank 0 clears it
        return
    try:
        old = yaml.safe_load((out_dir / "config.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        old = {}
    log.warning("%s holds a finished run (%s, %s): replacing it", out_dir,
                old.get("model", "a model"), old.get("task", "a task"))
    members = [p.name for p in out_dir.glob("member*") if p.is_dir()]  # an ensemble's
    remove_outputs(out_dir, [*_RUN_LEFTOVERS, *members])


def _check_task_data(task: Task, data: dict[str, TaskData], bundle: Bundle) -> None:
    check_bundle_has_task(bundle, task)
    for split, d in data.items():
        if len(d.rows) == 0:
            raise input_error(f"the {split} split has no usable samples for {task}", path=bundle.path,
                              fix="re-prepare with other --val-fraction/--test-fraction, or add "
                                  "--clinical for survival")
    if task == "survival":
        given = {s: len(bundle.indices(s)) for s in data}  # was left out without a word
        if (n_out := sum(given.values()) - sum(len(d.rows) for d in data.values())):
            log.warning("%d of %d samples have no survival time and event: left out (%s)",
                        n_out, sum(given.values()), ", ".join(
                            f"{s} {len(d.rows)} of {given[s]}" for s, d in data.items()))
        check_survival_parts(data, "the bundle's split", path=bundle.path,
                             fix=resplit_fix(bundle))  # a bundle without events: refused above
